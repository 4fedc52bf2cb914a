"""PostgreSQL's CPU per session stored in groups (``pg_store.GROUP``), beside the reference in the same run: the same
group stored by one server function call per new session (``centre_store_new_session`` and
``centre_add_shared_sums``, some twenty statements each), as the centre did before.

The sessions are the ones bench/sync_rooms.py sends (40 events each), stored straight through asyncpg, group after
group of a fixed size, into a fresh database per set-up on a throwaway cluster (bench/pg_cluster.py), so the figure
is the server's own: its backends' CPU (user + system, from /proc) divided by the sessions. Target: below the
reference at every group size (the rows and sums are equal: tests/test_centre_pg_groups.py).
``--against OLD.py`` adds an earlier pg_store.py (``git show REV:classroom_console/centre/pg_store.py > OLD.py``): its
documents and procedures, stored the same way in the same run, so a change to the store is an A/B on one machine load.
Usage: python bench/pg_groups.py [--sessions 3000] [--groups 8,64] [--quick] [--against OLD.py]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.pg_cluster import as_postgres, postgres, postmaster_pid, tree_cpu  # noqa: E402
from bench.sync_rooms import SESSIONS, bodies  # noqa: E402
from classroom_console.centre import pg_store  # noqa: E402
from classroom_console.centre.db_postgres import PostgresCentreDB  # noqa: E402
from classroom_console.centre.payloads import session_rows  # noqa: E402

NOW = "2026-01-01T00:00:00.000000Z"
# The group procedure as it was: a server function call per new session, then per session its shared sums.
REFERENCE = f"""CREATE OR REPLACE PROCEDURE bench_store_one_by_one(docs jsonb, INOUT held bigint[] DEFAULT NULL)
LANGUAGE plpgsql AS $pr$
DECLARE
    d jsonb;
    i bigint;
BEGIN
    held := array_fill(-1::bigint, ARRAY[jsonb_array_length(docs)]);
    FOR i, d IN SELECT ordinality, value FROM jsonb_array_elements(docs) WITH ORDINALITY
            ORDER BY value -> 'session' ->> 'room_id', ordinality LOOP
        held[i] := centre_store_new_session(d);
    END LOOP;
    PERFORM pg_advisory_xact_lock({pg_store.GROUP_LOCK});
    FOR i, d IN SELECT ordinality, value FROM jsonb_array_elements(docs) WITH ORDINALITY ORDER BY ordinality LOOP
        IF held[i] < 0 THEN
            held[i] := centre_store_session(d);
        ELSE
            PERFORM centre_add_shared_sums(d);
        END IF;
    END LOOP;
    COMMIT;
    PERFORM nextval('centre_version');
END
$pr$"""
MODES = {"grouped": pg_store.STORE_GROUP, "reference": "CALL bench_store_one_by_one($1::jsonb)"}


def documents(n: int, room: int = 0, store: Any = pg_store) -> list[str]:
    """``n`` sessions as the centre hands them to the server (made before the clock), rooms from ``room`` on."""
    docs: list[str] = []
    while len(docs) < n:
        for sid, body in bodies(room):
            docs.append(store.document(session_rows(f"Room {room}", sid, json.loads(body), NOW)))
        room += 1
    return docs[:n]


def earlier(path: str) -> ModuleType:
    """An earlier pg_store.py, loaded apart from the package's own."""
    spec = importlib.util.spec_from_file_location("pg_store_earlier", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def run(url: str, pg: int, docs: list[str], warm: list[str], size: int, call: str,
              store: Any = pg_store) -> tuple[float, float]:
    """Stores ``docs`` in groups of ``size``; PostgreSQL CPU ms a session and sessions a second."""
    db = await PostgresCentreDB.open(url)  # the schema and the procedures
    await db.close()
    conn = await asyncpg.connect(url)
    try:
        if store is not pg_store:  # the earlier procedures in place of the current ones
            for statement in (store.FUNCTION, store.NEW_FUNCTION, store.SHARED_FUNCTION, store.GROUP):
                await conn.execute(statement)
        await conn.execute(REFERENCE)
        for k in range(0, 2 * size, size):  # before the clock: the statements planned, as in a running centre
            await conn.fetchval(call, "[" + ",".join(warm[k:k + size]) + "]")
        cpu, started = tree_cpu(pg), time.perf_counter()
        for k in range(0, len(docs), size):
            await conn.fetchval(call, "[" + ",".join(docs[k:k + size]) + "]")
        elapsed = time.perf_counter() - started
        return 1000 * (tree_cpu(pg) - cpu) / len(docs), len(docs) / elapsed
    finally:
        await conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=3000)
    ap.add_argument("--groups", default="8,64", help="sessions a group (the centre makes up to 64)")
    ap.add_argument("--rounds", type=int, default=2, help="each set-up this many times, alternating")
    ap.add_argument("--quick", action="store_true", help=f"{SESSIONS * 100} sessions: well under a minute")
    ap.add_argument("--against", help="an earlier pg_store.py, stored the same way beside the current one")
    args = ap.parse_args()
    if args.quick:
        args.sessions = SESSIONS * 100
    sizes = [int(s) for s in args.groups.split(",") if s.strip()]
    stores: dict[str, Any] = {"grouped": pg_store, "reference": pg_store}
    modes = dict(MODES)
    if args.against:
        stores["earlier"], modes["earlier"] = earlier(args.against), pg_store.STORE_GROUP
    docs = {mode: documents(args.sessions, 0, store) for mode, store in stores.items()}
    warm = {mode: documents(2 * max(sizes), 1_000_000, store) for mode, store in stores.items()}
    tmp = Path(tempfile.mkdtemp(prefix="cc-pg-groups-"))
    tmp.chmod(0o755)
    print(f"{args.sessions} sessions of 40 events, stored in groups; {os.cpu_count()} cores; "
          f"load {os.getloadavg()[0]:.1f}")
    try:
        with postgres(tmp) as server:
            port = urllib.parse.urlsplit(server).port
            pg = postmaster_pid(tmp)
            assert pg is not None
            k = 0
            for _ in range(args.rounds):
                for size in sizes:
                    got: dict[str, float] = {}
                    for mode, call in modes.items():
                        k += 1
                        db = f"groups{k}"
                        subprocess.run(as_postgres(["psql", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                                                    "-c", f"CREATE DATABASE {db}"]), check=True)
                        url = f"postgresql://postgres@127.0.0.1:{port}/{db}?sslmode=disable"
                        cpu, rate = asyncio.run(run(url, pg, docs[mode], warm[mode], size, call, stores[mode]))
                        got[mode] = cpu
                        print(f"groups of {size:3d}, {mode:9s}: PostgreSQL {cpu:5.2f} ms CPU a session, "
                              f"{rate:5.0f} sessions/s; load {os.getloadavg()[0]:.1f}", flush=True)
                    print(f"groups of {size:3d}: grouped / reference CPU = {got['grouped'] / got['reference']:.2f} "
                          "(target < 1)", flush=True)
                    if "earlier" in got:
                        print(f"groups of {size:3d}: grouped / earlier pg_store CPU = "
                              f"{got['grouped'] / got['earlier']:.2f} (below 1: the change made a session cheaper)",
                              flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
