"""Usage queries already parsed are kept by each app for itself (``app._filter_of``, ``app.FILTERS``): the service's
app runs on its loop and the usage site's on the reports' thread, and one map for the module was used from both
threads at once. Real SQLite centre, real HTTP on loopback, each app on a loop of its own thread."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import aiohttp
from aiohttp import web

from classroom_console.centre.app import FILTERS, build_app, build_usage_app
from classroom_console.centre.auth import TokenUse
from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.centre.tokens import STAFF, folder_for, issue_token, token_hash
from tests.test_centre_api import auth

BOUND_S = 30.0


async def _serve_and_ask(app: web.Application, token: str, queries: list[str]) -> list[int]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as http:
            statuses = []
            for query in queries:
                async with http.get(f"http://127.0.0.1:{port}/api/v1/usage?{query}", headers=auth(token)) as r:
                    await r.read()
                    statuses.append(r.status)
            return statuses
    finally:
        await runner.cleanup()


async def _usage_site_asks(path: Path, token: str, queries: list[str]) -> tuple[web.Application, list[int]]:
    """The usage site's app on a loop of its own (as on the reports' thread), with its own connection to the file."""
    db = await SqliteCentreDB.open(path)
    try:
        site = build_usage_app(db, TokenUse(db))
        return site, await _serve_and_ask(site, token, queries)
    finally:
        await db.close()


async def test_each_app_keeps_the_filters_it_parsed_on_its_own_thread(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    db = await SqliteCentreDB.open(path)
    try:
        token = issue_token()
        await db.add_token(token_hash(token), "Filters staff", STAFF, folder_for("Filters staff"))
        service = build_app(db, tmp_path)
        mine = [f"room=service{n}" for n in range(20)]
        theirs = [f"room=site{n}" for n in range(20)]
        got: list[tuple[web.Application, list[int]]] = []
        other = threading.Thread(target=lambda: got.append(asyncio.run(_usage_site_asks(path, token, theirs))))
        other.start()
        async with asyncio.timeout(BOUND_S):
            statuses = await _serve_and_ask(service, token, mine)
        await asyncio.to_thread(other.join, BOUND_S)
        assert statuses == [200] * 20 and got and got[0][1] == [200] * 20
        kept_here, kept_there = service[FILTERS], got[0][0][FILTERS]
        assert list(kept_here) == mine and list(kept_there) == theirs
    finally:
        await db.close()
