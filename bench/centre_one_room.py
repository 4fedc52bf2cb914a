"""One room's usage report on a centre of 10 rooms and of 300 rooms holding the same history per room (issue 17 item 3).

A room's console asks the centre for its own report; what that costs must not grow with the other rooms' history.
Every room gets the same history whatever the number of rooms (each room's sessions drawn from a generator seeded
by the room), loaded through the centre's real ingest path (``session_rows_fast`` -> ``CentreDB.store_session``,
``recording_row`` -> ``add_recording``) into SQLite or a throwaway Debian PostgreSQL cluster. Then each chart
statement of ``charts.plan`` for a set of one-room filters is timed (median of 7, summed over a chart's parts) and
the whole report: SQLite as ``db_sqlite.query_charts`` reads it, PostgreSQL as one combined statement as
``db_postgres`` sends it. ``--compare REV`` times ``centre/charts.py`` of git revision REV beside the working
tree's in the same run, and checks the two give byte-identical reports; a lecturer's alone (no room) lists only the
devices of the rooms they taught in and those their sessions used since P8 (before: every device of the centre), so
REV's is compared with those devices kept (``shown``, found here by plain SQL; the byte check says "as shown").
``--plans`` prints each statement's plan (EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)) for the
largest centre.

Usage: python bench/centre_one_room.py [--rooms 10,300] [--sessions 60] [--events 20] [--backend sqlite|postgresql|both]
       [--compare REV] [--plans] [--keep DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.centre_queries import session_body  # noqa: E402
from bench.pg_cluster import postgres  # noqa: E402
from classroom_console.centre import charts, schema  # noqa: E402
from classroom_console.centre.db import CentreDB  # noqa: E402
from classroom_console.centre.db_postgres import PostgresCentreDB, plain_numbers  # noqa: E402
from classroom_console.centre.db_sqlite import SqliteCentreDB  # noqa: E402
from classroom_console.centre.payloads import recording_row, session_rows  # noqa: E402
from classroom_console.centre.reports import report_bytes  # noqa: E402
from classroom_console.centre.session_fast import session_rows_fast  # noqa: E402
from classroom_console.usage_model import UsageFilter, UsageReport  # noqa: E402
from classroom_console.usage_sql import POSTGRESQL, SQLITE, assemble, to_numbered, used_params  # noqa: E402

ROOM = "room-7"
FILTERS = {
    "room": UsageFilter(room=ROOM),
    "room +5h": UsageFilter(room=ROOM, utc_offset_h=5),
    "room -3h": UsageFilter(room=ROOM, utc_offset_h=-3),
    "room +5.5h": UsageFilter(room=ROOM, utc_offset_h=5.5),
    "room, a quarter +5h": UsageFilter(room=ROOM, since=date(2026, 1, 5), until=date(2026, 3, 28), utc_offset_h=5),
    "room, a month": UsageFilter(room=ROOM, since=date(2026, 2, 1), until=date(2026, 2, 28)),
    "room, a week +5h": UsageFilter(room=ROOM, since=date(2026, 2, 9), until=date(2026, 2, 15), utc_offset_h=5),
    "room, a day -3h": UsageFilter(room=ROOM, since=date(2026, 2, 10), until=date(2026, 2, 10), utc_offset_h=-3),
    # a room and a lecturer (who teaches in every room): the room's rows, not the lecturer's in every room
    "room, a lecturer": UsageFilter(room=ROOM, lecturer="Lecturer 3"),
    "room, a lecturer, 90 days +5h": UsageFilter(room=ROOM, lecturer="Lecturer 3", since=date(2025, 12, 1),
                                                 until=date(2026, 2, 28), utc_offset_h=5),
    "a lecturer": UsageFilter(lecturer="Lecturer 3"),
    "a lecturer, 90 days +5h": UsageFilter(lecturer="Lecturer 3", since=date(2025, 12, 1), until=date(2026, 2, 28),
                                           utc_offset_h=5),
    "a lecturer, a month": UsageFilter(lecturer="Lecturer 3", since=date(2026, 2, 1), until=date(2026, 2, 28)),
    "all rooms": UsageFilter(),
    "all rooms, a month +5h": UsageFilter(since=date(2026, 2, 1), until=date(2026, 2, 28), utc_offset_h=5),
}
def grid() -> list[UsageFilter]:
    """Many filters for the byte comparison of ``--compare``: rooms, offsets, ranges, a lecturer."""
    ranges = ((None, None), (date(2025, 9, 1), None), (None, date(2026, 3, 31)), (date(2026, 1, 5), date(2026, 3, 28)),
              (date(2026, 2, 10), date(2026, 2, 10)), (date(2026, 2, 9), date(2026, 2, 15)),
              (date(2025, 12, 31), date(2026, 1, 1)), (date(2025, 10, 1), date(2025, 10, 31)))
    out = []
    for room in (ROOM, "room-0", "room-9", None):
        for off in (0, 5, -3, 5.5, 14, -12):
            for since, until in ranges:
                for lecturer in (None, "Lecturer 3"):
                    if room is None and not lecturer and off in (14, -12):
                        continue  # every room's report is slow: fewer of them
                    out.append(UsageFilter(room=room, since=since, until=until, utc_offset_h=off, lecturer=lecturer))
    return out


Plan = Callable[[Any, UsageFilter], tuple[dict[str, str], dict[str, Any], frozenset[str]]]
OLD = "old"  # the database copy the old statements read (without today's new indexes)
Results = dict[str, dict[str, tuple[dict[str, float], float, bytes]]]  # plan: filter: (ms a chart, ms, the bytes)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def room_bodies(r: int, sessions: int, events: int) -> Iterator[tuple[str, str, bytes, bytes | None]]:
    """Room ``r``'s history: the same whatever the number of rooms (its own seed)."""
    rng = random.Random(1000 + r)
    for i in range(sessions):
        sid = f"s{r:04d}-{i:05d}"
        yield (f"room-{r}", sid, *session_body(rng, r, i, sid, events))


