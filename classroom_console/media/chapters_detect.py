"""Finding where a lecture's presentation changes (a new slide) by looking at the recording itself.

Cheap by design (the target is under 5 % of the recording's length at 1080p on 2 cores): only keyframes are
decoded (``skip_frame``), each shrunk to a small grey picture by the decoder's own scaler; a recording whose
keyframes are far apart is decoded whole but sampled sparsely instead. A change found between two samples is
then placed to the frame by decoding just that stretch.

The measure is block-wise: the small picture is cut into blocks, a block counts as changed when its mean absolute
difference (after taking out a global brightness shift, as a camera's exposure makes) passes a threshold, and a
block that keeps changing from sample to sample (a video playing inside the slide, a presenter walking past) is
left out until it settles. A moving mouse pointer touches a block or two; a new slide changes a good share of the
steady blocks. The new picture must then hold, steady, for ``hold_s``, so a slide flicked past is not a chapter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np

log = logging.getLogger(__name__)

ANALYSIS_SIZE = (320, 180)  # the small picture compared: 16 x 9 blocks of 20 px
BLOCK = 20
THUMB_WIDTH = 320
Progress = Callable[[float], None]  # 0..1


class Stopped(Exception):
    """Detection was asked to stop (the console is closing)."""


class NotAVideo(ValueError):
    """The file cannot be read as a video (missing, not a media file, or no video stream): one line for the user,
    worded by its English text, the key of ``cli_text``'s catalogue."""


@dataclass(frozen=True, slots=True)
class Tuning:
    block_mad: float = 7.0  # a block's mean absolute difference (0..255 luma) above which it changed
    changed_fraction: float = 0.10  # of the steady blocks, for a new slide
    settle_fraction: float = 0.04  # at most this much still changing while the new picture holds
    hold_s: float = 1.0  # a new picture must hold this long
    volatile_rate: float = 0.5  # a block changing in more than this share of recent samples is left out
    volatile_alpha: float = 0.25
    sparse_step_s: float = 0.25  # sampling when keyframes are too far apart to sample on them
    max_keyframe_gap_s: float = 1.5


@dataclass(slots=True)
class Sample:
    t: float
    luma: np.ndarray  # ANALYSIS_SIZE, float32
    frame: av.VideoFrame | None = None  # kept only while the tracker holds the sample: for a thumbnail


@dataclass(frozen=True, slots=True)
class Change:
    start_s: float
    thumbnail: np.ndarray | None = field(default=None, compare=False)  # BGR


@dataclass(frozen=True, slots=True)
class Detection:
    changes: tuple[Change, ...]  # the first is always at 0 (the picture the recording opens on)
    duration_s: float
    samples: int
    mode: str  # "keyframes" or "sparse"


def block_changes(a: np.ndarray, b: np.ndarray, threshold: float) -> np.ndarray:
    """Which blocks of two small pictures differ (bool, rows x cols), a global brightness shift taken out."""
    d = a - b
    d -= float(np.median(d))
    h, w = d.shape
    mad = np.abs(d).reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).mean(axis=(1, 3))
    changed: np.ndarray = mad > threshold
    return changed


