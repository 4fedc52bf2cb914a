"""A simulated camera's ONVIF side: device, media and (for a PTZ camera) PTZ services on its own address.

It drives the same ``PtzHead`` as the camera's VISCA endpoint, so both protocols move one picture. With a
password it checks WS-UsernameToken digests the way cameras do (the token's Created against the camera's
own clock, each nonce once); without one it asks for nothing. A fixed camera has no head: no PTZ service,
and its profile has no PTZ configuration.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from aiohttp import web

from devices.onvif.errors import Garbled
from devices.onvif.soap import CONTENT_TYPE, PASSWORD_DIGEST, body_of, envelope, fault, password_digest
from devices.onvif.xml import NS, Element, esc, find, local_name, parse_async, quoteattr, text
from devices.sim.ptz import PtzHead, PtzPosition

log = logging.getLogger(__name__)

Fault = Literal["slow", "silent", "garbage"]
Service = Literal["device", "media", "ptz"]
PATHS: dict[Service, str] = {"device": "/onvif/device_service", "media": "/onvif/media_service",
                             "ptz": "/onvif/ptz_service"}
_SERVICE_NS: dict[Service, str] = {"device": NS["tds"], "media": NS["trt"], "ptz": NS["tptz"]}
PRE_AUTH = frozenset({"GetSystemDateAndTime", "GetServices", "GetCapabilities"})  # ONVIF's PRE_AUTH class
PROFILE = "main"
PRESET_RANGE = range(0, 256)
MAX_NONCES = 4096
_DURATION = re.compile(r"PT(?:(\d{1,4})H)?(?:(\d{1,4})M)?(?:(\d{1,6}(?:\.\d{1,6})?)S)?")


@dataclass
class SimOnvifConfig:
    """Everything that makes one simulated camera's ONVIF service differ from another."""

    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port (the URLs say which)
    username: str = "admin"
    password: str | None = None  # None: no authentication at all
    manufacturer: str = "Classroom Sim"
    model: str = "SimCam PTZ"
    firmware: str = "1.0.0"
    serial: str = "SIMCAM0001"
    hardware_id: str = "SIMCAM-PTZ"
    mac: str = ""  # GetNetworkInterfaces' HwAddress; '' answers with no interface
    stream_uri: str = ""  # what GetStreamUri answers: the simulated camera's own stream URL
    snapshot_uri: str = ""
    encoding: str = "JPEG"
    width: int = 1280
    height: int = 720
    clock_offset_s: float = 0.0  # the camera's clock runs this far from ours (the client must correct)
    max_clock_skew_s: float = 30.0  # a token stamped further than this from the camera's clock is refused
    default_ptz_timeout_s: float = 5.0  # a ContinuousMove without a Timeout stops by itself after this
    max_body_bytes: int = 64 * 1024
    fault: Fault | None = None
    slow_delay_s: float = 5.0


