"""Cameras as families of the registry, one per way a camera is reached; all share one driver.

``onvif``: found by WS-Discovery, described over ONVIF (stream, snapshot, PTZ). ``visca-ip``: a VISCA port
advertised over DNS-SD (``_visca._udp``). ``camera-stream``: a stream advertised over DNS-SD (``_rtsp._tcp``,
or ``_http._tcp`` marked ``kind=camera``). A camera found several ways is one device (keyed by its MAC); each
way adds its part to the device's state, and the driver aims it by VISCA where it can, else ONVIF.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import ClassVar

from devices.camera.driver import CameraDriver
from devices.camera.identify import identify_onvif, identify_stream, identify_visca
from devices.driver import Capability, Driver, DriverOptions, Identity, NoticeListener, OnNotice
from devices.model import DeviceInfo
from devices.registry import register

CAMERA_CAPABILITIES = frozenset({Capability.STREAM, Capability.PTZ, Capability.PRESETS})


class _CameraFamily:
    protocol: ClassVar[str]
    dnssd_types: ClassVar[tuple[str, ...]] = ()
    capabilities: ClassVar[frozenset[Capability]] = CAMERA_CAPABILITIES

    def accepts(self, service_type: str, txt: Mapping[str, str]) -> bool:
        return True

    def driver(self, info: DeviceInfo, options: DriverOptions) -> Driver:
        return CameraDriver(info, options)

    def notices(self, addresses: Collection[str], port: int | None, on_notice: OnNotice) -> NoticeListener | None:
        return None


class OnvifFamily(_CameraFamily):
    protocol = "onvif"

    async def identify(
        self, host: str, port: int, password: str | None, step_timeout: float, hints: Mapping[str, str]
    ) -> Identity:
        return await identify_onvif(host, port, password, step_timeout, hints)


class ViscaFamily(_CameraFamily):
    protocol = "visca-ip"
    dnssd_types: ClassVar[tuple[str, ...]] = ("_visca._udp.local.",)

    async def identify(
        self, host: str, port: int, password: str | None, step_timeout: float, hints: Mapping[str, str]
    ) -> Identity:
        return await identify_visca(host, port, password, step_timeout, hints)


class StreamFamily(_CameraFamily):
    protocol = "camera-stream"
    dnssd_types: ClassVar[tuple[str, ...]] = ("_rtsp._tcp.local.", "_http._tcp.local.")

    async def identify(
        self, host: str, port: int, password: str | None, step_timeout: float, hints: Mapping[str, str]
    ) -> Identity:
        return await identify_stream(host, port, password, step_timeout, hints)

    def accepts(self, service_type: str, txt: Mapping[str, str]) -> bool:
        """Every RTSP advert is a stream; a web server is one only when it says it is a camera."""
        return service_type.startswith("_rtsp.") or txt.get("kind") == "camera"


ONVIF = register(OnvifFamily())
VISCA = register(ViscaFamily())
STREAM = register(StreamFamily())