async def load(db: CentreDB, rooms: int, sessions: int, events: int) -> float:
    """Every room's history through the ingest path, 16 uploads at once, rooms interleaved; seconds taken."""
    now = iso(datetime.now(UTC))
    gate = asyncio.Semaphore(16)
    tasks: set[asyncio.Task[None]] = set()

    async def one(room: str, sid: str, raw: bytes, rec: bytes | None) -> None:
        try:
            rows = session_rows_fast(room, sid, raw, now) or session_rows(room, sid, json.loads(raw), now)
            await db.store_session(rows)
            if rec is not None:
                await db.add_recording(recording_row(room, json.loads(rec), 1 << 40))
        finally:
            gate.release()

    started = time.perf_counter()
    makers = [room_bodies(r, sessions, events) for r in range(rooms)]
    for _ in range(sessions):
        for maker in makers:
            await gate.acquire()
            task = asyncio.ensure_future(one(*next(maker)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    return time.perf_counter() - started


def module_at(rev: str, name: str, folder: str = "classroom_console/centre") -> ModuleType:
    """``<folder>/<name>.py`` as it was at git revision ``rev``, as a module of its own."""
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{folder}/{name}.py"],
                          check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="cc-old-")) / f"{name}_old.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"{name}_old", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def old_charts(rev: str) -> ModuleType:
    """``centre/charts.py`` of ``rev`` on the ``usage_sql.py`` of ``rev`` (whose statements it takes and changes)."""
    name = "classroom_console.usage_sql"
    today = sys.modules[name]
    sys.modules[name] = module_at(rev, "usage_sql", "classroom_console")
    try:
        return module_at(rev, "charts")
    finally:
        sys.modules[name] = today


def new_indexes(rev: str) -> list[str]:
    """The indexes today's schema makes that the schema of ``rev`` did not: the old statements run without them."""
    then = module_at(rev, "schema")
    old = {schema.index_name(s) for s in (*then.SCHEMA, *then.AFTER_COLUMNS)}
    return [n for n in (schema.index_name(s) for s in (*schema.SCHEMA, *schema.AFTER_COLUMNS)) if n and n not in old]


SHOWN = """SELECT uid FROM devices WHERE room_id IN (SELECT room_id FROM session_spans WHERE started_at >= :since
    AND started_at < :until AND lecturer = :lecturer)"""
SPANS = """SELECT device_uid FROM device_spans WHERE started_at >= :since AND started_at < :until
    AND lecturer = :lecturer"""


