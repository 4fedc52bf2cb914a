"""A request cancelled while the centre waits to see whether PostgreSQL cut its connection (``db_postgres._lost``,
up to 0.25 s) still gives that connection back to its pool: each such cancel held one of the pool's ten for good."""

from __future__ import annotations

import asyncio

import pytest

from classroom_console.centre.db_postgres import MAIN_CONNECTIONS, PostgresCentreDB
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)

asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 30.0


async def test_a_request_cancelled_while_its_connection_is_judged_gives_the_connection_back(
    pg_server: PgServer,  # noqa: F811
) -> None:
    db = await PostgresCentreDB.open(pg_server.url, pg_server.password)
    try:
        judged = asyncio.Event()

        async def broken() -> None:
            async with db.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
                judged.set()  # the client-state error comes on a live connection: the wait runs its full time
                raise asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress")

        for _ in range(MAIN_CONNECTIONS):
            task = asyncio.ensure_future(broken())
            await asyncio.wait_for(judged.wait(), BOUND_S)
            judged.clear()
            task.cancel()  # (it went on to the wait as the error was raised: it is inside it now)
            with pytest.raises(asyncio.CancelledError):
                await task
        async with asyncio.timeout(BOUND_S):  # every connection of the pool can still be had
            held = [await db.pool._pool.acquire() for _ in range(MAIN_CONNECTIONS)]
            for conn in held:
                await db.pool._pool.release(conn)
        assert await db.fetch("SELECT 1", {}) == [(1,)]
    finally:
        try:
            async with asyncio.timeout(BOUND_S):  # a pool closes once every connection is back
                await db.close()
        except TimeoutError:
            db.pool._pool.terminate()
            raise AssertionError("a connection was never given back: its pool could not close") from None
