"""Layouts and painting: where each source lands, letterboxing, the inset, the lower third."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from classroom_console.media import Corner, Layout, LayoutKind, LowerThird, parse_layout
from classroom_console.media.compose import compose, compose_i420, fit_rect
from classroom_console.media.frames import as_image, i420_buffer, i420_planes, to_rgb
from classroom_console.media.synthetic import TestPattern


def solid(w: int, h: int, value: int) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


def test_single_letterboxes_a_4_3_source_into_16_9() -> None:
    out = compose(Layout(), [solid(400, 300, 200)], 320, 180)
    assert out.shape == (180, 320, 3)
    assert out[:, :30].max() == 0 and out[:, -30:].max() == 0  # pillar bars
    assert out[90, 160].tolist() == [200, 200, 200]


def test_pip_puts_the_inset_in_its_corner() -> None:
    layout = Layout(LayoutKind.PIP, corner=Corner.TOP_LEFT, inset_scale=0.25)
    out = compose(layout, [solid(320, 180, 50), solid(320, 180, 250)], 320, 180)
    _, (_, (x, y, w, _)) = layout.slots(320, 180)
    assert x < 20 and y < 20 and w == 80
    assert out[y + 2, x + 2].tolist() == [250] * 3
    assert out[170, 300].tolist() == [50] * 3


def test_pip_with_one_source_shows_just_that_source() -> None:
    out = compose(Layout(LayoutKind.PIP), [solid(320, 180, 77)], 320, 180)
    assert (out == 77).all()


def test_side_by_side_halves() -> None:
    out = compose(Layout(LayoutKind.SIDE_BY_SIDE), [solid(160, 180, 10), solid(160, 180, 240)], 320, 180)
    assert out[90, 80].tolist() == [10] * 3 and out[90, 240].tolist() == [240] * 3


def test_a_missing_source_paints_black() -> None:
    out = compose(Layout(LayoutKind.SIDE_BY_SIDE), [solid(160, 180, 99), None], 320, 180)
    assert out[:, 160:].max() == 0


def test_lower_third_darkens_a_band_and_writes_text() -> None:
    plain = compose(Layout(), [solid(640, 360, 200)], 640, 360)
    titled = compose(Layout(lower_third=LowerThird("A. Nurlanovna", "Physics 1", "2026-11-24")),
                     [solid(640, 360, 200)], 640, 360)
    band = titled[280:320, :300]
    assert band.mean() < plain[280:320, :300].mean() - 50
    assert band.max() > 200  # the text
    assert (titled[:200] == plain[:200]).all()


def test_layouts_from_text() -> None:
    assert parse_layout("pip:top-right:0.2") == Layout(LayoutKind.PIP, corner=Corner.TOP_RIGHT, inset_scale=0.2)
    assert parse_layout("side-by-side").kind is LayoutKind.SIDE_BY_SIDE
    for bad in ("grid", "pip:middle", "pip:top-left:0.9", "single:x"):
        with pytest.raises(ValueError):
            parse_layout(bad)


def test_an_i420_source_paints_what_its_rgb_twin_paints() -> None:
    rgb_a = to_rgb(TestPattern("a", (640, 360), 30).render(1000.5, 3))
    rgb_b = to_rgb(TestPattern("b", (640, 360), 30, variant=1).render(1000.5, 3))
    yuv_a, yuv_b = (as_image(cv2.cvtColor(x, cv2.COLOR_RGB2YUV_I420)) for x in (rgb_a, rgb_b))
    for layout in (Layout(), Layout(LayoutKind.PIP, corner=Corner.TOP_LEFT), Layout(LayoutKind.SIDE_BY_SIDE)):
        from_rgb = compose_i420(layout, [rgb_a, rgb_b], 640, 360, i420_buffer(640, 360))
        from_yuv = compose_i420(layout, [yuv_a, yuv_b], 640, 360, i420_buffer(640, 360))
        difference = np.abs(from_rgb.astype(np.int16) - from_yuv.astype(np.int16))
        # scaled in RGB then converted, or scaled plane by plane: the same picture but for rounding
        assert difference.mean() < 1.0 and np.percentile(difference, 99) <= 8, layout.kind
    full = compose_i420(Layout(), [yuv_a], 640, 360, i420_buffer(640, 360))
    assert np.array_equal(full, yuv_a), "a full-frame I420 source is copied as it is"


def test_i420_bars_and_missing_sources_are_black_and_rectangles_stay_even() -> None:
    out = compose_i420(Layout(LayoutKind.SIDE_BY_SIDE), [as_image(solid(400, 300, 200)), None], 640, 360,
                       i420_buffer(640, 360))
    luma, u, v = i420_planes(out)
    assert luma[:, 320:].max() == 16 and u[:, 160:].min() == 128 == v[:, 160:].max()  # the missing source
    assert luma[:20, :320].max() == 16  # bars above and below a 4:3 picture in a 320 x 360 half
    x, y, w, h = fit_rect((400, 300), (0, 0, 320, 360))
    assert (x, y, w, h) == (0, 60, 320, 240) and not (x | y | w | h) & 1
    assert all(not v & 1 for v in fit_rect((333, 187), (0, 0, 640, 360)))