def as_shown(report: UsageReport, rooms: set[str], spans: set[str]) -> UsageReport:
    """A report of the code before P8 for a lecturer alone, with only what the new one shows: the devices of the
    rooms the lecturer taught in (``rooms``: their ids) or that their sessions used (``spans``), and the faults of
    the first, or of others by fault events alone. Anything else left in it shows as other bytes."""
    if not report.filter.lecturer or report.filter.room:
        return report
    return replace(report, devices=tuple(d for d in report.devices if d.uid in rooms | spans),
                   faults=tuple(x for x in report.faults if x.uid in rooms or x.fault_readings == 0))


def shown_params(f: UsageFilter) -> dict[str, Any]:
    since, until = f.utc_bounds()
    return {"since": since, "until": until, "lecturer": f.lecturer}


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def chart_of(name: str) -> str:
    return name.split("__")[0]


def sqlite_runs(path: Path, old_path: Path, plans: dict[str, Plan], show: bool) -> Results:
    """Per plan, per filter: (ms per chart, ms for the whole report, report bytes); the old plan reads ``old_path``."""
    conns = {p: sqlite3.connect(where.absolute().as_uri() + "?mode=ro", uri=True)
             for p, where in ((p, old_path if p != "new" else path) for p in plans)}
    out: Results = {p: {} for p in plans}
    try:
        for label, f in FILTERS.items():
            planned = {p: plan(SQLITE, f) for p, plan in plans.items()}
            for p, (q, params, _) in planned.items():
                if show:
                    print(f"  -- {p} {label}")
                    for name, sql in q.items():
                        steps = [str(r[3]) for r in conns[p].execute("EXPLAIN QUERY PLAN " + sql,
                                                                       charts.params_for(sql, params))]
                        print(f"     {name}: {' | '.join(steps)}")
            per: dict[str, dict[str, list[float]]] = {p: {} for p in plans}
            whole: dict[str, list[float]] = {p: [] for p in plans}
            body: dict[str, bytes] = {}
            made: dict[str, UsageReport] = {}
            for _ in range(8):  # the first a warm-up
                for p, (q, params, rolled) in planned.items():  # old and new alternated
                    times: dict[str, float] = {}
                    rows: dict[str, list[Any]] = {}
                    gc.collect()  # the other plan's garbage is not collected in this one's time
                    t0 = time.perf_counter()
                    for name, sql in q.items():
                        t = time.perf_counter()
                        rows[name] = conns[p].execute(sql, charts.params_for(sql, params)).fetchall()
                        times[chart_of(name)] = times.get(chart_of(name), 0.0) + (time.perf_counter() - t) * 1000
                    made[p] = assemble(f, charts.merge(rows, rolled))
                    body[p] = report_bytes(made[p])
                    whole[p].append((time.perf_counter() - t0) * 1000)
                    for name, ms in times.items():
                        per[p].setdefault(name, []).append(ms)
            for p in plans:
                body[p] = report_bytes(_sqlite_shown(conns["new"], p, made[p]))  # outside the time
                out[p][label] = ({n: median(v[1:]) for n, v in per[p].items()}, median(whole[p][1:]), body[p])
        if len(plans) > 1:
            bodies = [{report_bytes(_sqlite_shown(conns["new"], p, _sqlite_report(conns[p], plan, f)))
                       for p, plan in plans.items()} for f in grid()]
            print(f"  sqlite: {sum(len(b) > 1 for b in bodies)} of {len(bodies)} filters give other bytes "
                  f"({sum(f.lecturer is not None and f.room is None for f in grid())} a lecturer's alone, as shown)")
    finally:
        for conn in conns.values():
            conn.close()
    return out


def _sqlite_shown(conn: sqlite3.Connection, p: str, report: UsageReport) -> UsageReport:
    """``as_shown`` for the old plan's report (``p`` is not "new"), its sets read from ``conn``."""
    f = report.filter
    if p == "new" or not f.lecturer or f.room:
        return report
    rooms, spans = ({str(r[0]) for r in conn.execute(sql, shown_params(f))} for sql in (SHOWN, SPANS))
    return as_shown(report, rooms, spans)


