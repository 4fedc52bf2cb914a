"""The centre's charts on the centre's own database at centre scale (issue 17 section 3).

Loads N sessions and M events through the centre's real ingest path (JSON body -> ``session_rows_fast`` or
``payloads.session_rows`` as the handler picks ->
``CentreDB.store_session``, recordings through ``recording_row`` -> ``add_recording``) into SQLite or a throwaway
Debian PostgreSQL cluster this script starts itself, then times every chart's statement as the centre runs it
(``centre/charts.py``: the rollups) beside the same chart computed from the base tables (``usage_sql``, what the
centre ran before: a scan of the rows) and a plain ``count(*)`` over the events (a full scan), median of 5.
The bodies are made by a second process, so the ingest figure is the centre's work, not the generator's.

Targets: every chart <= 100 ms at 500,000 sessions / 10,000,000 events, both back ends; ingest >= 5,000 events/s.
Usage: python bench/centre_queries.py [--sessions 500000] [--events 10000000] [--backend sqlite|postgresql|both]
       [--rooms 40] [--quick] [--keep DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg_cluster import postgres  # noqa: E402
from classroom_console.centre import charts  # noqa: E402
from classroom_console.centre.db import CentreDB  # noqa: E402
from classroom_console.centre.db_postgres import PostgresCentreDB  # noqa: E402
from classroom_console.centre.db_sqlite import SqliteCentreDB, query_charts  # noqa: E402
from classroom_console.centre.payloads import recording_row, session_rows  # noqa: E402
from classroom_console.centre.session_fast import session_rows_fast  # noqa: E402
from classroom_console.usage import query_sqlite  # noqa: E402
from classroom_console.usage_model import UsageFilter  # noqa: E402
from classroom_console.usage_sql import POSTGRESQL, build_queries, to_numbered, used_params  # noqa: E402

DEVICES_PER_ROOM, LECTURERS, COURSES = 8, 300, 400
TARGET_MS, TARGET_EVENTS_S = 100.0, 5000.0
CHUNK = 200
FULL_SCAN = "SELECT count(*), max(wall_time) FROM session_events"  # reads every event row
FILTERS = {
    "everything": UsageFilter(),
    "everything +5h": UsageFilter(utc_offset_h=5),
    "one room": UsageFilter(room="room-7"),
    "one lecturer": UsageFilter(lecturer="Lecturer 42"),
    "one month +5h": UsageFilter(since=date(2026, 1, 1), until=date(2026, 1, 31), utc_offset_h=5),
}


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def session_body(rng: random.Random, r: int, i: int, sid: str, events: int) -> tuple[bytes, bytes | None]:
    """Session ``i`` of room ``r`` as its console uploads it: the JSON body and, for every tenth, its recording's.

    Drawn from ``rng`` in this order: the start, each event, the lamp readings (every twentieth), the lecturer and
    the course (bench/centre_one_room.py makes each room's history with it too)."""
    start = datetime(2025, 9, 1, tzinfo=UTC)
    day = start + timedelta(days=rng.randrange(365))
    begin = day.replace(hour=rng.randrange(7, 19), minute=rng.choice((0, 10, 30, 40)))
    end = begin + timedelta(minutes=rng.randrange(40, 200))
    span = (end - begin).total_seconds()
    evs = []
    for k in range(events):
        kind = rng.choices(("state", "command", "error", "command_failed"), (80, 18, 1.5, 0.5))[0]
        evs.append({"id": k + 1, "device_uid": f"mac:{r}:{rng.randrange(DEVICES_PER_ROOM)}", "kind": kind,
                    "payload": {}, "wall_time": iso(begin + timedelta(seconds=rng.random() * span))})
    readings = []
    if i % 20 == 0:  # lamp hours now and then, as a console reports them
        readings = [{"device_uid": f"mac:{r}:{d}", "wall_time": iso(begin), "power": "on",
                     "lamp_hours": [500 + i // 100], "error_status": {} if rng.random() > 0.02 else
                     {"lamp": "warning"}} for d in range(2)]
    body = {
        "session": {"id": sid, "lecturer": f"Lecturer {rng.randrange(LECTURERS)}",
                    "course": f"Course {rng.randrange(COURSES)}", "kind": "active-learning",
                    "started_at": iso(begin), "ended_at": iso(end), "status": "completed"},
        "events": evs,
        "devices": [{"uid": f"mac:{r}:{d}", "kind": "projector" if d < 2 else "camera", "name": f"Device {r}.{d}"}
                    for d in range(DEVICES_PER_ROOM)],
        "readings": readings,
    }
    rec = None
    if i % 10 == 0:
        rec = json.dumps({"id": "r" + sid[1:], "session_id": sid, "name": "lecture.mp4", "size": 1_500_000_000,
                          "sha256": "0" * 64, "started_at": iso(begin), "stopped_at": iso(end),
                          "duration_s": span}).encode()
    return json.dumps(body).encode(), rec


def make_bodies(sessions: int, events: int, rooms: int, out: Any) -> None:
    """The second process: (room, session id, JSON body, recording JSON or None) in chunks, then None."""
    rng = random.Random(5)
    per_session = events // sessions
    chunk: list[tuple[str, str, bytes, bytes | None]] = []
    for i in range(sessions):
        r = rng.randrange(rooms)
        sid = f"s{i:08d}"
        chunk.append((f"room-{r}", sid, *session_body(rng, r, i, sid, per_session)))
        if len(chunk) == CHUNK:
            out.put(chunk)
            chunk = []
    out.put(chunk)
    out.put(None)


async def load(db: CentreDB, sessions: int, events: int, rooms: int, concurrency: int) -> tuple[float, float]:
    """Every body through the real ingest path, ``concurrency`` uploads at once; (seconds, centre CPU seconds)."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue(maxsize=64)
    maker = ctx.Process(target=make_bodies, args=(sessions, events, rooms, q), daemon=True)
    maker.start()
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)
    now = iso(datetime.now(UTC))
    pending: set[asyncio.Task[None]] = set()
    done_count = 0

    async def one(room: str, sid: str, raw: bytes, rec: bytes | None) -> None:
        nonlocal done_count
        try:
            # as the handler does (app.put_session via bodies.read): the compiled check, else the reference one
            rows = session_rows_fast(room, sid, raw, now) or session_rows(room, sid, json.loads(raw), now)
            await db.store_session(rows)
            if rec is not None:
                await db.add_recording(recording_row(room, json.loads(rec), 1 << 40))
        finally:
            gate.release()
            done_count += 1

    gc.freeze()  # as a running centre does (centre/server.py): the collector does not walk what it started with
    started, cpu0 = time.perf_counter(), time.process_time()
    last_note = started
    try:
        while True:
            chunk = await loop.run_in_executor(None, q.get)
            if chunk is None:
                break
            for item in chunk:
                await gate.acquire()
                task = asyncio.ensure_future(one(*item))
                pending.add(task)
                task.add_done_callback(pending.discard)
            if time.perf_counter() - last_note > 30:
                last_note = time.perf_counter()
                rate = done_count * (events // sessions) / (last_note - started)
                print(f"  ... {done_count} sessions stored, {rate:.0f} events/s", flush=True)
        if pending:
            await asyncio.gather(*pending)
    finally:
        gc.unfreeze()
        maker.join(timeout=30)
        if maker.is_alive():
            maker.kill()
    return time.perf_counter() - started, time.process_time() - cpu0


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def chart_of(name: str) -> str:
    return name.split("__")[0]


def time_sqlite(path: Path) -> tuple[float, dict[str, dict[str, tuple[float, float]]], dict[str, float]]:
    conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
    try:
        ref = []
        for _ in range(3):
            t = time.perf_counter()
            conn.execute(FULL_SCAN).fetchone()
            ref.append((time.perf_counter() - t) * 1000)
        out: dict[str, dict[str, tuple[float, float]]] = {}
        whole: dict[str, float] = {}
        for label, f in FILTERS.items():
            query_charts(conn, f)  # warm, as a centre that has answered once is
            rolled: dict[str, list[float]] = {}
            base: dict[str, list[float]] = {}
            wholes = []
            for _ in range(5):
                timings: dict[str, float] = {}
                t = time.perf_counter()
                query_charts(conn, f, timings)
                wholes.append((time.perf_counter() - t) * 1000)
                per: dict[str, float] = {}
                for name, secs in timings.items():
                    per[chart_of(name)] = per.get(chart_of(name), 0.0) + secs * 1000
                for name, ms in per.items():
                    rolled.setdefault(name, []).append(ms)
            for _ in range(3):
                timings = {}
                query_sqlite(conn, f, timings)
                for name, secs in timings.items():
                    base.setdefault(name, []).append(secs * 1000)
            out[label] = {n: (median(v), median(base.get(n, [float("nan")]))) for n, v in rolled.items()}
            whole[label] = median(wholes)
        return median(ref), out, whole
    finally:
        conn.close()


async def time_postgres(db: PostgresCentreDB) -> tuple[float, dict[str, dict[str, tuple[float, float]]],
                                                          dict[str, float]]:
    async with db.pool.acquire() as conn:
        await conn.execute("VACUUM ANALYZE")  # what autovacuum does on a real server
        ref = []
        for _ in range(3):
            t = time.perf_counter()
            await conn.fetchval(FULL_SCAN)
            ref.append((time.perf_counter() - t) * 1000)

        async def timed(queries: dict[str, str], params: dict[str, Any]) -> dict[str, float]:
            per: dict[str, float] = {}
            for name, sql in queries.items():
                text, args = to_numbered(sql, used_params(sql, params))
                t = time.perf_counter()
                await conn.fetch(text, *args)
                per[chart_of(name)] = per.get(chart_of(name), 0.0) + (time.perf_counter() - t) * 1000
            return per

        out: dict[str, dict[str, tuple[float, float]]] = {}
        whole: dict[str, float] = {}
        for label, f in FILTERS.items():
            queries, params, _ = charts.plan(POSTGRESQL, f)
            await timed(queries, params)
            runs = [await timed(queries, params) for _ in range(5)]
            bq, bp = build_queries(POSTGRESQL, f)
            base = [await timed(bq, bp) for _ in range(3)]
            out[label] = {n: (median([r[n] for r in runs]), median([b.get(n, float("nan")) for b in base]))
                          for n in runs[0]}
            wholes = []
            for _ in range(5):
                t = time.perf_counter()
                await db._make_report(f, conn)  # the report itself, not a copy kept while nothing changed
                wholes.append((time.perf_counter() - t) * 1000)
            whole[label] = median(wholes)
    return median(ref), out, whole


def report(backend: str, ref: float, out: dict[str, dict[str, tuple[float, float]]], whole: dict[str, float]) -> bool:
    load_avg = os.getloadavg()[0]
    print(f"\n{backend}: reference full scan (count(*), max(wall_time) over session_events) {ref:.1f} ms; "
          f"load {load_avg:.1f}")
    worst: dict[str, tuple[float, float]] = {}
    for label, charts_ms in out.items():
        print(f"  {label}: whole report (db.usage) {whole[label]:.1f} ms")
        for name, (ms, base_ms) in charts_ms.items():
            w = worst.get(name, (0.0, 0.0))
            worst[name] = (max(w[0], ms), max(w[1], base_ms))
    print(f"  worst case per chart over {len(out)} filters (median of 5), target <= {TARGET_MS:.0f} ms:")
    print(f"    {'chart':<17}{'centre':>10}{'base scan':>12}{'full scan':>11}")
    for name, (ms, base_ms) in worst.items():
        flag = "ok" if ms <= TARGET_MS else "OVER"
        print(f"    {name:<17}{ms:8.1f} ms{base_ms:9.1f} ms{ref:8.1f} ms  {flag}")
    return all(ms <= TARGET_MS for ms, _ in worst.values())


async def run(backend: str, folder: Path, args: argparse.Namespace) -> bool:
    print(f"\n== {backend}: loading {args.sessions} sessions, {args.events} events, {args.rooms} rooms "
          f"through the centre's ingest path ({args.concurrency} uploads at once); load {os.getloadavg()[0]:.1f}")
    big = "-c shared_buffers=512MB -c max_wal_size=4GB"
    with postgres(folder, big) if backend == "postgresql" else _nothing() as url:
        db: CentreDB = (await PostgresCentreDB.open(url) if url
                        else await SqliteCentreDB.open(folder / "centre.db"))
        try:
            rate = float("nan")
            if args.reuse:
                print("reusing the data loaded before (--reuse): no ingest figure")
            else:
                secs, cpu = await load(db, args.sessions, args.events, args.rooms, args.concurrency)
                total = args.events // args.sessions * args.sessions
                rate = total / secs
                print(f"ingest: {total} events in {secs:.1f} s = {rate:.0f} events/s, {args.sessions / secs:.0f} "
                      f"sessions/s; centre process CPU {cpu:.1f} s = {total / cpu:.0f} events per CPU-second; "
                      f"target >= {TARGET_EVENTS_S:.0f} events/s {'ok' if rate >= TARGET_EVENTS_S else 'UNDER'}; "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
            if isinstance(db, PostgresCentreDB):
                ref, out, whole = await time_postgres(db)
            else:
                ref, out, whole = await asyncio.to_thread(time_sqlite, folder / "centre.db")
        finally:
            await db.close()
    return report(backend, ref, out, whole) and (args.reuse or rate >= TARGET_EVENTS_S)


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # a plain kill still stops the cluster and the body maker (the finally blocks)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=500_000)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--rooms", type=int, default=40)
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--concurrency", type=int, default=16, help="uploads in flight at once (default 16)")
    ap.add_argument("--quick", action="store_true", help="20,000 sessions / 400,000 events: a few minutes")
    ap.add_argument("--keep", type=Path, help="load into this folder and leave it there")
    ap.add_argument("--reuse", action="store_true", help="time what --keep DIR holds already, without loading")
    args = ap.parse_args()
    if args.quick:
        args.sessions, args.events = 20_000, 400_000
    if args.reuse and not args.keep:
        ap.error("--reuse needs --keep DIR")
    if args.sessions < 1 or args.events < args.sessions:
        ap.error("need at least one session and at least one event per session")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    ok = True
    for backend in backends:
        folder = args.keep / backend if args.keep else Path(tempfile.mkdtemp(prefix=f"cc-bench-{backend}-"))
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            folder.chmod(0o755)
        try:
            ok = asyncio.run(run(backend, folder, args)) and ok
        finally:
            if args.keep is None:
                shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
