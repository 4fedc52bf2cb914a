"""H.264 + AAC into fragmented MP4 on its own thread, placed by capture stamps.

Each keyframe (every ``gop_s``) closes a fragment, so a killed process leaves a file that plays up to
its last fragment; an orderly finish writes the rest. When the encoder cannot keep up, whole frames are
skipped and counted rather than piling up in memory.
"""

from __future__ import annotations

import collections
import errno
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from ._worker import Worker
from .disk import STOP_FLOOR_BYTES, FreeSpace, free_bytes
from .durable import FileSyncer
from .frames import AUDIO_RATE, BufferPool, Image, Samples, as_image

log = logging.getLogger(__name__)

# empty_moov with delay_moov: the init segment is written when the first fragment is cut rather than before
# any sample, so it carries edit lists (B-frame delay, AAC priming) and the video starts at 0 with its exact
# duration; with empty_moov alone it started 2 frames late. Crash safety is the same: moof+mdat fragments,
# one per keyframe.
MOVFLAGS = "frag_keyframe+empty_moov+delay_moov+default_base_moof"
AAC_FRAME = 1024
DISK_CHECK_FRAMES = 10  # statvfs is cheap; checking by frames too keeps up with faster-than-real-time runs


@dataclass(frozen=True, slots=True)
class EncoderSettings:
    preset: str = "veryfast"
    crf: int = 23
    gop_s: float = 1.0
    audio_bitrate: int = 128_000
    queue_s: float = 1.0  # frames waiting for the encoder before new ones are skipped
    stop_floor_bytes: int = STOP_FLOOR_BYTES
    block_when_full: bool = False  # for simulated-clock runs: wait instead of skipping
    sync_s: float = 1.0  # how often the file is forced onto the disk (a power cut loses at most this); 0: never


class StopReason:
    DURATION = "duration"
    STOPPED = "stopped"
    DISK_FULL = "disk-full"
    ERROR = "error"


@dataclass(slots=True)
class EncoderCounters:
    frames: int = 0
    skipped: int = 0
    audio_samples: int = 0
    size_bytes: int = 0
    free_bytes: int = 0
    fps: float = 0.0
    bitrate_bps: float = 0.0