def _sqlite_report(conn: sqlite3.Connection, plan: Plan, f: UsageFilter) -> Any:
    q, params, rolled = plan(SQLITE, f)
    return assemble(f, charts.merge({n: conn.execute(sql, charts.params_for(sql, params)).fetchall()
                                     for n, sql in q.items()}, rolled))


async def pg_runs(urls: dict[str, str], plans: dict[str, Plan], show: bool) -> Results:
    """As ``sqlite_runs``; each plan reads the database at ``urls[plan]``."""
    out: Results = {p: {} for p in plans}
    conns = {p: await asyncpg.connect(urls[p]) for p in plans}
    try:
        for conn in conns.values():
            await conn.execute("VACUUM ANALYZE")  # what autovacuum does on a real server
        await _pg_timed(conns, plans, show, out)
        if len(plans) > 1:
            bodies = [{report_bytes(await _pg_shown(conns["new"], p, await _pg_report(conns[p], plan, f)))
                       for p, plan in plans.items()} for f in grid()]
            print(f"  postgresql: {sum(len(b) > 1 for b in bodies)} of {len(bodies)} filters give other bytes "
                  f"({sum(f.lecturer is not None and f.room is None for f in grid())} a lecturer's alone, as shown)")
    finally:
        for conn in conns.values():
            await conn.close()
    return out


async def _pg_timed(conns: dict[str, Any], plans: dict[str, Plan], show: bool, out: Results) -> None:
    for label, f in FILTERS.items():
        planned = {p: plan(POSTGRESQL, f) for p, plan in plans.items()}
        if show:
            for p, (q, params, _) in planned.items():
                print(f"  -- {p} {label}")
                for name, sql in q.items():
                    text, args = to_numbered(plain_numbers(sql), used_params(sql, params))
                    lines = [r[0] for r in await conns[p].fetch("EXPLAIN (ANALYZE, BUFFERS) " + text, *args)]
                    print(f"     {name}:\n        " + "\n        ".join(lines))
        per: dict[str, dict[str, list[float]]] = {p: {} for p in plans}
        whole: dict[str, list[float]] = {p: [] for p in plans}
        body: dict[str, bytes] = {}
        made: dict[str, UsageReport] = {}
        for _ in range(8):
            for p, (q, params, rolled) in planned.items():
                times: dict[str, float] = {}
                for name, sql in q.items():
                    text, args = to_numbered(plain_numbers(sql), used_params(sql, params))
                    t = time.perf_counter()
                    await conns[p].fetch(text, *args)
                    times[chart_of(name)] = times.get(chart_of(name), 0.0) + (time.perf_counter() - t) * 1000
                for name, ms in times.items():
                    per[p].setdefault(name, []).append(ms)
                names = list(q)
                combined = plain_numbers("SELECT " + ", ".join(
                    f"ARRAY(SELECT t FROM ({q[n]}) AS t) AS {n}" for n in names))
                text, args = to_numbered(combined, used_params(combined, params))
                gc.collect()
                t = time.perf_counter()
                row = await conns[p].fetchrow(text, *args)
                made[p] = assemble(f, charts.merge({n: [tuple(r) for r in row[n]] for n in names}, rolled))
                body[p] = report_bytes(made[p])
                whole[p].append((time.perf_counter() - t) * 1000)
        for p in plans:
            body[p] = report_bytes(await _pg_shown(conns["new"], p, made[p]))  # outside the time
            out[p][label] = ({n: median(v[1:]) for n, v in per[p].items()}, median(whole[p][1:]), body[p])


async def _pg_shown(conn: Any, p: str, report: UsageReport) -> UsageReport:
    f = report.filter
    if p == "new" or not f.lecturer or f.room:
        return report
    sets = []
    for sql in (SHOWN, SPANS):
        text, args = to_numbered(sql, shown_params(f))
        sets.append({str(r[0]) for r in await conn.fetch(text, *args)})
    return as_shown(report, *sets)


async def _pg_report(conn: Any, plan: Plan, f: UsageFilter) -> Any:
    q, params, rolled = plan(POSTGRESQL, f)
    rows = {}
    for name, sql in q.items():
        text, args = to_numbered(plain_numbers(sql), used_params(sql, params))
        rows[name] = [tuple(r) for r in await conn.fetch(text, *args)]
    return assemble(f, charts.merge(rows, rolled))


