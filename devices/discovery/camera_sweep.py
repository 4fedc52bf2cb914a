"""Cameras on listed addresses: multicast (WS-Discovery, DNS-SD) does not cross VLANs, so ask each host directly.

For each host: an ONVIF device service on the ports cameras use (an unauthenticated GetSystemDateAndTime, which
every ONVIF device answers), and a VISCA-over-IP inquiry on UDP 52381. Bounded per host and overall.
The ports are knocked on first, all at once, with bare sockets: most of a range has nothing listening, and an HTTP
client's refused request costs the loop's thread a session, an exception and a cycle of frames to collect each.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import traceback
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

import aiohttp  # noqa: F401  # the ONVIF probes use it on the loop: loaded with discovery, not at the first probe

from devices.discovery.sweep import knock
from devices.onvif import OnvifClient, OnvifError
from devices.visca import VISCA_PORT, ViscaClient, ViscaError

log = logging.getLogger(__name__)

ONVIF_PORTS = (80, 8899, 8000, 8080)
ONVIF_PATH = "/onvif/device_service"


@dataclass(frozen=True, slots=True)
class CameraHit:
    address: str
    port: int
    protocol: str  # "onvif" or "visca-ip"
    url: str = ""  # the ONVIF device service that answered
    visca_port: int | None = None  # an ONVIF camera that also answers VISCA: one device, both faces


def _forget(exc: BaseException) -> None:
    """Free a failed probe's frames now: they hold the exception, a cycle left to the window's collector."""
    traceback.clear_frames(exc.__traceback__)


async def _onvif(host: str, port: int, step_s: float) -> CameraHit | None:
    url = f"http://{host}:{port}{ONVIF_PATH}"
    try:
        async with OnvifClient(url, timeout_s=step_s) as client:
            await client.sync_clock()
    except (OnvifError, OSError, TimeoutError) as exc:  # a web server that is not a camera, say
        _forget(exc)
        return None
    return CameraHit(host, port, "onvif", url)


async def _visca(host: str, port: int, step_s: float) -> CameraHit | None:
    try:
        async with asyncio.timeout(step_s * 3), ViscaClient(host, port, ack_timeout_s=step_s, retries=1) as camera:
            await camera.power_state()
    except (ViscaError, OSError, TimeoutError) as exc:  # a refusal, from most hosts of a range
        _forget(exc)
        return None
    return CameraHit(host, port, "visca-ip")


async def _open_ports(host: str, ports: Sequence[int], step_s: float) -> list[int]:
    """The ports that accept; none when the knock itself fails (out of file descriptors in a big sweep): the host's
    VISCA inquiry is still made, as it was before the knock."""
    try:
        return await knock(host, ports, step_s)
    except OSError as exc:
        log.debug("camera sweep: could not knock on %s (%s)", host, exc)
        return []


async def scan_cameras(
    hosts: Sequence[str],
    *,
    onvif_ports: Sequence[int] = ONVIF_PORTS,
    visca_port: int = VISCA_PORT,
    concurrency: int = 16,
    step_s: float = 1.5,
) -> AsyncGenerator[CameraHit, None]:
    """Yield each camera face that answers on ``hosts`` (each host's ONVIF ports and its VISCA port)."""
    limit = asyncio.Semaphore(concurrency)
    found: asyncio.Queue[CameraHit | None] = asyncio.Queue()

    async def probe_host(host: str) -> None:
        async with limit:
            onvif: CameraHit | None = None
            for port in await _open_ports(host, onvif_ports, step_s):  # the first that answers is the service
                onvif = await _onvif(host, port, step_s)
                if onvif is not None:
                    break
            visca = await _visca(host, visca_port, step_s)
            if onvif is not None:
                found.put_nowait(onvif if visca is None else dataclasses.replace(onvif, visca_port=visca.port))
            elif visca is not None:
                found.put_nowait(visca)

    async def all_hosts() -> None:
        try:
            await asyncio.gather(*(probe_host(h) for h in dict.fromkeys(hosts)), return_exceptions=True)
        finally:
            found.put_nowait(None)

    runner = asyncio.create_task(all_hosts(), name="camera-sweep")
    try:
        while (hit := await found.get()) is not None:
            yield hit
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
