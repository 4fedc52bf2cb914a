"""Who answers at a camera endpoint, for each of the ways a camera is found."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from devices.lazy import lazy_module

if TYPE_CHECKING:
    import aiohttp
else:
    aiohttp = lazy_module("aiohttp")  # imported on first use: most runs never talk HTTP

from devices.driver import Identity, Reason
from devices.model import Availability
from devices.onvif import OnvifClient, OnvifError, describe
from devices.visca import Framing, ViscaClient, ViscaError
from devices.visca.reasons import reason as visca_reason

log = logging.getLogger(__name__)


async def identify_onvif(host: str, port: int, password: str | None, step_timeout: float,
                         hints: Mapping[str, str]) -> Identity:
    url = hints.get("xaddr") or f"http://{host}:{port}/onvif/device_service"
    try:
        async with OnvifClient(url, password=password, timeout_s=step_timeout) as client:
            camera = await describe(client)
    except OnvifError as exc:
        availability = Availability.AUTH_FAILED if exc.reason in (
            Reason.PASSWORD_NEEDED, Reason.PASSWORD_WRONG) else Availability.OFFLINE
        reason = exc.reason
        if availability is Availability.AUTH_FAILED:
            reason = Reason.PASSWORD_WRONG if password else Reason.PASSWORD_NEEDED
        return Identity(availability, reason, error=str(exc), extra={"onvif": url})
    info = camera.info
    extra = {"onvif": url, "onvif_ptz": camera.has_ptz, "stream_url": camera.stream_url,
             "snapshot_url": camera.snapshot_url}
    if hints.get("visca_port", "").isdigit():  # the sweep heard VISCA on the same host
        extra["visca_port"] = int(hints["visca_port"])
    return Identity(
        Availability.ONLINE, name=hints.get("name", ""), manufacturer=info.manufacturer, product=info.model,
        serial=info.serial, mac=camera.mac, extra=extra,
    )


async def identify_visca(host: str, port: int, password: str | None, step_timeout: float,
                         hints: Mapping[str, str]) -> Identity:
    framing = framing_of(hints.get("framing", ""))
    extra = {"visca_port": port, "visca_framing": framing.value}
    try:
        async with asyncio.timeout(step_timeout * 4):
            async with ViscaClient(host, port, framing=framing, ack_timeout_s=step_timeout) as camera:
                await camera.power_state()
    except (ViscaError, TimeoutError, OSError) as exc:
        reason = visca_reason(exc) if isinstance(exc, ViscaError) else Reason.NO_ANSWER
        return Identity(Availability.OFFLINE, reason, error=str(exc) or "no answer", extra=extra)
    return Identity(Availability.ONLINE, serial=hints.get("serial", ""), extra=extra)


def framing_of(text: str) -> Framing:
    """The advert's word for how the camera wants its VISCA (Sony's header by default)."""
    try:
        return Framing(text)
    except ValueError:
        return Framing.IP


async def identify_stream(host: str, port: int, password: str | None, step_timeout: float,
                          hints: Mapping[str, str]) -> Identity:
    """A stream advert: the URL it names answers, or the camera is offline."""
    scheme = "rtsp" if hints.get("scheme") == "rtsp" else "http"
    path = hints.get("path") or "/"
    stream = f"{scheme}://{host}:{port}{path if path.startswith('/') else '/' + path}"
    snapshot = hints.get("snapshot", "")
    extra = {"stream_url": stream, "snapshot_url": f"http://{host}:{port}{snapshot}" if snapshot else ""}
    try:
        if scheme == "http":
            timeout = aiohttp.ClientTimeout(total=step_timeout * 2)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(extra["snapshot_url"] or stream) as response:
                    ok = response.status < 400
        else:
            async with asyncio.timeout(step_timeout):
                _reader, writer = await asyncio.open_connection(host, port)
                writer.close()
                ok = True
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Identity(Availability.OFFLINE, Reason.NO_ANSWER, error=str(exc) or "no answer", extra=extra)
    if not ok:
        return Identity(Availability.FAULT, Reason.DEVICE_FAULT, error="the stream URL answered an error",
                        extra=extra)
    return Identity(Availability.ONLINE, product=hints.get("product", ""), serial=hints.get("serial", ""),
                    extra=extra)
