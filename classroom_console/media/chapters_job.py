"""Chapters end to end for one recording: found after Stop (off the loop, with progress), and saved after an edit
in the Studio. Both end in the same three places: the MP4's chapter atoms, the ``.chapters.vtt`` and the store.

The MP4 is only rewritten while the sync is held off its file (``chapters_store.hold``); once its upload may have
begun, an edit goes to the store and the .vtt only, and the centre gets it as metadata (``chapters_payload``).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from . import chapters_store
from .artifacts import Marker, size_and_sha256
from .chapters import AUTO, Chapter, merge, write_atoms, write_vtt
from .heap import give_back
from .offload import offload

log = logging.getLogger(__name__)

PRESENTATION_PREFIXES = ("screen", "slides", "presentation")  # source names of a presentation (spec.py names)

ROOM_LEFT_BYTES = 64 << 20  # free space kept beyond the copy of the file its atoms are written into

# What saving an edit did (the UI words these codes).
WRITTEN, METADATA_ONLY = "written", "metadata_only"


class ChapterStore(Protocol):
    async def call(self, fn: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Found:
    chapters: tuple[Chapter, ...]
    duration_s: float
    source: Path  # the file looked at (the presentation track, or the program)
    seconds: float  # how long finding them took
    mode: str


def presentation_file(program: Path, tracks: Sequence[tuple[str, Path]] = ()) -> Path:
    """The per-source file of the presentation (a screen or slides source) when the recording has one: it shows
    the slides whole, whatever the program's layout does; else the program file."""
    for source, path in tracks:
        if source.lower().startswith(PRESENTATION_PREFIXES) and path.is_file() and path.stat().st_size > 0:
            return path
    return program


def find(path: Path, markers: Sequence[Marker] = (), tracks: Sequence[tuple[str, Path]] = (), *,
         stop: threading.Event | None = None, progress: Callable[[float], None] | None = None) -> Found:
    """Blocking: detection on the presentation, merged with the markers on the program's timeline."""
    import time

    from .chapters_detect import detect, jpeg, thumbnails_at
    from .probe import media_seconds

    began = time.perf_counter()
    source = presentation_file(path, tracks)
    detection = detect(source, stop=stop, progress=progress)
    found = [Chapter(c.start_s, "", AUTO, jpeg(c.thumbnail)) for c in detection.changes]
    duration = (media_seconds(path) if source != path else 0.0) or detection.duration_s
    chapters = merge(found, markers, duration)
    bare = [i for i, c in enumerate(chapters) if c.thumbnail is None]  # marked where no change was found
    if bare:
        pictures = thumbnails_at(source, [chapters[i].start_s for i in bare])
        for i, picture in zip(bare, pictures, strict=True):
            chapters[i] = replace(chapters[i], thumbnail=jpeg(picture))
    return Found(tuple(chapters), duration, source, time.perf_counter() - began, detection.mode)