class Tracker:
    """Feeds on samples in time order; keeps the chapters' start windows (last sample on the old picture, first
    sample off it)."""

    def __init__(self, tuning: Tuning) -> None:
        self.tuning = tuning
        self.ref: Sample | None = None  # the current slide, as last seen steady
        self.prev: Sample | None = None
        self.volatility: np.ndarray | None = None
        self.left: Sample | None = None  # a change under way: the last sample on the old picture...
        self.first_off: Sample | None = None  # ... the first one off it
        self.candidate: Sample | None = None  # ... and the newest picture, waiting to hold
        self.found: list[tuple[Sample, Sample, Sample, Sample]] = []  # (left, first_off, settled, ref) per change
        self.opening: Sample | None = None

    def _fraction(self, a: Sample, b: Sample, steady: np.ndarray) -> float:
        n = int(steady.sum())
        if n == 0:
            return 0.0
        return float((block_changes(a.luma, b.luma, self.tuning.block_mad) & steady).sum()) / n

    def feed(self, s: Sample) -> None:
        tn = self.tuning
        if self.ref is None or self.prev is None or self.volatility is None:
            self.ref = self.prev = self.opening = s
            self.volatility = np.zeros((s.luma.shape[0] // BLOCK, s.luma.shape[1] // BLOCK), np.float32)
            return
        moved = block_changes(self.prev.luma, s.luma, tn.block_mad)
        self.volatility += tn.volatile_alpha * (moved.astype(np.float32) - self.volatility)
        steady = self.volatility <= tn.volatile_rate
        off = self._fraction(self.ref, s, steady)
        if self.candidate is None:
            if off > tn.changed_fraction:
                self.left, self.first_off, self.candidate = self.prev, s, s
            else:
                self.ref = s  # follows slow drift (light, focus) and keeps the picture fresh for the thumbnail
        elif self._fraction(self.candidate, s, steady) > tn.settle_fraction:
            self.candidate = s  # still moving (slides flicked past, a transition): wait for it to hold
        elif s.t - self.candidate.t >= tn.hold_s - 1e-6:
            assert self.left is not None and self.first_off is not None
            if off > tn.changed_fraction:  # judged again with what is now known to be volatile
                self.found.append((self.left, self.first_off, self.candidate, self.ref))
            self.ref, self.candidate = s, None
        self.prev = s


def _luma(frame: av.VideoFrame) -> np.ndarray:
    """The frame's luma shrunk to ``ANALYSIS_SIZE``: read straight from the decoder's Y plane and averaged by
    area (a fraction of what a colour conversion at full size would cost)."""
    w, h = ANALYSIS_SIZE
    if frame.format.name.startswith(("yuv", "nv")) and frame.planes:
        plane = frame.planes[0]
        rows: np.ndarray = np.frombuffer(memoryview(plane), np.uint8).reshape(frame.height, plane.line_size)
        full = rows[:, : frame.width]
    else:
        full = frame.reformat(format="gray").to_ndarray()
    small: np.ndarray = cv2.resize(full, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    return small


def thumbnail(frame: av.VideoFrame) -> np.ndarray:
    """BGR, ``THUMB_WIDTH`` wide, for the chapter's JPEG."""
    th = max(2, round(THUMB_WIDTH * frame.height / max(1, frame.width)) // 2 * 2)
    image: np.ndarray = frame.reformat(width=THUMB_WIDTH, height=th, format="bgr24").to_ndarray()
    return image


def _small(frame: av.VideoFrame) -> Sample:
    return Sample(float(frame.time) if frame.time is not None else 0.0, _luma(frame), frame)


def _video(container: av.container.InputContainer) -> av.VideoStream:
    if not container.streams.video:
        raise NotAVideo("it has no video stream")
    return container.streams.video[0]


def keyframe_gap_s(container: av.container.InputContainer, stream: av.VideoStream, probe_s: float = 20.0) -> float:
    """The largest distance between keyframes in the first ``probe_s`` (packets only, nothing decoded); the
    container is left at its start."""
    times: list[float] = []
    for packet in container.demux(stream):
        if packet.pts is None or packet.time_base is None:
            continue
        t = float(packet.pts * packet.time_base)
        if packet.is_keyframe:
            times.append(t)
        if t > probe_s:
            break
    container.seek(0, stream=stream, backward=True)
    if len(times) < 2:
        return float("inf")
    return float(max(np.diff(sorted(times))))


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path))
    except FileNotFoundError as exc:
        raise NotAVideo("no such file") from exc
    except IsADirectoryError as exc:
        raise NotAVideo("it is a folder") from exc
    except (av.error.FFmpegError, UnicodeDecodeError, OSError) as exc:
        raise NotAVideo("not a media file FFmpeg can read") from exc


def _duration(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration / av.time_base)
    return 0.0


def _samples(container: av.container.InputContainer, stream: av.VideoStream, keyframes: bool, step_s: float,
             duration: float, stop: threading.Event | None, progress: Progress | None) -> Iterator[Sample]:
    stream.codec_context.skip_frame = "NONKEY" if keyframes else "NONREF"
    next_t = -1.0
    last_report = 0.0
    for frame in container.decode(stream):
        if stop is not None and stop.is_set():
            raise Stopped()
        t = float(frame.time) if frame.time is not None else 0.0
        if not keyframes and t < next_t - 1e-6:
            continue
        next_t = t + step_s
        yield _small(frame)
        if progress is not None and duration > 0 and t - last_report >= duration / 100:
            last_report = t
            progress(min(0.95, 0.95 * t / duration))
    stream.codec_context.skip_frame = "DEFAULT"


def _place(container: av.container.InputContainer, stream: av.VideoStream, left: Sample, first_off: Sample,
           ref: Sample, tuning: Tuning) -> float:
    """The first frame between ``left`` and ``first_off`` that is off the old picture (decoding only that stretch:
    from the keyframe at ``left``)."""
    if first_off.t - left.t <= 1.5 / 30:
        return first_off.t
    assert stream.time_base is not None
    container.seek(round(left.t / stream.time_base), stream=stream, backward=True, any_frame=False)
    # Frames no other frame refers to (most B-frames) are skipped: placing to a few frames costs half as much as
    # placing to one, and a chapter that starts 0.1 s late is not seen.
    stream.codec_context.skip_frame = "NONREF"
    # Blocks the slide change moved, and no others (not the pointer's, not a video region's).
    moved = block_changes(ref.luma, first_off.luma, tuning.block_mad)
    if not moved.any():
        return first_off.t
    for frame in container.decode(stream):
        t = float(frame.time) if frame.time is not None else 0.0
        if t <= left.t + 1e-6:
            continue
        if t >= first_off.t - 1e-6:
            break
        off = block_changes(ref.luma, _luma(frame), tuning.block_mad) & moved
        if off.sum() > 0.5 * moved.sum():
            return t
    return first_off.t


def detect(path: Path, tuning: Tuning | None = None, *, stop: threading.Event | None = None,
           progress: Progress | None = None) -> Detection:
    """Blocking (a worker thread's job). Raises ``NotAVideo`` with a short reason for a file it cannot read, and
    ``Stopped`` when ``stop`` is set."""
    tuning = tuning or Tuning()
    with _open(path) as container:
        stream = _video(container)
        duration = _duration(container, stream)
        stream.thread_type = "AUTO"
        # Deblocking is a quarter of decoding and changes nothing a 320x180 comparison can see.
        stream.codec_context.options = {"skip_loop_filter": "all"}
        keyframes = keyframe_gap_s(container, stream) <= tuning.max_keyframe_gap_s
        tracker = Tracker(tuning)
        count = 0
        try:
            for sample in _samples(container, stream, keyframes, tuning.sparse_step_s, duration, stop, progress):
                tracker.feed(sample)
                count += 1
        except av.error.FFmpegError as exc:  # a damaged tail: what was read so far still counts
            log.warning("%s: decoding stopped early (%s)", path.name, exc)
        changes: list[Change] = []
        if tracker.opening is not None:
            changes.append(Change(0.0, _thumb(tracker.opening)))
        for left, first_off, settled, ref in tracker.found:
            start = first_off.t
            if keyframes:
                try:
                    start = _place(container, stream, left, first_off, ref, tuning)
                except av.error.FFmpegError:
                    pass
            changes.append(Change(round(start, 3), _thumb(settled)))
    if progress is not None:
        progress(1.0)
    return Detection(tuple(changes), duration, count, "keyframes" if keyframes else "sparse")


def thumbnails_at(path: Path, times: Sequence[float]) -> list[np.ndarray | None]:
    """The picture at each time (for chapters the lecturer marked where no change was found): one GOP decoded
    per time."""
    out: list[np.ndarray | None] = []
    with _open(path) as container:
        stream = _video(container)
        stream.thread_type = "AUTO"
        assert stream.time_base is not None
        for at in times:
            picture = None
            try:
                container.seek(round(at / stream.time_base), stream=stream, backward=True, any_frame=False)
                for frame in container.decode(stream):
                    picture = thumbnail(frame)
                    if frame.time is None or float(frame.time) >= at - 1e-3:
                        break
            except av.error.FFmpegError:
                pass
            out.append(picture)
    return out


def _thumb(sample: Sample) -> np.ndarray | None:
    return thumbnail(sample.frame) if sample.frame is not None else None


def jpeg(image: np.ndarray | None, quality: int = 80) -> bytes | None:
    if image is None:
        return None
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return data.tobytes() if ok else None
