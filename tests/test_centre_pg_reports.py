"""Usage reports on PostgreSQL: asked at once, made once; kept while the data version stands; new after a store."""

from __future__ import annotations

import asyncio
import random

from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.payloads import session_rows
from classroom_console.usage_model import UsageFilter, UsageReport
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import NOW, body

BOUND_S = 30.0


async def test_a_report_asked_at_once_is_made_once_and_made_again_after_a_store(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    db = await PostgresCentreDB.open(postgres_url)
    try:
        made = 0
        make = db._make_report

        async def counted(f: UsageFilter) -> UsageReport:
            nonlocal made
            made += 1
            return await make(f)

        db._make_report = counted  # type: ignore[method-assign]
        f = UsageFilter(room="Report room")
        async with asyncio.timeout(BOUND_S):
            first = await asyncio.gather(*(db.usage(f) for _ in range(6)))
            assert made == 1 and all(r is first[0] for r in first)
            assert await db.usage(f) is first[0] and made == 1  # unchanged data: kept
            await db.store_session(session_rows("Report room", "rs1", body(random.Random(3), "rs1", 1, 4), NOW))
            after = await db.usage(f)
        assert made == 2 and after.sessions == first[0].sessions + 1
    finally:
        await db.close()
