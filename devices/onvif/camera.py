"""What the console needs to know of an ONVIF camera, read in one go: who it is, its stream, whether it moves."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from devices.onvif.client import OnvifClient
from devices.onvif.device import DeviceInformation
from devices.onvif.errors import Garbled, SoapFault
from devices.onvif.media import StreamProtocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OnvifCamera:
    device_url: str
    info: DeviceInformation
    mac: str  # '' when the camera would not say; then key it by info.serial
    profile: str  # the media profile token that streams and PTZ requests name
    stream_url: str
    snapshot_url: str  # '' when the camera offers none
    ptz_url: str | None  # None: a fixed camera (no PTZ service, or no PTZ on its profiles)

    @property
    def has_ptz(self) -> bool:
        return self.ptz_url is not None


async def describe(client: OnvifClient, protocol: StreamProtocol = "RTSP") -> OnvifCamera:
    """Identity, the profile to use (the first that can drive PTZ, else the first), its stream and snapshot.

    Raises what the client raises (``AuthFailed`` first of all); ``Garbled`` when the camera has no profile.
    """
    info = await client.device_information()
    try:
        mac = await client.mac_address()
    except (SoapFault, Garbled) as exc:
        log.debug("no MAC from %s: %s", client.device_url, exc)
        mac = ""
    services = await client.services()
    profiles = await client.profiles()
    if not profiles:
        raise Garbled(f"{client.device_url} has no media profile")
    movable = [p for p in profiles if p.ptz_token] if services.ptz else []
    profile = (movable or profiles)[0]
    stream = await client.stream_uri(profile.token, protocol)
    try:
        snapshot = await client.snapshot_uri(profile.token)
    except (SoapFault, Garbled) as exc:  # optional in Profile S
        log.debug("no snapshot URI from %s: %s", client.device_url, exc)
        snapshot = ""
    return OnvifCamera(client.device_url, info, mac, profile.token, stream, snapshot, services.ptz if movable else None)
