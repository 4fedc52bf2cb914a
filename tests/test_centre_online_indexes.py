"""Indexes added to a living PostgreSQL centre are built while writers keep writing (online_indexes.py).

On the real server: a transaction that has written to the table stays open (a long upload), so any index build
must wait for it. A plain CREATE INDEX (what the schema's transaction ran) then holds every later writer behind
it: checked here first, so the test can tell. The online build waits too, but the writer's inserts go through
meanwhile, and the index is valid once that transaction ends. A build interrupted mid-way leaves an invalid index,
which the next build drops and makes again; another process building means this one does not wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from classroom_console.centre import online_indexes, schema
from classroom_console.centre.db_postgres import PostgresCentreDB
from tests.test_centre_postgres import postgres_url  # noqa: F401  (the fixture: a throwaway cluster)

INSERT = """INSERT INTO device_spans (room_id, session_id, device_uid, started_at, lecturer, dur_s)
    VALUES ('w', $1, 'd', '2025-09-01T10:00:00.000000Z', 'L', 60)"""
WAIT_S = 30.0  # generous bound on every wait for the server


@pytest.fixture
async def centre(postgres_url: str) -> AsyncIterator[str]:  # noqa: F811 (fixture)
    """A centre with rows in device_spans and without the room index (as the code before P6 left it)."""
    db = await PostgresCentreDB.open(postgres_url)
    await db.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        await online_indexes.build_missing(conn)  # any the centre's own start left unmade (closed at once)
        await conn.execute("TRUNCATE device_spans")
        await conn.execute("DROP INDEX IF EXISTS device_spans_room")
        await conn.execute("""INSERT INTO device_spans (room_id, session_id, device_uid, started_at, lecturer, dur_s)
            SELECT 'r' || (g % 300), 's' || g, 'd', '2025-09-01T10:00:00.000000Z', 'L' || (g % 50), g % 7000
            FROM generate_series(1, 20000) AS g""")
        yield postgres_url
    finally:
        await conn.close()


async def _until(check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not await check():
        assert time.monotonic() < deadline, f"no {what} within {WAIT_S} s"
        await asyncio.sleep(0.02)


async def _waiting(url: str, query_start: str) -> bool:
    """Whether a backend running a statement that starts so is waiting for a lock."""
    conn = await asyncpg.connect(url)
    try:
        return bool(await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE $1 AND wait_event_type = 'Lock'",
            query_start + "%"))
    finally:
        await conn.close()


async def _valid(conn: Any, name: str) -> bool | None:
    return await conn.fetchval(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1", name)


@contextlib.asynccontextmanager
async def _long_upload(url: str) -> AsyncIterator[Any]:
    """A transaction that has written to device_spans and stays open until the block ends."""
    conn = await asyncpg.connect(url)
    tx = conn.transaction()
    await tx.start()
    await conn.execute(INSERT, "long")
    try:
        yield conn
    finally:
        await tx.rollback()
        await conn.close()


async def _writes(url: str, n: int, tag: str) -> float:
    """``n`` inserts, each its own transaction; the longest took (s). Times out if one is held up."""
    conn = await asyncpg.connect(url)
    longest = 0.0
    try:
        for i in range(n):
            t = time.perf_counter()
            async with asyncio.timeout(3):
                await conn.execute(INSERT, f"{tag}{i}")
            longest = max(longest, time.perf_counter() - t)
    finally:
        await conn.close()
    return longest


async def test_the_plain_build_holds_writers_up_and_the_online_one_does_not(centre: str) -> None:
    # what the schema's transaction ran: the writer waits behind it
    async with _long_upload(centre):
        plain = await asyncpg.connect(centre)
        build = asyncio.ensure_future(plain.execute(schema.DEVICE_SPANS_ROOM))
        try:
            await _until(lambda: _waiting(centre, "CREATE INDEX IF NOT EXISTS"), "plain build waiting")
            with pytest.raises(TimeoutError):
                await _writes(centre, 1, "held")
        finally:
            build.cancel()
            with contextlib.suppress(asyncio.CancelledError, asyncpg.PostgresError):
                await build
            await plain.close()
    # the online build: it waits for the long upload as well, but the writer's rows go in meanwhile
    async with _long_upload(centre) as long_upload:
        task = online_indexes.start(lambda: asyncpg.connect(centre, password=""))
        await _until(lambda: _waiting(centre, "CREATE INDEX CONCURRENTLY"), "online build waiting")
        longest = await _writes(centre, 50, "free")
        assert not task.done()  # the writes went in while the index was being built
        assert longest < 3
        assert await _valid(long_upload, "device_spans_room") is False  # begun, not done
    assert await asyncio.wait_for(task, WAIT_S) == ["device_spans_room"]
    conn = await asyncpg.connect(centre)
    try:
        assert await _valid(conn, "device_spans_room") is True
        assert await conn.fetchval("SELECT count(*) FROM device_spans WHERE session_id LIKE 'free%'") == 50
        assert await online_indexes.build_missing(conn) == []  # made once: nothing more to do
    finally:
        await conn.close()


async def test_an_interrupted_build_is_dropped_and_made_again(centre: str) -> None:
    async with _long_upload(centre):
        task = online_indexes.start(lambda: asyncpg.connect(centre, password=""))
        await _until(lambda: _waiting(centre, "CREATE INDEX CONCURRENTLY"), "online build waiting")
        killer = await asyncpg.connect(centre)  # the builder's process dies mid-build
        try:
            assert await killer.fetchval("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE query LIKE 'CREATE INDEX CONCURRENTLY%'") == 1
            assert await asyncio.wait_for(task, WAIT_S) is None  # one log line, no exception
            assert await _valid(killer, "device_spans_room") is False  # the leftover IF NOT EXISTS would keep
        finally:
            await killer.close()
    conn = await asyncpg.connect(centre)
    try:
        assert await online_indexes.build_missing(conn) == ["device_spans_room"]
        assert await _valid(conn, "device_spans_room") is True
        plan = await conn.fetch("EXPLAIN SELECT * FROM device_spans WHERE room_id = 'r7' AND started_at > '2025'")
        assert "device_spans_room" in "\n".join(r[0] for r in plan)
    finally:
        await conn.close()


async def test_a_build_under_way_elsewhere_is_not_waited_for(centre: str) -> None:
    other = await asyncpg.connect(centre)
    conn = await asyncpg.connect(centre)
    try:
        await other.execute("SELECT pg_advisory_lock($1)", online_indexes.BUILD_LOCK)
        async with asyncio.timeout(5):
            assert await online_indexes.build_missing(conn) is None
        assert await _valid(conn, "device_spans_room") is None
    finally:
        await other.close()
        await conn.close()


def test_the_schema_transaction_leaves_the_online_indexes_out() -> None:
    inside = online_indexes.in_transaction((*schema.SCHEMA, *schema.AFTER_COLUMNS))
    assert not set(schema.ONLINE_INDEXES) & set(inside)
    assert len(inside) + len(schema.ONLINE_INDEXES) == len(schema.SCHEMA) + len(schema.AFTER_COLUMNS)
    for statement in schema.ONLINE_INDEXES:
        assert online_indexes.concurrently(statement).startswith("CREATE INDEX CONCURRENTLY IF NOT EXISTS ")


async def test_a_centre_opens_and_its_writers_write_while_its_new_index_is_built(centre: str) -> None:
    async with _long_upload(centre) as long_upload:
        await long_upload.execute("INSERT INTO tablet_counts (room_id, session_id, item, kind) "
                                  "VALUES ('w', 'l', '', 'join')")  # a table whose columns open adds to
        async with asyncio.timeout(WAIT_S / 2):  # the code before waited here for the long upload to end
            db = await PostgresCentreDB.open(centre)
        try:
            assert await _writes(centre, 20, "open") < 3
            assert db.indexes is not None and not db.indexes.done()  # still waiting for the long upload
        except BaseException:
            await db.close()
            raise
    try:
        assert await asyncio.wait_for(db.indexes, WAIT_S) == ["device_spans_room"]
    finally:
        await db.close()


async def test_a_start_reads_no_tablet_counts_once_their_fills_are_done(postgres_url: str) -> None:  # noqa: F811
    """The schema's fills of tablet_counts' span columns and of tablet_sessions ran on every start, each reading the
    whole table (P7). Now only on the start that adds what they fill: a centre opens while another transaction holds
    tablet_counts whole (the code before waited for it), and one that lacks them still gets them filled."""
    db = await PostgresCentreDB.open(postgres_url)
    await db.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("TRUNCATE tablet_counts, tablet_sessions, session_spans")
        await conn.execute("""INSERT INTO session_spans (room_id, id, lecturer, course, started_at, t0_s, dur_s)
            VALUES ('r1', 's1', 'L1', 'C1', '2025-09-01T10:00:00.000000Z', 1756720800, 3600)""")
        await conn.execute("INSERT INTO tablet_counts (room_id, session_id, item, kind, events, seats) "
                           "VALUES ('r1', 's1', '', 'join', 3, 3)")  # as a centre before the span columns kept it
        tx = conn.transaction()
        await tx.start()
        await conn.execute("LOCK TABLE tablet_counts IN ACCESS EXCLUSIVE MODE")
        try:
            async with asyncio.timeout(WAIT_S / 2):  # the code before waited here for the lock
                db = await PostgresCentreDB.open(postgres_url)
            await db.close()
        finally:
            await tx.rollback()
        for table, column, _ in schema.ADDED_COLUMNS:  # a centre made before the span columns and tablet_sessions
            if table == "tablet_counts":
                await conn.execute(f"ALTER TABLE tablet_counts DROP COLUMN {column}")
        await conn.execute("DROP TABLE tablet_sessions")
        db = await PostgresCentreDB.open(postgres_url)
        await db.close()
        assert tuple(await conn.fetchrow("SELECT started_at, lecturer, course FROM tablet_counts")) == (
            "2025-09-01T10:00:00.000000Z", "L1", "C1")
        assert await conn.fetchval("SELECT count(*) FROM tablet_sessions WHERE room_id = 'r1' AND lecturer = 'L1'") == 1
    finally:
        await conn.close()
