"""One room's totals and room_weeks read that room's rollup rows by key, not every room's (issue 17 item 3).

Before, the weekly part went through ``roll_room_hours_how`` (how, h, ...) over every room's weeks, so one room's
report cost more as the whole centre's history grew. The plan must look the room up by (room_id, hour), and the
room's figures must equal the same figures of the all-rooms statement.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date
from typing import Any

import pytest

from classroom_console.centre import charts, rollups
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import SQLITE

ROOMS = 6
ROOM_FILTERS = (
    UsageFilter(room="room-3"),
    UsageFilter(room="room-3", utc_offset_h=5),
    UsageFilter(room="room-3", utc_offset_h=-3),
    UsageFilter(room="room-3", since=date(2025, 3, 5)),
    UsageFilter(room="room-3", until=date(2025, 6, 4), utc_offset_h=6),
    UsageFilter(room="room-3", since=date(2025, 3, 5), until=date(2025, 3, 7), utc_offset_h=14),
    UsageFilter(room="room-3", since=date(2025, 2, 3), until=date(2025, 4, 6), utc_offset_h=-12),
    UsageFilter(room="room-9", since=date(2025, 2, 3)),  # a room with no rows
)


@pytest.fixture(scope="module")
def conn() -> sqlite3.Connection:
    """The centre's room sums (its own CREATE statements) for a few rooms of half a year, as ingest keeps them."""
    c = sqlite3.connect(":memory:")
    for statement in rollups.tables(sqlite=True):
        c.execute(statement)
    rnd = random.Random(17)
    start = rollups.epoch_hour("2025-01-01T00")
    deltas = rollups.Deltas()
    for room in range(ROOMS):
        for _ in range(400):
            h = start + rnd.randrange(180 * 24)
            at = rollups.hour_key(h) + f":{rnd.randrange(60):02d}:00.000000Z"
            deltas.span(f"room-{room}", at, "L", "C", rnd.randrange(60, 5400), 1)
    upsert, rows = deltas.rows()[0]
    c.executemany(upsert, rows)
    return c


def _run(c: sqlite3.Connection, f: UsageFilter, name: str) -> tuple[list[Any], list[str]]:
    q, params, _ = charts.plan(SQLITE, f)
    p = charts.params_for(q[name], params)
    steps = [str(row[3]) for row in c.execute("EXPLAIN QUERY PLAN " + q[name], p)]
    return c.execute(q[name], p).fetchall(), steps


@pytest.mark.parametrize("f", ROOM_FILTERS, ids=lambda f: f"{f.room} {f.since} {f.until} {f.utc_offset_h:+}")
def test_one_room_reads_its_rows_by_key(conn: sqlite3.Connection, f: UsageFilter) -> None:
    for name in ("totals", "room_weeks"):
        _rows, steps = _run(conn, f, name)
        reads = [s for s in steps if "roll_room_hours" in s]
        assert reads, steps
        for step in reads:  # a lookup of the room's key range, never an index over every room
            assert "USING PRIMARY KEY (room_id=? AND hour>? AND hour<?)" in step, steps


@pytest.mark.parametrize("f", ROOM_FILTERS, ids=lambda f: f"{f.room} {f.since} {f.until} {f.utc_offset_h:+}")
def test_one_room_figures_equal_all_rooms_rows(conn: sqlite3.Connection, f: UsageFilter) -> None:
    everyone = UsageFilter(since=f.since, until=f.until, utc_offset_h=f.utc_offset_h)
    weeks, _ = _run(conn, f, "room_weeks")
    all_weeks, _ = _run(conn, everyone, "room_weeks")
    assert weeks == [row for row in all_weeks if row[0] == f.room]
    (n, secs, rooms), = _run(conn, f, "totals")[0]
    assert (n > 0) == bool(weeks) and rooms == (1 if n else 0)
    assert secs == pytest.approx(sum(float(row[2]) for row in weeks))
    if f.room == "room-3" and f.since is None and f.until is None:
        assert n == 400
