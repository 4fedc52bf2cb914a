"""Two centre processes, one centre: one PostgreSQL, one shared file store, Debian's nginx in front (all on loopback).

nginx runs from a temporary prefix on loopback ports (no root needed); the processes are real ``centre serve``
subprocesses. The one holding a recording's upload lock (a PostgreSQL advisory lock, seen in ``pg_locks``) is
killed mid-upload; the room's upload completes through the other with the right SHA-256.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from classroom_console.centre import config_nginx, pg_locks, usage_site
from classroom_console.store import AsyncStore
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)
from tests.test_centre_api import auth
from tests.test_centre_config import cli
from tests.test_centre_tokens import CENTRE, ROOT
from tests.test_sync_support import engine_for, file_sha256, fill_room

asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MB = 1 << 20
BOUND_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for_port(port: int, proc: asyncio.subprocess.Process, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            assert time.monotonic() < deadline and proc.returncode is None, f"{what} did not start"
            await asyncio.sleep(0.1)


async def serve(data: Path, port: int, log: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    out = await asyncio.to_thread(open, log, "ab")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CENTRE, "serve", "--port", str(port), "--data", str(data),
            "--max-connections-per-client", "0",  # every connection is nginx's: nginx caps each client
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, stdout=out, stderr=out,
        )
    finally:
        await asyncio.to_thread(out.close)
    await wait_for_port(port, proc, "a centre process")
    return proc


@contextlib.asynccontextmanager
async def nginx(prefix: Path, upstream_ports: list[int], usage_socket: str | None = None) -> AsyncIterator[str]:
    """Debian's nginx on a loopback port from ``prefix``, balancing over the given centre ports (usage requests to
    ``usage_socket`` first, where given)."""
    if not await asyncio.to_thread(os.path.exists, NGINX):
        pytest.skip("nginx is not installed (apt-get install nginx)")
    port = free_port()
    await asyncio.to_thread(prefix.mkdir, parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    text = config_nginx.standalone([f"127.0.0.1:{p}" for p in upstream_ports], f"127.0.0.1:{port}", prefix,
                                   usage_socket=usage_socket)
    await asyncio.to_thread(conf.write_text, text)
    proc = await asyncio.create_subprocess_exec(
        NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await wait_for_port(port, proc, "nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGQUIT)
            try:
                async with asyncio.timeout(30):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _held(files: Path) -> int:
    return sum(f.stat().st_size for f in files.rglob("*.bin")) if files.exists() else 0


async def lock_holder(url: str, password: str) -> int | None:
    """The pid of the centre process holding an upload's advisory lock (its application_name carries it): a lock
    of one key (a report's or a session's has two) that is none of the centre's fixed ones (``pg_locks``)."""
    conn = await asyncpg.connect(url, password=password)
    try:
        name = await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'classroom-centre-%' "
            "AND l.objsubid = 1 AND NOT (l.classid = 0 AND l.objid::text::bigint = ANY($1::bigint[])) LIMIT 1",
            list(pg_locks.FIXED))
    finally:
        await conn.close()
    return int(name.rsplit("-", 1)[1]) if name else None


