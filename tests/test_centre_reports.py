"""The centre's report bytes (centre/reports.py) are exactly ``json.dumps(report.as_json())``, never invalid JSON."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.centre.payloads import session_rows
from classroom_console.centre.reports import report_json
from classroom_console.centre.tokens import STAFF
from classroom_console.usage_model import UsageFilter
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