def write_files(path: Path, chapters: Sequence[Chapter], duration_s: float,
                stop: threading.Event | None = None) -> tuple[int, str]:
    """Blocking: atoms into the MP4 and the .vtt beside it; returns the file's new (size, SHA-256). The atoms need
    room for a copy of the file while it is rewritten: on a disk without it, only the .vtt is written."""
    if shutil.disk_usage(path.parent).free > path.stat().st_size + ROOM_LEFT_BYTES:
        write_atoms(path, chapters, duration_s, stop)  # an empty list takes the old atoms out
    else:
        log.warning("%s: no room on the disk for a copy, so its chapters are not written into it", path.name)
    write_vtt(path, chapters, duration_s)
    return size_and_sha256(path)


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """Enough to tell whether the file was replaced (inode, size, mtime)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def rehash_if_replaced(path: Path, before: tuple[int, int, int] | None) -> tuple[int | None, str | None]:
    """After a failure: the new (size, SHA-256) when the file was replaced meanwhile, else (None, None)."""
    if file_identity(path) == before:
        return None, None
    return size_and_sha256(path)


class ChapterJob:
    """Finding a stopped recording's chapters and writing them, on a worker thread; ``progress`` 0..1 is read at
    display rate. The store's hold is taken by the recorder before the recording is marked stopped."""

    def __init__(self, store: ChapterStore | None, recording_id: str, path: Path, markers: Sequence[Marker],
                 tracks: Sequence[tuple[str, Path]] = ()) -> None:
        self.store = store
        self.recording_id = recording_id
        self.path = path
        self.markers = tuple(markers)
        self.tracks = tuple(tracks)
        self.progress = 0.0  # finding is the first 90 %, writing the file the rest
        self.done = False
        self.error = ""  # one line when it failed (the recording itself is unharmed)
        self.found: Found | None = None
        self._stop = threading.Event()

    def _set_progress(self, value: float) -> None:
        self.progress = min(0.9, 0.9 * value)

    def cancel(self) -> None:
        self._stop.set()

    async def run(self) -> Found | None:
        size: int | None = None
        sha: str | None = None
        rid = self.recording_id
        before = await offload(lambda: file_identity(self.path), "chapters-stat")
        try:
            found = await offload(lambda: find(self.path, self.markers, self.tracks, stop=self._stop,
                                               progress=self._set_progress), "chapters-find")
            self.progress = 0.9
            size, sha = await offload(lambda: write_files(self.path, found.chapters, found.duration_s, self._stop),
                                      "chapters-write")
            if self.store is not None:
                await self.store.call(lambda s: chapters_store.replace_all(s, rid, found.chapters))
            self.found = found
            log.info("%s: %d chapters found in %.1f s (%s of %s)", self.path.name, len(found.chapters),
                     found.seconds, found.mode, found.source.name)
            return found
        except Exception as exc:  # the recording stands without chapters; the reason is kept for the UI
            self.error = " ".join(str(exc).split()) or type(exc).__name__
            log.warning("%s: no chapters (%s)", self.path.name, self.error)
            if size is None:  # the file may have been replaced before the failure: then read it again
                size, sha = await offload(lambda: rehash_if_replaced(self.path, before), "chapters-hash")
            return None
        finally:
            try:
                if self.store is not None:
                    await self.store.call(lambda s: chapters_store.release(s, rid, size, sha))
            finally:  # done even when the release or a second cancel at shutdown interrupts it
                self.progress, self.done = 1.0, True
                with contextlib.suppress(Exception):  # memory only: never in place of the job's own outcome
                    await offload(give_back, "chapters-give-back")  # the decoder's pictures leave the process


async def load_chapters(store: ChapterStore, recording_id: str) -> list[Chapter]:
    chapters: list[Chapter] = await store.call(lambda s: chapters_store.load(s, recording_id))
    return chapters


async def save_chapters(store: ChapterStore, recording_id: str, chapters: Sequence[Chapter]) -> str:
    """An edit from the Studio: the store and the .vtt always; the MP4's atoms too while its upload has not
    begun (``WRITTEN``), else ``METADATA_ONLY``. Raises ``LookupError`` for a recording the store does not have."""
    rid = recording_id
    row = await store.call(lambda s: s.recording(rid))
    if row is None:
        raise LookupError(f"recording {rid} is not in the store")
    path = Path(str(row["path"]))
    duration = float(row.get("duration_s") or 0.0) or max((c.start_s for c in chapters), default=0.0) + 1.0
    ordered = tuple(sorted(chapters, key=lambda c: c.start_s))
    exists = await offload(path.is_file, "chapters-stat")
    held = exists and await store.call(lambda s: chapters_store.hold(s, rid))
    if not held:
        await offload(lambda: write_vtt(path, ordered, duration), "chapters-vtt")
        await store.call(lambda s: chapters_store.replace_all(s, rid, ordered))
        return METADATA_ONLY
    size: int | None = None
    sha: str | None = None
    before = await offload(lambda: file_identity(path), "chapters-stat")
    try:
        size, sha = await offload(lambda: write_files(path, ordered, duration), "chapters-write")
        await store.call(lambda s: chapters_store.replace_all(s, rid, ordered))
    finally:
        if size is None:
            size, sha = await offload(lambda: rehash_if_replaced(path, before), "chapters-hash")
        await store.call(lambda s: chapters_store.release(s, rid, size, sha))
    return WRITTEN
