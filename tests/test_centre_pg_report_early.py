"""A usage report made by one PostgreSQL centre process is answered as soon as its JSON is made; leaving it for the
other processes (``centre_reports``, and the commit that lets go of the filter's lock) goes on after it.
On a real PostgreSQL server: the shared table is held against writes by another session meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.pg_reports import filter_key
from classroom_console.usage_model import UsageFilter
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)

asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 30.0


async def _shared(db: PostgresCentreDB, f: UsageFilter) -> list[tuple[Any, ...]]:
    return await db.fetch("SELECT body FROM centre_reports WHERE filter = :key", {"key": filter_key(f)})


async def test_a_report_is_answered_before_it_is_left_for_the_other_processes(postgres_url: str) -> None:  # noqa: F811
    db = await PostgresCentreDB.open(postgres_url)
    blocker = await asyncpg.connect(postgres_url)
    try:
        f = UsageFilter(room=f"Early room {time.monotonic_ns()}")  # no report of it shared yet
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute("LOCK TABLE centre_reports IN EXCLUSIVE MODE")  # reads pass, writes wait
        try:
            async with asyncio.timeout(BOUND_S):
                body = await db.usage_body(f)
            assert body is not None and json.loads(body)["filter"]["room"] == f.room
            assert await _shared(db, f) == []  # still on its way
        finally:
            await holding.rollback()
        deadline = time.monotonic() + BOUND_S
        while not (rows := await _shared(db, f)):
            assert time.monotonic() < deadline, "the report was never left for the other processes"
            await asyncio.sleep(0.05)
        assert bytes(rows[0][0]) == body
    finally:
        await blocker.close()
        await db.close()
