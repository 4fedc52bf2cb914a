"""A PostgreSQL restart under a busy centre: every request is answered 2xx or 503 with Retry-After, never 500, and
the log says once that the database went and once that it came back, per restart.

A connection cut mid-use surfaces from asyncpg as more than "connection lost": a statement begun on a connection
the server has just closed raises ``InternalClientError: cannot switch to state 12`` (its protocol "failed"), which
the centre once answered 500 with a traceback, in the token lookup every request makes, in uploads and in reports.
Against a real PostgreSQL server restarted with ``pg_ctl restart -m fast`` and ``-m immediate`` while rooms and staff
keep asking.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre.tokens import STAFF
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)
from tests.test_centre_api import auth
from tests.test_centre_postgres import _as_user
from tests.test_sync_support import add_token, running_centre

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")

WORKERS = 8
MAX_REQUESTS = 40_000  # all workers together: a bound, never reached in a normal run
CALM_S = 60.0  # the longest a restart and the centre's recovery may take
RESTARTS = ("fast", "immediate") * 2  # a cut connection is met by chance: four restarts make it sure enough


@dataclass
class Seen:
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)
    requests: int = 0
    ok_after: int = 0  # 2xx answers since the mark

    def note(self, kind: str, status: int, retry_after: str, text: str) -> None:
        self.requests += 1
        self.statuses[kind, status] += 1
        if 200 <= status < 300:
            self.ok_after += 1
        elif status == 503:
            if not retry_after.isdigit():
                self.bad.append(f"{kind}: 503 without Retry-After")
        else:
            self.bad.append(f"{kind}: {status} {text[:200]}")


def _session(sid: str, n: int) -> bytes:
    start = f"2026-03-02T{8 + n % 10:02d}:00:00.000000Z"
    events = [{"id": i + 1, "device_uid": f"mac:00:00:00:00:00:0{i % 3}", "kind": "state", "payload": {"i": i},
               "wall_time": start} for i in range(5)]
    return json.dumps({"session": {"id": sid, "lecturer": "L", "course": "C", "kind": "lecture",
                                   "started_at": start, "ended_at": start.replace(":00:00.", ":50:00."),
                                   "status": "completed"},
                       "events": events, "devices": [], "readings": []}).encode()


async def _worker(http: aiohttp.ClientSession, url: str, room: str, staff: str, me: int, seen: Seen,
                  stop: asyncio.Event) -> None:
    """Each turn: a ping, a session, a recording announced and sent, the usage report, the rooms and the library."""
    data = os.urandom(2048)
    sha = hashlib.sha256(data).hexdigest()
    n = 0
    while not stop.is_set() and seen.requests < MAX_REQUESTS:
        n += 1
        rid = f"w{me}-r{n}"
        meta = {"id": rid, "name": "a.mp4", "size": len(data), "sha256": sha,
                "started_at": "2026-03-02T08:00:00.000000Z", "duration_s": 1.0}
        calls: list[tuple[str, str, str, str, bytes, dict[str, str]]] = [
            ("ping", "GET", "/api/v1/ping", room, b"", {}),
            ("session", "PUT", f"/api/v1/sessions/w{me}-s{n}", room, _session(f"w{me}-s{n}", n), {}),
            ("announce", "POST", "/api/v1/recordings", room, json.dumps(meta).encode(), {}),
            ("upload", "PATCH", f"/api/v1/recordings/{rid}", room, data, {"Upload-Offset": "0"}),
            ("status", "HEAD", f"/api/v1/recordings/{rid}", room, b"", {}),
            ("usage", "GET", "/api/v1/usage", staff, b"", {}),
            ("room usage", "GET", "/api/v1/usage", room, b"", {}),
            ("rooms", "GET", "/api/v1/rooms", staff, b"", {}),
            ("library", "GET", "/library/", staff, b"", {}),
        ]
        announced = False
        for kind, method, path, token, body, headers in calls:
            if kind in ("upload", "status") and not announced:
                continue  # its announcement met the outage: nothing to send to
            try:
                async with http.request(method, url + path, data=body or None,
                                        headers={**auth(token), **headers}, allow_redirects=False) as r:
                    seen.note(kind, r.status, r.headers.get("Retry-After", ""), await r.text())
                    announced = announced or (kind == "announce" and r.status == 200)
            except aiohttp.ClientError as exc:
                seen.bad.append(f"{kind}: no answer ({exc!r})")
            if stop.is_set():
                return


def _restart(server: PgServer, mode: str) -> None:
    subprocess.run(_as_user([str(server.bindir / "pg_ctl"), "-D", str(server.folder / "data"), "-m", mode,
                             "-l", str(server.folder / "log"), "-w", "-t", "60", "restart"], server.user),
                   check=True, capture_output=True, timeout=120)


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    out = []
    for record in caplog.records:
        message = record.getMessage()
        if "database is down" in message:
            out.append("down")
        elif "database is back" in message:
            out.append("back")
    return out


def _backs(caplog: pytest.LogCaptureFixture, n: int) -> Callable[[], bool]:
    return lambda: _lines(caplog).count("back") >= n


async def _until(what: str, ready: Callable[[], bool], deadline_s: float = CALM_S) -> None:
    deadline = time.monotonic() + deadline_s
    while not ready():
        assert time.monotonic() < deadline, f"waited {deadline_s:.0f} s for {what}"
        await asyncio.sleep(0.05)


async def test_a_postgres_restart_under_load_answers_only_2xx_or_503_and_logs_one_line_each_way(
    pg_server: PgServer, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.INFO, logger="classroom_console.centre")
    async with running_centre(tmp_path / "centre", database_url=pg_server.url,
                              database_password=pg_server.password) as centre:
        room = await add_token(centre, "Room 1")
        staff = await add_token(centre, "Staff", STAFF)
        seen, stop = Seen(), asyncio.Event()
        connector = aiohttp.TCPConnector(limit=WORKERS * 2)
        async with aiohttp.ClientSession(connector=connector) as http:
            workers = [asyncio.ensure_future(_worker(http, centre.url, room, staff, me, seen, stop))
                       for me in range(WORKERS)]
            try:
                await _until("the first answers", lambda: seen.ok_after >= 50 or workers[0].done())
                for n, mode in enumerate(RESTARTS, start=1):
                    before = seen.statuses.copy()
                    await asyncio.to_thread(_restart, pg_server, mode)
                    # Back when the log says so and the rooms are answered again.
                    await _until(f"the centre to come back after a {mode} restart",
                                 _backs(caplog, n))
                    seen.ok_after = 0
                    await _until("answers after the restart", lambda: seen.ok_after >= 50)
                    during = seen.statuses - before
                    assert any(status == 503 for _, status in during), (mode, during)
            finally:
                stop.set()
                await asyncio.gather(*workers)
    assert not seen.bad, (seen.bad[:20], seen.statuses)
    assert _lines(caplog) == ["down", "back"] * len(RESTARTS), _lines(caplog)
    tracebacks = [(r.getMessage(), r.exc_info) for r in caplog.records if r.exc_info]
    assert not tracebacks, tracebacks[:3]


async def test_a_bug_on_a_live_connection_stays_a_bug_not_a_503(pg_server: PgServer) -> None:  # noqa: F811
    """Two statements at once on one connection, a missing table, a client-state error on an open connection: the
    server is up, so none of them is "the database is down" (a 503 would hide the bug from the log)."""
    import asyncpg

    from classroom_console.centre.db_postgres import PostgresCentreDB
    from classroom_console.centre.failures import DatabaseDown

    db = await PostgresCentreDB.open(pg_server.url, pg_server.password)
    try:
        outage = db.pool._outage
        with pytest.raises(asyncpg.InterfaceError) as at_once:
            async with db.pool.acquire() as conn:
                await asyncio.gather(conn.fetchval("SELECT pg_sleep(0.2)"), conn.fetchval("SELECT 1"))
        assert not isinstance(at_once.value, DatabaseDown) and "another operation" in str(at_once.value)
        with pytest.raises(asyncpg.UndefinedTableError):
            await db.fetch("SELECT * FROM no_such_table", {})
        with pytest.raises(asyncpg.InternalClientError):
            async with db.pool.acquire() as conn:
                pid = conn.get_server_pid()
                raise asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in progress")
        assert outage.since is None and outage.epoch == 0
        # That connection's protocol is not to be trusted: closed, never handed out again.
        deadline = time.monotonic() + 30
        while await db.fetch("SELECT 1 FROM pg_stat_activity WHERE pid = :pid", {"pid": pid}):
            assert time.monotonic() < deadline, "the connection with a broken protocol state was kept"
            await asyncio.sleep(0.05)
        assert await db.fetch("SELECT 1", {}) == [(1,)]
    finally:
        await db.close()
