"""Live previews against a real simulated camera on loopback: display rate, tile size, drops and returns."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import cv2
import numpy as np

from classroom_console.media.preview import PreviewState, PreviewStatus, StreamPreview, decode_jpeg, fit, shrink
from devices.driver import Reason
from devices.sim.camera import SimCameraConfig, SimulatedCamera, read_stamp


@asynccontextmanager
async def sim_camera(**overrides: Any) -> AsyncIterator[SimulatedCamera]:
    settings: dict[str, Any] = {"name": "Preview Camera", "host": "127.0.0.1", "http_port": 0, "visca_port": 0,
                                "width": 1280, "height": 720, "fps": 25}
    settings.update(overrides)
    camera = SimulatedCamera(SimCameraConfig(**settings))
    await camera.start()
    try:
        yield camera
    finally:
        await camera.stop()


class Seen:
    """What a preview handed over, from its thread: frames with their arrival times, and states."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.frames: list[tuple[float, np.ndarray]] = []
        self.states: list[PreviewStatus] = []

    def frame(self, image: np.ndarray) -> None:
        with self.lock:
            self.frames.append((time.monotonic(), image))

    def status(self, status: PreviewStatus) -> None:
        with self.lock:
            self.states.append(status)

    def count(self) -> int:
        with self.lock:
            return len(self.frames)


async def wait_for(predicate: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {within} s waiting for {what}"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def watching(url: str, seen: Seen, **kwargs: Any) -> AsyncIterator[StreamPreview]:
    preview = StreamPreview(url, kwargs.pop("size", (480, 300)), seen.frame, seen.status, **kwargs)
    preview.start()
    try:
        yield preview
    finally:
        preview.stop()
        assert await asyncio.to_thread(preview.join, 10), "the preview thread ends once stopped"


def test_fit_keeps_the_aspect_and_never_upscales() -> None:
    assert fit(1280, 720, (480, 300)) == (480, 270)
    assert fit(1280, 720, (200, 400)) == (200, 112)
    assert fit(320, 180, (640, 480)) == (320, 180)


def test_jpeg_frames_decode_at_the_smallest_scale_that_fills_the_tile() -> None:
    picture = np.zeros((720, 1280, 3), np.uint8)
    ok, jpeg = cv2.imencode(".jpg", picture)
    assert ok
    for box, shape in (((480, 270), (360, 640)), ((320, 180), (180, 320)), ((1280, 720), (720, 1280)),
                       ((100, 100), (90, 160))):
        image = decode_jpeg(jpeg, (1280, 720), box)
        assert image is not None and image.shape[:2] == shape, box
        assert shrink(image, box).shape[:2] == fit(1280, 720, box)[::-1]


async def test_frames_come_at_display_rate_at_the_tile_size_in_rgb() -> None:
    async with sim_camera() as camera:
        seen = Seen()
        async with watching(camera.stream_url, seen) as preview:
            await wait_for(lambda: seen.count() >= 3, 20, "the first frames")
            start, first = time.monotonic(), seen.count()
            await wait_for(lambda: time.monotonic() - start >= 2.0, 5, "two seconds of frames")
            rate = (seen.count() - first) / (time.monotonic() - start)
            assert preview.status.state is PreviewState.LIVE
            assert preview.received > preview.shown, "frames beyond display rate are dropped"
        assert 5 <= rate <= 16.5, f"{rate:.1f} fps reached the callback"
        image = seen.frames[-1][1]
        assert image.shape == (270, 480, 3) and image.dtype == np.uint8
        # The stamp's cells are black and white whatever the order of channels: it reads back from RGB too.
        stamp = read_stamp(image[:, :, ::-1])
        assert stamp is not None and abs(stamp.time_s - time.time()) < 10
        assert [s.state for s in seen.states][:1] == [PreviewState.LIVE]
        assert seen.states[-1].state is PreviewState.STOPPED


async def test_a_dropped_stream_is_reported_lost_then_comes_back() -> None:
    async with sim_camera(width=640, height=360) as camera:
        seen = Seen()
        async with watching(camera.stream_url, seen, backoff_s=(0.2, 1.0)) as preview:
            await wait_for(lambda: preview.status.state is PreviewState.LIVE, 20, "live")
            outage = asyncio.create_task(camera.interrupt_stream(2.0))
            await wait_for(lambda: preview.status.state is PreviewState.LOST, 10, "lost")
            lost = preview.status
            assert lost.reason in (Reason.NO_ANSWER, Reason.UNREACHABLE) and lost.detail
            before = seen.count()
            await outage
            await wait_for(lambda: preview.status.state is PreviewState.LIVE and seen.count() > before + 2, 20,
                           "live again with new frames")
            assert preview.reconnects >= 1
        states = [s.state for s in seen.states]
        assert states.index(PreviewState.LOST) < len(states) - 1 - states[::-1].index(PreviewState.LIVE)


async def test_a_camera_that_is_not_there_is_lost_and_retried_until_stopped() -> None:
    async with sim_camera(width=320, height=180) as camera:
        url = camera.stream_url
    seen = Seen()  # the camera is gone: its port refuses
    async with watching(url, seen, backoff_s=(0.1, 0.2)) as preview:
        await wait_for(lambda: preview.reconnects >= 2, 20, "retries")
        assert preview.status.state in (PreviewState.LOST, PreviewState.CONNECTING)
        assert any(s.reason is Reason.UNREACHABLE for s in seen.states)
    assert seen.count() == 0


async def test_the_tile_size_can_change_while_it_runs() -> None:
    async with sim_camera(width=640, height=360) as camera:
        seen = Seen()
        async with watching(camera.stream_url, seen, size=(320, 320)) as preview:
            await wait_for(lambda: seen.count() >= 1, 20, "a frame")
            preview.size = (160, 160)
            await wait_for(lambda: seen.frames[-1][1].shape[:2] == (90, 160), 10, "the smaller size")
