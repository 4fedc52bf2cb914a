"""Another process's report (``pg_reports.shared_try``/``shared_get``) crosses to the reports' thread only when it
is new enough: a stale one's 200 KB were read and thrown away twice a report while rooms sent (before the filter's
lock and after); the data version is read beside it."""

from __future__ import annotations

import asyncio

import pytest

from classroom_console.centre import pg_reports, pg_store
from classroom_console.centre.db_postgres import REPORT_MARKER, PostgresCentreDB
from classroom_console.usage_model import UsageFilter
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)

asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")


async def test_a_shared_report_too_old_comes_without_its_body(postgres_url: str) -> None:  # noqa: F811 (fixture)
    db = await PostgresCentreDB.open(postgres_url)
    conn = await asyncpg.connect(postgres_url)
    try:
        f = UsageFilter(room="Shared get room")
        key = pg_reports.filter_key(f)
        async with asyncio.timeout(60):
            made = await db.reports.get(f)
            for _ in range(6000):  # left for the others after the answer, by a task of its own
                if await conn.fetchval("SELECT count(*) FROM centre_reports WHERE filter = $1", key):
                    break
                await asyncio.sleep(0.01)
        get = pg_reports.shared_get(pg_store.VERSION)
        assert tuple(await conn.fetchrow(get, key, made.version)) == (made.version, made.body, made.version)
        assert tuple(await conn.fetchrow(get, key, made.version + 1)) == (made.version, None, made.version)
        await conn.execute("SELECT nextval('centre_version')")  # (as a store's commit does): the data moved on,
        # and the report still holds what requests that need its version saw (the next one made reads the new one)
        assert tuple(await conn.fetchrow(get, key, made.version)) == (made.version, made.body, made.version + 1)
    finally:
        await conn.close()
        await db.close()


async def test_a_report_no_other_process_makes_has_its_filters_lock_in_its_first_statement(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    """The lock tried, the other processes' report and the data version read in one statement (``shared_try``),
    then the charts: a report's round trips before its answer, where nobody else makes it (nginx sends usage
    requests to one process), were five (that report read outside the transaction, BEGIN, the lock, the report read
    again, the version) before the charts, then three (BEGIN, the lock's, the version); now two."""
    db = await PostgresCentreDB.open(postgres_url)
    try:
        f = UsageFilter(room="Try room")
        sent: list[str] = []

        async def logged() -> None:  # on the reports' thread, whose loop the report connections belong to
            pool = db.report_pool._pool
            held = [await pool.acquire() for _ in range(pool.get_max_size())]
            for conn in held:
                conn.add_query_logger(lambda record: sent.append(" ".join(record.query.split())))
                await pool.release(conn)

        async with asyncio.timeout(60):
            await db.reports.get(f)  # the pool's connections opened
            await db.reports.run(logged())
            await db.execute("SELECT nextval('centre_version')", {})  # (as a store's commit does)
            sent.clear()
            await db.reports.get(f)
        charts = next(n for n, query in enumerate(sent) if REPORT_MARKER in query)
        # asyncpg's own once-a-connection type introspection (and the JIT it turns off for it) is not the report's:
        # a busy machine's report may land on a pool connection that had not needed it yet
        before = [query for query in sent[:charts] if query.upper() not in ("BEGIN;", "BEGIN")
                  and "typeinfo_tree" not in query and "set_config('jit'" not in query]
        assert len(before) == 1 and "pg_try_advisory_xact_lock" in before[0], sent
    finally:
        await db.close()
