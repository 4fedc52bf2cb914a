"""The rendered scene: framing follows the head, and the burnt-in stamp reads back through JPEG and scaling."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from devices.sim.camera import read_stamp
from devices.sim.camera.scene import SCENE_H, SCENE_W, Renderer, view
from devices.sim.camera.stamp import burn
from devices.sim.ptz import PtzPosition


def jpeg_round_trip(frame: np.ndarray, quality: int = 75) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    assert image is not None
    return np.asarray(image)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (640, 360), (480, 270), (384, 216)])
def test_the_stamp_reads_back_after_jpeg(width: int, height: int) -> None:
    frame = Renderer(width, height).render(PtzPosition(0.3, -0.2, 0.4), 1_795_000_000.123, 4242)
    stamp = read_stamp(jpeg_round_trip(frame))
    assert stamp is not None and (stamp.time_ms, stamp.frame) == (1_795_000_000_123, 4242)


def test_the_stamp_survives_a_preview_scaled_as_a_whole() -> None:
    frame = np.full((720, 1280, 3), 128, np.uint8)
    now = time.time()
    burn(frame, now, 77)
    for size in [(960, 540), (640, 360)]:
        stamp = read_stamp(jpeg_round_trip(cv2.resize(frame, size, interpolation=cv2.INTER_AREA)))
        assert stamp is not None and stamp.frame == 77 and abs(stamp.time_s - now) < 0.001


def test_a_picture_without_a_stamp_reads_as_none() -> None:
    rng = np.random.default_rng(1)
    assert read_stamp(rng.integers(0, 256, (270, 480, 3), dtype=np.uint8)) is None
    assert read_stamp(np.zeros((270, 480), np.uint8)) is None


def test_the_view_stays_inside_the_scene_and_narrows_with_zoom() -> None:
    for pan in (-1.0, 0.0, 1.0):
        for tilt in (-1.0, 0.0, 1.0):
            for zoom in (0.0, 0.5, 1.0):
                v = view(PtzPosition(pan, tilt, zoom), 16 / 9)
                assert v.cx - v.w / 2 >= -1e-6 and v.cx + v.w / 2 <= SCENE_W + 1e-6
                assert v.cy - v.h / 2 >= -1e-6 and v.cy + v.h / 2 <= SCENE_H + 1e-6
    wide, tele = view(PtzPosition(zoom=0), 16 / 9), view(PtzPosition(zoom=1), 16 / 9)
    assert wide.w / tele.w == pytest.approx(8.0)
    right, up = view(PtzPosition(pan=0.5), 16 / 9), view(PtzPosition(tilt=0.5), 16 / 9)
    assert right.cx > wide.cx and up.cy < wide.cy, "pan right looks right, tilt up looks up"


def test_every_framing_is_different_in_pixels() -> None:
    renderer = Renderer(320, 180)
    spots = [PtzPosition(p, t, z) for p in (-0.8, 0.0, 0.8) for t in (-0.6, 0.6) for z in (0.0, 0.7)]
    frames = [renderer.render(s, 0.0, 0)[40:].astype(np.int16) for s in spots]
    for i in range(len(frames)):
        for j in range(i + 1, len(frames)):
            assert np.mean(np.abs(frames[i] - frames[j])) > 10, (spots[i], spots[j])
