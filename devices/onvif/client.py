"""An ONVIF device over SOAP/HTTP: its identity, media profiles and stream URIs, and PTZ where it has one.

Every call is bounded by ``timeout_s`` and ends in a result or one ``OnvifError`` subclass (``AuthFailed``,
``NoPtz``, ``OnvifTimeout``, ``Unreachable``, ``Garbled``, ``SoapFault``), each with a ``Reason`` code.
With a password, each request carries a WS-UsernameToken digest stamped on the *device's* clock: the
offset is read once from GetSystemDateAndTime (which needs no auth), since cameras whose clock is off by
more than a few seconds refuse a token stamped on ours. A camera that challenges with HTTP digest (401)
instead gets that too.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from devices.lazy import lazy_module

if TYPE_CHECKING:
    import aiohttp
else:
    aiohttp = lazy_module("aiohttp")  # imported on first use: most runs never talk HTTP

from devices.onvif import device, media, ptz
from devices.onvif.device import DeviceInformation, ServiceUrls
from devices.onvif.errors import AuthFailed, Garbled, NoPtz, OnvifError, OnvifTimeout, SoapFault, Unreachable
from devices.onvif.media import Profile, StreamProtocol
from devices.onvif.ptz import Preset, PtzStatus, PtzVector
from devices.onvif.soap import CONTENT_TYPE, body_of, envelope, format_time, raise_fault, username_token
from devices.onvif.xml import MAX_XML_BYTES, NS, local_name, parse_async, qname

log = logging.getLogger(__name__)
codecs.lookup("idna")  # cached now: aiohttp looks it up lazily on the loop, where the import would stat files

DEFAULT_USER = "admin"
READ_CHUNK = 65_536
_CLOCK_RETRY_S = 2.0  # a refused token is retried once if the device's clock moved by more than this


class OnvifClient:
    """One ONVIF device, by its device service URL (an XAddr from WS-Discovery)."""

    def __init__(self, device_url: str, username: str | None = None, password: str | None = None, *,
                 timeout_s: float = 3.0, max_bytes: int = MAX_XML_BYTES, rewrite_hosts: bool = True) -> None:
        self.device_url = device_url
        self.rewrite_hosts = rewrite_hosts  # service and stream URLs moved onto the host we reached
        self.username = username or DEFAULT_USER
        self.password = password
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self._offset: timedelta | None = None
        self._services: ServiceUrls | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def clock_offset_s(self) -> float | None:
        """The device's clock minus ours, once measured."""
        return None if self._offset is None else self._offset.total_seconds()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> OnvifClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # Device service
    async def sync_clock(self) -> float:
        """Measure the device's clock offset (seconds, device minus ours); no credentials needed."""
        sent = datetime.now(UTC)
        answer = await self._call(self.device_url, "tds:GetSystemDateAndTime", device.get_system_date_and_time(),
                                  auth=False)
        received = datetime.now(UTC)
        self._offset = device.read_clock(answer) - (sent + (received - sent) / 2)
        return self._offset.total_seconds()

    async def device_information(self) -> DeviceInformation:
        answer = await self._call(self.device_url, "tds:GetDeviceInformation", device.get_device_information())
        return device.read_device_information(answer)

    async def mac_address(self) -> str:
        """The MAC of the device's first enabled network interface ('' if it reports none)."""
        answer = await self._call(self.device_url, "tds:GetNetworkInterfaces", device.get_network_interfaces())
        return device.read_mac(answer)

    async def services(self) -> ServiceUrls:
        """Where media and PTZ are (GetServices, else the older GetCapabilities); read once, then cached."""
        if self._services is None:
            try:
                answer = await self._call(self.device_url, "tds:GetServices", device.get_services())
                self._services = device.read_services(answer, self.device_url, self.rewrite_hosts)
            except (SoapFault, Garbled) as exc:
                log.debug("GetServices failed at %s (%s); asking GetCapabilities", self.device_url, exc)
                answer = await self._call(self.device_url, "tds:GetCapabilities", device.get_capabilities())
                self._services = device.read_capabilities(answer, self.device_url, self.rewrite_hosts)
        return self._services

    # Media service
    async def profiles(self) -> list[Profile]:
        return media.read_profiles(await self._media("trt:GetProfiles", media.get_profiles()))

    async def stream_uri(self, profile: str, protocol: StreamProtocol = "RTSP") -> str:
        """The URL of the profile's live stream (RTP-Unicast over ``protocol``)."""
        uri = media.read_uri(await self._media("trt:GetStreamUri", media.get_stream_uri(profile, protocol)))
        return device.on_host(uri, self.device_url) if self.rewrite_hosts else uri

    async def snapshot_uri(self, profile: str) -> str:
        uri = media.read_uri(await self._media("trt:GetSnapshotUri", media.get_snapshot_uri(profile)))
        return device.on_host(uri, self.device_url) if self.rewrite_hosts else uri

    # PTZ service (NoPtz when the device has none)
    async def continuous_move(self, profile: str, velocity: PtzVector, timeout_s: float | None = None) -> None:
        """Move at ``velocity`` (each axis in [-1, 1]) until ``stop``, or for ``timeout_s``."""
        await self._ptz("tptz:ContinuousMove", ptz.continuous_move(profile, velocity, timeout_s))

    async def stop(self, profile: str, pan_tilt: bool = True, zoom: bool = True) -> None:
        await self._ptz("tptz:Stop", ptz.stop(profile, pan_tilt, zoom))

    async def absolute_move(self, profile: str, position: PtzVector, speed: float | None = None) -> None:
        """Start a move to ``position`` (pan, tilt in [-1, 1], zoom in [0, 1]); returns before arrival."""
        await self._ptz("tptz:AbsoluteMove", ptz.absolute_move(profile, position, speed))

    async def goto_preset(self, profile: str, preset: str, speed: float | None = None) -> None:
        await self._ptz("tptz:GotoPreset", ptz.goto_preset(profile, preset, speed))

    async def set_preset(self, profile: str, name: str = "", preset: str | None = None) -> str:
        """Store the current position (in ``preset``, else a new one); returns the preset's token."""
        return ptz.read_preset_token(await self._ptz("tptz:SetPreset", ptz.set_preset(profile, name, preset)))

    async def presets(self, profile: str) -> list[Preset]:
        return ptz.read_presets(await self._ptz("tptz:GetPresets", ptz.get_presets(profile)))

    async def goto_home(self, profile: str, speed: float | None = None) -> None:
        await self._ptz("tptz:GotoHomePosition", ptz.goto_home(profile, speed))

    async def status(self, profile: str) -> PtzStatus:
        return ptz.read_status(await self._ptz("tptz:GetStatus", ptz.get_status(profile)))

    # Transport
    async def _media(self, operation: str, body: str) -> Element:
        url = (await self.services()).media
        if url is None:
            raise Garbled(f"{self.device_url} offers no media service")
        return await self._call(url, operation, body)

    async def _ptz(self, operation: str, body: str) -> Element:
        url = (await self.services()).ptz
        if url is None:
            raise NoPtz(f"{self.device_url} offers no PTZ service")
        return await self._call(url, operation, body)

    async def _call(self, url: str, operation: str, body: str, *, auth: bool = True) -> Element:
        """POST one operation; the answer's ``<operation>Response`` element, or an OnvifError."""
        if not auth or self.password is None:
            return await self._post(url, operation, envelope(body))
        if self._offset is None:
            await self._try_sync_clock()
        before = self._offset
        try:
            return await self._post(url, operation, envelope(body, self._token()))
        except AuthFailed:
            await self._try_sync_clock()  # the device's clock may have jumped since we read it
            assert self._offset is not None
            if before is not None and abs((self._offset - before).total_seconds()) < _CLOCK_RETRY_S:
                raise
            return await self._post(url, operation, envelope(body, self._token()))

    def _token(self) -> str:
        assert self.password is not None
        created = format_time(datetime.now(UTC) + (self._offset or timedelta()))
        return username_token(self.username, self.password, created, secrets.token_bytes(16))

    async def _try_sync_clock(self) -> None:
        try:
            await self.sync_clock()
        except (SoapFault, Garbled, AuthFailed) as exc:  # some devices guard even their clock: assume ours
            log.info("could not read the clock of %s (%s); using ours", self.device_url, exc)
            self._offset = timedelta()

    async def _post(self, url: str, operation: str, payload: bytes) -> Element:
        prefix, _, name = operation.partition(":")
        headers = {"Content-Type": f'{CONTENT_TYPE}; action="{NS[prefix]}/{name}"', "Accept-Encoding": "identity"}
        if self._session is None:  # HTTP digest too, for cameras that challenge with it instead of WS-Security
            digest = () if self.password is None else (aiohttp.DigestAuthMiddleware(self.username, self.password),)
            self._session = aiohttp.ClientSession(  # never decompressed: a gzip bomb would slip past the cap
                timeout=aiohttp.ClientTimeout(total=None), middlewares=digest, auto_decompress=False)
        try:
            async with asyncio.timeout(self.timeout_s):  # not wait_for: see devices/tasks.py
                async with self._session.post(url, data=payload, headers=headers) as response:
                    status = response.status
                    data = await self._read(response)
        except TimeoutError:
            raise OnvifTimeout(f"{name} at {url}: no answer within {self.timeout_s:g} s") from None
        except aiohttp.ClientResponseError as exc:  # not HTTP at all: a PJLink port, a telnet banner
            raise Garbled(f"{name} at {url}: {exc.message[:200]}") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise Unreachable(f"{name} at {url}: {exc or type(exc).__name__}") from None
        if status in (401, 403):
            raise AuthFailed(f"{name} at {url}: HTTP {status}", had_password=self.password is not None)
        if status not in (200, 400, 500):
            raise Garbled(f"{name} at {url}: HTTP {status}")
        answer = body_of(await parse_async(data, limit=self.max_bytes))
        raise_fault(answer, had_password=self.password is not None)
        if answer.tag != qname(f"{operation}Response"):
            namespace = answer.tag.partition("}")[0][1:]
            raise Garbled(f"{name} at {url} answered {local_name(answer.tag)!r} in {namespace!r}")
        return answer

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The body, refused past ``max_bytes`` before more of it is read."""
        if response.content_length is not None and response.content_length > self.max_bytes:
            raise Garbled(f"an answer of {response.content_length} bytes refused: the cap is {self.max_bytes}")
        data = bytearray()
        while chunk := await response.content.read(READ_CHUNK):
            data += chunk
            if len(data) > self.max_bytes:
                raise Garbled(f"an answer over {self.max_bytes} bytes refused")
        return bytes(data)


__all__ = ["DeviceInformation", "OnvifClient", "OnvifError", "Preset", "Profile", "PtzStatus", "PtzVector",
           "ServiceUrls"]
