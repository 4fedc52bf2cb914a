"""A recording's chapters: found by ``chapters_detect``, merged with the lecturer's markers, and written where
players and the centre read them (chapter atoms in the MP4, the ``.chapters.vtt`` beside it; the store is
``chapters_store.py``).

The MP4 is rewritten by stream copy (nothing re-encoded) into a temporary file beside it that replaces it in one
rename, so a crash leaves the old file or the new one, never half of one. The recorder's fragmented layout is kept.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from classroom_console.cli_text import tr

from .artifacts import Marker, chapters_path, chapters_vtt

log = logging.getLogger(__name__)

AUTO, MARKER, EDITED = "auto", "marker", "edited"
MARKER_WINDOW_S = 2.0  # a marker this close to a found change names it instead of making a second chapter
MIN_GAP_S = 1.0  # two chapters are never closer than this
TITLE_MAX = 200
MAX_CHAPTERS = 500  # the centre's limit (and more than any lecture needs)


@dataclass(frozen=True, slots=True)
class Chapter:
    start_s: float
    title: str
    origin: str = AUTO
    thumbnail: bytes | None = None  # JPEG

    def as_json(self) -> dict[str, object]:
        return {"start_s": self.start_s, "title": self.title, "origin": self.origin}


def clean_title(title: str) -> str:
    """One line, no surrounding space, at most ``TITLE_MAX`` characters (titles go into atoms, WebVTT, HTML)."""
    return " ".join(title.split())[:TITLE_MAX]


def numbered(chapters: Iterable[Chapter]) -> list[Chapter]:
    """Time order; an untitled chapter is called by its number, in the language the console runs in (the name
    goes into the file, which the lecturer's students read)."""
    ordered = sorted(chapters, key=lambda c: c.start_s)
    return [c if clean_title(c.title) else replace(c, title=chapter_name(i + 1)) for i, c in enumerate(ordered)]


def chapter_name(n: int) -> str:
    return tr("Chapter {n}").format(n=n)


def merge(found: Sequence[Chapter], markers: Sequence[Marker], duration_s: float) -> list[Chapter]:
    """The lecturer's markers win: a marker near a found change takes its place (keeping the found thumbnail,
    taken when the new slide had settled); the rest of both are kept. The recording always opens a chapter."""
    chapters = [replace(c, title="") for c in found if 0 <= c.start_s < max(duration_s, 0.001)]
    for marker in sorted(markers, key=lambda m: m.at_s):
        if not 0 <= marker.at_s < max(duration_s, 0.001):
            continue
        near = [c for c in chapters if abs(c.start_s - marker.at_s) <= MARKER_WINDOW_S and c.origin == AUTO]
        thumb = None
        if near:
            closest = min(near, key=lambda c: abs(c.start_s - marker.at_s))
            chapters.remove(closest)
            thumb = closest.thumbnail
        chapters.append(Chapter(round(marker.at_s, 3), clean_title(marker.label), MARKER, thumb))
    chapters.sort(key=lambda c: (c.start_s, c.origin != MARKER))
    kept: list[Chapter] = []
    for c in chapters:
        if kept and c.start_s - kept[-1].start_s < MIN_GAP_S:
            if c.origin == MARKER and kept[-1].origin != MARKER:
                kept[-1] = replace(c, thumbnail=c.thumbnail or kept[-1].thumbnail)
            continue
        kept.append(c)
    if not kept or kept[0].start_s > MIN_GAP_S:
        opening = next((c.thumbnail for c in found if c.start_s == 0), None)
        kept.insert(0, Chapter(0.0, "", AUTO, opening))
    elif kept[0].start_s > 0:
        kept[0] = replace(kept[0], start_s=0.0)
    if len(kept) > MAX_CHAPTERS:  # the lecturer's markers first, then the found changes, in time order
        chosen = sorted(kept, key=lambda c: (c.origin != MARKER, c.start_s))[:MAX_CHAPTERS]
        kept = sorted(chosen, key=lambda c: c.start_s)
    return numbered(kept)


def as_markers(chapters: Sequence[Chapter]) -> list[Marker]:
    return [Marker(c.start_s, c.title) for c in chapters]


def write_vtt(recording: Path, chapters: Sequence[Chapter], duration_s: float) -> Path | None:
    """The ``.chapters.vtt`` beside the recording (removed when no chapter is left)."""
    path = chapters_path(recording)
    if not chapters:
        path.unlink(missing_ok=True)
        return None
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(chapters_vtt(as_markers(chapters), duration_s), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_atoms(path: Path) -> list[Chapter]:
    """The chapter atoms an MP4 already has (title from the atom's metadata)."""
    import av

    with av.open(str(path)) as container:
        found = []
        for ch in container.chapters():
            tb = ch["time_base"] or Fraction(1, 1)
            found.append(Chapter(round(float(ch["start"] * tb), 3), ch["metadata"].get("title", ""), MARKER))
    return found


def write_atoms(path: Path, chapters: Sequence[Chapter], duration_s: float,
                stop: threading.Event | None = None) -> None:
    """Chapter atoms (QuickTime chapter track and Nero ``chpl``, both listed by ffprobe and VLC) by stream copy.

    Only the video and audio streams are copied: an older chapter track is replaced, not doubled. Blocking.
    """
    import av

    from .output_file import MOVFLAGS

    ordered = sorted(chapters, key=lambda c: c.start_s)
    ms = Fraction(1, 1000)
    end_ms = max(round(duration_s * 1000), round(ordered[-1].start_s * 1000) + 1) if ordered else 0
    entries: list[Any] = []  # av's Chapter dicts
    for i, c in enumerate(ordered):
        start = round(c.start_s * 1000)
        end = round(ordered[i + 1].start_s * 1000) if i + 1 < len(ordered) else end_ms
        entries.append({"id": i + 1, "start": start, "end": max(end, start + 1), "time_base": ms,
                        "metadata": {"title": clean_title(c.title) or chapter_name(i + 1)}})
    tmp = path.with_name(f".{path.name}.chapters.tmp")
    try:
        with av.open(str(path)) as source:
            fragmented = _is_fragmented(path)
            options = {"movflags": MOVFLAGS} if fragmented else {"movflags": "+faststart"}
            with av.open(str(tmp), "w", format="mp4", options=options) as out:
                out.metadata.update({k: v for k, v in source.metadata.items() if k in ("title", "comment")})
                streams = {}
                for s in (*source.streams.video, *source.streams.audio):
                    streams[s.index] = out.add_stream_from_template(s)
                out.set_chapters(entries)
                for packet in source.demux(*[s for s in source.streams if s.index in streams]):
                    if stop is not None and stop.is_set():
                        raise InterruptedError("stopped")
                    if packet.dts is None:
                        continue
                    packet.stream = streams[packet.stream.index]
                    out.mux(packet)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _is_fragmented(path: Path) -> bool:
    """Whether the file has movie fragments (the recorder's layout), found in its first boxes."""
    with path.open("rb") as f:
        offset = 0
        for _ in range(64):
            f.seek(offset)
            head = f.read(16)
            if len(head) < 8:
                return False
            size, kind = int.from_bytes(head[:4], "big"), head[4:8]
            if size == 1 and len(head) >= 16:
                size = int.from_bytes(head[8:16], "big")
            if kind in (b"moof", b"mvex"):
                return True
            if kind == b"moov":  # mvex sits inside moov
                f.seek(offset + 8)
                return b"mvex" in f.read(min(max(size - 8, 0), 1 << 20))
            if size < 8:
                return False
            offset += size
    return False