class _Fault(Exception):
    def __init__(self, code: Literal["Sender", "Receiver"], subcode: str, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.code, self.subcode, self.reason, self.status = code, subcode, reason, status


Handler = Callable[[Element], str]


class SimOnvifService:
    """The HTTP server; ``head`` None makes a fixed camera."""

    def __init__(self, config: SimOnvifConfig, head: PtzHead | None = None) -> None:
        self.config = config
        self.head = head
        self.auth_failures = 0
        self.tokens_heard = 0  # requests carrying a UsernameToken, asked for or not (a password's digest)
        self._runner: web.AppRunner | None = None
        self._port = config.port
        self._nonces: OrderedDict[bytes, None] = OrderedDict()
        self._move_timer: asyncio.TimerHandle | None = None
        self._closing = asyncio.Event()
        self._handlers: dict[tuple[Service, str], Handler] = {
            ("device", "GetSystemDateAndTime"): self._date_and_time,
            ("device", "GetDeviceInformation"): self._device_information,
            ("device", "GetServices"): self._services,
            ("device", "GetNetworkInterfaces"): self._network_interfaces,
            ("device", "GetCapabilities"): self._capabilities,
            ("media", "GetProfiles"): self._profiles,
            ("media", "GetStreamUri"): lambda op: self._uri(op, self.config.stream_uri, "GetStreamUri"),
            ("media", "GetSnapshotUri"): lambda op: self._uri(op, self.config.snapshot_uri, "GetSnapshotUri"),
        }
        if head is not None:
            self._handlers.update({
                ("ptz", "ContinuousMove"): self._continuous_move, ("ptz", "Stop"): self._stop,
                ("ptz", "AbsoluteMove"): self._absolute_move, ("ptz", "GotoPreset"): self._goto_preset,
                ("ptz", "SetPreset"): self._set_preset, ("ptz", "GetPresets"): self._presets,
                ("ptz", "GotoHomePosition"): self._home, ("ptz", "GetStatus"): self._status,
            })

    # Public surface
    def url(self, service: Service = "device") -> str:
        return f"http://{self.config.host}:{self._port}{PATHS[service]}"

    @property
    def device_url(self) -> str:
        return self.url("device")

    @property
    def has_ptz(self) -> bool:
        return self.head is not None

    async def start(self) -> None:
        self._closing.clear()
        app = web.Application(client_max_size=self.config.max_body_bytes)
        for service, path in PATHS.items():
            if service != "ptz" or self.has_ptz:
                app.router.add_post(path, self._endpoint(service))
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            # the port it had before when restarted: a camera that comes back keeps its address
            await web.TCPSite(self._runner, self.config.host, self._port, reuse_address=True).start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._closing.set()
        if self._move_timer is not None:
            self._move_timer.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SimOnvifService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # HTTP
    def _endpoint(self, service: Service) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def endpoint(request: web.Request) -> web.Response:
            return await self._handle(service, request)
        return endpoint

    async def _handle(self, service: Service, request: web.Request) -> web.Response:
        if self.config.fault in ("slow", "silent"):
            delay = self.config.slow_delay_s if self.config.fault == "slow" else 3600.0
            try:
                async with asyncio.timeout(delay):
                    await self._closing.wait()
            except TimeoutError:
                pass
        if self.config.fault == "garbage":
            return web.Response(body=b"\x00\xffnot SOAP at all<<", content_type="application/soap+xml")
        data = await request.read()  # over client_max_size: aiohttp answers 413 itself
        try:
            try:
                root = await parse_async(data, limit=self.config.max_body_bytes)
            except Garbled as exc:
                raise _Fault("Sender", "WellFormed", str(exc)) from None
            body = self._answer(service, root)
        except _Fault as exc:
            return self._reply(fault(exc.code, exc.subcode, exc.reason), exc.status)
        return self._reply(envelope(body), 200)

    @staticmethod
    def _reply(payload: bytes, status: int) -> web.Response:
        return web.Response(body=payload, status=status, headers={"Content-Type": CONTENT_TYPE})

    def _answer(self, service: Service, root: Element) -> str:
        try:
            operation = body_of(root)
        except Garbled as exc:
            raise _Fault("Sender", "WellFormed", str(exc)) from None
        name = local_name(operation.tag)
        handler = self._handlers.get((service, name))
        if handler is None or operation.tag != f"{{{_SERVICE_NS[service]}}}{name}":
            raise _Fault("Receiver", "ActionNotSupported", f"no {name[:80]} in this {service} service", 500)
        if find(root, "s:Header/wsse:Security/wsse:UsernameToken") is not None:
            self.tokens_heard += 1
        if self.config.password is not None and not (service == "device" and name in PRE_AUTH):
            self._authenticate(root)
        return handler(operation)

    # WS-UsernameToken
    def _now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.config.clock_offset_s)

    def _authenticate(self, root: Element) -> None:
        token = find(root, "s:Header/wsse:Security/wsse:UsernameToken")
        problem = "no UsernameToken" if token is None else self._token_problem(token)
        if problem:
            self.auth_failures += 1
            log.info("simulated ONVIF camera %s refused a request: %s", self.config.host, problem)
            raise _Fault("Sender", "NotAuthorized", "Sender not authorized")

    def _token_problem(self, token: Element) -> str:
        password = find(token, "wsse:Password")
        if text(token, "wsse:Username") != self.config.username:
            return "unknown user"
        if password is None or password.get("Type") != PASSWORD_DIGEST:
            return "not a PasswordDigest"
        created = text(token, "wsu:Created")
        try:
            nonce = base64.b64decode(text(token, "wsse:Nonce"), validate=True)
            stamped = datetime.fromisoformat(created)
        except (binascii.Error, ValueError):
            return "unreadable nonce or Created"
        if stamped.tzinfo is None or abs((self._now() - stamped).total_seconds()) > self.config.max_clock_skew_s:
            return f"Created {created} is too far from the camera's clock"
        assert self.config.password is not None
        expected = password_digest(nonce, created, self.config.password)
        if not hmac.compare_digest(expected.encode(), (password.text or "").strip().encode()):
            return "wrong digest"
        if nonce in self._nonces:
            return "a replayed nonce"
        self._nonces[nonce] = None
        while len(self._nonces) > MAX_NONCES:
            self._nonces.popitem(last=False)
        return ""

    # Device service
    def _date_and_time(self, op: Element) -> str:
        now = self._now()
        return ("<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType>"
                "<tt:DaylightSavings>false</tt:DaylightSavings><tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>"
                f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
                f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
                f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date></tt:UTCDateTime>"
                "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>")

    def _device_information(self, op: Element) -> str:
        c = self.config
        return (f"<tds:GetDeviceInformationResponse><tds:Manufacturer>{esc(c.manufacturer)}</tds:Manufacturer>"
                f"<tds:Model>{esc(c.model)}</tds:Model><tds:FirmwareVersion>{esc(c.firmware)}</tds:FirmwareVersion>"
                f"<tds:SerialNumber>{esc(c.serial)}</tds:SerialNumber>"
                f"<tds:HardwareId>{esc(c.hardware_id)}</tds:HardwareId></tds:GetDeviceInformationResponse>")

    def _network_interfaces(self, op: Element) -> str:
        c = self.config
        interface = (f'<tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0'
                     f"</tt:Name><tt:HwAddress>{esc(c.mac)}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info><tt:IPv4>"
                     f"<tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual><tt:Address>{esc(c.host)}</tt:Address>"
                     "<tt:PrefixLength>24</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config>"
                     "</tt:IPv4></tds:NetworkInterfaces>") if c.mac else ""
        return f"<tds:GetNetworkInterfacesResponse>{interface}</tds:GetNetworkInterfacesResponse>"

    def _offered(self) -> list[Service]:
        return ["device", "media", "ptz"] if self.has_ptz else ["device", "media"]

    def _services(self, op: Element) -> str:
        listed = "".join(
            f"<tds:Service><tds:Namespace>{_SERVICE_NS[s]}</tds:Namespace><tds:XAddr>{esc(self.url(s))}</tds:XAddr>"
            "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
            for s in self._offered())
        return f"<tds:GetServicesResponse>{listed}</tds:GetServicesResponse>"

    def _capabilities(self, op: Element) -> str:
        ptz = f"<tt:PTZ><tt:XAddr>{esc(self.url('ptz'))}</tt:XAddr></tt:PTZ>" if self.has_ptz else ""
        return (f"<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>{esc(self.url('device'))}"
                f"</tt:XAddr></tt:Device><tt:Media><tt:XAddr>{esc(self.url('media'))}</tt:XAddr></tt:Media>{ptz}"
                "</tds:Capabilities></tds:GetCapabilitiesResponse>")

    # Media service
    def _profile(self, op: Element, prefix: str) -> None:
        if text(op, f"{prefix}:ProfileToken") != PROFILE:
            raise _Fault("Sender", "NoProfile", "no such profile")

    def _profiles(self, op: Element) -> str:
        c = self.config
        ptz = (f'<tt:PTZConfiguration token="ptz"><tt:Name>PTZ</tt:Name><tt:UseCount>1</tt:UseCount>'
               f"<tt:NodeToken>node</tt:NodeToken><tt:DefaultPTZTimeout>PT{c.default_ptz_timeout_s:g}S"
               "</tt:DefaultPTZTimeout></tt:PTZConfiguration>") if self.has_ptz else ""
        return (f'<trt:GetProfilesResponse><trt:Profiles token="{PROFILE}" fixed="true"><tt:Name>Main</tt:Name>'
                f'<tt:VideoEncoderConfiguration token="encoder"><tt:Name>Main</tt:Name><tt:UseCount>1</tt:UseCount>'
                f"<tt:Encoding>{esc(c.encoding)}</tt:Encoding><tt:Resolution><tt:Width>{c.width}</tt:Width>"
                f"<tt:Height>{c.height}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>"
                f"</tt:VideoEncoderConfiguration>{ptz}</trt:Profiles></trt:GetProfilesResponse>")

    def _uri(self, op: Element, uri: str, operation: str) -> str:
        self._profile(op, "trt")
        if not uri:
            raise _Fault("Receiver", "ActionNotSupported", f"{operation}: this camera has none", 500)
        return (f"<trt:{operation}Response><trt:MediaUri><tt:Uri>{esc(uri)}</tt:Uri>"
                "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false"
                "</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
                f"</trt:{operation}Response>")

    # PTZ service
    def _ptz_head(self, op: Element, *, moves: bool = False) -> PtzHead:
        self._profile(op, "tptz")
        assert self.head is not None  # the PTZ handlers exist only with a head
        if moves and self._move_timer is not None:  # a new move or a stop supersedes a timed ContinuousMove
            self._move_timer.cancel()
            self._move_timer = None
        return self.head

    def _continuous_move(self, op: Element) -> str:
        head = self._ptz_head(op, moves=True)
        pan, tilt = _pair(find(op, "tptz:Velocity/tt:PanTilt"), -1.0, (0.0, 0.0))
        zoom = _number(find(op, "tptz:Velocity/tt:Zoom"), "x", -1.0, 0.0)
        raw = text(op, "tptz:Timeout")
        timeout = _duration(raw) if raw else self.config.default_ptz_timeout_s
        head.drive(pan, tilt, zoom)
        self._move_timer = asyncio.get_running_loop().call_later(timeout, head.stop)
        return "<tptz:ContinuousMoveResponse/>"

    def _stop(self, op: Element) -> str:
        head = self._ptz_head(op, moves=True)
        if text(op, "tptz:PanTilt", "true") == "true" or text(op, "tptz:Zoom", "true") == "true":
            head.stop()
        return "<tptz:StopResponse/>"

    def _absolute_move(self, op: Element) -> str:
        head = self._ptz_head(op, moves=True)
        here = head.position()
        pan, tilt = _pair(find(op, "tptz:Position/tt:PanTilt"), -1.0, (here.pan, here.tilt))
        zoom = _number(find(op, "tptz:Position/tt:Zoom"), "x", 0.0, here.zoom)
        head.go_to(PtzPosition(pan, tilt, zoom), _speed(op))
        return "<tptz:AbsoluteMoveResponse/>"

    def _goto_preset(self, op: Element) -> str:
        head = self._ptz_head(op, moves=True)
        if not head.recall_preset(_preset_number(text(op, "tptz:PresetToken"))):
            raise _Fault("Sender", "NoToken", "no such preset")
        return "<tptz:GotoPresetResponse/>"

    def _set_preset(self, op: Element) -> str:
        head = self._ptz_head(op)
        raw = text(op, "tptz:PresetToken")
        taken = head.presets()
        number = _preset_number(raw) if raw else next((n for n in PRESET_RANGE if n >= 1 and n not in taken), -1)
        if number < 0:
            raise _Fault("Receiver", "TooManyPresets", "every preset is taken")
        head.store_preset(number, text(op, "tptz:PresetName")[:64])
        return f"<tptz:SetPresetResponse><tptz:PresetToken>{number}</tptz:PresetToken></tptz:SetPresetResponse>"

    def _presets(self, op: Element) -> str:
        head = self._ptz_head(op)
        listed = "".join(
            f"<tptz:Preset token={quoteattr(str(n))}><tt:Name>{esc(name or f'Preset {n}')}</tt:Name>"
            f"<tt:PTZPosition>{_vector(p)}</tt:PTZPosition></tptz:Preset>"
            for n, (name, p) in sorted(head.presets().items()))
        return f"<tptz:GetPresetsResponse>{listed}</tptz:GetPresetsResponse>"

    def _home(self, op: Element) -> str:
        self._ptz_head(op, moves=True).home()
        return "<tptz:GotoHomePositionResponse/>"

    def _status(self, op: Element) -> str:
        head = self._ptz_head(op)
        moving = "MOVING" if head.moving() else "IDLE"
        now = self._now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return (f"<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position>{_vector(head.position())}</tt:Position>"
                f"<tt:MoveStatus><tt:PanTilt>{moving}</tt:PanTilt><tt:Zoom>{moving}</tt:Zoom></tt:MoveStatus>"
                f"<tt:UtcTime>{now}</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>")


