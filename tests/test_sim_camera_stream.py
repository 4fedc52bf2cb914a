"""The simulated camera's picture, read as a client would: MJPEG over HTTP, snapshots, ffprobe and OpenCV."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import cv2
import numpy as np
import pytest

from devices.sim.camera import (
    HTTP_SERVICE,
    VISCA_SERVICE,
    MotorProfile,
    SimCameraConfig,
    SimulatedCamera,
    read_stamp,
)
from devices.sim.camera.scene import Renderer
from devices.visca import ViscaClient

W, H = 480, 270
STAMP_ROWS = H // 6  # the burnt-in stamp lives above this


@asynccontextmanager
async def sim_camera(**overrides: Any) -> AsyncIterator[SimulatedCamera]:
    settings: dict[str, Any] = {"name": "Test Camera", "host": "127.0.0.1", "http_port": 0, "visca_port": 0,
                                "width": W, "height": H, "fps": 20, "motor": MotorProfile(preset_s=0.5)}
    settings.update(overrides)
    camera = SimulatedCamera(SimCameraConfig(**settings))
    await camera.start()
    try:
        yield camera
    finally:
        await camera.stop()


async def parts(response: aiohttp.ClientResponse, count: int) -> list[bytes]:
    """JPEGs from a multipart/x-mixed-replace body, until ``count`` or the end of the stream."""
    found: list[bytes] = []
    while len(found) < count:
        line = await response.content.readline()
        if not line:
            break
        if not line.startswith(b"--frame"):
            continue
        length = 0
        while (header := await response.content.readline()).strip():
            name, _, value = header.decode().partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        found.append(await response.content.readexactly(length))
    return found


async def read_frames(url: str, count: int, within: float = 15.0) -> list[bytes]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=within)) as session:
        async with session.get(url) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "multipart/x-mixed-replace; boundary=frame"
            return await parts(response, count)


async def decode(jpeg: bytes) -> np.ndarray:
    image = await asyncio.to_thread(cv2.imdecode, np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not a JPEG"
    return image


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference below the stamp, 0..255."""
    return float(np.mean(np.abs(a[STAMP_ROWS:].astype(np.int16) - b[STAMP_ROWS:].astype(np.int16))))


async def test_a_preset_recall_moves_the_picture() -> None:
    async with sim_camera() as camera, ViscaClient(camera.host, camera.visca_port, ack_timeout_s=1.0) as visca:
        first, second = [await decode(j) for j in await read_frames(camera.stream_url, 2)]
        assert difference(first, second) < 3, "a still head gives the same picture"
        started = time.monotonic()
        await visca.preset_recall(2)
        assert time.monotonic() - started >= 0.4, "a recall takes the motor's time"
        after = await decode((await read_frames(camera.stream_url, 1))[0])
        assert difference(first, after) > 25, "the framing changed"
        target = camera.head.presets()[2][1]
        expected = await asyncio.to_thread(Renderer(W, H).render, target, time.time(), 0)
        assert difference(after, expected) < 6, "the picture is the preset's framing"


async def test_frames_carry_their_capture_time_and_number() -> None:
    async with sim_camera() as camera:
        before = time.time()
        jpegs = await read_frames(camera.stream_url, 6)
        after = time.time()
        stamps = [read_stamp(await decode(j)) for j in jpegs]
        assert all(s is not None for s in stamps)
        numbers = [s.frame for s in stamps if s is not None]
        times = [s.time_s for s in stamps if s is not None]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        assert all(before - 0.01 <= t <= after + 0.01 for t in times)
        assert times[-1] - times[0] >= 0.6 * (numbers[-1] - numbers[0]) / 20, "paced at the set rate"


async def test_frames_are_made_only_while_someone_watches() -> None:
    async with sim_camera() as camera:
        assert camera.frames_made == 0
        await read_frames(camera.stream_url, 3)
        deadline = time.monotonic() + 10
        while camera.viewers:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        made = camera.frames_made
        await asyncio.sleep(0.5)  # nobody watches: nothing may be rendered meanwhile
        assert camera.frames_made <= made + 1


async def test_several_viewers_share_one_stream_of_frames() -> None:
    async with sim_camera() as camera:
        results = await asyncio.gather(*(read_frames(camera.stream_url, 5) for _ in range(3)))
        assert all(len(r) == 5 for r in results)
        assert camera.frames_made < 40, "one renderer for every viewer"


async def test_the_stream_drops_and_comes_back() -> None:
    async with sim_camera() as camera:
        url = camera.stream_url
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            async with session.get(url) as response:
                seen = await parts(response, 2)
                assert len(seen) == 2
                outage = asyncio.create_task(camera.interrupt_stream(1.5))
                rest = await parts(response, 10_000)  # ends when the camera drops it
                assert len(rest) < 10_000
            deadline = time.monotonic() + 10
            while camera.stream_up:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.02)
            with pytest.raises(aiohttp.ClientConnectionError):
                async with session.get(url) as refused:
                    await refused.read()
            await outage
        assert camera.stream_up and camera.stream_url == url, "back on the same address"
        again = await read_frames(url, 2)
        assert len(again) == 2
        stamp = read_stamp(await decode(again[-1]))
        assert stamp is not None and stamp.frame > 2


