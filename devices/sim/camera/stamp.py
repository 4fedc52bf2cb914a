"""The capture time and frame number burnt into a frame: as text for people, as blocks for a bench.

Two rows of 40 black/white cells in the top-left corner carry the capture time (milliseconds since the
epoch, 48 bits), the frame number (24 bits) and a check byte. Cells scale with the frame's width (96
across), so a preview scaled as a whole still decodes; JPEG's ringing leaves the centre of each cell
clearly black or white down to cells of about 4 px (frames from 384 px wide).
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass

import cv2
import numpy as np

CELLS_ACROSS = 96
ROW_BITS = 40
TIME_BITS, FRAME_BITS, CHECK_BITS = 48, 24, 8
_FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True, slots=True)
class Stamp:
    time_ms: int  # capture time, ms since the epoch (time.time())
    frame: int  # frame number modulo 2**24

    @property
    def time_s(self) -> float:
        return self.time_ms / 1000.0


def _bits(time_ms: int, frame: int) -> list[int]:
    body = (time_ms % (1 << TIME_BITS)) << FRAME_BITS | frame % (1 << FRAME_BITS)
    check = zlib.crc32(body.to_bytes(9, "big")) & 0xFF
    word = body << CHECK_BITS | check
    total = TIME_BITS + FRAME_BITS + CHECK_BITS
    return [(word >> (total - 1 - i)) & 1 for i in range(total)]


def _cell_box(width: int, index: int) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1) of bit ``index``, from the frame's width alone."""
    cell = width / CELLS_ACROSS
    row, column = divmod(index, ROW_BITS)
    x0, y0 = cell * (1 + column), cell * (1 + row)
    return round(x0), round(y0), round(x0 + cell), round(y0 + cell)


def burn(frame: np.ndarray, time_s: float, index: int) -> None:
    """Draw the stamp onto a BGR frame in place."""
    height, width = frame.shape[:2]
    cell = width / CELLS_ACROSS
    text_h = max(8.0, 1.6 * cell)
    strip_w, strip_h = round(cell * (ROW_BITS + 2)), min(height, round(cell * 3.5 + text_h * 1.4))
    frame[:strip_h, :strip_w] = 0
    for i, bit in enumerate(_bits(round(time_s * 1000), index)):
        if bit:
            x0, y0, x1, y1 = _cell_box(width, i)
            frame[y0:y1, x0:x1] = 255
    clock = time.strftime("%H:%M:%S", time.localtime(time_s)) + f".{int(time_s * 1000) % 1000:03d}"
    scale = text_h / 22.0
    cv2.putText(frame, f"{clock}  #{index:06d}", (round(cell), round(cell * 3.3 + text_h)), _FONT, scale,
                (255, 255, 255), max(1, round(scale * 1.5)), cv2.LINE_AA)


def read(frame: np.ndarray) -> Stamp | None:
    """The stamp of a frame (BGR or grey, any uniform scale of the original), None if it does not check."""
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    width = grey.shape[1]
    total = TIME_BITS + FRAME_BITS + CHECK_BITS
    word = 0
    for i in range(total):
        x0, y0, x1, y1 = _cell_box(width, i)
        dx, dy = (x1 - x0) // 4, (y1 - y0) // 4  # the centre of a cell, clear of JPEG's ringing at its edges
        patch = grey[y0 + dy : max(y0 + dy + 1, y1 - dy), x0 + dx : max(x0 + dx + 1, x1 - dx)]
        if patch.size == 0:
            return None
        word = word << 1 | int(float(patch.mean()) > 127)
    body, check = word >> CHECK_BITS, word & 0xFF
    if zlib.crc32(body.to_bytes(9, "big")) & 0xFF != check:
        return None
    return Stamp(body >> FRAME_BITS, body & ((1 << FRAME_BITS) - 1))
