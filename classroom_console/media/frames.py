"""What flows through the pipeline: stamped video frames and audio blocks."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

AUDIO_RATE = 48_000
AUDIO_BLOCK = 960  # 20 ms at 48 kHz: small enough for a lively meter, large enough to be cheap

Image = npt.NDArray[np.uint8]
Samples = npt.NDArray[np.float32]

# Y, U, V of RGB black and white as OpenCV's RGB->I420 gives them (BT.601, limited range)
I420_BLACK = (16, 128, 128)
I420_WHITE = (235, 128, 128)


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """A picture (RGB or I420, see ``is_i420``) and the clock time it was captured."""

    stamp: float
    image: Image
    index: int = 0


@dataclass(frozen=True, slots=True)
class AudioBlock:
    """Mono float32 samples at 48 kHz; ``stamp`` is the clock time of the first sample."""

    stamp: float
    samples: Samples


def as_image(array: object) -> Image:
    """OpenCV and PyAV return loosely typed arrays; ours are always uint8 RGB."""
    return cast(Image, array)


def is_i420(image: Image) -> bool:
    """Pictures come in two layouts: RGB (height x width x 3), as cameras and screens give them, and I420 as
    OpenCV lays it out, 2-D ((height * 3 / 2) x width: the Y plane, then U, then V), which is what H.264 takes.
    Synthetic sources and the compositor work in I420 so a picture is converted once at most."""
    return image.ndim == 2


def picture_size(image: Image) -> tuple[int, int]:
    """(width, height) of either layout."""
    if is_i420(image):
        return image.shape[1], image.shape[0] * 2 // 3
    return image.shape[1], image.shape[0]


def i420_planes(image: Image) -> tuple[Image, Image, Image]:
    """The Y, U and V planes of an I420 picture as writable 2-D views."""
    width, height = picture_size(image)
    flat = image.reshape(-1)
    y_size, c_size = width * height, (width // 2) * (height // 2)
    u = flat[y_size : y_size + c_size].reshape(height // 2, width // 2)
    v = flat[y_size + c_size : y_size + 2 * c_size].reshape(height // 2, width // 2)
    return flat[:y_size].reshape(height, width), u, v


def i420_buffer(width: int, height: int) -> Image:
    return np.empty((height * 3 // 2, width), np.uint8)


def to_i420(pixels: cv2.typing.MatLike, code: int) -> Image:
    """A capture's own pixels (BGR from OpenCV, BGRA from X) to I420 in one conversion, ``code`` being OpenCV's
    (``cv2.COLOR_BGR2YUV_I420``...); an odd last row or column is cut, as 4:2:0 needs even sizes."""
    h, w = pixels.shape[:2]
    return cast(Image, cv2.cvtColor(pixels[: h - h % 2, : w - w % 2], code))


def to_rgb(image: Image) -> Image:
    """An RGB picture of either layout (for tests, thumbnails and the preview; never per frame at full size)."""
    if is_i420(image):
        return cast(Image, cv2.cvtColor(image, cv2.COLOR_YUV2RGB_I420))
    return image


def even_size(width: int, height: int) -> tuple[int, int]:
    """H.264 4:2:0 needs even dimensions."""
    return width - width % 2, height - height % 2


# Why a size was refused, for the window to word (media/spec.py's SourceRefused carries it on).
SIZE_UNREADABLE = "size-unreadable"  # "abc": not WIDTHxHEIGHT
SIZE_OUT_OF_RANGE = "size-out-of-range"  # below 16x16 or above 7680x4320
SIZE_ODD = "size-odd"  # the encoder takes even sizes only


class SizeRefused(ValueError):
    """A size ``parse_size`` refuses; ``code`` says why (``SIZE_…``), the message is the log's and the CLI's."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def parse_size(text: str) -> tuple[int, int]:
    """``1280x720`` -> (1280, 720); rejects odd or absurd sizes early, before any thread starts."""
    try:
        w_text, h_text = text.lower().split("x")
        width, height = int(w_text), int(h_text)
    except ValueError:
        raise SizeRefused(SIZE_UNREADABLE, f"size must look like 1280x720, not {text!r}") from None
    if not (16 <= width <= 7680 and 16 <= height <= 4320) or width % 2 or height % 2:
        code = SIZE_ODD if 16 <= width <= 7680 and 16 <= height <= 4320 else SIZE_OUT_OF_RANGE
        raise SizeRefused(code, f"size {text!r} must be even and between 16x16 and 7680x4320")
    return width, height


class BufferPool:
    """Reusable arrays of one shape, so a frame-sized buffer is not mapped and zeroed by the kernel each frame.

    A buffer is handed out again only once nothing else refers to it (no frame, view, queue or PyAV frame holds
    it), which ``sys.getrefcount`` tells exactly; while every pooled buffer is in use, new ones are made (up to
    ``limit`` kept), so a slow consumer costs memory, never a picture overwritten under it.

    Bounded by time as well as count: buffers that nobody needed for ``idle_s`` (a backlog that has drained, a
    recording that ended) are let go, so a burst's memory does not stay for the rest of the session. None is kept
    spare by default: one spare a pool kept a picture more after every recording than the preview had needed
    before it (the window: 6 MB of its after-stop memory at 1080p, bench/memory.py), and making a buffer again
    when a window needs one more is a single ``mmap``.
    """

    def __init__(self, shape: tuple[int, ...], limit: int = 16, *, idle_s: float = 2.0, spare: int = 0) -> None:
        self.shape = shape
        self.limit = limit
        self.idle_s = idle_s
        self.spare = spare
        self._buffers: list[Image] = []
        self._next = 0
        self._window_start = time.monotonic()
        self._fewest_free: int | None = None  # the fewest free buffers seen in this window

    def __len__(self) -> int:
        return len(self._buffers)

    def get(self) -> Image:
        buffers = self._buffers
        n = len(buffers)
        found = -1
        free = 0
        for i in range(n):
            j = (self._next + i) % n
            # 2 = the list's reference and getrefcount's argument: nobody else holds it
            if sys.getrefcount(buffers[j]) <= 2:
                free += 1
                if found < 0:
                    found = j
        self._note_free(max(0, free - 1))
        if found >= 0:
            self._next = (found + 1) % n
            return buffers[found]
        buffer = np.empty(self.shape, np.uint8)
        if n < self.limit:
            buffers.append(buffer)
        return buffer

    def _note_free(self, free: int) -> None:
        """Each window, the buffers that stayed free all along (beyond ``spare``) were not needed: drop them."""
        if self._fewest_free is None or free < self._fewest_free:
            self._fewest_free = free
        now = time.monotonic()
        if now - self._window_start < self.idle_s:
            return
        surplus = self._fewest_free - self.spare
        self._window_start, self._fewest_free = now, None
        if surplus > 0:
            self.release(surplus)

    def release(self, count: int | None = None) -> int:
        """Let go of up to ``count`` (default all) buffers nobody holds; the number let go."""
        kept: list[Image] = []
        dropped = 0
        for buffer in self._buffers:
            if (count is None or dropped < count) and sys.getrefcount(buffer) <= 3:  # list, loop variable, arg
                dropped += 1
            else:
                kept.append(buffer)
        self._buffers = kept
        self._next = 0
        return dropped
