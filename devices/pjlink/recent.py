"""A full reading taken while identifying a device, handed to its driver's first poll.

Discovery identifies a device and the room then starts a driver whose first poll reads it in full: two
connections and five round trips where one connection and three say the same thing (a campus of 1,000 paid
for both, and so did the devices). Identification now reads the device in full and keeps the reading here
for ``FRESH_S``; the first poll of a driver for the same address, port and password takes it (once) instead
of asking again. Any later poll, and any poll after ``FRESH_S``, asks the device.
"""

from __future__ import annotations

import time

from devices.pjlink.state import ProjectorState

FRESH_S = 2.0
_MAX_KEPT = 4096  # a sweep's worth; older ones go first
_readings: dict[tuple[str, int, str | None], tuple[float, ProjectorState]] = {}


def keep(host: str, port: int, password: str | None, state: ProjectorState) -> None:
    now = time.monotonic()
    if len(_readings) >= _MAX_KEPT:
        for key in [k for k, (at, _s) in _readings.items() if now - at >= FRESH_S] or list(_readings)[:1]:
            del _readings[key]
    _readings[(host, port, password)] = (now, state)


def take(host: str, port: int, password: str | None) -> ProjectorState | None:
    """The reading kept for this device within the last ``FRESH_S``, once; else None."""
    kept = _readings.pop((host, port, password), None)
    if kept is None or time.monotonic() - kept[0] >= FRESH_S:
        return None
    return kept[1]
