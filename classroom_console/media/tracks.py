"""Each video source in a file of its own beside the program file, as lecture platforms ingest them (a presenter
track and a presentation track, laid out by the platform's player).

Every per-source file keeps exactly the instants the program file keeps, at the source's own picture size (but
never larger than the program: a 4K camera is not worth four encoders' work), with the program's sound, so the
files line up frame for frame; each is a fragmented MP4 of its own, as crash-safe as the program file.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .compose import fit_rect, scaled_i420
from .disk import FreeSpace, free_bytes
from .encoder import Encoder
from .frames import Image, Samples, picture_size
from .output_file import FileOutput

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrackResult:
    source: str
    path: Path
    size_bytes: int
    sha256: str
    frames: int
    skipped: int
    message: str = ""

    def as_record(self) -> dict[str, object]:
        """For the store's stats of the recording (JSON)."""
        return {"source": self.source, "path": str(self.path), "size_bytes": self.size_bytes, "sha256": self.sha256,
                "frames": self.frames, "skipped": self.skipped, "message": self.message}


def track_path(program_path: Path, source: str) -> Path:
    """``lecture.mp4`` and source ``camera-2`` give ``lecture.camera-2.mp4`` (the name made safe for any disk)."""
    safe = re.sub(r"[^\w.-]+", "_", source).strip("._") or "source"
    return program_path.with_name(f"{program_path.stem}.{safe}{program_path.suffix}")


class SourceTracks:
    """A program sink attached together with the recording's own: it follows that sink's start and end.

    The video sources in the program when the recording starts get a file each, opened at their first picture
    (a camera still connecting joins late, its file on the program's timeline: empty until then); one added
    later is not recorded on its own (it is in the program file). A source that stalls or is removed repeats
    its last picture, as the program does.
    """

    def __init__(self, program_sink: Encoder, program_path: Path, sources: Sequence[str], *,
                 free_space: FreeSpace = free_bytes) -> None:
        self.program_sink = program_sink
        self.program_path = program_path
        self.sources = tuple(sources)
        self.sinks: dict[str, Encoder] = {}  # replaced whole, never changed in place: other threads read it
        self.files: dict[str, FileOutput] = {}  # each source's file, the one output of its encoder (as sinks)
        self._free_space = free_space
        self._last: dict[str, Image] = {}

    # -- the compositor's side ---------------------------------------------------------------
    def push_video(self, t: float, image: Image) -> None:
        """The program picture is the program sink's; this sink takes the sources' (``push_sources``)."""

    def push_sources(self, t: float, pictures: Mapping[str, Image]) -> None:
        main = self.program_sink
        if main.start_at is None or t < main.start_at - 1e-6:
            return
        if main.done.is_set() and main.finish_at is None:  # the program file failed: end with it
            self.abort()
            return
        if len(self.sinks) < len(self.sources) and (main.finish_at is None or t < main.finish_at - 1e-6):
            self._open(t, main.start_at, pictures)
        for name, sink in self.sinks.items():
            if main.finish_at is not None:
                sink.finish(main.finish_at, main.stop_reason or "stopped")
            picture = pictures.get(name, self._last.get(name))
            if picture is None:
                continue
            if picture_size(picture) != sink.size:  # larger than the program, or changed its size since
                picture = scaled_i420(picture, *sink.size)
            self._last[name] = picture
            sink.push_video(t, picture)

    def push_audio(self, first_sample: int, samples: Samples) -> None:
        for sink in self.sinks.values():
            sink.push_audio(first_sample, samples)

    def _open(self, t: float, start_at: float, pictures: Mapping[str, Image]) -> None:
        """A file for each awaited source with a picture now; its timeline starts with the program's."""
        main = self.program_sink
        opened, files = dict(self.sinks), dict(self.files)
        for name in self.sources:
            picture = pictures.get(name)
            if name in opened or picture is None:
                continue
            size = _within(picture_size(picture), main.size)
            # x264 in this process: a child of its own would start with the recording (its first second lost) and
            # hold ~44 MB more for each source; x264_apart (x264_spare.py) keeps one child, for the program's file
            settings = dataclasses.replace(main.settings, x264_apart=False)
            sink = Encoder(size, main.fps, settings, start_at=start_at, name=name)
            file = FileOutput(track_path(self.program_path, name), main.settings, free_space=self._free_space)
            sink.add_output(file, required=True)
            sink.start()
            opened[name], files[name] = sink, file
            if t > start_at + 1e-6:
                log.info("%s: its own file starts %.1f s into the recording, at its first picture", name, t - start_at)
        self.files = {name: files[name] for name in self.sources if name in files}
        self.sinks = {name: opened[name] for name in self.sources if name in opened}  # in the program's order

    @property
    def missing(self) -> list[str]:
        """The awaited sources that have not shown a picture (no file of their own yet)."""
        return [name for name in self.sources if name not in self.sinks]

    @property
    def bitrate_bps(self) -> float:
        return sum(file.bitrate_bps for file in self.files.values())

    # -- control -----------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return any(sink.alive for sink in self.sinks.values())

    def abort(self) -> None:
        """End every file with what it has (the program stopped feeding, or the program file failed)."""
        for sink in self.sinks.values():
            sink.abort()

    @property
    def skipped(self) -> int:
        return sum(sink.counters.skipped for sink in self.sinks.values())


def _within(size: tuple[int, int], bound: tuple[int, int]) -> tuple[int, int]:
    """``size`` shrunk, aspect kept and even, to fit inside ``bound`` (as the compositor fits it); as it is if it
    fits."""
    if size[0] <= bound[0] and size[1] <= bound[1]:
        return size
    _, _, w, h = fit_rect(size, (0, 0, *bound))
    return w, h
