"""The centre's report bytes (centre/reports.py) are exactly ``json.dumps(report.as_json())``, never invalid JSON."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import random
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.centre.payloads import session_rows
from classroom_console.centre.reports import ReportCache, report_json
from classroom_console.centre.tokens import STAFF
from classroom_console.usage_model import UsageFilter, UsageReport
from tests.test_centre_api import auth
from tests.test_centre_rollups import FILTERS, NOW, body
from tests.test_sync_support import add_token, running_centre


async def test_report_bytes_equal_the_reports_own_json_and_refuse_nan(tmp_path: Path) -> None:
    rng = random.Random(3)
    db = await SqliteCentreDB.open(tmp_path / "centre.db")
    try:
        for i in range(30):
            await db.store_session(session_rows(f"r{i % 3}", f"s{i}", body(rng, f"s{i}", i % 3, 6), NOW))
        reports = [await db.usage(f) for f in (*FILTERS, UsageFilter(session_rows=True))]
    finally:
        await db.close()
    for report in reports:
        assert report_json(report) == json.dumps(report.as_json()).encode()
    assert reports[0].sessions == 30 and reports[-1].session_rows
    broken = dataclasses.replace(reports[0], hours_in_use=math.nan)
    with pytest.raises(ValueError):
        report_json(broken)


async def test_noting_token_use_keeps_reports_and_an_upload_renews_them(tmp_path: Path) -> None:
    """The tokens' last use is written every 10 s; no report reads it, so kept reports stay valid across it."""
    db = await SqliteCentreDB.open(tmp_path / "centre.db")
    try:
        await db.add_token("h" * 64, "r0", "room", "r0")
        before = db.generation
        await db.touch_tokens({"h" * 64: NOW})
        assert db.generation == before
        await db.store_session(session_rows("r0", "s1", body(random.Random(1), "s1", 0, 3), NOW))
        assert db.generation != before
    finally:
        await db.close()


async def test_the_same_query_asked_again_is_answered_fresh_after_an_upload(tmp_path: Path) -> None:
    """The parsed filter and the planned statements are kept by query; the answer still follows the data."""
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        room, staff = await add_token(centre, "Room A"), await add_token(centre, "Staff", STAFF)
        query = {"since": "2025-09-01", "until": "2025-12-31", "utc_offset_h": "5"}

        async def sessions(token: str) -> int:
            async with http.get(f"{centre.url}/api/v1/usage", params=query, headers=auth(token)) as r:
                assert r.status == 200, await r.text()
                return int((await r.json())["sessions"])

        async def upload(sid: str) -> None:
            b = body(random.Random(sid), sid, 0, 3)
            async with http.put(f"{centre.url}/api/v1/sessions/{sid}", json=b, headers=auth(room)) as r:
                assert r.status == 200, await r.text()

        assert (await sessions(room), await sessions(staff)) == (0, 0)
        await upload("s1")
        assert (await sessions(room), await sessions(staff)) == (1, 1)
        await upload("s2")
        assert (await sessions(room), await sessions(staff)) == (2, 2)
        for _ in range(2):  # a bad query is refused each time, not kept
            async with http.get(f"{centre.url}/api/v1/usage", params={"since": "9999-01-01"}, headers=auth(staff)) as r:
                assert r.status == 400


async def test_many_asking_at_once_get_one_report_made_per_generation_each_fresh(tmp_path: Path) -> None:
    """20 staff screens asking the same report at once (between uploads) are answered by one report made, the
    same exact bytes for all, equal to the database's own; after each upload's answer, the next ones include it."""
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        assert centre.db is not None
        db = centre.db
        room, staff = await add_token(centre, "Room A"), await add_token(centre, "Staff", STAFF)
        made: list[UsageFilter] = []
        usage = db.usage

        async def counted(f: UsageFilter) -> UsageReport:  # a spy: the real report, counted
            made.append(f)
            return await usage(f)

        db.usage = counted  # type: ignore[method-assign]
        query = {"since": "2025-09-01", "until": "2025-12-31"}

        async def report() -> bytes:
            async with http.get(f"{centre.url}/api/v1/usage", params=query, headers=auth(staff)) as r:
                assert r.status == 200, await r.text()
                return await r.read()

        for n in range(1, 4):
            sid = f"s{n}"
            b = body(random.Random(sid), sid, 0, 3)
            async with http.put(f"{centre.url}/api/v1/sessions/{sid}", json=b, headers=auth(room)) as r:
                assert r.status == 200, await r.text()
            answers = await asyncio.gather(*(report() for _ in range(20)))
            assert len(made) == n  # once for these 20, not 20 times
            assert set(answers) == {report_json(await usage(made[-1]))}
            assert json.loads(answers[0])["sessions"] == n  # includes the upload answered just before


async def test_a_report_on_its_way_survives_the_request_that_started_it_going_away() -> None:
    cache = ReportCache()
    f = UsageFilter(room="Room A")
    release, begun = asyncio.Event(), asyncio.Event()
    started = 0

    async def make(_: UsageFilter) -> bytes:
        nonlocal started
        started += 1
        begun.set()
        await release.wait()
        return b"{}"

    first = asyncio.ensure_future(cache.get_or_make(f, 7, make))
    second = asyncio.ensure_future(cache.get_or_make(f, 7, make))
    async with asyncio.timeout(30):
        await begun.wait()
    first.cancel()  # its client went away
    release.set()
    async with asyncio.timeout(30):
        assert await second == b"{}"
    assert first.cancelled() and started == 1
    assert cache.get(f, 7) == b"{}" and await cache.get_or_make(f, 7, make) == b"{}" and started == 1
    assert cache.get(f, 8) is None  # another generation: made again