def _number(element: Element | None, name: str, low: float, default: float) -> float:
    """An attribute in [low, 1], ``default`` when the element is absent; a fault otherwise."""
    if element is None:
        return default
    raw = element.get(name, "")
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= 1.0:
        raise _Fault("Sender", "InvalidArgVal", f"{local_name(element.tag)}@{name}={raw[:40]!r} is out of range")
    return value


def _pair(element: Element | None, low: float, default: tuple[float, float]) -> tuple[float, float]:
    return _number(element, "x", low, default[0]), _number(element, "y", low, default[1])


def _speed(op: Element) -> float:
    pan_tilt = find(op, "tptz:Speed/tt:PanTilt")
    return max(abs(v) for v in _pair(pan_tilt, -1.0, (1.0, 1.0))) or 1.0


def _duration(raw: str) -> float:
    match = _DURATION.fullmatch(raw)
    if match is None or not any(match.groups()):
        raise _Fault("Sender", "InvalidArgVal", f"not a duration: {raw[:40]!r}")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return min(hours * 3600 + minutes * 60 + seconds, 3600.0)


def _preset_number(token: str) -> int:
    if not (token.isascii() and token.isdigit() and len(token) <= 3) or int(token) not in PRESET_RANGE:
        raise _Fault("Sender", "NoToken", f"no preset {token[:40]!r}")
    return int(token)


def _vector(p: PtzPosition) -> str:
    return f'<tt:PanTilt x="{p.pan:.6f}" y="{p.tilt:.6f}"/><tt:Zoom x="{p.zoom:.6f}"/>'
