"""Decoders and encoders for PJLink parameter values, so callers never handle raw digit strings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from devices.pjlink.errors import PJLinkBadValue, PJLinkParamError

ERST_COMPONENTS = ("fan", "lamp", "temperature", "cover", "filter", "other")
MAC_RE = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")
_INPUT_CODE = re.compile(r"[1-6][1-9A-Z]")
_INPUT_NAME = re.compile(r"([A-Za-z]+)[\s_-]*([1-9A-Za-z])")
_RESOLUTION = re.compile(r"(\d{1,5})x(\d{1,5})")


class PowerState(IntEnum):
    """POWR values."""

    OFF = 0
    ON = 1
    COOLING = 2
    WARMING = 3

    @property
    def label(self) -> str:
        return {0: "off", 1: "on", 2: "cooling down", 3: "warming up"}[self.value]


class InputType(IntEnum):
    """First digit of an input code."""

    RGB = 1
    VIDEO = 2
    DIGITAL = 3
    STORAGE = 4
    NETWORK = 5
    INTERNAL = 6


class ErrorLevel(IntEnum):
    """One ERST digit."""

    OK = 0
    WARNING = 1
    ERROR = 2


@dataclass(frozen=True, slots=True)
class Input:
    """An input source: code ``31`` is shown as ``DIGITAL 1``."""

    code: str

    @property
    def type(self) -> InputType:
        return InputType(int(self.code[0]))

    @property
    def number(self) -> str:
        return self.code[1]

    @property
    def name(self) -> str:
        return f"{self.type.name} {self.number}"

    @property
    def class2_only(self) -> bool:
        return self.type is InputType.INTERNAL or not self.number.isdigit()


@dataclass(frozen=True, slots=True)
class Mute:
    """AV mute as the device reports it."""

    video: bool
    audio: bool


@dataclass(frozen=True, slots=True)
class ErrorStatus:
    """ERST: one level per component."""

    fan: ErrorLevel = ErrorLevel.OK
    lamp: ErrorLevel = ErrorLevel.OK
    temperature: ErrorLevel = ErrorLevel.OK
    cover: ErrorLevel = ErrorLevel.OK
    filter: ErrorLevel = ErrorLevel.OK
    other: ErrorLevel = ErrorLevel.OK

    def problems(self) -> list[tuple[str, ErrorLevel]]:
        return [(c, getattr(self, c)) for c in ERST_COMPONENTS if getattr(self, c) is not ErrorLevel.OK]

    @property
    def worst(self) -> ErrorLevel:
        return max((getattr(self, c) for c in ERST_COMPONENTS), default=ErrorLevel.OK)

    def encode(self) -> str:
        return "".join(str(int(getattr(self, c))) for c in ERST_COMPONENTS)


@dataclass(frozen=True, slots=True)
class Lamp:
    """One LAMP pair."""

    hours: int
    on: bool


def _bad(what: str, value: str) -> PJLinkBadValue:
    return PJLinkBadValue(f"bad {what} value {value[:40]!r}")


def decode_power(value: str) -> PowerState:
    if len(value) != 1 or value not in "0123":
        raise _bad("POWR", value)
    return PowerState(int(value))


def decode_input(value: str) -> Input:
    if not _INPUT_CODE.fullmatch(value):
        raise _bad("INPT", value)
    return Input(value)


def decode_inputs(value: str) -> tuple[Input, ...]:
    return tuple(decode_input(code) for code in value.split())


def parse_input(text: str | Input) -> Input:
    """Accept ``31``, ``DIGITAL1``, ``digital 1`` or an Input; raise PJLinkParamError otherwise."""
    if isinstance(text, Input):
        return text
    s = str(text).strip().upper()
    if _INPUT_CODE.fullmatch(s):
        return Input(s)
    match = _INPUT_NAME.fullmatch(s)
    if match and match.group(1) in InputType.__members__:
        code = f"{InputType[match.group(1)].value}{match.group(2)}"
        if _INPUT_CODE.fullmatch(code):
            return Input(code)
    raise PJLinkParamError(f"unknown input {text!r}: use a code like 31 or a name like DIGITAL 1")


def decode_mute(value: str) -> Mute:
    table = {"10": Mute(False, False), "11": Mute(True, False), "20": Mute(False, False),
             "21": Mute(False, True), "30": Mute(False, False), "31": Mute(True, True)}
    if value not in table:
        raise _bad("AVMT", value)
    return table[value]


def encode_mute(video: bool, audio: bool, on: bool) -> str:
    if not (video or audio):
        raise PJLinkParamError("mute needs video, audio or both")
    kind = 3 if video and audio else 1 if video else 2
    return f"{kind}{int(on)}"


def decode_errors(value: str) -> ErrorStatus:
    if len(value) != 6 or any(c not in "012" for c in value):
        raise _bad("ERST", value)
    return ErrorStatus(*(ErrorLevel(int(c)) for c in value))


def decode_lamps(value: str) -> tuple[Lamp, ...]:
    parts = value.split()
    if not parts or len(parts) % 2 or len(parts) > 16:
        raise _bad("LAMP", value)
    lamps = []
    for hours, on in zip(parts[::2], parts[1::2], strict=True):
        if not hours.isascii() or not hours.isdigit() or len(hours) > 5 or on not in ("0", "1"):
            raise _bad("LAMP", value)
        lamps.append(Lamp(int(hours), on == "1"))
    return tuple(lamps)


def decode_class(value: str) -> int:
    if value not in ("1", "2"):
        raise _bad("CLSS", value)
    return int(value)


def decode_int(value: str, what: str = "number") -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise _bad(what, value)
    return int(value)


def decode_bool(value: str, what: str = "flag") -> bool:
    if value not in ("0", "1"):
        raise _bad(what, value)
    return value == "1"


def decode_resolution(value: str) -> tuple[int, int] | None:
    """``1920x1080``; ``-`` (no signal) and ``*`` (unknown) give None."""
    if value in ("-", "*"):
        return None
    match = _RESOLUTION.fullmatch(value)
    if match is None:
        raise _bad("resolution", value)
    return int(match.group(1)), int(match.group(2))


def decode_mac(value: str) -> str:
    if not MAC_RE.fullmatch(value):
        raise _bad("MAC", value)
    return value.lower()
