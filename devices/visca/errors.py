"""Typed VISCA failures, each with a reason-like ``code`` so a driver maps them without reading sentences."""

from __future__ import annotations


class ViscaError(Exception):
    """Base of every VISCA failure; ``code`` is stable, the message is technical detail for the log."""

    code = "visca"

    def __init__(self, detail: str = "", code: str | None = None) -> None:
        super().__init__(detail or self.code)
        if code is not None:
            self.code = code
        self.detail = detail


class ViscaParseError(ViscaError):
    """Bytes that are not a VISCA message (the only exception the parsers raise)."""

    code = "garbled"


class ViscaTimeout(ViscaError):
    """No answer within the timeout after every retry (``no-ack`` or ``no-completion``)."""

    code = "no-answer"


class ViscaConnectionError(ViscaError):
    """Not connected, refused or the connection went away."""

    code = "unreachable"


class ViscaSequenceError(ViscaError):
    """The camera's control ERROR reply: ``sequence`` (0F 01) or ``message-type`` (0F 02)."""

    code = "sequence"


# Error byte of a ``y0 6z ee FF`` reply -> its code.
ERROR_CODES: dict[int, str] = {
    0x01: "message-length",
    0x02: "syntax",
    0x03: "buffer-full",
    0x04: "cancelled",
    0x05: "no-socket",
    0x41: "not-executable",
}


class ViscaCommandError(ViscaError):
    """The camera answered with an error reply: ``code`` is one of ERROR_CODES' values or ``error-XX``."""

    code = "error"

    def __init__(self, error: int, socket: int = 0) -> None:
        code = ERROR_CODES.get(error, f"error-{error:02x}")
        super().__init__(f"camera replied error {error:02x} ({code}) on socket {socket}", code)
        self.error = error
        self.socket = socket
