"""Painting one program frame from source images: letterboxed fits, an inset, a lower third."""

from __future__ import annotations

import functools
import threading

import cv2
import numpy as np

from .frames import Image, as_image
from .layout import Layout, LayoutKind, LowerThird, Rect, lower_third_rect


def fit_into(canvas: Image, image: Image | None, rect: Rect) -> None:
    """Scale ``image`` into ``rect`` keeping its aspect (black bars); black when there is no image."""
    x, y, w, h = rect
    region = canvas[y : y + h, x : x + w]
    if image is None:
        region[:] = 0
        return
    ih, iw = image.shape[:2]
    if (iw, ih) == (w, h):
        region[:] = image
        return
    scale = min(w / iw, h / ih)
    fw, fh = max(1, round(iw * scale)), max(1, round(ih * scale))
    ox, oy = (w - fw) // 2, (h - fh) // 2
    if (fw, fh) != (w, h):
        region[:] = 0
    target = region[oy : oy + fh, ox : ox + fw]
    # Shrinking: exact box halvings (INTER_AREA's fast 2x path) while more than 2x too big, then one bilinear
    # step of at most 2x; closer to a full INTER_AREA than bilinear-then-pyrDown, at half its cost at 1080p.
    while scale < 0.5:
        half = _scratch(ih // 2, iw // 2)
        cv2.resize(image, (iw // 2, ih // 2), dst=half, interpolation=cv2.INTER_AREA)
        image, ih, iw = half, ih // 2, iw // 2
        scale = min(w / iw, h / ih)
    cv2.resize(image, (fw, fh), dst=target, interpolation=cv2.INTER_LINEAR)


_SCRATCH = threading.local()


def _scratch(height: int, width: int) -> Image:
    """A per-thread intermediate buffer of this size for the shrinking steps, reused frame after frame."""
    buffers: dict[tuple[int, int], Image] | None = getattr(_SCRATCH, "buffers", None)
    if buffers is None:
        buffers = _SCRATCH.buffers = {}
    buffer = buffers.get((height, width))
    if buffer is None:
        if len(buffers) >= 8:  # sizes seen before a layout or source change
            buffers.clear()
        buffer = buffers[(height, width)] = np.empty((height, width, 3), np.uint8)
    return buffer


@functools.lru_cache(maxsize=8)
def _lower_third_band(lower: LowerThird, width: int, height: int) -> Image:
    """The band's pixels, drawn once per text and size (OpenCV's Hershey font: ASCII only)."""
    _, _, band_w, band_h = lower_third_rect(width, height)
    pixels = np.zeros((band_h, band_w, 3), np.uint8)
    pixels[:] = (20, 40, 90)
    scale = height / 720
    for i, line in enumerate(lower.lines[:2]):
        cv2.putText(pixels, line, (round(30 * scale), round((45 + 45 * i) * scale)),
                    cv2.FONT_HERSHEY_SIMPLEX, (1.1 if i == 0 else 0.8) * scale, (255, 255, 255),
                    max(1, round(2 * scale)), cv2.LINE_AA)
    return pixels


def _band_pixels(lower: LowerThird, width: int, height: int) -> Image:
    _, _, band_w, band_h = lower_third_rect(width, height)
    picture = lower.picture
    if picture is None:
        return _lower_third_band(lower, width, height)
    if picture.shape[:2] != (band_h, band_w):
        picture = cv2.resize(picture, (band_w, band_h), interpolation=cv2.INTER_AREA)
    return as_image(picture)


def compose(layout: Layout, images: list[Image | None], width: int, height: int, out: Image | None = None) -> Image:
    """A frame for ``layout`` (painted into ``out`` when given, else a new one); missing sources paint black."""
    canvas = np.empty((height, width, 3), np.uint8) if out is None else out
    if layout.kind is LayoutKind.PIP and len(images) < 2:
        slots = Layout(main=layout.main).slots(width, height)  # an inset of nothing would be a black box
    else:
        slots = layout.slots(width, height)
    for index, rect in slots:
        image = images[index] if 0 <= index < len(images) else None
        fit_into(canvas, image, rect)
    lower = layout.lower_third
    if lower is not None and (lower.lines or lower.picture is not None):
        pixels = _band_pixels(lower, width, height)
        x, top, _, _ = lower_third_rect(width, height)
        region = canvas[top : top + pixels.shape[0], x : x + pixels.shape[1]]
        cv2.addWeighted(region, 0.15, pixels, 0.85, 0.0, dst=region)
    return canvas


def compose_i420(layout: Layout, images: list[Image | None], width: int, height: int, out: Image) -> bool:
    """Paint the frame straight into ``out``, an I420 picture laid out as OpenCV's (height * 3 / 2) x width.

    Each source is converted once, from its own pixels, so the full-size RGB canvas is never written and read
    back. The same pixels as ``compose`` followed by one conversion (every rectangle is on even coordinates, so
    no 2x2 chroma block straddles two sources). Returns False, painting nothing, when the layout needs the RGB
    path: a lower third, a missing source, black bars or an odd rectangle.
    """
    lower = layout.lower_third
    if lower is not None and (lower.lines or lower.picture is not None):
        return False
    if layout.kind is LayoutKind.PIP and len(images) < 2:
        slots = Layout(main=layout.main).slots(width, height)
    else:
        slots = layout.slots(width, height)
    plan: list[tuple[Image, Rect]] = []
    for index, rect in slots:
        image = images[index] if 0 <= index < len(images) else None
        x, y, w, h = rect
        if image is None or image.ndim != 3 or (x | y | w | h) & 1:
            return False
        ih, iw = image.shape[:2]
        scale = min(w / iw, h / ih)
        if (max(1, round(iw * scale)), max(1, round(ih * scale))) != (w, h):
            return False
        plan.append((image, rect))
    for image, rect in plan:
        x, y, w, h = rect
        if image.shape[:2] != (h, w):
            scaled = _scratch(h, w)
            fit_into(scaled, image, (0, 0, w, h))
            image = scaled
        if (x, y, w, h) == (0, 0, width, height):
            cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420, dst=out)
            continue
        small = _scratch_i420(h, w)
        cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420, dst=small)
        for (plane, px, py), (piece, _, _) in zip(_planes(out, width, height, x, y), _planes(small, w, h, 0, 0),
                                                  strict=True):
            plane[py : py + piece.shape[0], px : px + piece.shape[1]] = piece
    return True


def _planes(yuv: Image, width: int, height: int, x: int, y: int) -> list[tuple[Image, int, int]]:
    """The Y, U and V planes of an I420 buffer as 2-D views, each with where (x, y) falls in it."""
    flat = yuv.reshape(-1)
    y_size, c_size = width * height, (width // 2) * (height // 2)
    u = flat[y_size : y_size + c_size].reshape(height // 2, width // 2)
    v = flat[y_size + c_size : y_size + 2 * c_size].reshape(height // 2, width // 2)
    return [(flat[:y_size].reshape(height, width), x, y), (u, x // 2, y // 2), (v, x // 2, y // 2)]


def _scratch_i420(height: int, width: int) -> Image:
    buffers: dict[tuple[int, int], Image] | None = getattr(_SCRATCH, "i420", None)
    if buffers is None:
        buffers = _SCRATCH.i420 = {}
    buffer = buffers.get((height, width))
    if buffer is None:
        if len(buffers) >= 8:
            buffers.clear()
        buffer = buffers[(height, width)] = np.empty((height * 3 // 2, width), np.uint8)
    return buffer
