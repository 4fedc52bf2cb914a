"""A usage request on a PostgreSQL centre: its token and its report in one trip to the reports' thread
(``auth.Aside``, ``db_postgres.usage_as``), answering as every other request would (401, 400, 403 in that order; a
revoke at the next request), and never queued behind the token lookups the rooms' requests make on the service's
loop. Over real HTTP, on a real PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yarl

from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.payloads import session_rows
from classroom_console.centre.server import CentreServer
from classroom_console.centre.tokens import STAFF, folder_for, issue_token, token_hash
from classroom_console.usage_model import UsageFilter
from tests.test_centre_api import auth
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import NOW, body
from tests.test_sync_support import add_token, running_centre

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 30.0


async def _get(http: aiohttp.ClientSession, url: str, token: str, query: str = "") -> tuple[int, Any]:
    async with http.get(f"{url}/api/v1/usage{query}", headers=auth(token)) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else await r.text())


@contextlib.asynccontextmanager
async def _centre(url: str, data: Path, staff_name: str,
                  ) -> AsyncIterator[tuple[CentreServer, PostgresCentreDB, aiohttp.ClientSession, str]]:
    async with running_centre(data, database_url=url) as centre, aiohttp.ClientSession() as http:
        assert isinstance(centre.db, PostgresCentreDB)
        yield centre, centre.db, http, await add_token(centre, staff_name, STAFF)


async def test_a_usage_request_is_answered_as_before_with_its_token_looked_up_beside_its_report(
    postgres_url: str, tmp_path: Path  # noqa: F811
) -> None:
    async with _centre(postgres_url, tmp_path / "centre", "Aside staff") as (centre, db, http, staff):
        room = await add_token(centre, "Aside room")
        async with asyncio.timeout(BOUND_S):
            status, whole = await _get(http, centre.url, staff)
            assert status == 200
            assert whole == json.loads((await db.usage_body(UsageFilter())) or b"")
            status, own = await _get(http, centre.url, room)
            assert status == 200
            assert own == json.loads((await db.usage_body(UsageFilter(room="Aside room"))) or b"")
            assert (await _get(http, centre.url, room, "?room=Other"))[0] == 403
            assert (await _get(http, centre.url, room, "?room=Aside%20room"))[0] == 200
            assert (await _get(http, centre.url, "not-a-token"))[0] == 401
            # 401 before 400, as when the token was checked first
            assert (await _get(http, centre.url, "not-a-token", "?utc_offset_h=nan"))[0] == 401
            assert (await _get(http, centre.url, staff, "?utc_offset_h=nan"))[0] == 400
            assert await db.revoke("Aside room", "2026-03-02T08:00:00.000000Z")
            status, body = await _get(http, centre.url, room)
            assert status == 401 and body["reason"] == "unauthorized"


async def test_a_usage_request_does_not_wait_for_the_token_lookups_of_the_services_loop(
    postgres_url: str, tmp_path: Path  # noqa: F811
) -> None:
    """Every connection the rooms' token lookups use is held: a ping waits for one, a usage request does not."""
    async with _centre(postgres_url, tmp_path / "centre", "Held staff") as (centre, db, http, staff):
        assert (await _get(http, centre.url, staff))[0] == 200
        raw = db.quick_pool._pool
        held = [await raw.acquire() for _ in range(raw.get_max_size())]
        try:
            ping = asyncio.ensure_future(http.get(f"{centre.url}/api/v1/ping", headers=auth(staff)))
            async with asyncio.timeout(BOUND_S):
                status, report = await _get(http, centre.url, staff)
            assert status == 200 and "sessions" in report
            assert not ping.done()  # (it waits for a lookup connection: the hold is real)
        finally:
            for conn in held:
                await raw.release(conn)
        async with asyncio.timeout(BOUND_S):
            answer = await ping
        assert answer.status == 200
        answer.release()


async def test_a_usage_path_that_routes_nowhere_checks_the_token_before_its_404(
    postgres_url: str, tmp_path: Path  # noqa: F811
) -> None:
    """``/api%2Fv1/usage`` reads as the usage path but aiohttp routes it to a 404: a made-up token is refused (401) as
    on any API path, and a good one gets the 404 (a made-up one got the 404 unchecked)."""
    async with _centre(postgres_url, tmp_path / "centre", "Routed staff") as (centre, _, http, staff):
        odd = yarl.URL(f"{centre.url}/api%2Fv1/usage", encoded=True)
        async with asyncio.timeout(BOUND_S):
            for token, status in (("not-a-token", 401), (staff, 404)):
                async with http.get(odd, headers=auth(token)) as r:
                    assert r.status == status, (token, await r.text())
            assert (await _get(http, centre.url, staff))[0] == 200


async def test_a_flood_of_made_up_tokens_at_usage_costs_a_statement_a_batch_not_a_round_trip_each(
    postgres_url: str,  # noqa: F811
) -> None:
    """Two hundred made-up tokens and one staff token at once on the reports' loop: all the made-up ones refused, the
    staff's answered, and the one connection there taken a few times, not once a token (a flood queued the staff's
    requests, and the data version each reads, behind it)."""
    db = await PostgresCentreDB.open(postgres_url)
    try:
        staff = issue_token()
        await db.add_token(token_hash(staff), "Flood staff", STAFF, folder_for("Flood staff"))

        async def flood() -> tuple[list[tuple[Any, Any]], int]:
            pool, taken = db.aside_pool, 0
            acquire = pool.acquire

            def counted() -> Any:
                nonlocal taken
                taken += 1
                return acquire()

            pool.acquire = counted
            try:
                asked = [db.usage_here(token_hash(f"made up {n}"), UsageFilter()) for n in range(200)]
                got = await asyncio.gather(*asked, db.usage_here(token_hash(staff), UsageFilter()))
            finally:
                del pool.acquire
            return got, taken

        async with asyncio.timeout(BOUND_S):
            got, taken = await db.reports.run(flood())
        assert all(answer == (None, None) for answer in got[:-1])
        who, body = got[-1]
        assert who is not None and who.name == "Flood staff" and body and "sessions" in json.loads(body)
        assert taken <= 10, f"the reports' lookup connection was taken {taken} times for 201 tokens"
    finally:
        await db.close()


async def test_a_usage_request_reads_its_data_version_with_its_token_and_gets_every_store_before_it(
    postgres_url: str,  # noqa: F811
) -> None:
    """The data version a usage request's report must hold is read in its token's statement (``FIND_USAGE_TOKENS``),
    not by a round trip of its own after it on the one connection every usage request's lookups share; a request
    after a store still gets a report holding that store."""
    db = await PostgresCentreDB.open(postgres_url)
    try:
        staff = issue_token()
        await db.add_token(token_hash(staff), "Version staff", STAFF, folder_for("Version staff"))
        reads = 0
        version = db.reports._version
        assert version is not None

        async def counted() -> int:
            nonlocal reads
            reads += 1
            return await version()

        db.reports._version = counted
        async with asyncio.timeout(BOUND_S):
            for k in range(3):
                sid = f"v{k}"
                await db.store_session(session_rows("Version room", sid, body(random.Random(k), sid, 1, 4), NOW))
                who, got = await db.reports.run(db.usage_here(token_hash(staff), UsageFilter()))
                assert who is not None and json.loads(got or b"")["sessions"] == k + 1
        assert reads == 0, f"{reads} data versions read apart from the tokens' statements"
    finally:
        await db.close()
