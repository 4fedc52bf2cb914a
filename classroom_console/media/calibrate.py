"""Choosing the x264 preset from measured headroom: the slowest (best-looking) one this PC runs fast enough.

Encodes a second or so of the test pattern at the real size with each candidate, fastest last; blocking
(a few seconds at 1080p), so call it once, through ``offload`` or from the CLI.
"""

from __future__ import annotations

import time
from fractions import Fraction

import av

from .synthetic import TestPattern

PRESETS = ("veryfast", "superfast", "ultrafast")
NEEDED_HEADROOM = 1.5  # encoding alone; capture and compositing need the rest of the CPU


def encode_speed(preset: str, size: tuple[int, int], fps: int, frames: int) -> float:
    """How many times faster than real time x264 encodes ``frames`` test-pattern frames (no file written)."""
    w, h = size
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = w, h, "yuv420p"
    codec.time_base = Fraction(1, fps)
    codec.thread_type = "FRAME"
    codec.options = {"preset": preset, "crf": "23"}
    pattern = TestPattern(size=size, fps=fps)
    pictures = [pattern.render(1000 + i / fps, i) for i in range(frames)]  # I420 already
    started = time.monotonic()
    for i, picture in enumerate(pictures):
        frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
        frame.pts = i
        codec.encode(frame)
    codec.encode(None)
    return frames / fps / (time.monotonic() - started)


def choose_preset(size: tuple[int, int], fps: int, seconds: float = 1.5) -> tuple[str, dict[str, float]]:
    """The first of ``PRESETS`` with enough headroom (else the fastest), and every speed measured."""
    frames = max(10, round(seconds * fps))
    speeds: dict[str, float] = {}
    for preset in PRESETS:
        speeds[preset] = encode_speed(preset, size, fps, frames)
        if speeds[preset] >= NEEDED_HEADROOM:
            return preset, speeds
    return PRESETS[-1], speeds
