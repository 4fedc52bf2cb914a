"""PJLink framing as pure functions: build commands, parse greetings and replies, compute the digest."""

from __future__ import annotations

import re
from dataclasses import dataclass

from devices.pjlink.errors import (
    ErrorCode,
    PJLinkAuthError,
    PJLinkParamError,
    PJLinkProtocolError,
)
from devices.text import device_text

PORT = 4352
MAX_MESSAGE = 136
TERMINATOR = b"\r"
QUERY = "?"
AUTH_FAILED = "PJLINK ERRA"
NOTIFICATIONS = frozenset({"LKUP", "POWR", "ERST", "INPT"})

_CMD = re.compile(r"[A-Z0-9]{4}")
_RANDOM = re.compile(r"[\x21-\x7e]{8}")
_CONTROL = re.compile(r"[\x00-\x1f]")
# Names and descriptions a projector's firmware fills in (a model line with a tab, a serial padded with a control
# byte): a control character there is shown as a space. In any other reply it is garbage, and refused: a whole
# projector shown as failing over a tab in its "other information" was no help to anybody.
FREE_TEXT = frozenset({"NAME", "INF1", "INF2", "INFO", "SNUM", "SVER", "RLMP", "RFIL"})
_REPLY = re.compile(r"%([1-9A-Z])([A-Z0-9]{4})=(.*)", re.DOTALL)
_ERRORS = {code.value: code for code in ErrorCode}


@dataclass(frozen=True, slots=True)
class Greeting:
    """What the device said on connect: whether it wants a digest and the random to hash."""

    auth_random: str | None

    @property
    def auth_required(self) -> bool:
        return self.auth_random is not None


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply or notification line; ``error`` is set for ERR1..ERR4."""

    cls: int
    cmd: str
    value: str
    error: ErrorCode | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.value == "OK"


_BUILT: dict[tuple[str, str, int], bytes] = {}  # the lines already framed: a poll asks the same ones each time


def build_command(cmd: str, param: str = QUERY, cls: int = 1) -> bytes:
    """Frame ``%<class><CMD> <param>\\r``, refusing anything a device could misread."""
    try:
        return _BUILT[(cmd, param, cls)]
    except (KeyError, TypeError):  # not built yet, or not even hashable (refused below)
        pass
    if not isinstance(cmd, str) or not _CMD.fullmatch(cmd.upper()):
        raise PJLinkParamError(f"command must be 4 letters or digits, got {cmd!r}")
    if cls not in (1, 2):
        raise PJLinkParamError(f"class must be 1 or 2, got {cls!r}")
    if not isinstance(param, str) or not param or any(c in param for c in "\r\n\x00"):
        raise PJLinkParamError(f"bad parameter {param!r}")
    line = f"%{cls}{cmd.upper()} {param}\r".encode()
    if len(line) > MAX_MESSAGE:
        raise PJLinkParamError(f"command is {len(line)} bytes, PJLink allows {MAX_MESSAGE}")
    if len(_BUILT) < 4096 and type(cls) is int:  # bounded: a setting's parameter varies; True == 1 must not enter
        _BUILT[(cmd, param, cls)] = line
    return line


def auth_digest(random: str, password: str) -> str:
    """The lowercase hex MD5 of random+password that prefixes the first command."""
    import hashlib  # here, not at the top: OpenSSL's loading is most of a locked device's first read only

    return hashlib.md5((random + password).encode(), usedforsecurity=False).hexdigest()


def _text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return data.lstrip("\n").removesuffix("\r").removesuffix("\n").removesuffix("\r")


def parse_greeting(data: bytes | str) -> Greeting:
    """Read ``PJLINK 0`` / ``PJLINK 1 <random>``; ``PJLINK ERRA`` raises the auth error."""
    text = _text(data)
    if text == AUTH_FAILED:
        raise PJLinkAuthError("projector refused authentication (PJLINK ERRA)")
    if text == "PJLINK 0":
        return Greeting(None)
    if text.startswith("PJLINK 1 ") and _RANDOM.fullmatch(text[9:]):
        return Greeting(text[9:])
    raise PJLinkProtocolError(f"not a PJLink greeting: {text[:40]!r}")


_PARSED: dict[bytes | str, Reply] = {}  # lines already parsed: a campus of one model says the same ones over and over


def parse_reply(data: bytes | str) -> Reply:
    """Turn one received line into a Reply; anything else raises a PJLinkError subclass.

    A reply is immutable, so a line seen before is answered from a bounded table: 1,000 devices send 25,000
    replies, most of them the same few lines (``%1POWR=0``, ``%2INPT=ERR3``), each ~4 us to parse afresh."""
    try:
        return _PARSED[data]
    except (KeyError, TypeError):  # not seen yet, or not even hashable (refused below)
        pass
    reply = _parse_reply(data)
    if len(_PARSED) < 4096:  # bounded: names and serial numbers differ from device to device
        _PARSED[data] = reply
    return reply


def _parse_reply(data: bytes | str) -> Reply:
    text = _text(data)
    if text == AUTH_FAILED:
        raise PJLinkAuthError("projector refused authentication (PJLINK ERRA)")
    if len(text) + 1 > MAX_MESSAGE:
        raise PJLinkProtocolError(f"reply longer than {MAX_MESSAGE} bytes")
    match = _REPLY.fullmatch(text)
    if match is None or match.group(1) not in "12":
        raise PJLinkProtocolError(f"not a PJLink reply: {text[:40]!r}")
    digit, cmd, value = match.groups()
    value = value.rstrip("\x00")  # a name padded to its field with NULs, as some real projectors send it
    if _CONTROL.search(value):  # a regex, not a loop per character: 1,000 devices send 25,000 replies
        if cmd not in FREE_TEXT:
            raise PJLinkProtocolError(f"control character in reply: {text[:40]!r}")
        value = _CONTROL.sub(" ", value).strip()
    return Reply(1 if digit == "1" else 2, cmd, device_text(value), _ERRORS.get(value))


def parse_notification(data: bytes | str) -> Reply:
    """Parse a class 2 UDP notification or search answer (LKUP, POWR, ERST, INPT, ACKN)."""
    reply = parse_reply(data)
    if reply.cls != 2 or reply.cmd not in NOTIFICATIONS | {"ACKN"}:
        raise PJLinkProtocolError(f"not a PJLink notification: %{reply.cls}{reply.cmd}")
    return reply
