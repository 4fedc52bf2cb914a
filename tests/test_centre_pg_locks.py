"""The PostgreSQL centre's advisory locks never share a key (``centre/pg_locks.py``).

The index build's lock (``online_indexes.BUILD_LOCK``, held for a whole ``CREATE INDEX CONCURRENTLY``) was the same
key as the lock every group of uploaded sessions takes (``pg_store.GROUP_LOCK``, 72100502): while a living centre
built an index, every upload waited for the build (and the build, waiting for the uploads' snapshots, met them in a
deadlock). Here a session is stored while another connection holds the build's lock.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from classroom_console.centre import online_indexes, pg_locks, pg_reports, pg_store
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.payloads import session_rows
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import NOW, body

asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 20.0


def test_every_key_is_the_centres_own() -> None:
    assert online_indexes.BUILD_LOCK == pg_locks.BUILD_LOCK
    assert pg_store.GROUP_LOCK == pg_locks.GROUP_LOCK and pg_store.GATE_LOCK == pg_locks.GATE_LOCK
    assert len(set(pg_locks.FIXED)) == len(pg_locks.FIXED)
    assert str(pg_locks.REPORT_CLASS) in pg_reports.SHARED_LOCK


async def test_a_session_is_stored_while_an_index_is_built(postgres_url: str) -> None:  # noqa: F811 (fixture)
    db = await PostgresCentreDB.open(postgres_url)
    builder = await asyncpg.connect(postgres_url)
    try:
        if db.indexes is not None:  # the centre's own build at open first (it holds the lock meanwhile)
            async with asyncio.timeout(BOUND_S):
                await db.indexes
        await builder.execute("SELECT pg_advisory_lock($1)", online_indexes.BUILD_LOCK)  # as build_missing holds it
        rows = session_rows("Lock room", "l1", body(random.Random(3), "l1", 1, 4), NOW)
        async with asyncio.timeout(BOUND_S):  # (it waited for the build's end before: here, for ever)
            assert await db.store_session(rows) > 0
    finally:
        await builder.close()
        await db.close()