class EncoderSink:
    """A program sink; ``start_at`` / ``finish_at`` are clock times that bound what it keeps."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, settings: EncoderSettings | None = None,
                 *, duration_s: float | None = None, free_space: FreeSpace = free_bytes,
                 start_at: float | None = None) -> None:
        self.path = path
        self.duration_s = duration_s
        self.size = size
        self.fps = fps
        self.settings = settings or EncoderSettings()
        self.counters = EncoderCounters()
        self.stop_reason: str | None = None
        self.message = ""
        self.start_at = start_at  # the file's time zero: given, or the first frame's instant
        self.finish_at: float | None = None
        self._free_space = free_space
        self._queue: collections.deque[tuple[str, int, Any]] = collections.deque()
        self._cond = threading.Condition()
        self._video_waiting = 0
        self._video_done = False
        self._audio_done = False
        self._worker = Worker(f"encoder-{path.name}", self._run)
        self._yuv_pool = BufferPool((size[1] * 3 // 2, size[0]))  # queued I420 pictures, reused once encoded
        self.syncer: FileSyncer | None = None
        self.done = threading.Event()

    # -- the compositor's side ---------------------------------------------------------------
    def push_video(self, t: float, image: Image) -> None:
        with self._cond:
            if self.start_at is None:
                self.start_at = t
                if self.duration_s is not None and self.finish_at is None:
                    self.finish_at = t + round(self.duration_s * self.fps) / self.fps
                    self.stop_reason = StopReason.DURATION
            if self._video_done:
                return
            if self.finish_at is not None and t >= self.finish_at - 1e-6:
                self._video_done = True
                self._cond.notify()
                return
            limit = max(2, round(self.settings.queue_s * self.fps))
            while self._video_waiting >= limit and self.settings.block_when_full and not self.done.is_set():
                self._cond.wait(0.1)
            if self._video_waiting >= limit:
                self.counters.skipped += 1
                return
            self._video_waiting += 1  # the slot is ours; convert outside the lock (only this thread pushes video)
            pts = round((t - self.start_at) * self.fps)
        # Queued as I420: half the memory of RGB (1 s of 1080p is 93 MB), and the conversion runs here, beside
        # the encoder rather than in front of it. A program that composed straight to I420 hands it over as is
        # (its pool does not reuse a picture while this queue holds it).
        if image.ndim == 2:
            yuv = image
        else:
            yuv = as_image(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420, dst=self._yuv_pool.get()))
        with self._cond:
            self._queue.append(("v", pts, yuv))
            self._cond.notify()

    def push_audio(self, first_sample: int, samples: Samples) -> None:
        with self._cond:
            if self.start_at is None or self._audio_done:
                return
            origin = round(self.start_at * AUDIO_RATE)
            end = len(samples)
            if self.finish_at is not None:
                end = min(end, round(self.finish_at * AUDIO_RATE) - first_sample)
            lo = max(0, origin - first_sample)
            if lo < end:
                self._queue.append(("a", first_sample + lo - origin, samples[lo:end]))
            if self.finish_at is not None and first_sample + len(samples) >= round(self.finish_at * AUDIO_RATE):
                self._audio_done = True
            self._cond.notify()

    # -- control -----------------------------------------------------------------------------
    def start(self) -> None:
        self._worker.start()

    def finish(self, at: float | None = None, reason: str = StopReason.STOPPED) -> None:
        """End at clock time ``at`` (default: the next frame) unless already ending sooner; the file is completed.

        Takes no lock (the event loop calls it): the compositor and the encoder poll these fields.
        """
        base = self.start_at if self.start_at is not None else 0.0
        if at is None:
            at = base + (self.counters.frames + self._video_waiting + 1) / self.fps
        at = max(at, base + 1 / self.fps)
        if self.finish_at is None or at < self.finish_at:  # a stop before the asked duration shortens it
            self.stop_reason = reason
            self.finish_at = at

    def abort(self) -> None:
        """Finish with what has arrived (the program stopped feeding us); lock-free like ``finish``."""
        self.stop_reason = self.stop_reason or StopReason.STOPPED
        self._video_done = self._audio_done = True

    def join(self, timeout: float | None = None) -> bool:
        return self._worker.join(timeout)

    def on_done(self, callback: Callable[[], None]) -> None:
        """Called on the encoder thread once the file is closed; register before ``start``."""
        self._worker.on_done(callback)

    @property
    def alive(self) -> bool:
        return self._worker.alive

    @property
    def error(self) -> BaseException | None:
        return self._worker.error

    # -- the encoder thread -------------------------------------------------------------------
    def _run(self, stop: threading.Event) -> None:
        try:
            self._encode_all()
        finally:
            self.done.set()
            with self._cond:
                self._cond.notify_all()

    def _open(self) -> tuple[Any, Any, Any]:
        w, h = self.size
        gop = max(1, round(self.settings.gop_s * self.fps))
        # flush_packets: each fragment reaches the kernel when it is cut, not when a 32 KB buffer fills.
        options = {"movflags": MOVFLAGS, "flush_packets": "1"}
        container = av.open(str(self.path), "w", format="mp4", options=options)
        video = container.add_stream("libx264", rate=self.fps, options={
            "preset": self.settings.preset,
            "crf": str(self.settings.crf),
            "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0",
        })
        video.width, video.height, video.pix_fmt = w, h, "yuv420p"
        # PyAV defaults to slice threads; x264's frame threads (what the ffmpeg CLI uses) are ~25% cheaper.
        video.codec_context.thread_type = "FRAME"
        video.codec_context.time_base = Fraction(1, self.fps)
        audio = container.add_stream("aac", rate=AUDIO_RATE)
        audio.layout = "mono"
        audio.bit_rate = self.settings.audio_bitrate
        return container, video, audio

    def _encode_all(self) -> None:
        try:
            container, video, audio = self._open()
        except Exception as exc:  # no file to write to (a bad folder, no permission): said, not a silent stall
            self._fail(exc)
            return
        if self.settings.sync_s > 0:
            self.syncer = FileSyncer(self.path, self.settings.sync_s)
            self.syncer.start()
        pending_audio = np.zeros(0, np.float32)
        audio_pts = 0
        failed = False
        meter = _Meter()
        try:
            while True:
                item = self._next()
                if item is None:
                    break
                kind, pts, payload = item
                if kind == "v":
                    self._mux(container, video.encode(_picture(payload, pts)))
                    self.counters.frames += 1
                else:
                    if pts > audio_pts + len(pending_audio):  # a hole before this chunk: silence
                        pending_audio = np.concatenate([pending_audio, np.zeros(pts - audio_pts - len(pending_audio),
                                                                                np.float32)])
                    pending_audio = np.concatenate([pending_audio, payload])
                    while len(pending_audio) >= AAC_FRAME:
                        self._mux(container, audio.encode(_audio_frame(pending_audio[:AAC_FRAME], audio_pts)))
                        pending_audio = pending_audio[AAC_FRAME:]
                        audio_pts += AAC_FRAME
                    self.counters.audio_samples = audio_pts + len(pending_audio)
                if meter.due() or (kind == "v" and self.counters.frames % DISK_CHECK_FRAMES == 0):
                    self._check_disk(meter)
            if len(pending_audio):
                self._mux(container, audio.encode(_audio_frame(pending_audio, audio_pts)))
            self._mux(container, video.encode(None))
            self._mux(container, audio.encode(None))
        except Exception as exc:
            failed = True
            self._fail(exc)
        finally:
            try:
                container.close()
            except Exception as exc:
                if not failed:
                    self._fail(exc)
            if self.syncer is not None:
                self.syncer.finish()
            self._measure_size()

    def _next(self) -> tuple[str, int, Any] | None:
        with self._cond:
            while not self._queue:
                if self._video_done and self._audio_done:
                    return None
                self._cond.wait(0.1)
            item = self._queue.popleft()
            if item[0] == "v":
                self._video_waiting -= 1
                self._cond.notify_all()
            return item

    def _mux(self, container: Any, packets: list[Any]) -> None:
        for packet in packets:
            container.mux(packet)

    def _check_disk(self, meter: _Meter) -> None:
        self._measure_size()
        self.counters.free_bytes = self._free_space(self.path.parent)
        if meter.due():
            self.counters.fps = meter.rate(self.counters.frames)
        media_s = self.counters.frames / self.fps
        self.counters.bitrate_bps = self.counters.size_bytes * 8 / media_s if media_s > 0 else 0.0
        if self.counters.free_bytes < self.settings.stop_floor_bytes and self.stop_reason != StopReason.DISK_FULL:
            self.message = "the disk is nearly full: the recording was stopped and saved"
            self.stop_reason = StopReason.DISK_FULL
            base = self.start_at if self.start_at is not None else 0.0
            soon = base + (self.counters.frames + self._video_waiting + 1) / self.fps
            self.finish_at = soon if self.finish_at is None else min(self.finish_at, soon)

    def _measure_size(self) -> None:
        try:
            self.counters.size_bytes = self.path.stat().st_size
        except OSError:
            pass

    def _fail(self, exc: BaseException) -> None:
        code = getattr(exc, "errno", None)
        if code == errno.ENOSPC or "No space left" in str(exc):
            self.stop_reason = StopReason.DISK_FULL
            self.message = "the disk is full: the recording stopped; the file plays up to the last second saved"
        else:
            self.stop_reason = StopReason.ERROR
            self.message = f"the encoder failed: {exc}"
        log.warning("recording %s: %s", self.path, self.message)
        with self._cond:
            self._video_done = self._audio_done = True
            self._queue.clear()
            self._video_waiting = 0
            self._cond.notify_all()


class _Meter:
    """Encoder fps over the last second of real time."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.frames = 0

    def due(self) -> bool:
        return time.monotonic() - self.last >= 1.0

    def rate(self, frames: int) -> float:
        now = time.monotonic()
        fps = (frames - self.frames) / max(now - self.last, 1e-3)
        self.last, self.frames = now, frames
        return fps


def _picture(yuv: Image, pts: int) -> av.VideoFrame:
    """A PyAV frame over the I420 buffer itself, not a copy: libx264 copies the picture in before ``encode``
    returns, and the frame's reference keeps the program's pool from reusing the buffer until then."""
    frame = av.VideoFrame.from_numpy_buffer(yuv, format="yuv420p")
    frame.pts = pts
    return frame


def _audio_frame(samples: Samples, pts: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="fltp", layout="mono")
    frame.sample_rate = AUDIO_RATE
    frame.pts = pts
    frame.time_base = Fraction(1, AUDIO_RATE)
    return frame
