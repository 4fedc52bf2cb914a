"""A camera behind the driver interface: its stream for the picture, VISCA or ONVIF PTZ for aiming it.

The room sees availability, a reason code, a plain state (stream URL, PTZ protocol, position, presets) and
commands (ptz-drive, ptz-goto, ptz-home, preset-recall, preset-store), whichever protocol moves the head.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import TYPE_CHECKING, Any

from devices.lazy import lazy_module

if TYPE_CHECKING:
    import aiohttp
else:
    aiohttp = lazy_module("aiohttp")  # imported on first use: most runs never talk HTTP

from devices.camera.facts import CameraFacts
from devices.camera.identify import framing_of
from devices.driver import Capability, Command, CommandError, Driver, DriverOptions, Reason
from devices.model import Availability, DeviceInfo
from devices.onvif import OnvifClient, OnvifError, PtzVector, describe
from devices.tasks import cancel_and_wait
from devices.visca import ViscaClient, ViscaError
from devices.visca.reasons import reason as visca_reason

log = logging.getLogger(__name__)
PRESETS_KEPT = 16  # VISCA cannot list presets: we remember the ones stored or recalled, up to this many


class CameraDriver(Driver):
    def __init__(self, info: DeviceInfo, options: DriverOptions) -> None:
        super().__init__()
        self.info = info
        self.options = options
        self.facts = CameraFacts.of(info.state)
        self.capabilities = self._capabilities()
        self._availability = Availability.UNKNOWN
        self._reason = Reason.NOT_CHECKED
        self._detail = "not checked yet"
        self._position: dict[str, float] | None = None
        # Names the lecturer gave, kept in the device's state (and so in the store, which keeps its last state).
        self._errors: dict[str, str] = {}  # component -> "error", as projectors report ERST
        self._presets: dict[int, str] = _remembered_presets(info.state.get("presets"))
        self._visca: ViscaClient | None = None
        self._onvif: OnvifClient | None = None
        self._profile: str | None = None
        self._lock = asyncio.Lock()  # cameras take one command at a time
        self._task: asyncio.Task[None] | None = None

    def _capabilities(self) -> frozenset[Capability]:
        found = {Capability.STREAM, Capability.ERRORS} if self.facts.stream_url else {Capability.ERRORS}
        if self.facts.ptz_protocol is not None:
            found |= {Capability.PTZ, Capability.PRESETS}
        return frozenset(found)

    # -- what the room reads ---------------------------------------------------------------
    @property
    def availability(self) -> Availability:
        return self._availability

    @property
    def reason(self) -> Reason:
        return self._reason

    @property
    def detail(self) -> str:
        return self._detail

    def state(self) -> dict[str, Any]:
        facts = self.facts
        out: dict[str, Any] = {
            "stream_url": facts.stream_url,
            "snapshot_url": facts.snapshot_url,
            "onvif": facts.onvif_url or None,
            "ptz": {"protocol": facts.ptz_protocol, "port": facts.ptz_port},
            "presets": {str(n): name for n, name in sorted(self._presets.items())},
        }
        if facts.visca_port is not None:
            out["visca_port"] = facts.visca_port
        if facts.onvif_ptz:
            out["onvif_ptz"] = True
        if self._position is not None:
            out["position"] = dict(self._position)
        if self._errors:
            out["errors"] = dict(self._errors)
        return out

    def learn(self, info: DeviceInfo) -> None:
        facts = CameraFacts.of(info.state)
        if facts == self.facts:
            return
        reach = (facts.visca_port, facts.visca_framing, facts.onvif_url)
        moved = reach != (self.facts.visca_port, self.facts.visca_framing, self.facts.onvif_url)
        self.info, self.facts = info, facts
        self.capabilities = self._capabilities()
        if moved:
            self._side_close()
        self._changed()

    # -- life --------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"camera-poll-{self.info.address}")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        await self._close_clients()

    async def _run(self) -> None:
        await asyncio.sleep(random.uniform(0, min(0.5, self.options.poll_interval_s / 2)))
        while True:
            await self.refresh()
            await asyncio.sleep(self.options.poll_interval_s * random.uniform(0.9, 1.1))

    async def refresh(self) -> None:
        """Where the head is (a PTZ camera), or whether it answers at all (a fixed one); never raises.

        A camera whose head stops answering while its picture still comes is at fault, not gone: it says so in
        its errors (as a projector's lamp does), which the room logs as a reading for the centre.
        """
        async with self._lock:
            try:
                async with asyncio.timeout(self.options.timeout_s * 4):
                    await self._read()
            except (ViscaError, OnvifError, aiohttp.ClientError, OSError, TimeoutError) as exc:
                if self.facts.ptz_protocol is not None and await self._picture_comes():
                    self._errors = {"ptz": "error"}
                    self._side_close()
                    self._set(Availability.FAULT, Reason.DEVICE_FAULT, f"the head does not answer: {exc}")
                    return
                self._failed(exc)
                return
        self._errors = {}
        self._set(Availability.ONLINE, Reason.NONE, "answering")

    async def _picture_comes(self) -> bool:
        if not (self.facts.snapshot_url or self.facts.stream_url).startswith("http"):
            return False
        try:
            async with asyncio.timeout(self.options.timeout_s * 2):
                await self._check_stream()
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False
        return True

    async def _read(self) -> None:
        protocol = self.facts.ptz_protocol
        if protocol == "visca-ip":
            position = await (await self._visca_client()).position()
            self._position = {"pan": position.pan, "tilt": position.tilt, "zoom": position.zoom}
        elif protocol == "onvif":
            client, profile = await self._onvif_client()
            status = await client.status(profile)
            vector = status.position
            self._position = {"pan": vector.pan, "tilt": vector.tilt, "zoom": vector.zoom}
            self._presets.update(
                {int(p.token): p.name for p in await client.presets(profile) if p.token.isdigit()})
        elif self.facts.onvif_url:
            client, _ = await self._onvif_client()
            await client.device_information()
        else:
            await self._check_stream()

    async def _check_stream(self) -> None:
        url = self.facts.snapshot_url or self.facts.stream_url
        if not url.startswith("http"):
            return  # an RTSP stream is checked by whoever opens it
        timeout = aiohttp.ClientTimeout(total=self.options.timeout_s * 2)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
            if response.status >= 400:
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)

    # -- commands ----------------------------------------------------------------------------
    async def command(self, command: Command) -> None:
        async with self._lock:
            try:
                async with asyncio.timeout(self.options.timeout_s * 10):
                    await self._run_command(command)
            except ViscaError as exc:
                raise CommandError(visca_reason(exc), f"{command.label()}: {exc}") from exc
            except OnvifError as exc:
                raise CommandError(exc.reason, f"{command.label()}: {exc}") from exc
            except TimeoutError as exc:
                raise CommandError(Reason.NO_ANSWER, f"{command.label()}: no answer") from exc
            except ValueError as exc:
                raise CommandError(Reason.BAD_VALUE, f"{command.label()}: {exc}") from exc
        if command.name in ("ptz-goto", "ptz-home", "preset-recall"):
            await self.refresh()  # the card shows where it went

    async def _run_command(self, command: Command) -> None:
        if command.name == "preset-rename":
            number, name = _preset_name(command.value)
            self._presets[number] = name
            self._changed()
            return
        protocol = self.facts.ptz_protocol
        if protocol is None:
            raise CommandError(Reason.UNSUPPORTED, "this camera cannot be aimed")
        name, value = command.name, command.value
        if protocol == "visca-ip":
            await self._visca_command(await self._visca_client(), name, value)
        else:
            client, profile = await self._onvif_client()
            await self._onvif_command(client, profile, name, value)
        if name == "preset-store" and isinstance(value, int):
            self._remember_preset(value)

    async def _visca_command(self, camera: ViscaClient, name: str, value: object) -> None:
        if name == "ptz-drive":
            pan, tilt, zoom = _three(value)
            await camera.drive(pan, tilt)
            await camera.zoom(zoom)
        elif name == "ptz-goto":
            pan, tilt, zoom = _three(value)
            await camera.move_to(pan, tilt, zoom)
        elif name == "ptz-home":
            await camera.home()
        elif name == "preset-recall":
            await camera.preset_recall(_preset(value))
        elif name == "preset-store":
            await camera.preset_set(_preset(value))
        else:
            raise CommandError(Reason.UNSUPPORTED, f"a camera has no {name!r} command")

    async def _onvif_command(self, client: OnvifClient, profile: str, name: str, value: object) -> None:
        if name == "ptz-drive":
            pan, tilt, zoom = _three(value)
            if (pan, tilt, zoom) == (0.0, 0.0, 0.0):
                await client.stop(profile)
            else:
                await client.continuous_move(profile, PtzVector(pan, tilt, zoom))
        elif name == "ptz-goto":
            pan, tilt, zoom = _three(value)
            await client.absolute_move(profile, PtzVector(pan, tilt, zoom))
        elif name == "ptz-home":
            await client.goto_home(profile)
        elif name == "preset-recall":
            await client.goto_preset(profile, str(_preset(value)))
        elif name == "preset-store":
            number = _preset(value)
            await client.set_preset(profile, name=self._presets.get(number, f"Preset {number}"), preset=str(number))
        else:
            raise CommandError(Reason.UNSUPPORTED, f"a camera has no {name!r} command")

    def _remember_preset(self, number: int) -> None:
        self._presets.setdefault(number, f"Preset {number}")
        while len(self._presets) > PRESETS_KEPT:
            self._presets.pop(min(self._presets))

    # -- connections ---------------------------------------------------------------------------
    async def _visca_client(self) -> ViscaClient:
        if self._visca is None:
            port = self.facts.visca_port
            camera = ViscaClient(self.info.address, port, framing=framing_of(self.facts.visca_framing),
                                 ack_timeout_s=self.options.timeout_s)
            await camera.connect()
            self._visca = camera
        return self._visca

    async def _onvif_client(self) -> tuple[OnvifClient, str]:
        if self._onvif is None or self._profile is None:
            client = OnvifClient(self.facts.onvif_url, password=self.options.password, timeout_s=self.options.timeout_s)
            try:
                self._profile = (await describe(client)).profile
            except BaseException:
                await client.close()
                raise
            self._onvif = client
        return self._onvif, self._profile

    async def _close_clients(self) -> None:
        visca, onvif, self._visca, self._onvif, self._profile = self._visca, self._onvif, None, None, None
        for client in (visca, onvif):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.close()

    def _side_close(self) -> None:
        """The next command opens fresh connections; the old ones close once no command is using them."""
        old = [client for client in (self._visca, self._onvif) if client is not None]
        self._visca, self._onvif, self._profile = None, None, None
        if old:
            with contextlib.suppress(RuntimeError):  # no loop: nothing was ever opened
                asyncio.get_running_loop().create_task(self._close_when_free(old))

    async def _close_when_free(self, clients: list[ViscaClient | OnvifClient]) -> None:
        async with self._lock:  # a command in flight keeps its connection to the end
            for client in clients:
                with contextlib.suppress(Exception):
                    await client.close()

    # -- availability ----------------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ViscaError):
            reason = visca_reason(exc)
        elif isinstance(exc, OnvifError):
            reason = exc.reason
        elif isinstance(exc, TimeoutError):
            reason = Reason.NO_ANSWER
        else:
            reason = Reason.UNREACHABLE
        if reason in (Reason.PASSWORD_NEEDED, Reason.PASSWORD_WRONG):
            reason = Reason.PASSWORD_WRONG if self.options.password else Reason.PASSWORD_NEEDED
            word = Availability.AUTH_FAILED
        elif reason in (Reason.GARBLED, Reason.DEVICE_FAULT):
            word = Availability.FAULT
        else:
            word = Availability.OFFLINE
        self._side_close()  # a fresh connection next time (a camera that rebooted forgot our sequence)
        self._set(word, reason, str(exc) or type(exc).__name__)

    def _set(self, word: Availability, reason: Reason, detail: str) -> None:
        changed = (word, reason, detail) != (self._availability, self._reason, self._detail)
        self._availability, self._reason, self._detail = word, reason, detail
        if changed or self._position is not None:
            self._changed()


def _three(value: object) -> tuple[float, float, float]:
    if not isinstance(value, tuple) or len(value) != 3:
        raise ValueError("want pan, tilt and zoom")
    pan, tilt, zoom = (float(v) for v in value)
    return pan, tilt, zoom


def _preset_name(value: object) -> tuple[int, str]:
    number, _, name = str(value).partition(":")
    name = " ".join(name.split())[:32]
    if not number.isdigit() or not 0 <= int(number) <= 255 or not name:
        raise ValueError("rename a preset as 'N:name'")
    return int(number), name


def _remembered_presets(raw: object) -> dict[int, str]:
    if not isinstance(raw, dict):
        return {}
    return {int(k): str(v) for k, v in raw.items() if str(k).isdigit() and isinstance(v, str)}


def _preset(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 255:
        raise ValueError("a preset is a number from 0 to 255")
    return value
