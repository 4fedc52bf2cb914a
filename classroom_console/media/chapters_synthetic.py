"""A generated lecture for chapter tests and the bench: slides switched at known instants, with what must NOT
make a chapter drawn over them (a mouse pointer that never stops moving, a small video playing inside the slide,
and camera-like noise).

Written as the recorder writes (H.264 in a fragmented MP4, a keyframe each ``gop_s``), so detection meets the same
file layout it meets after a real recording.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from .clock import Clock
from .frames import VideoFrame, as_image
from .output_file import MOVFLAGS
from .source import VideoSource

_WORDS = ("signal", "matrix", "energy", "theorem", "protocol", "sample", "vector", "network", "entropy", "gradient",
          "lattice", "spectrum", "kernel", "module", "surface", "tensor", "fourier", "integral", "boundary", "flux")


@dataclass(frozen=True, slots=True)
class SlideDeck:
    """What to draw: slides changing at ``changes`` (seconds), and the distractors."""

    size: tuple[int, int] = (320, 180)
    fps: int = 30
    duration_s: float = 10.0
    changes: Sequence[float] = (3.0, 6.5)
    pointer: bool = True
    video_region: bool = True
    noise: float = 2.0  # standard deviation of the luma noise, like a camera filming a board
    gop_s: float = 1.0
    preset: str = "veryfast"
    first_slide: int = 0
    exposure_step: tuple[float, int] | None = None  # (from t, luma added): a camera's exposure jumping

    def slide_at(self, t: float) -> int:
        return self.first_slide + sum(1 for c in self.changes if t + 1e-9 >= c)


def slide_picture(index: int, size: tuple[int, int]) -> np.ndarray:
    """Slide ``index`` as a grey picture: the same template every time (light background, dark title bar), only
    the words differ, as in a real deck."""
    w, h = size
    s = h / 180
    img = np.full((h, w), 235, np.uint8)
    img[: round(30 * s)] = 60
    cv2.putText(img, f"Part {index + 1}: {_WORDS[index % len(_WORDS)]}", (round(8 * s), round(21 * s)),
                cv2.FONT_HERSHEY_SIMPLEX, 0.55 * s, 255, max(1, round(1.2 * s)), cv2.LINE_AA)
    for line in range(4):
        words = " ".join(_WORDS[(index * 7 + line * 3 + k) % len(_WORDS)] for k in range(3))
        y = round((55 + line * 24) * s)
        cv2.circle(img, (round(14 * s), y - round(4 * s)), max(1, round(2 * s)), 40, -1)
        cv2.putText(img, words, (round(24 * s), y), cv2.FONT_HERSHEY_SIMPLEX, 0.42 * s, 30,
                    max(1, round(1.0 * s)), cv2.LINE_AA)
    return img


def _video_rect(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A small video playing in the slide's lower right: 1/5 of the width and height (4 % of the picture)."""
    w, h = size
    vw, vh = w // 5 // 2 * 2, h // 5 // 2 * 2
    return w - vw - w // 20, h - vh - h // 12, vw, vh


def render(deck: SlideDeck, slides: Sequence[np.ndarray], index: int,
           noise: Sequence[np.ndarray]) -> np.ndarray:
    """Frame ``index`` as I420 (rows: Y, then U and V), ready for ``VideoFrame.from_ndarray(..., "yuv420p")``."""
    w, h = deck.size
    t = index / deck.fps
    y = slides[deck.slide_at(t)].copy()
    if deck.video_region:
        x0, y0, vw, vh = _video_rect(deck.size)
        xs = np.arange(vw)[None, :] + np.arange(vh)[:, None] + index * max(2, w // 160)
        y[y0 : y0 + vh, x0 : x0 + vw] = np.where((xs // max(4, vw // 6)) % 2 == 0, 200, 50).astype(np.uint8)
        cv2.circle(y, (x0 + vw // 2 + round(vw / 3 * math.sin(t * 3)), y0 + vh // 2), max(2, vh // 6), 120, -1)
    if deck.pointer:  # never still: a figure of eight over the whole slide
        px = round(w * (0.5 + 0.4 * math.sin(t * 0.9)))
        py = round(h * (0.5 + 0.35 * math.sin(t * 1.7)))
        s = max(1.0, h / 180)
        arrow = np.array([(px, py), (px, py + round(14 * s)), (px + round(4 * s), py + round(10 * s)),
                          (px + round(9 * s), py + round(10 * s))], np.int32)
        cv2.fillPoly(y, [arrow], 0)
    if deck.noise > 0:
        y = cv2.add(y, noise[index % len(noise)], dtype=cv2.CV_8U)
    if deck.exposure_step is not None and t >= deck.exposure_step[0]:
        y = np.clip(y.astype(np.int16) + deck.exposure_step[1], 0, 255).astype(np.uint8)
    out = np.empty((h * 3 // 2, w), np.uint8)
    out[:h] = y
    out[h:] = 128
    return out


def write_deck(path: Path, deck: SlideDeck, seed: int = 1) -> Path:
    """The lecture's MP4 at ``path`` (blocking; seconds for the tests' small sizes, minutes for 10 min at 1080p)."""
    rng = np.random.default_rng(seed)
    slides = [slide_picture(i, deck.size) for i in range(deck.first_slide + len(deck.changes) + 1)]
    w, h = deck.size
    # A few noise fields, cycled: fresh noise per frame at 1080p would cost more than the encoding.
    noise = [np.clip(rng.normal(deck.noise, deck.noise, (h, w)), 0, 255).astype(np.uint8) for _ in range(7)]
    frames = round(deck.duration_s * deck.fps)
    with av.open(str(path), "w", format="mp4", options={"movflags": MOVFLAGS}) as container:
        stream = container.add_stream("libx264", rate=deck.fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        gop = max(1, round(deck.gop_s * deck.fps))
        stream.codec_context.gop_size = gop
        stream.codec_context.options = {"preset": deck.preset, "crf": "23",  # as the recorder's encoder.py
                                        "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0"}
        stream.codec_context.thread_type = "FRAME"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(render(deck, slides, i, noise), format="yuv420p")
            frame.pts, frame.time_base = i, Fraction(1, deck.fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


class SlideShow(VideoSource):
    """The deck as a live source, for recordings made through the real pipeline: slide ``n`` shows from
    ``origin + deck.changes[n - 1]`` (clock time). ``origin`` is set once the recording's first frame is known;
    until then the first slide shows."""

    def __init__(self, deck: SlideDeck, name: str = "slides") -> None:
        super().__init__(name, deck.fps)
        self.deck = deck
        self.size = deck.size
        self.origin: float | None = None
        self._slides = [slide_picture(i, deck.size) for i in range(len(deck.changes) + 1)]
        rng = np.random.default_rng(3)
        w, h = deck.size
        self._noise = [np.clip(rng.normal(deck.noise, deck.noise, (h, w)), 0, 255).astype(np.uint8)
                       for _ in range(5)]

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        period = 1.0 / self.fps
        tick = math.ceil(clock.now() * self.fps)
        while clock.sleep_until(tick * period, stop):
            t = tick * period
            origin = self.origin
            index = max(0, round((t - origin) * self.fps)) if origin is not None else 0
            self.publish(VideoFrame(t, as_image(render(self.deck, self._slides, index, self._noise)), tick))
            tick += 1
            late = math.floor(clock.now() * self.fps)
            if late > tick:
                tick = late
