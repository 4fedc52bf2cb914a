"""Usage figures from the session log, for the Centre workspace and the usage command."""

from __future__ import annotations

from dataclasses import dataclass

from classroom_console.store import Store


@dataclass(frozen=True, slots=True)
class UsageSummary:
    sessions: int = 0
    hours_in_use: float = 0.0
    devices: int = 0
    events: int = 0


def summarise(store: Store) -> UsageSummary:
    """Totals over the whole log; blocking, so it runs on the store's own thread."""
    db = store.db
    sessions, seconds = db.execute(
        "SELECT count(*), coalesce(sum((julianday(ended_at) - julianday(started_at)) * 86400), 0)"
        " FROM sessions"
    ).fetchone()
    devices = db.execute("SELECT count(*) FROM devices").fetchone()[0]
    events = db.execute("SELECT count(*) FROM session_events").fetchone()[0]
    return UsageSummary(int(sessions), float(seconds) / 3600, int(devices), int(events))
