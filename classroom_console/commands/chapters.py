"""``classroom-console chapters FILE.mp4 [--write] [--json]``: the chapters found in any recording (where its
slides change, merged with the chapters its ``.chapters.vtt`` already names), and with ``--write`` added to the
file as chapter atoms (stream copy, nothing re-encoded)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from classroom_console.cli_text import ntr, tr

HELP = "find a recording's chapters (where its slides change); --write adds them to the MP4 as chapter atoms"
BAD_FILE, REFUSED = 1, 3


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE.mp4", help=tr("a recording (any MP4 FFmpeg can read)"))
    parser.add_argument("--write", action="store_true",
                        help=tr("add the chapters to the file as chapter atoms (and the .chapters.vtt beside it)"))
    parser.add_argument("--json", action="store_true", help=tr("print JSON instead of a table"))


def _stamp(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def read_vtt(path: Path) -> list[tuple[float, str]]:
    """(start, title) of each cue of a WebVTT chapter file; nothing when it is absent or unreadable."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    cues = []
    for i, line in enumerate(lines):
        if "-->" not in line:
            continue
        start = line.split("-->")[0].strip()
        try:
            parts = [float(p) for p in start.split(":")]
        except ValueError:
            continue
        seconds = sum(p * 60**k for k, p in enumerate(reversed(parts)))
        title = lines[i + 1].strip() if i + 1 < len(lines) else ""
        cues.append((seconds, title))
    return cues


def _fail(message: str, code: int = BAD_FILE) -> int:
    print(f"classroom-console chapters: {message}", file=sys.stderr)
    return code


def _write(args: argparse.Namespace, path: Path, found: Any) -> int | None:
    """Atoms and .vtt; the store's row (size, checksum, chapters) follows when the file is one of this room's
    recordings, and a recording whose upload has begun is left as the centre has it."""
    from classroom_console.media import chapters_store
    from classroom_console.media.chapters_job import write_files
    from classroom_console.store import StoreError, open_store

    try:
        store = open_store(args.data_dir)
    except StoreError:
        store = None
    try:
        row = None
        if store is not None:
            rows = list(store.db.query("SELECT id FROM recordings WHERE path = ?", (str(path),)))
            row = rows[0] if rows else None
        if store is None or row is None:
            write_files(path, found.chapters, found.duration_s)
            return None
        rid = str(row["id"])
        if not chapters_store.hold(store, rid):
            return _fail(tr("{name} is being uploaded or is already at the centre: its file is left as it is "
                            "(edit its chapters in the Studio instead)").format(name=path.name), REFUSED)
        size = sha = None
        try:
            size, sha = write_files(path, found.chapters, found.duration_s)
            chapters_store.replace_all(store, rid, found.chapters)
        finally:
            if size is None:
                from classroom_console.media.artifacts import size_and_sha256

                size, sha = size_and_sha256(path)
            chapters_store.release(store, rid, size, sha)
        return None
    finally:
        if store is not None:
            store.close()


def run(args: argparse.Namespace) -> int:
    from classroom_console.media.artifacts import Marker, chapters_path
    from classroom_console.media.chapters_detect import NotAVideo, Stopped
    from classroom_console.media.chapters_job import find

    path = args.file.expanduser().resolve()
    if not path.exists():
        return _fail(tr("{file}: no such file").format(file=args.file))
    if not path.is_file():
        return _fail(tr("{file}: not a file").format(file=args.file))
    markers = [Marker(t, title) for t, title in read_vtt(chapters_path(path))]
    try:
        found = find(path, markers)
    except NotAVideo as exc:  # its few reasons, in English as the catalogue's keys
        return _fail(f"{args.file}: {tr(str(exc))}")
    except Stopped:
        return _fail(tr("stopped"), 130)
    except OSError as exc:
        return _fail(f"{args.file}: {exc.strerror or exc}")
    written = False
    if args.write:
        try:
            refused = _write(args, path, found)
        except OSError as exc:
            return _fail(tr("{file}: could not write its chapters ({why}); the file is unchanged").format(
                file=args.file, why=exc.strerror or exc))
        if refused is not None:
            return refused
        written = True
    if args.json:
        print(json.dumps({"file": str(path), "duration_s": round(found.duration_s, 3), "written": written,
                          "chapters": [c.as_json() for c in found.chapters]}, ensure_ascii=False, indent=2))
    else:
        for c in found.chapters:
            print(f"{_stamp(c.start_s)}  {c.title}")
        if written:
            print(ntr("{n} chapter written into {file} and {vtt}", "{n} chapters written into {file} and {vtt}",
                      len(found.chapters)).format(n=len(found.chapters), file=path.name, vtt=chapters_path(path).name))
    return 0
