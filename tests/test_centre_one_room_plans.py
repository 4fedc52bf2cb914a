"""A one-room usage report reads only that room's rows, on SQLite and PostgreSQL alike (issue 17 item 3).

A room's console asks for its own report; if any statement of it reads every room's rows (a scan, or an index led
by a time or an hour of the week), the report costs more as the whole centre grows. For a grid of one-room filters
(offsets, date ranges, a day, a week; with a lecturer who teaches in every room, among many who teach once; what
the Centre workspace asks, its export too) every statement of ``charts.plan`` is planned on a centre of 300 rooms, made
through the real store path (``store_many``) and copied into PostgreSQL: each table must be read by a key led by
the room, and a table with times by the room *and* a range (not the room's whole history); on PostgreSQL also
the generic plan of the report's one statement, which a filter asked again and again may be given. The lamps and
the devices' readings are looked up by the room's device ids. The same reports read the same figures as a recount of
the base tables, and PostgreSQL's as SQLite's.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from classroom_console.centre import charts, online_indexes, schema
from classroom_console.centre.db_postgres import PostgresCentreDB, chart_width, charts_statement
from classroom_console.centre.db_sqlite import _connect, query_charts
from classroom_console.centre.payloads import recording_row, session_rows
from classroom_console.centre.reports import report_json
from classroom_console.centre.sqlite_sessions import store_many
from classroom_console.usage import query_sqlite
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import POSTGRESQL, SQLITE, to_numbered, used_params
from tests.test_centre_postgres import postgres_url  # noqa: F401  (the fixture: a throwaway cluster)
from tests.test_centre_rollups import FILTERS, NOW, body

ROOMS, PER_ROOM = 300, 8
ROOM = "r7"
BUSY = "L2"  # teaches a third of every room's sessions; every other session has a lecturer of its own
ONE_ROOM = (
    UsageFilter(room=ROOM),
    UsageFilter(room=ROOM, utc_offset_h=5),
    UsageFilter(room=ROOM, utc_offset_h=-3),
    UsageFilter(room=ROOM, utc_offset_h=5.5),
    UsageFilter(room=ROOM, since=date(2025, 9, 20)),
    UsageFilter(room=ROOM, since=date(2025, 9, 3), until=date(2025, 11, 20), utc_offset_h=5),
    UsageFilter(room=ROOM, since=date(2025, 10, 1), until=date(2025, 10, 31)),
    UsageFilter(room=ROOM, since=date(2025, 9, 8), until=date(2025, 9, 14), utc_offset_h=-3),
    UsageFilter(room=ROOM, since=date(2025, 9, 10), until=date(2025, 9, 10), utc_offset_h=6),
    UsageFilter(room=ROOM, since=date(2025, 9, 2), until=date(2025, 10, 20), utc_offset_h=5.5),
    # a room and a lecturer who teaches in every room: the room's rows, not the lecturer's in all rooms
    UsageFilter(room=ROOM, lecturer=BUSY),
    UsageFilter(room=ROOM, lecturer=BUSY, since=date(2025, 9, 20), utc_offset_h=-3),
    UsageFilter(room=ROOM, lecturer=BUSY, since=date(2025, 9, 3), until=date(2025, 11, 20), utc_offset_h=5.5),
    # what the Centre workspace asks (ui/centre_filters.py): 90 days to today at the local offset, and its export
    UsageFilter(room=ROOM, since=date(2025, 9, 1), until=date(2025, 11, 30), utc_offset_h=5),
    UsageFilter(room=ROOM, lecturer=BUSY, since=date(2025, 9, 1), until=date(2025, 11, 30), utc_offset_h=5),
    UsageFilter(room=ROOM, lecturer=BUSY, since=date(2025, 9, 1), until=date(2025, 11, 30), utc_offset_h=5,
                session_rows=True),
    UsageFilter(room=ROOM, since=date(2025, 9, 1), until=date(2025, 11, 30), utc_offset_h=6, session_rows=True),
)
# Tables read by the room alone (no time index by room): the room's devices.
ROOM_ONLY = {"devices"}
# Looked up by the room's device ids (the lamps, the devices' readings) or the room's session ids (PostgreSQL's
# join from the room's fault events to their sessions): keyed reads of the room's own rows.
BY_DEVICE = {"roll_lamps", "device_readings"}
# made since the code before, on open, by every back end
NEW_INDEXES = ("device_spans_room", "recordings_room", "tablet_sessions_room")
TABLES = ("sessions", "session_events", "session_spans", "session_hours", "device_spans", "devices", "device_readings",
          "recordings", "tablet_counts", "tablet_sessions", "roll_room_hours", "roll_people", "roll_heat",
          "roll_device_days", "roll_faults", "roll_recordings", "roll_lamps")


def _tablet_events(start: int, begin: str) -> list[dict[str, Any]]:
    kinds = (("participant_joined", {"seat": "1"}), ("activity_started", {"activity_id": "a1", "kind": "poll"}),
             ("answer", {"activity_id": "a1", "seat": "1"}))
    return [{"id": start + i, "device_uid": None, "kind": k, "payload": p, "wall_time": begin}
            for i, (k, p) in enumerate(kinds)]


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 rooms of the same kind of history, stored as the SQLite centre stores uploads (rollups included)."""
    path = tmp_path_factory.mktemp("one-room") / "centre.db"
    conn = _connect(path)
    rng = random.Random(11)
    group = []
    for i in range(ROOMS * PER_ROOM):
        room = i % ROOMS
        b = body(rng, f"s{i}", room, 6, BUSY if (i // ROOMS) % 3 == 0 else f"L{1000 + i}")
        if i % 3 == 0:
            b["events"] += _tablet_events(100, b["session"]["started_at"])
        group.append(session_rows(f"r{room}", f"s{i}", b, NOW))
    conn.execute("BEGIN")
    store_many(conn, group)
    conn.executemany(schema.INSERT_READING, [  # a centre's lamps: every projector it has heard of, 8 a room
        {"room_id": f"r{room}", "device_uid": f"p{room}.{k}", "wall_time": NOW, "power": "on",
         "lamp_hours": f"[{room + k}]", "error_status": "{}"} for room in range(ROOMS) for k in range(8)])
    for i in range(0, ROOMS * PER_ROOM, 2):
        started = group[i].span["started_at"]
        rec = {"id": f"rec{i}", "session_id": f"s{i}", "name": "x", "size": 1000 + i, "sha256": "0" * 64,
               "started_at": started, "duration_s": 60.5 + i}
        conn.execute(schema.INSERT_RECORDING, recording_row(f"r{i % ROOMS}", rec, 1 << 40))
    conn.execute("COMMIT")
    conn.close()
    # the recordings' sums, as a centre starting on rows it has no sums for makes them
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM roll_state")
    conn.commit()
    conn.close()
    _connect(path).close()
    return path


def _sqlite_problems(conn: sqlite3.Connection, f: UsageFilter) -> list[str]:
    """Each read of a stored table that is not by the room's key (with a range where the table has times)."""
    tables = {name: table for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master")}
    queries, params, _ = charts.plan(SQLITE, f)
    problems = []
    for name, sql in queries.items():
        steps = [str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, charts.params_for(sql, params))]
        derived = {m for s in steps for m in re.findall(r"^(?:CO-ROUTINE|MATERIALIZE) (\S+)", s)}
        for step in steps:
            scan = re.match(r"SCAN (\w+)$", step)
            if scan and scan[1] not in derived:
                problems.append(f"{name}: {step}")
                continue
            found = re.match(r"SEARCH (\w+) USING (?:(?:COVERING )?INDEX (\w+)|PRIMARY KEY) \((.*)\)$", step)
            if not found:
                continue
            table = str(tables.get(found[2] or "", found[1]))
            if not _keyed(table, found[3].replace("?", "$").replace("=", " = "), ranged=True):
                problems.append(f"{name}: {step}")
    return problems


def _keyed(table: str, cond: str, ranged: bool) -> bool:
    """Whether an index condition (PostgreSQL's text, or SQLite's made alike) reads the room's rows by key;
    ``ranged``: and by a range too where the table has one by room (SQLite, which plans without statistics:
    PostgreSQL rightly reads the room's whole key when the range holds most of it)."""
    cond = cond.strip("()")
    if table in BY_DEVICE:
        return cond.startswith("device_uid =")
    if table == "session_spans" and cond.startswith("id = "):
        return True  # PostgreSQL: from the room's fault events to their sessions, by session id
    if not re.match(r"\(?room_id = ", cond):
        return False
    return not ranged or table in ROOM_ONLY or " AND " in cond


def _label(f: UsageFilter) -> str:
    return f"{f.since} {f.until} {f.utc_offset_h:+} {f.lecturer or ''}{' rows' if f.session_rows else ''}".strip()


@pytest.mark.parametrize("f", ONE_ROOM, ids=_label)
def test_every_statement_of_a_one_room_report_reads_that_room_by_key_on_sqlite(centre: Path, f: UsageFilter) -> None:
    conn = sqlite3.connect(centre)
    try:
        assert _sqlite_problems(conn, f) == []
        rolled, base = query_charts(conn, f), query_sqlite(conn, f)
    finally:
        conn.close()
    assert rolled == base  # exact: the same figures as a recount of the base tables


def _indexes(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_centre_made_before_the_room_indexes_gets_them_when_opened_and_reports_the_same(
    centre: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(centre) as src, sqlite3.connect(old) as dst:
        src.backup(dst)
        for name in NEW_INDEXES:  # the file as the code before left it
            dst.execute(f"DROP INDEX {name}")
    conn = sqlite3.connect(old)
    before = [report_json(query_charts(conn, f)) for f in (*ONE_ROOM, *FILTERS)]
    conn.close()
    _connect(old).close()  # today's centre opens it
    conn = sqlite3.connect(old)
    try:
        assert set(NEW_INDEXES) <= _indexes(conn)
        assert [report_json(query_charts(conn, f)) for f in (*ONE_ROOM, *FILTERS)] == before
    finally:
        conn.close()


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _walk(child)


def _plan_problems(name: str, plan: dict[str, Any], tables: dict[str, str]) -> list[str]:
    problems = []
    for node in _walk(plan):
        if node["Node Type"] == "Seq Scan":
            problems.append(f"{name}: Seq Scan on {node['Relation Name']}")
        elif "Index Name" in node:
            cond = node.get("Index Cond", "")
            if not _keyed(tables[node["Index Name"]], cond, ranged=False):
                problems.append(f"{name}: {node['Node Type']} {node['Index Name']} {cond}")
    return problems


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int | float) else "'" + str(value).replace("'", "''") + "'"


async def report_plans(conn: Any, f: UsageFilter, prepared: str) -> list[tuple[str, dict[str, Any]]]:
    """Each statement's plan for these values; then the report's one statement as db_postgres sends it (PREPAREd
    as ``prepared``), by its generic plan: asked again and again, PostgreSQL may plan it once for any values."""
    queries, params, _ = charts.plan(POSTGRESQL, f)
    plans = []
    for name, sql in queries.items():
        text, args = to_numbered(sql, used_params(sql, params))
        plans.append((name, json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + text, *args))[0]["Plan"]))
    shapes = [(name, await chart_width(conn, sql, params)) for name, sql in queries.items()]
    text, args = to_numbered(*charts_statement(queries, shapes, params))
    await conn.execute(f"PREPARE {prepared} AS {text}")
    await conn.execute("SET plan_cache_mode = force_generic_plan")
    try:
        execute = f"EXECUTE {prepared}({', '.join(_literal(a) for a in args)})"
        plans.append(("generic plan", json.loads(await conn.fetchval("EXPLAIN (FORMAT JSON) " + execute))[0]["Plan"]))
    finally:
        await conn.execute("RESET plan_cache_mode")
    return plans


async def _pg_problems(conn: Any, f: UsageFilter, tables: dict[str, str], n: int) -> list[str]:
    return [p for name, plan in await report_plans(conn, f, f"report{n}") for p in _plan_problems(name, plan, tables)]


async def _copy_into(url: str, path: Path) -> None:
    """The SQLite centre's rows, as they are, into a PostgreSQL centre's own tables; then its statistics."""
    db = await PostgresCentreDB.open(url)
    await db.close()
    conn = await asyncpg.connect(url)
    lite = sqlite3.connect(path)
    try:
        await online_indexes.build_missing(conn)  # any the centre's start left unmade (closed at once)
        await conn.execute("TRUNCATE " + ", ".join(TABLES))
        for table in TABLES:
            columns = [row[1] for row in lite.execute(f"PRAGMA table_info({table})")]
            rows = lite.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            await conn.copy_records_to_table(table, records=rows, columns=columns)
        await conn.execute("ANALYZE")
    finally:
        lite.close()
        await conn.close()


async def test_every_statement_of_a_one_room_report_reads_that_room_by_key_on_postgres(
    postgres_url: str, centre: Path  # noqa: F811 (fixture)
) -> None:
    await _copy_into(postgres_url, centre)
    conn = await asyncpg.connect(postgres_url)
    try:
        tables = {r[0]: r[1] for r in await conn.fetch("SELECT indexname, tablename FROM pg_indexes")}
        problems = {_label(f): await _pg_problems(conn, f, tables, n)
                    for n, f in enumerate(ONE_ROOM)}
    finally:
        await conn.close()
    assert not any(problems.values()), "\n".join(f"{k}: {p}" for k, v in problems.items() for p in v)
    conn = await asyncpg.connect(postgres_url)
    try:  # a database the code before made: opening it makes the indexes
        await conn.execute("DROP INDEX " + ", ".join(NEW_INDEXES))
    finally:
        await conn.close()
    db = await PostgresCentreDB.open(postgres_url)
    try:
        await _until_valid(db, NEW_INDEXES)  # made on open, or after it while the centre serves (online_indexes)
        for f in ONE_ROOM:  # the centre's own report, as it sends it: the figures SQLite reads
            assert await db.usage(f) == await asyncio.to_thread(_sqlite_report, centre, f), f
    finally:
        await db.close()


async def _until_valid(db: PostgresCentreDB, names: tuple[str, ...]) -> None:
    deadline = time.monotonic() + 60
    query = ("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indisvalid "
             "AND c.relname = ANY(:names)")
    while {r[0] for r in await db.fetch(query, {"names": list(names)})} != set(names):
        assert time.monotonic() < deadline, f"{names} not all made within 60 s"
        await asyncio.sleep(0.05)


def _sqlite_report(path: Path, f: UsageFilter) -> Any:
    conn = sqlite3.connect(path)
    try:
        return query_charts(conn, f)
    finally:
        conn.close()
