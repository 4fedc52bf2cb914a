"""The one interface every device family implements, so the room, the CLI and the cards need no protocol.

A family (PJLink projectors today, cameras next) registers itself by protocol name (``devices.registry``),
as a Home Assistant integration does. Above ``devices/`` nothing names a protocol: the room asks a driver
for its availability (a word plus a reason *code*), a plain JSON state, its capabilities, and hands it
``Command`` objects. Reason codes, not sentences: the UI words them in the user's language.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from devices.model import Availability, DeviceInfo


class Capability(StrEnum):
    """What a card may offer for a device; a family lists those its device really has."""

    POWER = "power"  # on / off, with warm-up and cool-down reported in state["power"]
    INPUT = "input"  # state["inputs"] (code -> name), state["input"]
    BLANK = "blank"  # picture and sound off while the device stays on: state["video_mute"]
    FREEZE = "freeze"
    LAMP = "lamp"  # state["lamp_hours"]
    ERRORS = "errors"  # state["errors"]: component -> "warning" | "error"
    STREAM = "stream"  # state["stream_url"] (and "snapshot_url"): a picture ffmpeg, VLC or OpenCV can open
    PTZ = "ptz"  # commands ptz-drive (pan, tilt, zoom speeds), ptz-goto (pan, tilt, zoom), ptz-home; state["position"]
    PRESETS = "presets"  # preset-recall N, preset-store N, preset-rename "N:name"; state["presets"]: number -> name


class Reason(StrEnum):
    """Why a device is where it is, or why a command failed; the UI has a sentence for each."""

    NONE = ""
    NOT_CHECKED = "not-checked"
    NO_ANSWER = "no-answer"  # silent within the timeout
    UNREACHABLE = "unreachable"  # refused, no route, connection dropped
    PASSWORD_NEEDED = "password-needed"  # it asks for one and we have none
    PASSWORD_WRONG = "password-wrong"
    GARBLED = "garbled"  # answers that are not the protocol
    DEVICE_FAULT = "device-fault"  # the device reports a fault of its own
    BUSY = "busy"  # not now: warming up, cooling down, in standby (PJLink ERR3)
    UNSUPPORTED = "unsupported"  # this device has no such function
    BAD_VALUE = "bad-value"  # no such input, a value out of range
    NOT_READY = "not-ready"  # the console has not reached the device yet


# Two live addresses claim one device's id (its MAC or serial): one of them may be a laptop copying the other.
# A code beside ``Reason`` until the UI and the CLI word it (an unknown code reads "Something went wrong.").
ID_CONFLICT = "id-conflict"

COMMAND_CAPABILITY = {
    "power": Capability.POWER, "input": Capability.INPUT, "blank": Capability.BLANK, "freeze": Capability.FREEZE,
    "ptz-drive": Capability.PTZ, "ptz-goto": Capability.PTZ, "ptz-home": Capability.PTZ,
    "preset-recall": Capability.PRESETS, "preset-store": Capability.PRESETS, "preset-rename": Capability.PRESETS,
}


@dataclass(frozen=True, slots=True)
class Command:
    """A request for one device: ``name`` is a Capability's value, ``value`` its argument."""

    name: str
    value: str | bool | int | float | tuple[float, ...] | None = None

    def label(self) -> str:
        """For the session log and technical detail (never shown as a sentence to a user)."""
        if isinstance(self.value, bool):
            return f"{self.name} {'on' if self.value else 'off'}"
        return self.name if self.value is None else f"{self.name} {self.value}"


class CommandError(Exception):
    """A command a device refused or could not take: ``reason`` for the UI, the message for the log."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class Identity:
    """What a device said about itself when discovery asked; empty strings for what it would not say."""

    availability: Availability
    reason: Reason = Reason.NONE
    protocol_class: str = ""
    name: str = ""
    manufacturer: str = ""
    product: str = ""
    info: str = ""
    serial: str = ""
    mac: str = ""  # when the device says it itself (ONVIF GetNetworkInterfaces): its stable identity
    error: str = ""  # technical detail for the log
    extra: dict[str, Any] = field(default_factory=dict)  # family-specific facts for the state (a stream URL)


@dataclass(frozen=True, slots=True)
class DriverOptions:
    password: str | None = None
    poll_interval_s: float = 5.0
    timeout_s: float = 3.0


OnChange = Callable[[], None]


class Driver(abc.ABC):
    """One device, kept fresh in the background; every failure becomes availability + reason, never a raise.

    ``commands`` may raise ``CommandError`` only. ``on_change`` is called (on the loop) whenever what
    ``snapshot`` would return has changed.
    """

    capabilities: frozenset[Capability] = frozenset()

    def __init__(self) -> None:
        self.on_change: OnChange | None = None

    @property
    @abc.abstractmethod
    def availability(self) -> Availability: ...

    @property
    @abc.abstractmethod
    def reason(self) -> Reason: ...

    @property
    @abc.abstractmethod
    def detail(self) -> str:
        """The last technical report (English, for the log and a Details view)."""

    @abc.abstractmethod
    def state(self) -> dict[str, Any]:
        """Plain JSON of what the device last reported; a missing key means "not reported"."""

    @property
    def name(self) -> str:
        """The name the device reports for itself, if any."""
        return ""

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def stop(self) -> None: ...

    @abc.abstractmethod
    async def refresh(self) -> None:
        """Read the device now instead of at the next poll."""

    @abc.abstractmethod
    async def command(self, command: Command) -> None: ...

    def learn(self, info: DeviceInfo) -> None:  # noqa: B027 - most families learn nothing after discovery
        """Discovery found more about the device (a camera's PTZ port from a second advert)."""

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()


class NoticeListener(Protocol):
    async def start(self) -> object: ...

    def stop(self) -> None: ...


OnNotice = Callable[[str, bool], None]  # (address, a newcomer announcing itself)


class Family(Protocol):
    """A device family as the registry knows it: how to identify, drive and (optionally) hear one."""

    protocol: ClassVar[str]
    dnssd_types: ClassVar[tuple[str, ...]]
    capabilities: ClassVar[frozenset[Capability]]  # the most a device of this family can offer

    async def identify(
        self, host: str, port: int, password: str | None, step_timeout: float, hints: Mapping[str, str]
    ) -> Identity:
        """Who answers at this endpoint; ``hints`` are what discovery already heard (DNS-SD TXT, an XAddr)."""
        ...

    def accepts(self, service_type: str, txt: Mapping[str, str]) -> bool:
        """Whether a DNS-SD advert of one of ``dnssd_types`` is really one of ours (``_http._tcp`` is not always)."""
        ...

    def driver(self, info: DeviceInfo, options: DriverOptions) -> Driver: ...

    def notices(self, addresses: Collection[str], port: int | None, on_notice: OnNotice) -> NoticeListener | None:
        """A listener for devices that say they changed (PJLink notifications), or None."""
        ...
