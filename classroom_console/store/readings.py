"""A device's reading (power, lamp hours, faults) as one row of ``device_readings``, and a session event as one
row of ``session_events``.

Written by the store for the room's polls and events, and by `device … status`'s loop-free read
(``commands/device_status.py``, plain sqlite3, no asyncio), so a row is the same whichever path wrote it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .records import Event, dumps, utc_iso

Execute = Callable[[str, Sequence[Any]], sqlite3.Cursor]


def insert_reading(
    execute: Execute,
    device_uid: str,
    *,
    power: str | None = None,
    lamp_hours: Sequence[int] = (),
    error_status: Mapping[str, str] | None = None,
    wall_time: str | None = None,
) -> int:
    """Lamp hours and faults over time, for the centre's maintenance view; returns the row's id.

    ``wall_time``: when it was read, for a reading written later in a batch (default: now)."""
    cur = execute(
        "INSERT INTO device_readings (device_uid, wall_time, power, lamp_hours, error_status) VALUES (?, ?, ?, ?, ?)",
        (device_uid, wall_time or utc_iso(), power, dumps(list(lamp_hours)), dumps(dict(error_status or {}))),
    )
    return int(cur.lastrowid or 0)


def insert_event(execute: Execute, event: Event) -> int:
    """One event of a session's log, stamped when it happened; returns the row's id."""
    cur = execute(
        "INSERT INTO session_events (session_id, device_uid, kind, payload, wall_time, monotonic_ns) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (event.session_id, event.device_uid, event.kind, dumps(event.payload), event.wall_time, event.monotonic_ns),
    )
    return int(cur.lastrowid or 0)
