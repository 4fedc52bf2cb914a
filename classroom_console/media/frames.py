"""What flows through the pipeline: stamped video frames and audio blocks."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

AUDIO_RATE = 48_000
AUDIO_BLOCK = 960  # 20 ms at 48 kHz: small enough for a lively meter, large enough to be cheap

Image = npt.NDArray[np.uint8]
Samples = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """An RGB image (H x W x 3) and the clock time it was captured."""

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


def even_size(width: int, height: int) -> tuple[int, int]:
    """H.264 4:2:0 needs even dimensions."""
    return width - width % 2, height - height % 2


def parse_size(text: str) -> tuple[int, int]:
    """``1280x720`` -> (1280, 720); rejects odd or absurd sizes early, before any thread starts."""
    try:
        w_text, h_text = text.lower().split("x")
        width, height = int(w_text), int(h_text)
    except ValueError:
        raise ValueError(f"size must look like 1280x720, not {text!r}") from None
    if not (16 <= width <= 7680 and 16 <= height <= 4320) or width % 2 or height % 2:
        raise ValueError(f"size {text!r} must be even and between 16x16 and 7680x4320")
    return width, height


class BufferPool:
    """Reusable arrays of one shape, so a frame-sized buffer is not mapped and zeroed by the kernel each frame.

    A buffer is handed out again only once nothing else refers to it (no frame, view, queue or PyAV frame holds
    it), which ``sys.getrefcount`` tells exactly; while every pooled buffer is in use, new ones are made (up to
    ``limit`` kept), so a slow consumer costs memory, never a picture overwritten under it.
    """

    def __init__(self, shape: tuple[int, ...], limit: int = 16) -> None:
        self.shape = shape
        self.limit = limit
        self._buffers: list[Image] = []
        self._next = 0

    def get(self) -> Image:
        buffers = self._buffers
        n = len(buffers)
        for i in range(n):
            j = (self._next + i) % n
            # 2 = the list's reference and getrefcount's argument: nobody else holds it
            if sys.getrefcount(buffers[j]) <= 2:
                self._next = (j + 1) % n
                return buffers[j]
        buffer = np.empty(self.shape, np.uint8)
        if n < self.limit:
            buffers.append(buffer)
        return buffer
