"""Synthetic sources for tests and the demo: a moving test pattern and a tone, flashing and beeping together.

Both put their marks at the same clock instants (multiples of ``SYNC_PERIOD_S``), so the A/V offset of a
recording can be measured from its flash/beep pairs.
"""

from __future__ import annotations

import functools
import math
import threading

import cv2
import numpy as np
from numpy.lib.stride_tricks import as_strided

from .clock import Clock
from .frames import (
    AUDIO_BLOCK,
    AUDIO_RATE,
    I420_BLACK,
    I420_WHITE,
    AudioBlock,
    BufferPool,
    Image,
    VideoFrame,
    as_image,
    even_size,
    i420_planes,
)
from .source import AudioSource, VideoSource

SYNC_PERIOD_S = 2.0
FLASH_S = 0.1
BEEP_HZ = 1000.0
_PALETTES = (
    ((40, 70, 140), (60, 110, 190)),
    ((140, 70, 40), (190, 120, 60)),
    ((40, 120, 70), (70, 170, 100)),
)


def is_flash(t: float) -> bool:
    """Whether the scene shows the flash at clock time ``t``."""
    return (t + 1e-6) % SYNC_PERIOD_S < FLASH_S


class TestPattern(VideoSource):
    """Scrolling stripes with the capture time and frame number burnt in; white at every sync instant.

    Rendered in I420, the encoder's own layout, as a camera's decoder would hand it over: the compositor copies
    or scales its planes and never converts it.
    """

    __test__ = False  # not a pytest class, despite the name

    def __init__(self, name: str = "test-pattern", size: tuple[int, int] = (1280, 720), fps: float = 30.0,
                 variant: int = 0) -> None:
        super().__init__(name, fps)
        w, h = even_size(*size)
        self.size = (w, h)
        self._period = max(32, w // 8) // 4 * 4
        self._step = max(2, w // 320) // 2 * 2  # even, so the chroma planes scroll by whole rows too
        dark, light = _PALETTES[variant % len(_PALETTES)]
        # Diagonal stripes (colour by x + y), so scrolling left by ``offset`` equals moving down ``offset`` rows, and
        # row r of a plane is its first row moved left by r: each plane's background is one line of stripes, each
        # frame's a view of it whose rows step one pixel along it (``_rows``), copied into the plane. Each plane is
        # drawn in its own values, the chroma ones at half scale (stripes a multiple of 4 wide keep the planes in
        # register). The line replaces a tall picture of every row a frame could show (3.6 MB of the window's memory
        # a 1080p pattern, bench/memory.py; the same pixels, and the copy is no slower).
        self._background = [_stripes(w // d + (h + self._period) // d, self._period // 2 // d, dark_value, light_value)
                            for d, dark_value, light_value in zip((1, 2, 2), _i420_of(dark), _i420_of(light),
                                                                  strict=True)]
        self._pool = BufferPool((h * 3 // 2, w))
        self._scale = h / 540
        self._label = name

    def render(self, t: float, index: int) -> Image:
        """The I420 picture for clock time ``t``; cheap (three strided copies, two lines of text) even at 1080p."""
        image = self._pool.get()
        planes = i420_planes(image)
        if is_flash(t):
            for plane, value in zip(planes, I420_WHITE, strict=True):
                plane.fill(value)
            ink = I420_BLACK[0]
        else:
            offset = (index * self._step) % self._period
            for plane, line, d in zip(planes, self._background, (1, 2, 2), strict=True):
                np.copyto(plane, _rows(line, offset // d, plane.shape))
            ink = I420_WHITE[0]
        # The text goes on the luma plane alone: light or dark over the stripes' own tint, as sharp as luma is.
        luma, s = planes[0], self._scale
        thickness = max(1, round(2 * s))
        cv2.putText(luma, f"{t:012.3f} s", (round(20 * s), round(60 * s)), cv2.FONT_HERSHEY_SIMPLEX,
                    1.4 * s, ink, thickness, cv2.LINE_AA)
        cv2.putText(luma, f"#{index:07d}  {self._label}", (round(20 * s), round(110 * s)),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0 * s, ink, thickness, cv2.LINE_AA)
        return image

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        period = 1.0 / self.fps
        tick = math.ceil(clock.now() * self.fps)
        while clock.sleep_until(tick * period, stop):
            t = tick * period
            self.publish(VideoFrame(t, self.render(t, tick), tick))
            tick += 1
            late = math.floor(clock.now() * self.fps)
            if late > tick:  # we fell behind: those instants are lost, and publish() counts them
                tick = late


TONE_BLOCK = 5 * AUDIO_BLOCK  # 100 ms: a synthetic source needs no microphone's short buffers; 10 wake-ups a
# second instead of 50 (the mixer waits a quarter of a second for audio anyway, and stamps, not block sizes,
# place the samples)


class Tone(AudioSource):
    """A quiet hum with a 1 kHz beep at every sync instant, delivered in real-time-paced 100 ms blocks."""

    def __init__(self, name: str = "tone", gain_db: float = 0.0) -> None:
        super().__init__(name, gain_db)

    @staticmethod
    def render(first_sample: int, count: int) -> np.ndarray:
        """Samples ``first_sample``.. on the absolute 48 kHz grid of the clock."""
        period = _tone_period()
        start = first_sample % len(period)
        if start + count <= len(period):
            return period[start : start + count].copy()
        return np.take(period, np.arange(first_sample, first_sample + count, dtype=np.int64), mode="wrap")

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        first = math.ceil(clock.now() * AUDIO_RATE / TONE_BLOCK) * TONE_BLOCK
        while clock.sleep_until((first + TONE_BLOCK) / AUDIO_RATE, stop):
            self.publish(AudioBlock(first / AUDIO_RATE, self.render(first, TONE_BLOCK)))
            first += TONE_BLOCK


def _i420_of(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """The Y, U, V values of one colour, as OpenCV's I420 conversion gives them."""
    y, u, v = i420_planes(as_image(cv2.cvtColor(np.full((2, 2, 3), rgb, np.uint8), cv2.COLOR_RGB2YUV_I420)))
    return int(y[0, 0]), int(u[0, 0]), int(v[0, 0])


def _stripes(length: int, half: int, dark: int, light: int) -> Image:
    """One line of stripes ``half`` pixels wide: a plane of diagonal stripes (colour by x + y) has it at every row,
    each row one pixel further along (``_rows``)."""
    xs = np.arange(length, dtype=np.int32)
    return as_image(np.where((xs // half) % 2 == 0, np.uint8(dark), np.uint8(light)))


def _rows(line: Image, start: int, shape: tuple[int, ...]) -> Image:
    """A read-only (height, width) view of ``line`` whose row r is ``line[start + r : start + r + width]``."""
    height, width = shape
    if start + height - 1 + width > len(line):
        raise ValueError("the line of stripes is too short for this view")
    return as_image(as_strided(line[start:], shape=(height, width), strides=(line.strides[0], line.strides[0]),
                               writeable=False))


@functools.cache
def _tone_period() -> np.ndarray:
    """One sync period of the signal, computed once: the 220 Hz hum and the beep both complete whole cycles in
    it, so every period repeats it sample for sample (to float32 precision) instead of 50 sines a second."""
    t = np.arange(round(SYNC_PERIOD_S * AUDIO_RATE), dtype=np.int64) / AUDIO_RATE
    hum = 0.03 * np.sin(2 * np.pi * 220.0 * t)
    beep = np.where((t + 1e-9) % SYNC_PERIOD_S < FLASH_S, 0.5 * np.sin(2 * np.pi * BEEP_HZ * t), 0.0)
    samples: np.ndarray = (hum + beep).astype(np.float32)
    samples.flags.writeable = False
    return samples
