"""Two centre processes' reports of one filter (``pg_reports``): the next report a process makes for the requests
waiting there holds the newest data version those requests read as they came, so another process's report that
holds it is taken, not made again. Real PostgreSQL, two ``PostgresCentreDB`` as two processes would hold them.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from classroom_console.centre import pg_store
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.pg_reports import Mark
from classroom_console.usage_model import UsageFilter, UsageReport
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 60.0


async def test_the_next_report_takes_another_processs_that_holds_what_its_requests_saw(
    pg_server: PgServer,  # noqa: F811
) -> None:
    """B's report on its way is held; an upload is answered, a request comes to B (it must see that upload) and waits
    for B's next report; A makes one holding the upload, and another upload comes. B's next report takes A's (or the
    one that just ended, which took A's) instead of making one of its own: it holds all the request saw. Each process
    made its own before (a version read after the wait, which nobody's report held)."""
    a = await PostgresCentreDB.open(pg_server.url, pg_server.password)
    b = await PostgresCentreDB.open(pg_server.url, pg_server.password)
    try:
        f = UsageFilter(room="Next room")
        gate, entered = threading.Event(), threading.Event()
        make = b._report_and_body

        async def held(f: UsageFilter, version: int, mark: Mark) -> tuple[int, UsageReport | None, bytes]:
            if not entered.is_set():
                entered.set()
                await asyncio.to_thread(gate.wait, BOUND_S)  # (on the reports' loop: the test holds it here)
            return await make(f, version, mark)

        b.reports._make = held
        async with asyncio.timeout(BOUND_S):
            on_its_way = asyncio.ensure_future(b.reports.get(f))
            await asyncio.to_thread(entered.wait, BOUND_S)
            await a.execute(pg_store.BUMP, {})  # an upload answered
            seen = (await a.fetch(pg_store.VERSION, {}))[0][0]
            waiting = asyncio.ensure_future(b.reports.get(f))

            async def queued() -> bool:  # it has read the version and waits for the next report (on B's thread)
                st = b.reports._filters.get(f)
                return st is not None and st.queued is not None and st.queued_need >= seen

            for _ in range(int(BOUND_S / 0.005)):
                if await b.reports.run(queued()):
                    break
                await asyncio.sleep(0.005)
            assert (await a.reports.get(f)).version >= seen and a.reports.made == 1
            await a.execute(pg_store.BUMP, {})  # another
            gate.set()
            await on_its_way
            got = await waiting
        assert got.version >= seen
        assert b.reports.made == 0, "B made a report of its own where A's held all its request saw"
    finally:
        await a.close()
        await b.close()
