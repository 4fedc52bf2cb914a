"""The VISCA messages Classroom Console sends, as bytes (camera address 1 unless told).

Byte layouts from Sony's VISCA command lists (CAM_Power, CAM_Zoom, CAM_Memory, Pan-tiltDrive and the
position inquiries), which PTZOptics, Lumens, AVer and others follow.
"""

from __future__ import annotations

from enum import IntEnum

MAX_PRESET = 0xFE  # 0xFF would be the terminator; Sony uses 0..127, PTZOptics up to 254


class Pan(IntEnum):
    LEFT = 0x01
    RIGHT = 0x02
    STOP = 0x03


class Tilt(IntEnum):
    UP = 0x01
    DOWN = 0x02
    STOP = 0x03


class MemoryAction(IntEnum):
    RESET = 0x00
    SET = 0x01
    RECALL = 0x02


def _head(address: int) -> int:
    if not 1 <= address <= 7:
        raise ValueError(f"VISCA address must be 1..7, got {address}")
    return 0x80 | address


def _byte(value: int, low: int, high: int, what: str) -> int:
    if not low <= value <= high:
        raise ValueError(f"{what} must be {low}..{high}, got {value}")
    return value


def to_nibbles(value: int, count: int = 4) -> bytes:
    """0xpqrs -> ``0p 0q 0r 0s``; negative values as 16-bit two's complement (pan/tilt)."""
    value &= (1 << 4 * count) - 1
    return bytes((value >> 4 * (count - 1 - i)) & 0x0F for i in range(count))


def command(*body: int, address: int = 1) -> bytes:
    return bytes([_head(address), 0x01, *body, 0xFF])


def inquiry(*body: int, address: int = 1) -> bytes:
    return bytes([_head(address), 0x09, *body, 0xFF])


def pan_tilt_drive(pan: Pan, tilt: Tilt, pan_speed: int, tilt_speed: int, address: int = 1) -> bytes:
    """``8x 01 06 01 VV WW 0p 0q FF``: speeds 01..18 (pan) and 01..17 (tilt) on Sony; 03 stops an axis."""
    return command(0x06, 0x01, _byte(pan_speed, 1, 0x18, "pan speed"), _byte(tilt_speed, 1, 0x17, "tilt speed"),
                   int(pan), int(tilt), address=address)


def pan_tilt_stop(address: int = 1) -> bytes:
    return pan_tilt_drive(Pan.STOP, Tilt.STOP, 1, 1, address)


def pan_tilt_absolute(pan: int, tilt: int, pan_speed: int = 0x18, tilt_speed: int = 0x17, address: int = 1) -> bytes:
    """``8x 01 06 02 VV WW 0Y0Y0Y0Y 0Z0Z0Z0Z FF``: signed 16-bit positions, four nibbles each."""
    for value, what in ((pan, "pan"), (tilt, "tilt")):
        _byte(value, -0x8000, 0x7FFF, what)
    return command(0x06, 0x02, _byte(pan_speed, 1, 0x18, "pan speed"), _byte(tilt_speed, 1, 0x17, "tilt speed"),
                   *to_nibbles(pan), *to_nibbles(tilt), address=address)


def home(address: int = 1) -> bytes:
    return command(0x06, 0x04, address=address)


def zoom_stop(address: int = 1) -> bytes:
    return command(0x04, 0x07, 0x00, address=address)


def zoom_tele(speed: int | None = None, address: int = 1) -> bytes:
    """``8x 01 04 07 02 FF`` (standard) or ``… 2p FF`` with p = 0 (slow) .. 7 (fast)."""
    return command(0x04, 0x07, 0x02 if speed is None else 0x20 | _byte(speed, 0, 7, "zoom speed"), address=address)


def zoom_wide(speed: int | None = None, address: int = 1) -> bytes:
    return command(0x04, 0x07, 0x03 if speed is None else 0x30 | _byte(speed, 0, 7, "zoom speed"), address=address)


def zoom_direct(position: int, address: int = 1) -> bytes:
    """``8x 01 04 47 0p 0q 0r 0s FF``."""
    return command(0x04, 0x47, *to_nibbles(_byte(position, 0, 0xFFFF, "zoom position")), address=address)


def memory(action: MemoryAction, preset: int, address: int = 1) -> bytes:
    """CAM_Memory ``8x 01 04 3F 0p pp FF``: p 0 reset, 1 set, 2 recall; pp the preset number."""
    return command(0x04, 0x3F, int(action), _byte(preset, 0, MAX_PRESET, "preset"), address=address)


def power(on: bool, address: int = 1) -> bytes:
    return command(0x04, 0x00, 0x02 if on else 0x03, address=address)


def power_inquiry(address: int = 1) -> bytes:
    return inquiry(0x04, 0x00, address=address)


def zoom_position_inquiry(address: int = 1) -> bytes:
    return inquiry(0x04, 0x47, address=address)


def pan_tilt_position_inquiry(address: int = 1) -> bytes:
    return inquiry(0x06, 0x12, address=address)


def version_inquiry(address: int = 1) -> bytes:
    """CAM_VersionInq ``8x 09 00 02 FF``: vendor, model, ROM version, sockets (what a sweep can identify)."""
    return inquiry(0x00, 0x02, address=address)
