"""A lecturer's usage report (no room chosen) reads only that lecturer's rows, on SQLite and PostgreSQL alike.

It listed every device of the centre, with every device's lamp and faulty readings: it cost more with every room
added (26.6 ms at 300 rooms, P7). Now it shows the devices of the rooms the lecturer taught in and of the sessions
they held, so every statement must read by a key led by the lecturer, or by the rooms, sessions and devices those
led to (never a scan, nor an index led by a time). Planned on the same centre of 300 rooms as the one-room plans
(a lecturer teaching a third of every room's sessions, on SQLite, which plans without statistics; one who taught
once, and one who never did); on PostgreSQL the generic plan of the report's one statement too (the busy lecturer's
third of every table PostgreSQL rightly reads whole). The report lists exactly those devices, with the figures a
recount of the base tables gives, and PostgreSQL's are SQLite's.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from classroom_console.centre import charts
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.db_sqlite import query_charts
from classroom_console.usage import query_sqlite
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import SQLITE
from tests.test_centre_one_room_plans import (  # noqa: F401  (centre: a fixture)
    BUSY,
    _copy_into,
    _sqlite_report,
    _walk,
    centre,
    report_plans,
)
from tests.test_centre_postgres import postgres_url  # noqa: F401  (the fixture: a throwaway cluster)

ONCE = "L1003"  # taught one session, in one room
LECTURER = (
    UsageFilter(lecturer=BUSY),
    UsageFilter(lecturer=BUSY, utc_offset_h=5),
    UsageFilter(lecturer=BUSY, utc_offset_h=5.5),
    UsageFilter(lecturer=BUSY, since=date(2025, 9, 1), until=date(2025, 11, 30), utc_offset_h=5),
    UsageFilter(lecturer=BUSY, since=date(2025, 10, 1), until=date(2025, 10, 31)),
    UsageFilter(lecturer=BUSY, since=date(2025, 9, 10), until=date(2025, 9, 10), utc_offset_h=-3, session_rows=True),
    UsageFilter(lecturer=ONCE),
    UsageFilter(lecturer=ONCE, since=date(2025, 9, 1), until=date(2025, 11, 30), utc_offset_h=6),
    UsageFilter(lecturer="nobody"),
)
# What a lecturer's rows lead to, by key: their rooms' devices, their sessions' recordings, events and tablet counts,
# the lamps and readings of those devices.
LED = re.compile(r"\(?(lecturer|room_id|device_uid|id) = ")


def _label(f: UsageFilter) -> str:
    return f"{f.lecturer} {f.since} {f.until} {f.utc_offset_h:+}{' rows' if f.session_rows else ''}"


def _sqlite_problems(conn: sqlite3.Connection, f: UsageFilter) -> list[str]:
    queries, params, _ = charts.plan(SQLITE, f)
    problems = []
    for name, sql in queries.items():
        steps = [str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, charts.params_for(sql, params))]
        derived = {m for s in steps for m in re.findall(r"^(?:CO-ROUTINE|MATERIALIZE) (\S+)", s)}
        for step in steps:
            scan = re.match(r"SCAN (\w+)", step)
            if scan and scan[1] not in derived and not scan[1].startswith("(subquery"):
                problems.append(f"{name}: {step}")
            found = re.match(r"SEARCH \w+ USING (?:(?:COVERING )?INDEX \w+|PRIMARY KEY) \((.*)\)$", step)
            if found and not LED.match(found[1].replace("=", " = ")):
                problems.append(f"{name}: {step}")
    return problems


def _shown(conn: sqlite3.Connection, f: UsageFilter) -> set[str]:
    """The devices a lecturer's report lists, found by plain SQL: their rooms' and their sessions'."""
    since, until = f.utc_bounds()
    span = "started_at >= ? AND started_at < ? AND lecturer = ?"
    rows = conn.execute(f"SELECT uid FROM devices WHERE room_id IN (SELECT room_id FROM session_spans WHERE {span}) "
                        f"UNION SELECT device_uid FROM device_spans WHERE {span}", (since, until, f.lecturer) * 2)
    return {str(r[0]) for r in rows}


@pytest.mark.parametrize("f", LECTURER, ids=_label)
def test_every_statement_of_a_lecturer_report_reads_by_the_lecturer_on_sqlite(centre: Path,  # noqa: F811
                                                                             f: UsageFilter) -> None:
    conn = sqlite3.connect(centre)
    try:
        assert _sqlite_problems(conn, f) == []
        rolled, base = query_charts(conn, f), query_sqlite(conn, f)
        shown = _shown(conn, f)
        every = conn.execute("SELECT count(*) FROM devices").fetchone()[0]
    finally:
        conn.close()
    assert rolled == base  # exact: the same figures as a recount of the base tables
    assert {d.uid for d in rolled.devices} == shown
    assert len(shown) < every if f.lecturer != BUSY else len(shown) <= every  # the code before: every device
    assert {x.uid for x in rolled.faults} <= shown


def _pg_problems(name: str, plan: dict[str, Any]) -> list[str]:
    problems = []
    for node in _walk(plan):
        if node["Node Type"] == "Seq Scan":
            problems.append(f"{name}: Seq Scan on {node['Relation Name']}")
        elif "Index Name" in node and not LED.match(node.get("Index Cond", "").strip("()")):
            problems.append(f"{name}: {node['Node Type']} {node['Index Name']} {node.get('Index Cond', '')}")
    return problems


async def _pg_report_problems(conn: Any, f: UsageFilter, n: int) -> list[str]:
    return [p for name, plan in await report_plans(conn, f, f"lecturer{n}") for p in _pg_problems(name, plan)]


async def test_every_statement_of_a_lecturer_report_reads_by_the_lecturer_on_postgres(
    postgres_url: str, centre: Path  # noqa: F811 (fixtures)
) -> None:
    await _copy_into(postgres_url, centre)
    conn = await asyncpg.connect(postgres_url)
    try:
        problems = {_label(f): await _pg_report_problems(conn, f, n) for n, f in enumerate(LECTURER)
                    if f.lecturer != BUSY}  # a third of every table: PostgreSQL rightly reads those whole
    finally:
        await conn.close()
    assert not any(problems.values()), "\n".join(f"{k}: {p}" for k, v in problems.items() for p in v)
    db = await PostgresCentreDB.open(postgres_url)
    try:
        for f in LECTURER:  # the centre's own report, as it sends it: the figures SQLite reads
            assert await db.usage(f) == await asyncio.to_thread(_sqlite_report, centre, f), f
    finally:
        await db.close()