def show_figures(backend: str, rooms: int, results: Results) -> None:
    names = list(results)
    print(f"\n{backend}, {rooms} rooms (load {os.getloadavg()[0]:.1f}): ms, median of 7, " + " / ".join(names))
    for label in FILTERS:
        whole = " / ".join(f"{results[p][label][1]:.2f}" for p in names)
        same = "" if len(names) == 1 else (
            "  bytes identical" if len({results[p][label][2] for p in names}) == 1 else "  BYTES DIFFER")
        print(f"  {label}: whole report {whole}{same}")
        first = results[names[0]][label][0]
        for chart in first:
            cells = " / ".join(f"{results[p][label][0].get(chart, float('nan')):.3f}" for p in names)
            print(f"      {chart:<17}{cells}")


async def run(backend: str, folder: Path, rooms: int, args: argparse.Namespace, plans: dict[str, Plan],
              show: bool) -> Results:
    where = folder / f"{backend}-{rooms}"
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        where.chmod(0o755)
    with postgres(where, "-c shared_buffers=256MB") if backend == "postgresql" else _nothing() as url:
        db: CentreDB = await PostgresCentreDB.open(url) if url else await SqliteCentreDB.open(where / "centre.db")
        try:
            if not args.reuse:
                secs = await load(db, rooms, args.sessions, args.events)
                print(f"{backend}: loaded {rooms} rooms x {args.sessions} sessions x {args.events} events in "
                      f"{secs:.1f} s (load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            await db.close()
        dropped = new_indexes(args.compare) if args.compare else []
        if url:
            urls = {"new": url}
            if args.compare:
                old_url = url.replace("/postgres?", f"/{OLD}?")
                admin = await asyncpg.connect(url)
                try:
                    await admin.execute(f"DROP DATABASE IF EXISTS {OLD}")
                    await admin.execute(f"CREATE DATABASE {OLD} TEMPLATE postgres")
                finally:
                    await admin.close()
                old_conn = await asyncpg.connect(old_url)
                try:
                    for name in dropped:
                        await old_conn.execute(f"DROP INDEX IF EXISTS {name}")
                finally:
                    await old_conn.close()
                urls[args.compare] = old_url
            return await pg_runs(urls, plans, show)
    old_path = where / "centre-old.db"
    old_path.unlink(missing_ok=True)
    with sqlite3.connect(where / "centre.db") as src, sqlite3.connect(old_path) as conn:
        src.backup(conn)
        for name in dropped:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
    return await asyncio.to_thread(sqlite_runs, where / "centre.db", old_path, plans, show)


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # a plain kill still stops the cluster (the finally blocks)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rooms", default="10,300", help="centre sizes, comma-separated (default 10,300)")
    ap.add_argument("--sessions", type=int, default=60, help="sessions per room (default 60)")
    ap.add_argument("--events", type=int, default=20, help="events per session (default 20)")
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--compare", metavar="REV", help="time charts.py of this git revision beside the working tree's")
    ap.add_argument("--plans", action="store_true", help="print every statement's plan on the largest centre")
    ap.add_argument("--keep", type=Path, help="load into this folder and leave it there")
    ap.add_argument("--reuse", action="store_true", help="time what --keep DIR holds already, without loading")
    args = ap.parse_args()
    if args.reuse and not args.keep:
        ap.error("--reuse needs --keep DIR")
    sizes = [int(n) for n in args.rooms.split(",")]
    if min(sizes) <= int(ROOM.split("-")[1]):
        ap.error(f"every centre needs {ROOM}")
    plans: dict[str, Plan] = {}
    if args.compare:
        plans[args.compare] = old_charts(args.compare).plan
        print(f"{args.compare}'s statements read a copy without the indexes made since: "
              f"{', '.join(new_indexes(args.compare)) or 'none'}")
    plans["new"] = charts.plan
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cc-bench-one-room-"))
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        folder.chmod(0o755)  # the cluster runs as postgres, which must reach its folder inside (mkdtemp's is 700)
    differ = False
    try:
        for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
            for rooms in sizes:
                results = asyncio.run(run(backend, folder, rooms, args, plans, args.plans and rooms == max(sizes)))
                show_figures(backend, rooms, results)
                differ = differ or any(len({results[p][label][2] for p in plans}) > 1 for label in FILTERS)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
