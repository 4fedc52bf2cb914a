"""Layouts and painting: where each source lands, letterboxing, the inset, the lower third."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from classroom_console.media import Corner, Layout, LayoutKind, LowerThird, parse_layout
from classroom_console.media.compose import compose, compose_i420
from classroom_console.media.frames import Image, as_image
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


def test_compose_i420_matches_compose_then_convert() -> None:
    a = TestPattern("a", (640, 360), 30).render(1000.5, 3)
    b = TestPattern("b", (640, 360), 30, variant=1).render(1000.5, 3)
    cases: list[tuple[Layout, list[Image | None]]] = [
        (Layout(LayoutKind.PIP), [a, b]), (Layout(LayoutKind.PIP, corner=Corner.TOP_LEFT), [a, b]),
        (Layout(), [a]), (Layout(LayoutKind.PIP), [as_image(solid(320, 180, 90)), b])]
    for layout, images in cases:
        expected = cv2.cvtColor(compose(layout, images, 640, 360), cv2.COLOR_RGB2YUV_I420)
        out = as_image(np.zeros_like(expected))
        assert compose_i420(layout, images, 640, 360, out)
        assert np.array_equal(out, expected)
    out = as_image(np.zeros((540, 640), np.uint8))
    assert not compose_i420(Layout(lower_third=LowerThird("A. Nurlanovna")), [a], 640, 360, out)  # the RGB path
    assert not compose_i420(Layout(LayoutKind.SIDE_BY_SIDE), [a, b], 640, 360, out)  # black bars: the RGB path
