"""The centre's chart sums (centre/rollups.py) equal a recount of the base tables, after re-sends and on old centres."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from classroom_console.centre.db import CentreDB
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.db_sqlite import SqliteCentreDB, query_charts
from classroom_console.centre.payloads import recording_row, session_rows
from classroom_console.usage import query_sqlite
from classroom_console.usage_model import UsageFilter
from tests.test_centre_postgres import postgres_url  # noqa: F401  (the fixture: a throwaway cluster)

ROLLUPS = ("roll_room_hours", "roll_people", "roll_heat", "roll_device_days", "roll_faults", "roll_recordings",
           "roll_state")
NOW = "2026-01-01T00:00:00.000000Z"
FILTERS = (
    UsageFilter(),
    UsageFilter(utc_offset_h=5),
    UsageFilter(utc_offset_h=5.5),
    UsageFilter(room="r1"),
    UsageFilter(lecturer="L2"),
    UsageFilter(lecturer="L2", room="r1", since=date(2025, 9, 20)),
    UsageFilter(since=date(2025, 9, 3), until=date(2025, 9, 9), utc_offset_h=6),
    UsageFilter(since=date(2025, 9, 4), until=date(2025, 9, 4), utc_offset_h=-3),
    UsageFilter(since=date(2025, 9, 2), until=date(2025, 9, 20), room="r0", utc_offset_h=5.5),
    UsageFilter(since=date(2025, 9, 5)),
    UsageFilter(utc_offset_h=14),
    UsageFilter(utc_offset_h=-12),
    UsageFilter(since=date(2025, 9, 10), until=date(2025, 11, 20), utc_offset_h=-5),
    UsageFilter(since=date(2025, 10, 1), until=date(2025, 10, 31)),
    UsageFilter(since=date(2025, 9, 29), until=date(2025, 11, 2), utc_offset_h=3, room="r2"),
)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def body(rng: random.Random, sid: str, room: int, events: int, lecturer: str | None = None) -> dict[str, Any]:
    begin = datetime(2025, 9, 1, tzinfo=UTC) + timedelta(days=rng.randrange(90), hours=rng.randrange(24),
                                                         minutes=rng.randrange(60))
    end = begin + timedelta(minutes=rng.randrange(0, 300))
    span = (end - begin).total_seconds()
    evs: list[dict[str, Any]] = []
    for i in range(events):
        kind = rng.choice(("state", "command", "error", "command_failed"))
        at = begin + timedelta(seconds=rng.random() * max(span, 1.0))
        evs.append({"id": i + 1, "device_uid": rng.choice((f"d{room}.{rng.randrange(3)}", None)), "kind": kind,
                    "payload": {}, "wall_time": iso(at)})
    return {
        "session": {"id": sid, "lecturer": lecturer or f"L{rng.randrange(4)}", "course": f"C{rng.randrange(3)}",
                    "kind": "lecture", "started_at": iso(begin), "ended_at": iso(end) if span else None,
                    "status": "completed"},
        "events": evs,
        "devices": [{"uid": f"d{room}.{k}", "kind": "projector", "name": f"P{k}"} for k in range(3)],
        "readings": [{"device_uid": f"d{room}.{k}", "wall_time": iso(begin), "power": "on",
                      "lamp_hours": [rng.randrange(100, 3000)] if k else [], "error_status": {}} for k in range(2)],
    }


def recount(path: Path, f: UsageFilter) -> tuple[Any, Any]:
    conn = sqlite3.connect(path)
    try:
        return query_charts(conn, f), query_sqlite(conn, f)
    finally:
        conn.close()


def forget_sums(path: Path) -> None:
    """The file as the code before the sums left it."""
    conn = sqlite3.connect(path)
    for table in ROLLUPS:
        conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()


async def feed(db: CentreDB) -> None:
    """60 sessions in 3 rooms, a quarter re-sent changed, some re-sent unchanged twice, recordings announced twice."""
    rng = random.Random(7)
    for i in range(60):
        await db.store_session(session_rows(f"r{i % 3}", f"s{i}", body(rng, f"s{i}", i % 3, 8), NOW))
    for i in range(0, 60, 4):  # re-sent: the same session moved, re-timed, another lecturer, more events
        await db.store_session(session_rows(f"r{i % 3}", f"s{i}", body(rng, f"s{i}", i % 3, 14), NOW))
    for i in range(0, 60, 7):  # re-sent unchanged
        b = body(random.Random(i), f"s{i}", i % 3, 5, lecturer="L2")
        await db.store_session(session_rows(f"r{i % 3}", f"s{i}", b, NOW))
        await db.store_session(session_rows(f"r{i % 3}", f"s{i}", b, NOW))
    for i in range(0, 60, 5):
        rec = {"id": f"rec{i}", "session_id": f"s{i}", "name": "x", "size": 1000 + i, "sha256": "0" * 64,
               "started_at": iso(datetime(2025, 9, 1 + i % 20, 8, tzinfo=UTC)), "duration_s": 60.5 + i}
        for _ in range(2):  # announced twice: counted once
            await db.add_recording(recording_row(f"r{i % 3}", rec, 1 << 40))


async def test_rollups_equal_a_recount_after_resends_and_on_an_old_centre(tmp_path: Path) -> None:
    db = await SqliteCentreDB.open(tmp_path / "centre.db")
    try:
        await feed(db)
    finally:
        await db.close()
    path = tmp_path / "centre.db"
    for f in FILTERS:
        rolled, base = await asyncio.to_thread(recount, path, f)
        assert rolled == base, f
    assert (await asyncio.to_thread(recount, path, UsageFilter()))[0].sessions == 60

    # A centre made before the sums existed: the tables are filled from its rows when it starts.
    await asyncio.to_thread(forget_sums, path)
    db = await SqliteCentreDB.open(path)
    await db.close()
    for f in FILTERS:
        rolled, base = await asyncio.to_thread(recount, path, f)
        assert rolled == base, f


async def fresh_postgres(url: str) -> PostgresCentreDB:
    """A PostgreSQL centre with no sessions and its rollups made anew, whoever used the cluster before."""
    pg = await PostgresCentreDB.open(url)
    try:
        await pg.execute("DROP TABLE IF EXISTS " + ", ".join(ROLLUPS), {})
        for table in ("sessions", "session_events", "session_spans", "session_hours", "device_spans", "devices",
                      "recordings", "tablet_counts", "tablet_sessions"):
            await pg.execute(f"DELETE FROM {table}", {})
    finally:
        await pg.close()
    return await PostgresCentreDB.open(url)  # opening makes the rollups again


async def test_rollups_on_postgres_equal_a_recount_of_the_same_uploads(
    postgres_url: str, tmp_path: Path  # noqa: F811 (fixture)
) -> None:
    """The server-side store function keeps the same sums: PostgreSQL's reports equal SQLite's base recount."""
    lite = await SqliteCentreDB.open(tmp_path / "centre.db")
    pg = await fresh_postgres(postgres_url)
    try:
        await feed(lite)
        await feed(pg)
        for f in FILTERS:
            _, base = await asyncio.to_thread(recount, tmp_path / "centre.db", f)
            assert await pg.usage(f) == base, f
        # an old centre's database: the sums are made from its rows on start
        await pg.execute("DROP TABLE " + ", ".join(ROLLUPS), {})
        await pg.close()
        pg = await PostgresCentreDB.open(postgres_url)
        for f in FILTERS:
            _, base = await asyncio.to_thread(recount, tmp_path / "centre.db", f)
            assert await pg.usage(f) == base, f
    finally:
        await pg.close()
        await lite.close()
