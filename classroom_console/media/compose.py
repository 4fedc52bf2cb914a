"""Painting one program frame, in I420, from source pictures: letterboxed fits, an inset, a lower third.

The frame is I420 because that is what H.264 takes. Each source is converted at most once, from its own pixels
at the size it is shown (an I420 source not at all: its planes are scaled as they are), so a full-size RGB
frame is never written and read back. Every rectangle is kept on even coordinates, so no 2x2 chroma block
straddles two sources.
"""

from __future__ import annotations

import functools
import threading

import cv2
import numpy as np

from .frames import I420_BLACK, Image, as_image, i420_buffer, i420_planes, is_i420, picture_size, to_rgb
from .layout import Layout, LayoutKind, LowerThird, Rect, lower_third_rect

_SUBSAMPLING = (1, 2, 2)  # Y is full size, U and V half each way


def fit_rect(size: tuple[int, int], rect: Rect) -> Rect:
    """Where a picture of ``size`` lands in ``rect`` keeping its aspect (centred, bars around), on even pixels."""
    iw, ih = size
    x, y, w, h = rect
    if (iw, ih) == (w, h):
        return rect
    scale = min(w / iw, h / ih)
    fw = min(w, max(2, round(iw * scale) // 2 * 2))
    fh = min(h, max(2, round(ih * scale) // 2 * 2))
    return x + (w - fw) // 4 * 2, y + (h - fh) // 4 * 2, fw, fh


def resize_into(image: Image, target: Image) -> None:
    """Scale ``image`` (RGB, or one plane) to fill ``target``, a buffer or a view of the same channels.

    Shrinking: exact box halvings (INTER_AREA's fast 2x path) while more than 2x too big, then one bilinear step
    of at most 2x; close to a full INTER_AREA at half its cost.
    """
    th, tw = target.shape[:2]
    ih, iw = image.shape[:2]
    while iw >= 2 * tw and ih >= 2 * th and iw >= 4 and ih >= 4:
        half = _scratch((ih // 2, iw // 2, *image.shape[2:]))
        cv2.resize(image, (iw // 2, ih // 2), dst=half, interpolation=cv2.INTER_AREA)
        image, ih, iw = half, ih // 2, iw // 2
    if (iw, ih) == (tw, th):
        target[:] = image
    else:
        cv2.resize(image, (tw, th), dst=target, interpolation=cv2.INTER_LINEAR)


def _regions(picture: Image, rect: Rect) -> list[Image]:
    """The Y, U and V views of ``rect`` (even) inside an I420 picture."""
    x, y, w, h = rect
    return [plane[y // d : (y + h) // d, x // d : (x + w) // d]
            for plane, d in zip(i420_planes(picture), _SUBSAMPLING, strict=True)]


def fill(picture: Image, rect: Rect, colour: tuple[int, int, int] = I420_BLACK) -> None:
    for region, value in zip(_regions(picture, rect), colour, strict=True):
        region.fill(value)


def paint(picture: Image, image: Image, rect: Rect) -> None:
    """Put ``image`` (RGB or I420) into ``rect`` of the I420 ``picture``, scaled to exactly that size."""
    _, _, w, h = rect
    if is_i420(image):
        for region, plane in zip(_regions(picture, rect), i420_planes(image), strict=True):
            resize_into(plane, region)
        return
    if picture_size(image) == (w, h) == picture_size(picture):
        cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420, dst=picture)
        return
    if picture_size(image) != (w, h):
        scaled = _scratch((h, w, 3))
        resize_into(image, scaled)
        image = scaled
    small = _scratch((h * 3 // 2, w))
    cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420, dst=small)
    for region, plane in zip(_regions(picture, rect), i420_planes(small), strict=True):
        region[:] = plane


def compose_i420(layout: Layout, images: list[Image | None], width: int, height: int, out: Image) -> Image:
    """The frame for ``layout``, painted into ``out`` (I420 of ``width`` x ``height``); missing sources are black."""
    if layout.kind is LayoutKind.PIP and len(images) < 2:
        slots = Layout(main=layout.main).slots(width, height)  # an inset of nothing would be a black box
    else:
        slots = layout.slots(width, height)
    for index, rect in slots:
        image = images[index] if 0 <= index < len(images) else None
        if image is None:
            fill(out, rect)
            continue
        fitted = fit_rect(picture_size(image), rect)
        if fitted != rect:
            fill(out, rect)
        paint(out, image, fitted)
    lower = layout.lower_third
    if lower is not None and (lower.lines or lower.picture is not None):
        band = _band_i420(lower, width, height)
        x, top, _, _ = lower_third_rect(width, height)
        band_w, band_h = picture_size(band)
        for region, plane in zip(_regions(out, (x, top, band_w, band_h)), i420_planes(band), strict=True):
            cv2.addWeighted(region, 0.15, plane, 0.85, 0.0, dst=region)
    return out


def compose(layout: Layout, images: list[Image | None], width: int, height: int) -> Image:
    """The same frame as RGB: for tests and stills, not for every frame."""
    return to_rgb(compose_i420(layout, images, width, height, i420_buffer(width, height)))


def scaled_i420(image: Image, width: int, height: int) -> Image:
    """A new I420 picture of ``image`` (RGB or I420) scaled to ``width`` x ``height`` (even), aspect kept."""
    picture = i420_buffer(width, height)
    rect = fit_rect(picture_size(image), (0, 0, width, height))
    if rect != (0, 0, width, height):
        fill(picture, (0, 0, width, height))
    paint(picture, image, rect)
    return picture


_SCRATCH = threading.local()


def _scratch(shape: tuple[int, ...]) -> Image:
    """A per-thread intermediate buffer of this shape, reused frame after frame."""
    buffers: dict[tuple[int, ...], Image] | None = getattr(_SCRATCH, "buffers", None)
    if buffers is None:
        buffers = _SCRATCH.buffers = {}
    buffer = buffers.get(shape)
    if buffer is None:
        if len(buffers) >= 16:  # sizes seen before a layout or source change
            buffers.clear()
        buffer = buffers[shape] = np.empty(shape, np.uint8)
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


@functools.lru_cache(maxsize=8)
def _text_band_i420(lower: LowerThird, width: int, height: int) -> Image:
    return as_image(cv2.cvtColor(_lower_third_band(lower, width, height), cv2.COLOR_RGB2YUV_I420))


_PICTURE_BANDS: dict[tuple[int, int, int], tuple[Image, Image]] = {}


def _band_i420(lower: LowerThird, width: int, height: int) -> Image:
    """The band as I420 of the band's size: converted once per caption picture, not once per frame."""
    picture = lower.picture
    if picture is None:
        return _text_band_i420(lower, width, height)
    key = (id(picture), width, height)
    cached = _PICTURE_BANDS.get(key)
    if cached is not None and cached[0] is picture:
        return cached[1]
    _, _, band_w, band_h = lower_third_rect(width, height)
    band = scaled_i420(as_image(picture), band_w, band_h)
    if len(_PICTURE_BANDS) >= 8:
        _PICTURE_BANDS.clear()
    _PICTURE_BANDS[key] = (picture, band)  # holding the picture keeps its id from being reused
    return band
