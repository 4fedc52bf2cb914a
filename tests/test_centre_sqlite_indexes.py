"""The SQLite centre leaves out the indexes nothing reads (schema.SQLITE_UNUSED), and drops them from an older file.

A file made by the schema before (every index) and holding real uploads is opened by today's code: those indexes
are gone, and every chart's statement, for a grid of filters, is planned exactly as before (so no report reads by
a slower path) and every report reads the same figures.
"""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import date
from pathlib import Path

from classroom_console.centre import charts, rollups, schema
from classroom_console.centre.db_sqlite import _connect, query_charts
from classroom_console.centre.payloads import session_rows
from classroom_console.centre.sqlite_sessions import store_many
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import SQLITE
from tests.test_centre_rollups import FILTERS, NOW, body

GRID = (*FILTERS, *(UsageFilter(since=since, until=until, room=room, lecturer=lecturer, utc_offset_h=off,
                                session_rows=rows)
                    for since, until in ((None, None), (date(2025, 9, 3), date(2025, 10, 5)))
                    for room in (None, "r1") for lecturer in (None, "L2") for off in (0, 5.5)
                    for rows in (False, True)))
LOOKUPS = (rollups.SESSION_FAULTS, rollups.OLD_SPAN, rollups.OLD_HEAT, rollups.OLD_DEVICES, schema.COUNT_EVENTS,
           schema.DELETE_HOURS, schema.DELETE_TABLETS, schema.SPAN_TABLETS, schema.GET_RECORDING, schema.ROOMS)
KEY = {"room_id": "r1", "session_id": "s1", "id": "s1", "started_at": NOW, "lecturer": "L", "course": "C", "t0_s": 0.0}


def old_file(path: Path) -> None:
    """A centre file as the code before made it: every index of schema.SCHEMA, then 60 sessions stored."""
    conn = _connect(path)
    for statement in schema.SCHEMA:
        conn.execute(statement)  # the indexes today's code leaves out, as an older centre made them
    rng = random.Random(5)
    group = [session_rows(f"r{i % 3}", f"s{i}", body(rng, f"s{i}", i % 3, rng.choice((0, 4, 30))), NOW)
             for i in range(60)]
    conn.execute("BEGIN")
    store_many(conn, group)
    conn.execute("COMMIT")
    conn.close()


def indexes(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def plans(conn: sqlite3.Connection) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n, f in enumerate(GRID):
        queries, params, _ = charts.plan(SQLITE, f)
        for name, sql in queries.items():
            out[f"{n}.{name}"] = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql,
                                                                   charts.params_for(sql, params))]
    for n, sql in enumerate(LOOKUPS):
        out[f"lookup {n}"] = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql,
                                                               charts.params_for(sql, KEY))]
    return out


def test_an_older_file_loses_the_unread_indexes_and_reads_every_report_by_the_same_plan(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    old_file(path)
    conn = sqlite3.connect(path)
    assert set(schema.SQLITE_UNUSED) <= indexes(conn)
    before_plans = plans(conn)
    before = [query_charts(conn, f) for f in GRID]
    conn.close()
    named = {m for steps in before_plans.values() for step in steps for m in re.findall(r"INDEX (\w+)", step)}
    assert not named & set(schema.SQLITE_UNUSED)  # nothing read them even while they were there

    _connect(path).close()  # today's centre opens the file

    conn = sqlite3.connect(path)
    assert not indexes(conn) & set(schema.SQLITE_UNUSED)
    assert plans(conn) == before_plans
    after = [query_charts(conn, f) for f in GRID]
    conn.close()
    assert after == before
    assert before[0].sessions == 60 and any(r.faults for r in before)  # the figures are not all empty


def test_a_new_file_never_has_them(tmp_path: Path) -> None:
    conn = _connect(tmp_path / "centre.db")
    made = indexes(conn)
    conn.close()
    assert not made & set(schema.SQLITE_UNUSED)
    assert {"session_events_fault_rooms", "session_events_fault_times", "session_spans_room"} <= made
