"""Values the store stamps and writes; stamped by the caller so queued writes keep their true time."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_iso(at: datetime | None = None) -> str:
    """ISO-8601 UTC with a ``Z``; fixed width, so text order is time order."""
    return (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dumps(value: Any) -> str:
    """JSON for a text column; compact and stable so uploads compare equal."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


@dataclass(frozen=True, slots=True)
class Event:
    """One session event: a device command, a state change, an error, a recording step."""

    session_id: str | None
    device_uid: str | None
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    wall_time: str = field(default_factory=utc_iso)
    monotonic_ns: int = field(default_factory=time.monotonic_ns)


@dataclass(frozen=True, slots=True)
class Reading:
    """A device's power, lamp hours and faults at one moment: one ``device_readings`` row, stamped when read."""

    device_uid: str
    power: str | None = None
    lamp_hours: tuple[int, ...] = ()
    error_status: dict[str, str] = field(default_factory=dict)
    wall_time: str = field(default_factory=utc_iso)
