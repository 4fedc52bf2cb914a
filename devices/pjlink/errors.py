"""PJLink failures as one typed family, so callers can tell offline from auth from device faults."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The ERRn codes a PJLink device answers with, with their plain meaning."""

    UNDEFINED = "ERR1"
    BAD_PARAMETER = "ERR2"
    UNAVAILABLE = "ERR3"
    DEVICE_FAILURE = "ERR4"

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ErrorCode.UNDEFINED: "command not supported",
    ErrorCode.BAD_PARAMETER: "bad parameter",
    ErrorCode.UNAVAILABLE: "not available now (standby or warming/cooling)",
    ErrorCode.DEVICE_FAILURE: "device failure",
}


class PJLinkError(Exception):
    """Base of every error this package raises."""


class PJLinkProtocolError(PJLinkError):
    """The peer sent bytes that are not valid PJLink."""


class PJLinkBadValue(PJLinkProtocolError):
    """A well-framed reply whose value does not decode (one field, not the whole link)."""


class PJLinkParamError(PJLinkError, ValueError):
    """The caller asked for a command or parameter PJLink cannot express."""


class PJLinkAuthError(PJLinkError):
    """The projector refused the password (PJLINK ERRA) or wants one we do not have."""


class PJLinkConnectionError(PJLinkError):
    """The TCP connection could not be made or was lost."""


class PJLinkTimeout(PJLinkConnectionError):
    """No connection, greeting or reply within the timeout."""


class PJLinkUnpipelined(PJLinkTimeout):
    """The first of several lines sent together was answered and the rest were not: a module that reads one
    command per packet (PROTOCOLS.md: "a module that does not wait for each reply confuses projectors")."""


class PJLinkCommandError(PJLinkError):
    """The projector answered ERR1..ERR4 to a command."""

    def __init__(self, code: ErrorCode, command: str = "") -> None:
        self.code = code
        self.command = command
        prefix = f"{command}: " if command else ""
        super().__init__(f"{prefix}{code.value} {code.meaning}")

    @property
    def unavailable(self) -> bool:
        """ERR3 means 'not now' (standby, warm-up, cooling), never a fault."""
        return self.code is ErrorCode.UNAVAILABLE
