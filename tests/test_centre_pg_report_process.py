"""A PostgreSQL centre process's usage reports are made by a child process of its own (``pg_report_process``), out of
the uploads' GIL, answering as before: 401, 400, 403 in that order, a revoke at the next request, the same JSON.
A child killed is replaced (one log line; its requests meanwhile made in the centre process), and a centre process
killed outright takes its child with it. Real PostgreSQL, real HTTP, real ``centre serve`` processes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from classroom_console.centre import pg_store
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.tokens import STAFF
from classroom_console.usage_model import UsageFilter
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)
from tests.test_centre_api import auth
from tests.test_centre_config import cli
from tests.test_centre_nginx import free_port, serve
from tests.test_sync_support import add_token, running_centre

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 60.0


async def _until(what: str, ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BOUND_S
    while not ready():
        assert time.monotonic() < deadline, f"waited {BOUND_S:.0f} s for {what}"
        await asyncio.sleep(0.05)


async def _get(http: aiohttp.ClientSession, url: str, token: str, query: str = "") -> tuple[int, Any]:
    async with http.get(f"{url}/api/v1/usage{query}", headers=auth(token)) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else await r.text())


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except (OSError, IndexError):
                continue  # gone meanwhile
            if int(stat[1]) == pid and b"pg_report_child" in cmdline and stat[0] != "Z":
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_usage_is_made_by_the_reports_process_answering_as_before_and_a_killed_one_is_replaced(
    pg_server: PgServer, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.INFO, logger="classroom_console.centre")
    async with running_centre(tmp_path / "centre", database_url=pg_server.url,
                              database_password=pg_server.password) as centre, aiohttp.ClientSession() as http:
        db = centre.db
        assert isinstance(db, PostgresCentreDB) and db._child is not None
        child = db._child
        staff = await add_token(centre, "Child staff", STAFF)
        room = await add_token(centre, "Child room")
        await _until("the reports process", lambda: child.ready)
        first = child.pid
        assert first is not None and first != os.getpid()
        async with asyncio.timeout(BOUND_S):
            for _ in range(3):  # the data changes each time: each report is made anew, by the child
                await db.execute(pg_store.BUMP, {})
                status, whole = await _get(http, centre.url, staff)
                assert status == 200 and "sessions" in whole
            assert db.reports.made == 0  # none made in the centre process
            assert whole == json.loads((await db.usage_body(UsageFilter())) or b"")
            status, own = await _get(http, centre.url, room)
            assert status == 200 and own == json.loads((await db.usage_body(UsageFilter(room="Child room"))) or b"")
            assert (await _get(http, centre.url, room, "?room=Other"))[0] == 403
            assert (await _get(http, centre.url, "not-a-token"))[0] == 401
            assert (await _get(http, centre.url, "not-a-token", "?utc_offset_h=nan"))[0] == 401
            assert (await _get(http, centre.url, staff, "?utc_offset_h=nan"))[0] == 400
            assert await db.revoke("Child room", "2026-03-02T08:00:00.000000Z")
            status, body = await _get(http, centre.url, room)
            assert status == 401 and body["reason"] == "unauthorized"
            made = db.reports.made

            os.kill(first, signal.SIGKILL)
            await _until("the centre to see its reports process gone", lambda: not child.ready)
            await db.execute(pg_store.BUMP, {})
            status, after = await _get(http, centre.url, staff)  # made in the centre process meanwhile
            assert status == 200 and "sessions" in after and db.reports.made > made
            for _ in range(int(BOUND_S * 10)):  # asking again starts a new one (at most every RESTART_S)
                assert (await _get(http, centre.url, staff))[0] == 200
                if child.ready:
                    break
                await asyncio.sleep(0.1)
            assert child.ready and child.pid not in (None, first)
            made = db.reports.made
            await db.execute(pg_store.BUMP, {})
            assert (await _get(http, centre.url, staff))[0] == 200 and db.reports.made == made
    gone = [r.getMessage() for r in caplog.records if "reports process" in r.getMessage()]
    assert len(gone) == 1 and "went away" in gone[0], gone


async def test_a_centre_process_killed_outright_takes_its_reports_process_with_it(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    data, env = tmp_path / "centre", {"PGPASSWORD": pg_server.password}
    code, out, err = await cli("add-staff", "Staff", "--data", str(data), "--database-url", pg_server.url,
                               "--files", str(tmp_path / "files"), env=env)
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    port = free_port()
    proc = await serve(data, port, tmp_path / "centre.log", env)
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(BOUND_S):
            assert (await _get(http, f"http://127.0.0.1:{port}", token))[0] == 200
        children: list[int] = []

        def started() -> bool:
            children[:] = _children(proc.pid)
            return bool(children)

        await _until("the reports process to start", started)
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await _until("the reports process to end with its parent", lambda: not any(map(_alive, children)))
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

