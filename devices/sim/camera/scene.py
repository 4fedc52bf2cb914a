"""The picture a simulated camera sees: a crop of one large classroom scene chosen by pan, tilt and zoom.

The scene (board with text, window, desks, a grid of distinct coloured shapes with labels, so any change
of framing changes the pixels) is drawn once per process and kept with half- and quarter-size copies;
a frame is then a crop of the copy nearest the output size, one resize and the burnt-in stamp (a few
milliseconds at 720p), and while the head is at rest not even the crop: only the stamp is new.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from devices.sim.camera import stamp
from devices.sim.ptz import PtzPosition

SCENE_W, SCENE_H = 4800, 2160
WIDE_FRACTION = 0.5  # at zoom 0 the view spans half the scene's width
ZOOM_RATIO = 8.0  # optical zoom from wide end to tele end
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_lock = threading.Lock()
_pyramid: list[np.ndarray] | None = None


def _shape_colours() -> list[tuple[int, int, int]]:
    hues = np.linspace(0, 179, 12, endpoint=False).astype(np.uint8)
    hsv = np.stack([hues, np.full(12, 230, np.uint8), np.full(12, 235, np.uint8)], axis=1)[None]
    return [tuple(int(c) for c in bgr) for bgr in cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0]]  # type: ignore[misc]


def draw_scene() -> np.ndarray:
    """The whole classroom, BGR, SCENE_W x SCENE_H (about 0.2 s of work: call it off the event loop)."""
    img = np.empty((SCENE_H, SCENE_W, 3), np.uint8)
    wall = np.linspace(225, 190, SCENE_H, dtype=np.float32)[:, None]
    img[:] = np.stack([wall * 0.80, wall * 0.92, wall], axis=2).astype(np.uint8)
    floor_y = int(SCENE_H * 0.68)
    img[floor_y:] = (60, 90, 130)
    for x in range(0, SCENE_W, 160):  # floorboards
        cv2.line(img, (x, floor_y), (x + (x - SCENE_W // 2) // 3, SCENE_H), (50, 75, 110), 3)
    # window, left
    cv2.rectangle(img, (160, 260), (1060, 1240), (235, 200, 150), -1)
    cv2.circle(img, (420, 520), 110, (250, 250, 250), -1)
    cv2.circle(img, (540, 500), 90, (250, 250, 250), -1)
    cv2.rectangle(img, (160, 260), (1060, 1240), (90, 90, 90), 24)
    cv2.line(img, (610, 260), (610, 1240), (90, 90, 90), 18)
    cv2.line(img, (160, 750), (1060, 750), (90, 90, 90), 18)
    # board, centre
    bx0, by0, bx1, by1 = 1500, 220, 3500, 1180
    cv2.rectangle(img, (bx0 - 30, by0 - 30), (bx1 + 30, by1 + 30), (40, 70, 110), -1)
    cv2.rectangle(img, (bx0, by0), (bx1, by1), (50, 85, 40), -1)
    chalk = (235, 240, 240)
    for row, line in enumerate(["Classroom Console", "E = m c^2", "sum 1/n^2 = pi^2/6", "HiEdTec: study hall"]):
        cv2.putText(img, line, (bx0 + 80, by0 + 190 + 220 * row), _FONT, 4.2 - 0.6 * (row > 0), chalk, 9, cv2.LINE_AA)
    # door and clock, right
    cv2.rectangle(img, (3900, 380), (4400, floor_y), (40, 80, 140), -1)
    cv2.circle(img, (4340, 960), 22, (30, 180, 230), -1)
    cv2.circle(img, (4150, 200), 110, (245, 245, 245), -1)
    cv2.circle(img, (4150, 200), 110, (30, 30, 30), 10)
    # desks and chairs, three rows in perspective
    for r, (y, scale) in enumerate([(1600, 0.8), (1800, 0.9), (2010, 1.0)]):
        w, h = int(520 * scale), int(110 * scale)
        for c in range(8):
            x = int(SCENE_W / 2 + (c - 3.5) * 600 * scale - w / 2)
            cv2.rectangle(img, (x, y - h), (x + w, y), (70, 120, 170), -1)
            cv2.rectangle(img, (x, y - h), (x + w, y), (40, 70, 100), 4)
            cv2.rectangle(img, (x + w // 3, y + 10), (x + 2 * w // 3, y + int(60 * scale)), (90, 60, 60), -1)
            cv2.putText(img, f"{r + 1}{chr(65 + c)}", (x + 20, y - 25), _FONT, 1.6 * scale, (20, 30, 40), 4)
    # a grid of distinct shapes with their grid labels: every framing shows something unique
    colours = _shape_colours()
    for gy, y in enumerate(range(140, SCENE_H - 60, 300)):
        for gx, x in enumerate(range(120, SCENE_W - 60, 300)):
            if bx0 - 60 < x < bx1 + 60 and by0 - 60 < y < by1 + 60:
                continue  # keep the board readable
            colour = colours[(gx * 5 + gy * 7) % len(colours)]
            kind = (gx + 2 * gy) % 4
            if kind == 0:
                cv2.circle(img, (x, y), 34, colour, -1)
            elif kind == 1:
                cv2.rectangle(img, (x - 30, y - 30), (x + 30, y + 30), colour, -1)
            elif kind == 2:
                pts = np.array([[x, y - 38], [x - 36, y + 28], [x + 36, y + 28]], np.int32)
                cv2.fillPoly(img, [pts], colour)
            else:
                cv2.ellipse(img, (x, y), (44, 22), 30 * gy, 0, 360, colour, -1)
            cv2.putText(img, f"{chr(65 + gy)}{gx}", (x + 42, y + 12), _FONT, 1.1, (30, 30, 30), 3, cv2.LINE_AA)
    return img


def pyramid() -> list[np.ndarray]:
    """The scene at full, half and quarter size, drawn once per process (thread-safe)."""
    global _pyramid
    with _lock:
        if _pyramid is None:
            full = draw_scene()
            half = cv2.resize(full, (SCENE_W // 2, SCENE_H // 2), interpolation=cv2.INTER_AREA)
            quarter = cv2.resize(half, (SCENE_W // 4, SCENE_H // 4), interpolation=cv2.INTER_AREA)
            _pyramid = [full, half, quarter]
        return _pyramid


@dataclass(frozen=True, slots=True)
class View:
    """The part of the scene in view, in full-scene pixels (centre and size)."""

    cx: float
    cy: float
    w: float
    h: float


def view(position: PtzPosition, aspect: float) -> View:
    """Pan right moves the view right, tilt up moves it up, zoom narrows it (exponentially, as a lens does)."""
    w = SCENE_W * WIDE_FRACTION / ZOOM_RATIO ** min(1.0, max(0.0, position.zoom))
    h = w / aspect
    if h > SCENE_H:
        h, w = SCENE_H, SCENE_H * aspect
    cx = SCENE_W / 2 + max(-1.0, min(1.0, position.pan)) * (SCENE_W - w) / 2
    cy = SCENE_H / 2 - max(-1.0, min(1.0, position.tilt)) * (SCENE_H - h) / 2
    return View(cx, cy, w, h)


class Renderer:
    """Frames of one size from the shared scene; ``render`` is meant for a worker thread."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._levels = pyramid()
        self._still: tuple[PtzPosition, np.ndarray] | None = None  # a head at rest needs no new crop

    def render(self, position: PtzPosition, time_s: float, index: int) -> np.ndarray:
        still = self._still
        if still is not None and still[0] == position:
            frame = still[1].copy()
        else:
            frame = self._crop(position)
            self._still = (position, frame.copy())
        stamp.burn(frame, time_s, index)
        return frame

    def _crop(self, position: PtzPosition) -> np.ndarray:
        v = view(position, self.width / self.height)
        level = max(0, min(len(self._levels) - 1, int(math.log2(max(1.0, v.w / self.width)))))
        scale = 2**level
        img = self._levels[level]
        x0 = max(0, round((v.cx - v.w / 2) / scale))
        y0 = max(0, round((v.cy - v.h / 2) / scale))
        x1 = min(img.shape[1], max(x0 + 1, round((v.cx + v.w / 2) / scale)))
        y1 = min(img.shape[0], max(y0 + 1, round((v.cy + v.h / 2) / scale)))
        return cv2.resize(img[y0:y1, x0:x1], (self.width, self.height), interpolation=cv2.INTER_LINEAR)

    def encode(self, frame: np.ndarray, quality: int) -> bytes:
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        return jpeg.tobytes()
