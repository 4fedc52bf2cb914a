"""Usage figures from the session log, for the Centre workspace and the usage command."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from classroom_console.store import AsyncStore, Store
from classroom_console.store.sqlite_db import Database
from classroom_console.usage_model import UsageFilter, UsageReport
from classroom_console.usage_sql import SQLITE, assemble, build_queries, used_params


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


def query_sqlite(
    db: Database | sqlite3.Connection, f: UsageFilter, timings: dict[str, float] | None = None,
    home_room: str | None = None,
) -> UsageReport:
    """Every chart's query on one SQLite file; blocking. ``home_room``: a room's own store (see build_queries),
    None: the centre's."""
    queries, params = build_queries(SQLITE, f, home_room)
    rows: dict[str, list[Any]] = {}
    for name, sql in queries.items():
        started = time.perf_counter()
        rows[name] = db.execute(sql, used_params(sql, params)).fetchall()
        if timings is not None:
            timings[name] = time.perf_counter() - started
    return assemble(f, rows)


def query_room_store(db: Database | sqlite3.Connection, f: UsageFilter, room_id: str | None = None) -> UsageReport:
    """A room's own store: the room filter takes a room's name or id, and a recording made outside a session
    is the console's room (``room_id``; by default the room the store learnt of last)."""
    home = room_id or _newest_room(db)
    wanted = f.room
    if wanted:
        found = db.execute(
            "SELECT id FROM rooms WHERE id = ? UNION ALL SELECT id FROM rooms WHERE name = ? LIMIT 1",
            (wanted, wanted),
        ).fetchone()
        wanted = str(found[0]) if found else wanted
    report = query_sqlite(db, replace(f, room=wanted), home_room=home)
    return replace(report, filter=f)


def _newest_room(db: Database | sqlite3.Connection) -> str:
    row = db.execute("SELECT id FROM rooms ORDER BY created_at DESC, rowid DESC LIMIT 1").fetchone()
    return str(row[0]) if row else ""


def build_report(store: Store, f: UsageFilter | None = None, room_id: str | None = None) -> UsageReport:
    """The room's own report, run on the store's thread, with the uploads the sync had to set aside."""
    report = query_room_store(store.db, f or UsageFilter(utc_offset_h=local_utc_offset_h()), room_id)
    failed = store.db.execute(
        "SELECT item_kind, item_id, coalesce(reason, 'refused'), coalesce(last_error, '') FROM upload_queue "
        "WHERE state = 'failed' ORDER BY id DESC LIMIT 50"
    ).fetchall()
    if not failed:
        return report
    return replace(report, uploads_failed=tuple(f"{k} {i} [{r}]: {e}" for k, i, r, e in failed))


def local_utc_offset_h() -> float:
    """This PC's offset from UTC now, so the heatmap's hours are the room's wall-clock hours."""
    offset = datetime.now().astimezone().utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


async def local_report(
    store: AsyncStore | None, f: UsageFilter | None = None, room_id: str | None = None
) -> UsageReport:
    """The Centre workspace's entry point for one room (``room_id``: the console's); no store: an empty report."""
    if store is None:
        return UsageReport(filter=f or UsageFilter())
    return await store.call(lambda s: build_report(s, f, room_id))
