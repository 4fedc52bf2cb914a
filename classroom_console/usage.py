"""Usage figures from the session log, computed off the event loop by whoever asks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class UsageSummary:
    sessions: int = 0
    hours_in_use: float = 0.0
    devices: int = 0
    events: int = 0


def summarise(db_path: Path) -> UsageSummary:
    """Read-only totals; blocking, so call it from a worker thread."""
    if not db_path.exists():
        return UsageSummary()
    uri = f"file:{db_path}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=5) as db:
        sessions, seconds = db.execute(
            "SELECT count(*), coalesce(sum((julianday(ended_at) - julianday(started_at)) * 86400), 0)"
            " FROM sessions"
        ).fetchone()
        devices = db.execute("SELECT count(*) FROM devices").fetchone()[0]
        events = db.execute("SELECT count(*) FROM session_events").fetchone()[0]
    return UsageSummary(int(sessions), float(seconds) / 3600, int(devices), int(events))
