"""Painting one program frame from source images: letterboxed fits, an inset, a lower third."""

from __future__ import annotations

import functools

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
    # Shrinking: bilinear to twice the size, then one filtered halving (pyrDown); a fraction of INTER_AREA's
    # cost at 1080p -> inset, without bilinear's aliasing.
    while scale < 0.25:
        image = as_image(cv2.pyrDown(image))
        ih, iw = image.shape[:2]
        scale = min(w / iw, h / ih)
    if scale < 0.5:
        double = cv2.resize(image, (2 * fw, 2 * fh), interpolation=cv2.INTER_LINEAR)
        cv2.pyrDown(double, dst=target, dstsize=(fw, fh))
    else:
        cv2.resize(image, (fw, fh), dst=target, interpolation=cv2.INTER_LINEAR)


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


def compose(layout: Layout, images: list[Image | None], width: int, height: int) -> Image:
    """A new frame for ``layout``; sources it names that do not exist paint black."""
    canvas = np.empty((height, width, 3), np.uint8)
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
