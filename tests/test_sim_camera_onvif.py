"""One head, two protocols: a preset stored over VISCA is recalled over ONVIF, and the picture follows either."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import cv2
import numpy as np

from devices.onvif import OnvifClient, PtzVector
from devices.sim.camera import MotorProfile, SimCameraConfig, SimulatedCamera
from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService
from devices.sim.ptz import PtzPosition
from devices.visca import ViscaClient


async def snapshot(url: str) -> np.ndarray:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        data = await response.read()
    image = await asyncio.to_thread(cv2.imdecode, np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return np.asarray(image[60:], np.int16)  # below the stamp


async def until_still(camera: SimulatedCamera, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while camera.head.moving():
        assert time.monotonic() < deadline, "the head never came to rest"
        await asyncio.sleep(0.02)


async def test_visca_and_onvif_move_the_same_picture() -> None:
    camera = SimulatedCamera(SimCameraConfig(host="127.0.0.1", http_port=0, visca_port=0, width=384, height=216,
                                             motor=MotorProfile(preset_s=0.3)))
    await camera.start()
    onvif = SimOnvifService(SimOnvifConfig(host="127.0.0.1", password="secret", stream_uri=camera.stream_url,
                                           snapshot_uri=camera.snapshot_url, mac=camera.mac), head=camera.head)
    await onvif.start()
    try:
        async with ViscaClient(camera.host, camera.visca_port, ack_timeout_s=1.0) as visca, \
                OnvifClient(onvif.device_url, "admin", "secret") as client:
            profile = (await client.profiles())[0].token
            home = await snapshot(camera.snapshot_url)
            await visca.move_to(-0.7, 0.3, 0.6)
            await until_still(camera)
            await visca.preset_set(5)
            await visca.home()
            assert float(np.mean(np.abs(await snapshot(camera.snapshot_url) - home))) < 3
            await client.goto_preset(profile, "5")
            await until_still(camera)
            assert abs(camera.head.position().pan + 0.7) < 1e-3
            recalled = await snapshot(camera.snapshot_url)
            assert float(np.mean(np.abs(recalled - home))) > 20, "recalled over ONVIF, the framing moved"
            await client.absolute_move(profile, PtzVector(0.4, -0.2, 0.1))
            await until_still(camera)
            position = await visca.position()
            assert abs(position.pan - 0.4) < 1e-3 and abs(position.tilt + 0.2) < 1e-3
            assert camera.head.position() == PtzPosition(0.4, -0.2, 0.1)
    finally:
        await onvif.stop()
        await camera.stop()
