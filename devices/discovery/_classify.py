"""Kind and stable identity of a found device: the rules in one place, so every mechanism agrees."""

from __future__ import annotations

import re

from devices.model import DeviceKind

_ROLES = {"projector": DeviceKind.PROJECTOR, "board": DeviceKind.BOARD, "display": DeviceKind.DISPLAY,
          "camera": DeviceKind.CAMERA, "tablet": DeviceKind.TABLET}
_BOARD = re.compile(r"\b(?:board|whiteboard|interactive)\b", re.IGNORECASE)
_PROJECTOR = re.compile(r"\bprojector\b", re.IGNORECASE)
_DISPLAY = re.compile(r"\b(?:panel|display|monitor|lcd|signage|tv)\b", re.IGNORECASE)


def classify(role: str | None, *wording: str) -> DeviceKind:
    """An advertised role wins; else product wording (INF2, INFO); a bare PJLink device is a projector."""
    if role and role.lower() in _ROLES:
        return _ROLES[role.lower()]
    text = " ".join(wording)
    if _BOARD.search(text):
        return DeviceKind.BOARD
    if _PROJECTOR.search(text):
        return DeviceKind.PROJECTOR
    if _DISPLAY.search(text):
        return DeviceKind.DISPLAY
    return DeviceKind.PROJECTOR


def device_uid(mac: str | None, manufacturer: str, serial: str, address: str, port: int) -> str:
    """MAC beats serial beats address: DHCP moves addresses, never MACs or serials."""
    if mac:
        return f"mac:{mac.lower()}"
    if serial.strip():
        return f"serial:{manufacturer.strip()}:{serial.strip()}"
    host = f"[{address}]" if ":" in address else address
    return f"addr:{host}:{port}"
