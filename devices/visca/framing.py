"""VISCA-over-IP packets (8-byte header + payload) and the per-camera choice of framing.

Sony's header: payload type (2 bytes), payload length (2 bytes, 1..16), sequence number (4 bytes), all
big-endian. Some cameras (PTZOptics, HuddleCam, …) take the bare VISCA message instead, over UDP or on
TCP 5678, so the framing is a setting of each camera, not a global.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from devices.visca.errors import ViscaParseError

HEADER = struct.Struct(">HHI")
MAX_PAYLOAD = 16
SEQUENCE_MODULO = 1 << 32
RESET = b"\x01"  # control command: reset the sequence number
CONTROL_ACK = b"\x01"  # control reply to RESET
SEQUENCE_ERROR = b"\x0f\x01"  # "abnormality in the sequence number": a retransmission already seen
MESSAGE_TYPE_ERROR = b"\x0f\x02"  # "abnormality in the message (type)"


class PayloadType(IntEnum):
    COMMAND = 0x0100
    INQUIRY = 0x0110
    REPLY = 0x0111
    DEVICE_SETTING = 0x0120
    CONTROL = 0x0200
    CONTROL_REPLY = 0x0201


class Framing(StrEnum):
    """How one camera wants its messages: Sony's header on UDP (default), bare on UDP, bare on TCP."""

    IP = "visca-ip"
    RAW_UDP = "raw-udp"
    RAW_TCP = "raw-tcp"


DEFAULT_PORTS: dict[Framing, int] = {
    Framing.IP: 52381,
    Framing.RAW_UDP: 1259,  # PTZOptics' bare-UDP port (unverified for other vendors)
    Framing.RAW_TCP: 5678,
}


@dataclass(frozen=True, slots=True)
class Packet:
    type: PayloadType
    sequence: int
    payload: bytes


def encode_packet(kind: PayloadType, sequence: int, payload: bytes) -> bytes:
    """Header + payload; the payload must be 1..16 bytes as the header's length field allows."""
    if not 1 <= len(payload) <= MAX_PAYLOAD:
        raise ValueError(f"VISCA payload must be 1..{MAX_PAYLOAD} bytes, got {len(payload)}")
    return HEADER.pack(int(kind), len(payload), sequence % SEQUENCE_MODULO) + payload


def decode_packet(data: bytes) -> Packet:
    """One datagram to a Packet; anything malformed raises ViscaParseError only."""
    if len(data) < HEADER.size + 1:
        raise ViscaParseError(f"datagram of {len(data)} bytes is shorter than a header and a payload")
    kind, length, sequence = HEADER.unpack_from(data)
    payload = data[HEADER.size :]
    if length != len(payload) or length > MAX_PAYLOAD:
        raise ViscaParseError(f"header says {length} payload bytes, datagram carries {len(payload)}")
    try:
        payload_type = PayloadType(kind)
    except ValueError:
        raise ViscaParseError(f"unknown payload type {kind:04x}") from None
    return Packet(payload_type, sequence, payload)


def looks_headed(data: bytes) -> bool:
    """A bare VISCA message starts with 8x; a header starts with 01 or 02 (its payload type)."""
    return bool(data) and data[0] in (0x01, 0x02)


def split_messages(data: bytes) -> list[bytes]:
    """Bare VISCA bytes (a datagram or a TCP read) into messages, each ending in FF; a tail is dropped."""
    messages = []
    start = 0
    for index, byte in enumerate(data):
        if byte == 0xFF:
            messages.append(data[start : index + 1])
            start = index + 1
    return messages
