"""Camera replies (ACK, completion, error) as typed values; garbage only ever raises ViscaParseError.

Replies look like ``y0 4z FF`` (ACK), ``y0 5z … FF`` (completion, with the data of an inquiry) and
``y0 6z ee FF`` (error), where y is the camera's address + 8 and z the socket the command went to.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.visca.errors import ERROR_CODES, ViscaCommandError, ViscaParseError

MAX_MESSAGE = 16


@dataclass(frozen=True, slots=True)
class Ack:
    address: int
    socket: int


@dataclass(frozen=True, slots=True)
class Completion:
    address: int
    socket: int
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class ErrorReply:
    address: int
    socket: int
    error: int

    @property
    def code(self) -> str:
        return ERROR_CODES.get(self.error, f"error-{self.error:02x}")

    def exception(self) -> ViscaCommandError:
        return ViscaCommandError(self.error, self.socket)


Reply = Ack | Completion | ErrorReply


def parse_reply(message: bytes) -> Reply:
    """One reply message (``y0 … FF``) to a Reply; never raises anything but ViscaParseError."""
    if not isinstance(message, bytes | bytearray):
        raise ViscaParseError(f"expected bytes, got {type(message).__name__}")
    data = bytes(message)
    if not 3 <= len(data) <= MAX_MESSAGE:
        raise ViscaParseError(f"reply of {len(data)} bytes (3..{MAX_MESSAGE} allowed): {data.hex(' ')}")
    if data[-1] != 0xFF or 0xFF in data[:-1]:
        raise ViscaParseError(f"reply does not end at its only FF: {data.hex(' ')}")
    head, kind = data[0], data[1]
    if head & 0x0F or not 0x90 <= head <= 0xF0:
        raise ViscaParseError(f"reply header {head:02x} is not y0 (y = address + 8): {data.hex(' ')}")
    address, socket = (head >> 4) - 8, kind & 0x0F
    body = data[2:-1]
    if kind & 0xF0 == 0x40:
        if body:
            raise ViscaParseError(f"ACK with data: {data.hex(' ')}")
        return Ack(address, socket)
    if kind & 0xF0 == 0x50:
        return Completion(address, socket, body)
    if kind & 0xF0 == 0x60:
        if len(body) != 1:
            raise ViscaParseError(f"error reply without exactly one error byte: {data.hex(' ')}")
        return ErrorReply(address, socket, body[0])
    raise ViscaParseError(f"unknown reply kind {kind:02x}: {data.hex(' ')}")


def nibbles(data: bytes) -> int:
    """``0p 0q 0r 0s`` -> 0xpqrs; each byte must carry one nibble."""
    if not data or any(b > 0x0F for b in data):
        raise ViscaParseError(f"expected nibble bytes 00..0F: {data.hex(' ')}")
    value = 0
    for byte in data:
        value = value << 4 | byte
    return value


def signed16(value: int) -> int:
    return value - 0x10000 if value & 0x8000 else value
