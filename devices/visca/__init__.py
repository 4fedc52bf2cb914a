"""VISCA over IP (and bare VISCA on UDP or TCP 5678): messages, reply parsing and an asyncio client."""

from devices.visca.client import Position, Version, ViscaClient
from devices.visca.commands import MemoryAction, Pan, Tilt
from devices.visca.errors import (
    ViscaCommandError,
    ViscaConnectionError,
    ViscaError,
    ViscaParseError,
    ViscaSequenceError,
    ViscaTimeout,
)
from devices.visca.framing import DEFAULT_PORTS, Framing, Packet, PayloadType, decode_packet, encode_packet
from devices.visca.replies import Ack, Completion, ErrorReply, Reply, parse_reply
from devices.visca.session import ViscaSession
from devices.visca.units import ViscaRanges

VISCA_PORT = DEFAULT_PORTS[Framing.IP]

__all__ = [
    "DEFAULT_PORTS",
    "VISCA_PORT",
    "Ack",
    "Completion",
    "ErrorReply",
    "Framing",
    "MemoryAction",
    "Packet",
    "Pan",
    "PayloadType",
    "Position",
    "Reply",
    "Tilt",
    "Version",
    "ViscaClient",
    "ViscaCommandError",
    "ViscaConnectionError",
    "ViscaError",
    "ViscaParseError",
    "ViscaRanges",
    "ViscaSequenceError",
    "ViscaSession",
    "ViscaTimeout",
    "decode_packet",
    "encode_packet",
    "parse_reply",
]
