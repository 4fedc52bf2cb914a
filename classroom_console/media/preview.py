"""Live previews of camera streams for the screen: one thread per stream, frames at display rate, never more.

The window shows a tile, not a recording: each thread decodes its stream with OpenCV (FFmpeg), keeps
only the frames due at ``fps`` (converting and downscaling just those, to the tile's size, as RGB), and
hands them to a callback on its own thread. A stream that drops is reopened with growing, jittered
waits; its state (connecting, live, lost with a reason code) goes to a second callback.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from devices.driver import Reason

from ._worker import Worker
from .camera import shown_url

log = logging.getLogger(__name__)

DISPLAY_FPS = 15.0
OPEN_TIMEOUT_MS = 3000  # a camera that does not answer: reported lost after this, then retried
READ_TIMEOUT_MS = 3000  # a stream that goes quiet
BACKOFF_S = (0.5, 8.0)  # first wait before reopening, and the longest


MJPEG = cv2.VideoWriter.fourcc(*"MJPG")
REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))
GIVE_UP_AFTER = 25  # frames in a row that do not decode: the stream is garbled


class PreviewState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    LOST = "lost"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class PreviewStatus:
    state: PreviewState
    reason: Reason = Reason.NONE  # why it is lost, for the UI to word
    detail: str = ""  # the technical words, for the log and a tooltip


def fit(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with the picture's aspect inside ``box``; never upscaled, never zero."""
    scale = min(box[0] / width, box[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink(bgr: np.ndarray, box: tuple[int, int]) -> np.ndarray:
    """BGR from the decoder -> RGB at most ``box``, cheaply: the colour converts only the few pixels left.

    Area averaging by a whole factor first (OpenCV's fast path: 1280x720 -> 640x360 in under a millisecond,
    where a fractional area resize takes 8), then bilinear to the exact size.
    """
    height, width = bgr.shape[:2]
    size = fit(width, height, box)
    small = bgr
    factor = min(width // size[0], height // size[1])
    while factor > 1 and (width % factor or height % factor):  # the fast path needs an exact division
        factor -= 1
    if factor >= 2:
        small = cv2.resize(bgr, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
    if small.shape[1::-1] != size:
        small = cv2.resize(small, size, interpolation=cv2.INTER_LINEAR)
    return cv2.cvtColor(small, cv2.COLOR_BGR2RGB)


def jpeg_packets(capture: cv2.VideoCapture) -> tuple[int, int] | None:
    """For MJPEG, switch to packets as they come and return the picture's size; None for other codecs.

    Each MJPEG frame stands alone, so the frames dropped need never be decoded, and the ones shown are
    decoded by libjpeg at a half, quarter or eighth of their size: most of the work saved is decoding's.
    """
    if int(capture.get(cv2.CAP_PROP_FOURCC)) != MJPEG:
        return None
    size = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if min(size) <= 0 or not capture.set(cv2.CAP_PROP_FORMAT, -1):
        return None
    return size


def decode_jpeg(packet: np.ndarray, native: tuple[int, int], box: tuple[int, int]) -> np.ndarray | None:
    """The JPEG at the smallest reduced scale still at least as large as the tile wants."""
    want = fit(native[0], native[1], box)
    for factor, flag in REDUCED:
        if native[0] // factor >= want[0] and native[1] // factor >= want[1]:
            return cv2.imdecode(packet, flag)
    return cv2.imdecode(packet, cv2.IMREAD_COLOR)


class StreamPreview:
    """Watches one stream until ``stop``; ``size`` may change while it runs (the tile was resized)."""

    def __init__(
        self,
        url: str,
        size: tuple[int, int],
        on_frame: Callable[[np.ndarray], None],
        on_status: Callable[[PreviewStatus], None] | None = None,
        fps: float = DISPLAY_FPS,
        backoff_s: tuple[float, float] = BACKOFF_S,
    ) -> None:
        self.url = url
        self.size = size
        self.interval_s = 1.0 / fps
        self.backoff_s = backoff_s
        self.status = PreviewStatus(PreviewState.CONNECTING)
        self.received = 0  # frames read from the stream (decoded only if shown, where the stream allows)
        self.shown = 0  # frames handed to on_frame
        self.reconnects = 0
        self._on_frame = on_frame
        self._on_status = on_status
        self._worker = Worker(f"preview {url}", self._run)

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        """Asks the thread to end; it does within a frame, or a read timeout for a silent camera."""
        self._worker.stop()

    def join(self, timeout: float | None = None) -> bool:
        return self._worker.join(timeout)

    @property
    def alive(self) -> bool:
        return self._worker.alive

    def _run(self, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set():
            self._set(PreviewStatus(PreviewState.CONNECTING))
            capture = cv2.VideoCapture(self.url, cv2.CAP_FFMPEG, [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, OPEN_TIMEOUT_MS, cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS])
            try:
                if not capture.isOpened():
                    lost = PreviewStatus(PreviewState.LOST, Reason.UNREACHABLE, f"cannot open {shown_url(self.url)}")
                elif self._read(capture, stop):
                    failures = 0
                    lost = PreviewStatus(PreviewState.LOST, Reason.NO_ANSWER,
                                         f"{shown_url(self.url)} stopped sending pictures")
                else:
                    lost = PreviewStatus(PreviewState.LOST, Reason.GARBLED, f"{shown_url(self.url)} sent no picture")
            finally:
                capture.release()
            if stop.is_set():
                break
            self._set(lost)
            failures += 1
            self.reconnects += 1
            first, longest = self.backoff_s
            wait = min(longest, first * 2 ** (failures - 1)) * random.uniform(0.8, 1.2)
            log.info("%s; trying again in %.1f s", lost.detail, wait)
            stop.wait(wait)
        self._set(PreviewStatus(PreviewState.STOPPED))

    def _read(self, capture: cv2.VideoCapture, stop: threading.Event) -> bool:
        """Reads until the stream ends or ``stop``; True if any picture came."""
        native = jpeg_packets(capture)
        due = 0.0
        got = False
        undecodable = 0
        while not stop.is_set() and undecodable < GIVE_UP_AFTER:
            if not capture.grab():  # MJPEG: reads a packet; otherwise decodes (colour conversion waits)
                return got
            self.received += 1
            now = time.monotonic()
            if now < due:
                continue
            ok, data = capture.retrieve()
            if not ok or data is None:
                return got
            bgr = data if native is None else decode_jpeg(data, native, self.size)
            if bgr is None:
                undecodable += 1
                continue
            undecodable = 0
            if not got:
                got = True
                self._set(PreviewStatus(PreviewState.LIVE))
            # Paced by the clock, not by counting frames: a 25 fps camera shows at 12-15 fps, a 10 fps one at 10.
            due = max(due + self.interval_s, now + self.interval_s / 2)
            self._emit(shrink(bgr, self.size))
        return got

    def _emit(self, rgb: np.ndarray) -> None:
        self.shown += 1
        try:
            self._on_frame(rgb)
        except RuntimeError:  # the tile went away while this frame was on its way (a deleted Qt object)
            log.debug("preview of %s: nobody to show it to", shown_url(self.url), exc_info=True)
            self._worker.stop()

    def _set(self, status: PreviewStatus) -> None:
        if status == self.status:
            return
        self.status = status
        if self._on_status is None:
            return
        try:
            self._on_status(status)
        except RuntimeError:
            log.debug("preview of %s: nobody to tell", shown_url(self.url), exc_info=True)
            self._worker.stop()
