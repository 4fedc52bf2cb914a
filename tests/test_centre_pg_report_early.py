"""A usage report made by one PostgreSQL centre process is answered as soon as its JSON is made; leaving it for the
other processes (``centre_reports``, and the commit that lets go of the filter's lock) goes on after it. Another
process waits for a report on its way only when that report will hold what its own request needs.
On a real PostgreSQL server, with two ``PostgresCentreDB`` as two processes.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from typing import Any

import pytest

from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.payloads import session_rows
from classroom_console.centre.pg_reports import filter_key
from classroom_console.usage_model import UsageFilter, UsageReport
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import NOW, body

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


async def test_a_process_does_not_wait_for_another_processes_report_that_cannot_hold_its_request(
    postgres_url: str,  # noqa: F811
) -> None:
    """A makes a report (held at its charts); a session is stored after A read the data version; B's request, which
    must hold that session, is made by B at once, beside A's, instead of waiting for A's lock and then making it."""
    a = await PostgresCentreDB.open(postgres_url)
    b = await PostgresCentreDB.open(postgres_url)
    gate, entered = threading.Event(), threading.Event()
    try:
        f = UsageFilter(room=f"Beside room {time.monotonic_ns()}")
        await a.store_session(session_rows(f.room or "", "bs1", body(random.Random(5), "bs1", 1, 4), NOW))
        make_report = a._make_report

        async def held(f: UsageFilter, conn: Any) -> UsageReport:
            entered.set()
            await asyncio.to_thread(gate.wait, BOUND_S)
            return await make_report(f, conn)

        a._make_report = held  # type: ignore[method-assign]
        from_a = asyncio.ensure_future(a.usage_body(f))
        await asyncio.to_thread(entered.wait, BOUND_S)
        await b.store_session(session_rows(f.room or "", "bs2", body(random.Random(6), "bs2", 1, 4), NOW))
        async with asyncio.timeout(BOUND_S / 2):
            from_b = await b.usage_body(f)  # while A's report is still held
        assert json.loads(from_b or b"")["sessions"] == 2 and not from_a.done()
        gate.set()
        async with asyncio.timeout(BOUND_S):
            assert json.loads(await from_a or b"")["sessions"] in (1, 2)
        assert await b.usage_body(f) == from_b  # the newer one is what both processes now share
    finally:
        gate.set()
        await a.close()
        await b.close()
