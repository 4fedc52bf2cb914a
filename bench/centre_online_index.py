"""How long an index build on a big PostgreSQL centre holds its writers up: plain CREATE INDEX against the online
build (``centre/online_indexes.py``), in the same run on the same table.

A throwaway Debian PostgreSQL cluster; ``device_spans`` filled with ROWS rows by SQL (the build's cost is the
table's size, not how the rows came); a writer inserts a row every 10 ms, each its own transaction, on a connection
of its own, while ``device_spans_room`` is built one way and then the other (dropped between). Printed: the build's
time, the writer's longest insert and how many it made during the build.

Usage: python bench/centre_online_index.py [--rows 2000000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.pg_cluster import postgres  # noqa: E402
from classroom_console.centre import online_indexes, schema  # noqa: E402
from classroom_console.centre.db_postgres import PostgresCentreDB  # noqa: E402

FILL = """INSERT INTO device_spans (room_id, session_id, device_uid, started_at, lecturer, dur_s)
    SELECT 'room-' || (g % 3000), 's' || g, 'mac:' || (g % 8),
        to_char(timestamp '2025-09-01' + (g % 400000) * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'Lecturer ' || (g % 900), g % 7200 FROM generate_series($1::bigint, $2::bigint) AS g"""
WRITE = """INSERT INTO device_spans (room_id, session_id, device_uid, started_at, lecturer, dur_s)
    VALUES ('room-w', $1, 'mac:w', '2026-11-30T10:00:00.000000Z', 'Lecturer w', 60)"""


async def _writer(url: str, tag: str, stop: asyncio.Event, out: list[tuple[float, float]]) -> None:
    """(start, seconds) of each insert until ``stop``, one every 10 ms."""
    conn = await asyncpg.connect(url)
    try:
        n = 0
        while not stop.is_set():
            t = time.perf_counter()
            await conn.execute(WRITE, f"{tag}{n}")
            out.append((t, time.perf_counter() - t))
            n += 1
            await asyncio.sleep(0.01)
    finally:
        await conn.close()


async def _round(url: str, label: str, build: Callable[[Any], Awaitable[Any]], n: int) -> None:
    stop = asyncio.Event()
    writes: list[tuple[float, float]] = []
    writer = asyncio.ensure_future(_writer(url, f"{label} {n} ", stop, writes))
    conn = await asyncpg.connect(url)
    try:
        await asyncio.sleep(1.0)
        t0 = time.perf_counter()
        await build(conn)
        t1 = time.perf_counter()
        await asyncio.sleep(0.5)
        stop.set()
        await writer
        during = [s for t, s in writes if t0 <= t <= t1]
        held = max((s for t, s in writes if t <= t1 and t + s >= t0), default=0.0)
        print(f"  {label:<28} build {t1 - t0:6.2f} s; writer: {len(during):4d} inserts during it, longest held "
              f"{held * 1000:8.1f} ms (load {os.getloadavg()[0]:.1f})", flush=True)
        await conn.execute("DROP INDEX IF EXISTS device_spans_room")
    finally:
        await conn.close()


async def run(url: str, rows: int) -> None:
    db = await PostgresCentreDB.open(url)
    await db.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP INDEX IF EXISTS device_spans_room")
        t = time.perf_counter()
        step = 500_000
        for lo in range(1, rows + 1, step):
            await conn.execute(FILL, lo, min(rows, lo + step - 1))
        await conn.execute("VACUUM ANALYZE device_spans")
        print(f"device_spans: {rows:,} rows in {time.perf_counter() - t:.1f} s")
    finally:
        await conn.close()
    for n in range(2):  # alternated, twice
        await _round(url, "plain CREATE INDEX", lambda c: c.execute(schema.DEVICE_SPANS_ROOM), n)
        await _round(url, "online (CONCURRENTLY)", online_indexes.build_missing, n)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2_000_000, help="rows in device_spans (default 2,000,000)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cc-bench-online-index-"))
    if os.geteuid() == 0:
        folder.chmod(0o755)  # the cluster runs as postgres
    with postgres(folder, "-c shared_buffers=256MB -c maintenance_work_mem=128MB") as url:
        asyncio.run(run(url, args.rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
