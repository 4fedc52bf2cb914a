"""A whole simulated camera over ONVIF: found by WS-Discovery, described, streamed, aimed; a fixed one too."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp

from devices.onvif.camera import describe
from devices.onvif.client import OnvifClient
from devices.onvif.wsdiscovery import probe
from devices.sim.camera import SimCameraConfig, SimulatedCamera
from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService
from devices.sim.wsdiscovery_responder import ResponderConfig, WsDiscoveryResponder, camera_scopes

BOUND_S = 30.0


@dataclass
class OnvifSimCamera:
    camera: SimulatedCamera
    onvif: SimOnvifService
    responder: WsDiscoveryResponder


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def onvif_camera(host: str, discovery_port: int, *, ptz: bool, password: str | None) -> AsyncIterator[
        OnvifSimCamera]:
    """The simulated camera with its ONVIF service and WS-Discovery responder, composed as a room would."""
    cam_config = SimCameraConfig(name=f"Cam {host}", host=host, http_port=0, visca_port=0, ptz=ptz, fps=5.0,
                                 width=320, height=180, password=password)
    async with SimulatedCamera(cam_config) as cam:
        onvif = SimOnvifService(SimOnvifConfig(
            host=host, password=password, serial=cam.serial, mac=cam.mac, model=cam.product, hardware_id=cam.product,
            stream_uri=cam.stream_url, snapshot_uri=cam.snapshot_url), cam.head if ptz else None)
        async with onvif:
            responder = WsDiscoveryResponder(ResponderConfig(
                host=host, endpoint=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, cam.mac)}", port=discovery_port,
                xaddrs=[onvif.device_url], scopes=camera_scopes(cam_config.name, cam.product, "Room 101", ptz=ptz)))
            async with responder:
                yield OnvifSimCamera(cam, onvif, responder)


async def test_found_by_ws_discovery_then_described_streamed_and_aimed() -> None:
    port = free_udp_port()
    async with onvif_camera("127.0.80.240", port, ptz=True, password="pw") as sim:
        async with contextlib.aclosing(probe(BOUND_S, interfaces=["127.0.0.1"], port=port)) as matches:
            match = await anext(m async for m in matches if m.endpoint == sim.responder.config.endpoint)
        assert (match.name, match.location) == ("Cam 127.0.80.240", "Room 101")
        async with OnvifClient(match.xaddrs[0], "admin", "pw", timeout_s=BOUND_S) as client:
            described = await describe(client)
            assert described.has_ptz and described.info.serial == sim.camera.serial
            assert described.mac == sim.camera.mac
            assert described.stream_url == sim.camera.stream_url
            async with aiohttp.ClientSession() as http, http.get(described.stream_url) as stream:
                assert stream.content_type.startswith("multipart/x-mixed-replace")
                assert b"\xff\xd8" in await stream.content.read(4096)  # a JPEG frame begins

            students = sim.camera.head.presets()[2][1]
            await client.goto_preset(described.profile, "2")
            deadline = time.monotonic() + BOUND_S
            while time.monotonic() < deadline:  # a recall takes about a second, at the motor's pace
                if not (await client.status(described.profile)).moving:
                    break
                await asyncio.sleep(0.05)
            final = (await client.status(described.profile)).position
    assert abs(final.pan - students.pan) < 1e-3 and abs(final.zoom - students.zoom) < 1e-3


async def test_fixed_camera_is_described_without_ptz() -> None:
    port = free_udp_port()
    async with onvif_camera("127.0.80.241", port, ptz=False, password=None) as sim:
        async with contextlib.aclosing(probe(BOUND_S, interfaces=["127.0.0.1"], port=port,
                                             targets=["127.0.80.241"], multicast=False)) as matches:
            match = await anext(m async for m in matches if m.endpoint == sim.responder.config.endpoint)
        assert "onvif://www.onvif.org/type/ptz" not in match.scopes
        async with OnvifClient(match.xaddrs[0], timeout_s=BOUND_S) as client:
            described = await describe(client)
    assert not described.has_ptz and described.ptz_url is None
    assert described.snapshot_url == sim.camera.snapshot_url