async def test_two_processes_behind_nginx_one_killed_mid_upload_the_other_completes_it(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    data, files = tmp_path / "centre", tmp_path / "shared-files"
    env = {"PGPASSWORD": pg_server.password}
    code, out, err = await cli("add-room", "Room 101", "--data", str(data), "--database-url", pg_server.url,
                               "--files", str(files), env=env)
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    ports = [free_port(), free_port()]
    procs = [await serve(data, p, tmp_path / f"centre-{n}.log", env) for n, p in enumerate(ports)]
    store = await AsyncStore.open(tmp_path / "room")
    try:
        async with nginx(tmp_path / "nginx", ports) as url:
            # Every request may land on either process: the same token works through both, and both answer alike.
            async with aiohttp.ClientSession() as http:
                for port in ports:
                    async with http.get(f"http://127.0.0.1:{port}/api/v1/usage", headers=auth(token)) as r:
                        assert r.status == 200
            room = await store.call(lambda st: fill_room(st, tmp_path, sessions=2, events=5, recording_bytes=24 * MB))
            # 2 MB/s: the 24 MB take some 12 s, so after 6 MB have landed the lock's holder is found, both processes
            # report and one is killed with some 9 s to spare (at 6 MB/s, 3 s: too few on a busy 2-core machine).
            engine = engine_for(store, url, token, bandwidth_bps=2 * MB, chunk_bytes=256 * MB)
            try:
                first = asyncio.ensure_future(engine.run_once())
                deadline = time.monotonic() + 60
                holder = None
                while holder is None:
                    assert not first.done(), f"the upload ended before a process was killed: {first.result()}"
                    assert time.monotonic() < deadline, "no process took the upload's lock"
                    held = await asyncio.to_thread(_held, files)
                    if held >= 6 * MB:
                        holder = await lock_holder(pg_server.url, pg_server.password)
                    await asyncio.sleep(0.1)
                # Mid-upload, both processes give the same report (nothing of it is kept in one process).
                async with aiohttp.ClientSession(headers=auth(token)) as http:
                    bodies = []
                    for port in ports:
                        async with http.get(f"http://127.0.0.1:{port}/api/v1/usage") as r:
                            bodies.append(await r.json())
                assert bodies[0] == bodies[1] and bodies[0]["sessions"] == 2
                victim = next(p for p in procs if p.pid == holder)
                assert not first.done(), f"the upload ended before a process was killed: {first.result()}"
                victim.send_signal(signal.SIGKILL)
                await victim.wait()
                result = await first
                for _ in range(5):  # the inline resumes usually finish it; else the next tries do
                    if result.pending == 0:
                        break
                    result = await engine.run_once(force=True)
                assert result.failed == 0 and result.pending == 0, result
            finally:
                await engine.close()
            survivor = next(p for p in procs if p.returncode is None)
            async with aiohttp.ClientSession() as http, http.get(
                f"{url}/api/v1/recordings/{room['recording']}", headers=auth(token)
            ) as r:
                status = await r.json()
            assert status["complete"] and status["sha256"] == room["sha256"]
            stored = await asyncio.to_thread(lambda: list(files.rglob("*.bin")))
            assert len(stored) == 1
            assert await asyncio.to_thread(file_sha256, stored[0]) == room["sha256"]
            assert survivor.returncode is None
            assert not await asyncio.to_thread((data / "rooms").exists)  # the shared store, not DATA
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()
        await store.close()


@contextlib.asynccontextmanager
async def named_server(name: str) -> AsyncIterator[tuple[int, web.AppRunner]]:
    """A stand-in centre process on a loopback port that answers every path with its name."""

    async def answer(_: web.Request) -> web.Response:
        return web.Response(text=name)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port, runner
    finally:
        await runner.cleanup()


async def test_nginx_sends_usage_to_the_first_process_while_it_answers_and_the_rest_anywhere(tmp_path: Path) -> None:
    """``config_nginx``: a usage report is made once per filter at a time in the whole centre, so usage requests go
    to one process (another's waited at the filter's lock for the first's report); any other request is balanced;
    with the first gone, usage is answered by the next."""
    async with named_server("first") as (one, first), named_server("second") as (two, _), \
            nginx(tmp_path / "nginx", [one, two]) as url, aiohttp.ClientSession() as http:

        async def who(path: str) -> str:
            async with http.get(f"{url}{path}") as r:
                assert r.status == 200
                return await r.text()

        async with asyncio.timeout(30):
            assert {await who("/api/v1/usage?room=R") for _ in range(8)} == {"first"}
            assert {await who("/api/v1/ping") for _ in range(8)} == {"first", "second"}
            await first.cleanup()
            assert {await who("/api/v1/usage") for _ in range(4)} == {"second"}


def _until(found: Callable[[], Any]) -> Any:
    """What ``found()`` gives once it is truthy, polled within the bound."""
    deadline = time.monotonic() + BOUND_S
    while not (got := found()):
        assert time.monotonic() < deadline, "not within the bound"
        time.sleep(0.05)
    return got


def _usage_children(pid: int) -> list[int]:
    """The usage processes (``usage_process``) a centre process started."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if parent == pid and b"usage_process" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # ended meanwhile
    return found


async def test_only_the_process_usage_requests_reach_starts_a_usage_process_and_the_other_answers_when_it_dies(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    """``usage_process``'s lazy start behind real nginx (usage to the first process's socket, the ports its
    backups): the first process starts its usage process at the first staff request; the second, asked nothing on
    its socket, starts none (an idle one held ~47 MB and 3 PostgreSQL connections); with the first killed, usage is
    answered through nginx by the second."""
    data = tmp_path / "centre"
    env = {"PGPASSWORD": pg_server.password}
    code, out, err = await cli("add-staff", "Staff", "--data", str(data), "--database-url", pg_server.url, env=env)
    assert code == 0, err
    staff = out.strip().splitlines()[-1]
    ports = [free_port(), free_port()]
    procs = [await serve(data, p, tmp_path / f"centre-{n}.log", env) for n, p in enumerate(ports)]
    try:
        sock = usage_site.socket_path(data, ports[0])
        assert sock is not None
        await asyncio.to_thread(_until, sock.exists)  # served by the first process itself until asked
        assert not await asyncio.to_thread(_usage_children, procs[0].pid)
        assert not await asyncio.to_thread(_usage_children, procs[1].pid)
        async with nginx(tmp_path / "nginx", ports, str(sock)) as url, \
                aiohttp.ClientSession(headers=auth(staff)) as http:

            async def ask() -> None:
                async with http.get(f"{url}/api/v1/usage") as r:
                    assert r.status == 200, await r.text()

            async with asyncio.timeout(BOUND_S):
                await ask()
                children = await asyncio.to_thread(_until, lambda: _usage_children(procs[0].pid))
                assert len(children) == 1
                for _ in range(4):
                    await ask()
                assert not await asyncio.to_thread(_usage_children, procs[1].pid)
                procs[0].send_signal(signal.SIGKILL)
                await procs[0].wait()
                for _ in range(4):
                    await ask()
                assert procs[1].returncode is None
                assert not await asyncio.to_thread(_usage_children, procs[1].pid)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()
