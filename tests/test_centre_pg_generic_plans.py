"""The reports' connections of a PostgreSQL centre run a room's report on its generic plan from its first report on,
never planning it anew (the first five of each statement on each connection were: 2-7 ms each, more than reading the
room's rows took), while every room's report keeps PostgreSQL's own choice (its plan may depend on how many rows its
dates and lecturer select); the other connections keep PostgreSQL's choice. A filter's report made again and again
(the data changing between) is counted on the server itself: ``pg_prepared_statements`` of each report connection.
The bytes stay those of the existing tests (tests/test_centre_one_room_plans.py, tests/test_centre_postgres.py compare
them).
"""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from classroom_console.centre import pg_store
from classroom_console.centre.db_postgres import REPORT_CONNECTIONS, PostgresCentreDB
from classroom_console.usage_model import UsageFilter
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 60.0
REPORTS = 8  # more than the five custom plans PostgreSQL makes before it may choose the generic one
FILTERS = (UsageFilter(room="Plans room"), UsageFilter(room="Plans room", utc_offset_h=5, since=date(2026, 1, 5)),
           UsageFilter(), UsageFilter(until=date(2026, 2, 28)), UsageFilter(lecturer="Lecturer 3"))


async def _report_connections(db: PostgresCentreDB) -> tuple[list[str], dict[str, list[int]]]:
    """On the reports' thread, each of its report connections at once: its setting, and per statement the plans its
    reports ran on (generic, custom), summed over the connections."""
    async def all_at_once() -> tuple[list[str], dict[str, list[int]]]:
        held = [await db.report_pool.acquire().__aenter__() for _ in range(REPORT_CONNECTIONS)]
        plans: dict[str, list[int]] = {}
        try:
            modes = [await c.fetchval("SHOW plan_cache_mode") for c in held]
            for c in held:
                for text, generic, custom in await c.fetch(
                        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"):
                    seen = plans.setdefault(text, [0, 0])
                    seen[0] += generic
                    seen[1] += custom
            return modes, plans
        finally:
            for c in held:
                await db.report_pool.release(c)

    result: tuple[list[str], dict[str, list[int]]] = await db.reports.run(all_at_once())
    return result


async def test_a_rooms_report_is_made_on_its_generic_plan_and_only_the_report_connections_ask_for_it(
    postgres_url: str  # noqa: F811
) -> None:
    db = await PostgresCentreDB.open(postgres_url)
    try:
        async with asyncio.timeout(BOUND_S):
            for _ in range(REPORTS):
                for f in FILTERS:
                    assert await db.usage_body(f) is not None
                await db.execute(pg_store.BUMP, {})  # the data changed: each filter's report is made again
            modes, plans = await _report_connections(db)
            assert modes == ["force_generic_plan"] * REPORT_CONNECTIONS
            room, room_since, whole, until, lecturer = (plans[db._plans[f][0]] for f in FILTERS)
            assert room == room_since == [REPORTS, 0]  # planned once, never again for a report
            # every room's report for some dates has the whole report's statement (the dates are its values); every
            # room's, PostgreSQL's own choice: five custom plans first
            assert whole is until and whole[1] >= 5 and sum(whole) == 2 * REPORTS
            assert lecturer[1] >= 5 and sum(lecturer) == REPORTS
            for pool in (db.pool, db.quick_pool, db.writer_pool):
                async with pool.acquire() as conn:
                    assert await conn.fetchval("SHOW plan_cache_mode") == "auto"
    finally:
        await db.close()
