"""A PostgreSQL centre answers usage requests on its reports' own loop, from ``DATA-run/usage-PORT.sock``
(``usage_site``): the same answers as its port gives (200 with the same bytes, 401, 400, 403), still given while
the service's loop is held, and nginx sends usage requests there, the port being the backup. Real PostgreSQL, real
sockets, real nginx.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import stat
import struct
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from classroom_console.centre import usage_site
from classroom_console.centre.server import CentreServer
from classroom_console.centre.store_process import pid_alive
from classroom_console.centre.tokens import STAFF
from tests.test_centre_api import auth
from tests.test_centre_nginx import _until, named_server, nginx
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_sync_support import add_token, running_centre

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
BOUND_S = 30.0
HELD_S = 10.0  # the service's loop held this long at most


async def _get(http: aiohttp.ClientSession, base: str, token: str, query: str = "") -> tuple[int, bytes]:
    async with http.get(f"{base}/api/v1/usage{query}", headers=auth(token)) as r:
        return r.status, await r.read()


@contextlib.asynccontextmanager
async def _centre(url: str, data: Path) -> AsyncIterator[tuple[CentreServer, Path]]:
    async with running_centre(data, database_url=url) as centre:
        path = usage_site.socket_path(data, centre.port)
        assert path is not None
        yield centre, path


async def test_the_socket_answers_as_the_port_does(postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    async with _centre(postgres_url, tmp_path / "c") as (centre, path), aiohttp.ClientSession() as port_http, \
            aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=str(path))) as sock_http:
        staff, room = await add_token(centre, "Site staff", STAFF), await add_token(centre, "Site room")
        assert stat.S_IMODE((await asyncio.to_thread(path.stat)).st_mode) == 0o660  # nginx's group may connect
        sock = "http://centre"
        async with asyncio.timeout(BOUND_S):
            for token, query, status in ((staff, "", 200), (room, "", 200), (room, "?room=Other", 403),
                                         (staff, "?since=9999-01-01", 400), ("made-up", "", 401),
                                         ("made-up", "?since=nonsense", 401)):
                on_port, on_socket = await _get(port_http, centre.url, token, query), await _get(
                    sock_http, sock, token, query)
                assert on_socket[0] == on_port[0] == status, (token, query)
                if status == 200:
                    assert on_socket[1] == on_port[1]
    assert not path.exists()  # removed when the centre stops


def _ask(path: Path, token: str, answers: list[bytes]) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(BOUND_S)
        s.connect(str(path))
        s.sendall(f"GET /api/v1/usage HTTP/1.1\r\nHost: centre\r\nAuthorization: Bearer {token}\r\n"
                  "Connection: close\r\n\r\n".encode())
        got = b""
        while chunk := s.recv(1 << 16):
            got += chunk
        answers.append(got)


async def test_a_usage_request_is_answered_while_the_service_loop_is_held(
        postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    """The whole request (its head, token, report and answer) runs beside the service's loop, which 300 syncing
    rooms keep busy: here that loop does nothing but wait for the answer."""
    async with _centre(postgres_url, tmp_path / "c") as (centre, path):
        staff = await add_token(centre, "Held staff", STAFF)
        answers: list[bytes] = []
        asker = threading.Thread(target=_ask, args=(path, staff, answers))
        asker.start()
        deadline = time.monotonic() + HELD_S
        while asker.is_alive() and time.monotonic() < deadline:
            pass  # the service's loop held: no turn until the answer came (or the bound)
        answered_while_held = not asker.is_alive()
        await asyncio.to_thread(asker.join, BOUND_S)
        assert answered_while_held
        assert answers and answers[0].startswith(b"HTTP/1.1 200 "), answers
        assert b'"sessions": 0' in answers[0]


async def test_nginx_sends_usage_to_the_first_process_socket_then_its_port(tmp_path: Path) -> None:
    """``config_nginx``: usage requests to the first process's socket; with the socket gone, to the ports."""
    sock = tmp_path / "usage.sock"
    app = web.Application()
    async def answer(_request: web.Request) -> web.Response:
        return web.Response(text="socket")

    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.UnixSite(runner, str(sock)).start()
    try:
        async with named_server("first") as (one, _), named_server("second") as (two, _), \
                nginx(tmp_path / "nginx", [one, two], str(sock)) as url, aiohttp.ClientSession() as http:

            async def who(path: str) -> str:
                async with http.get(f"{url}{path}") as r:
                    assert r.status == 200
                    return await r.text()

            async with asyncio.timeout(BOUND_S):
                assert {await who("/api/v1/usage") for _ in range(6)} == {"socket"}
                assert {await who("/api/v1/ping") for _ in range(6)} == {"first", "second"}
                await runner.cleanup()
                assert (await who("/api/v1/usage")) in {"first", "second"}
    finally:
        await runner.cleanup()


def _server_pid(path: Path) -> int:
    """The pid of the process listening on a Unix socket (the kernel's word: SO_PEERCRED)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(BOUND_S)
        s.connect(str(path))
        pid, _uid, _gid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        return int(pid)


async def test_the_socket_is_served_by_a_process_of_its_own_started_again_if_killed(
        postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    """``usage_process``: the socket's reports do not share the service's GIL; a usage process killed -9 is started
    again (the port answering meanwhile), and it ends with the centre."""
    async with _centre(postgres_url, tmp_path / "c") as (centre, path), aiohttp.ClientSession() as port_http:
        staff = await add_token(centre, "Child staff", STAFF)
        first = await asyncio.to_thread(_child_serving, path, staff)
        answers: list[bytes] = []
        await asyncio.to_thread(_ask, path, staff, answers)
        assert answers[0].startswith(b"HTTP/1.1 200 "), answers
        os.kill(first, signal.SIGKILL)
        await asyncio.to_thread(_until, lambda: not pid_alive(first) or _reaped(first))
        assert (await _get(port_http, centre.url, staff))[0] == 200  # the backup meanwhile
        # the new one, once it listens (the service's own process serves the socket until then: usage_process)
        again = await asyncio.to_thread(_until, lambda: _other_pid(path, first) not in (None, os.getpid())
                                        and _other_pid(path, first))
        answers.clear()
        await asyncio.to_thread(_ask, path, staff, answers)
        assert answers[0].startswith(b"HTTP/1.1 200 "), answers
    assert not pid_alive(again) or _reaped(again)
    assert not path.exists()


def _child_serving(path: Path, token: str) -> int:
    """The pid of the usage process once it serves ``path``: started by a first request there (answered by the
    service itself, ``usage_process``'s lazy start)."""
    answers: list[bytes] = []
    _ask(path, token, answers)
    assert answers[0].startswith(b"HTTP/1.1 200 "), answers
    pid: int = _until(lambda: _other_pid(path, os.getpid()))
    return pid


def _other_pid(path: Path, old: int) -> int | None:
    try:
        pid = _server_pid(path)
    except OSError:
        return None  # no socket yet, or the dead one's
    return pid if pid != old else None


def _reaped(pid: int) -> bool:
    """A child that ended but was not waited for yet is a zombie: gone as far as serving goes."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