async def test_the_stream_drops_fault_mode_comes_back_by_itself() -> None:
    async with sim_camera(fault="stream_drops", drop_every_s=0.4, drop_for_s=0.4) as camera:
        url, drops, frames = camera.stream_url, 0, 0
        deadline = time.monotonic() + 20
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            while (drops < 2 or frames < 2) and time.monotonic() < deadline:
                try:
                    async with session.get(url) as response:
                        frames += len(await parts(response, 10_000))
                        drops += 1
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        assert drops >= 2 and frames >= 2


async def test_snapshot_and_device_description() -> None:
    async with sim_camera() as camera, aiohttp.ClientSession() as session:
        async with session.get(camera.snapshot_url) as response:
            assert response.headers["Content-Type"] == "image/jpeg"
            image = await decode(await response.read())
        assert image.shape == (H, W, 3)
        async with session.get(camera.stream_url.replace("/stream.mjpg", "/device.json")) as response:
            info = json.loads(await response.text())
        assert info["mac"] == camera.mac and info["serial"] == camera.serial
        assert info["visca"]["port"] == camera.visca_port


async def test_advertisements_say_where_the_stream_and_visca_are() -> None:
    async with sim_camera(mac="02:cc:80:00:00:21") as ptz, sim_camera(name="Fixed", ptz=False) as fixed:
        http, visca = ptz.advertisements()
        assert (http.service_type, http.port, http.address) == (HTTP_SERVICE, ptz.http_port, "127.0.0.1")
        assert isinstance(http.txt, dict)
        assert http.txt["path"] == "/stream.mjpg" and http.txt["mac"] == "02:cc:80:00:00:21"
        assert (visca.service_type, visca.port) == (VISCA_SERVICE, ptz.visca_port)
        assert isinstance(visca.txt, dict) and visca.txt["mac"] == "02:cc:80:00:00:21"
        assert fixed.visca_port is None
        assert [ad.service_type for ad in fixed.advertisements()] == [HTTP_SERVICE]
        assert fixed.mac != ptz.mac and fixed.serial != ptz.serial
        assert ptz.stream_url in ptz.describe() and "VISCA" in ptz.describe() and "fixed" in fixed.describe()


async def test_faulty_cameras_are_slow_silent_or_garbled() -> None:
    async with sim_camera(fault="slow", slow_delay_s=0.5) as slow, aiohttp.ClientSession() as session:
        started = time.monotonic()
        async with session.get(slow.snapshot_url) as response:
            await response.read()
        assert time.monotonic() - started >= 0.45
    async with sim_camera(fault="silent") as silent, aiohttp.ClientSession() as session:
        with pytest.raises(TimeoutError):
            async with session.get(silent.snapshot_url, timeout=aiohttp.ClientTimeout(total=0.5)) as response:
                await response.read()
    async with sim_camera(fault="garbage") as garbage, aiohttp.ClientSession() as session:
        async with session.get(garbage.snapshot_url) as response:
            body = await response.read()
        assert await asyncio.to_thread(cv2.imdecode, np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR) is None


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed (Debian package ffmpeg)")
async def test_ffprobe_opens_the_stream_url_as_it_is() -> None:
    async with sim_camera() as camera:
        probe = await asyncio.create_subprocess_exec(
            "ffprobe", "-v", "error", "-rw_timeout", "10000000", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height", "-of", "json", camera.stream_url,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            async with asyncio.timeout(30):
                out, err = await probe.communicate()
        finally:
            if probe.returncode is None:
                probe.kill()
                await probe.wait()
        assert probe.returncode == 0, err.decode()
        stream = json.loads(out)["streams"][0]
        assert (stream["codec_name"], stream["width"], stream["height"]) == ("mjpeg", W, H)


def _opencv_reads(url: str) -> tuple[int, int] | None:
    capture = cv2.VideoCapture(url)
    try:
        ok, frame = capture.read()
        return frame.shape[:2] if ok else None
    finally:
        capture.release()


async def test_opencv_opens_the_stream_url_as_it_is() -> None:
    async with sim_camera() as camera:
        assert await asyncio.to_thread(_opencv_reads, camera.stream_url) == (H, W)


def _libvlc_size(url: str) -> tuple[int, int] | None:
    vlc = pytest.importorskip("vlc")
    try:
        instance = vlc.Instance("--vout=dummy", "--aout=dummy", "--quiet")
    except (NameError, OSError, AttributeError):
        instance = None
    if instance is None:
        pytest.skip("libVLC is not installed (Debian vlc-plugin-base)")
    player = instance.media_player_new()
    try:
        player.set_media(instance.media_new(url))
        player.play()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            size = player.video_get_size(0)
            if size and size[0]:
                return int(size[1]), int(size[0])
            time.sleep(0.05)
        return None
    finally:
        player.stop()
        player.release()
        instance.release()


async def test_libvlc_plays_the_stream_url_as_it_is() -> None:
    async with sim_camera() as camera:
        assert await asyncio.to_thread(_libvlc_size, camera.stream_url) == (H, W)
