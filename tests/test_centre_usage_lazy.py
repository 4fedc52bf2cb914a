"""A centre process's usage child is started when a usage request first reaches its socket (``usage_process``'s lazy
start): until then the service answers there itself, and the child takes the socket over with every request
answered meanwhile. ``stop()`` while the service is making its own site (on the reports' thread) closes that site
rather than leaving it listening. Real PostgreSQL, real Unix sockets in a temp folder, real child processes.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from pathlib import Path

import pytest
from aiohttp import web

from classroom_console.centre import usage_process
from classroom_console.centre.limits import Limits
from classroom_console.centre.tokens import STAFF
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_usage_site import _ask, _centre, _other_pid, _server_pid, _until
from tests.test_sync_support import add_token

BOUND_S = 30.0
_DIES = "import sys; sys.stdin.buffer.readline(); print('ready', flush=True); sys.exit(3)"


def _keep_asking(path: Path, token: str, answers: list[bytes], stop: threading.Event) -> None:
    """Usage requests one after another until ``stop``; a refused one is an answer too (what nginx would meet)."""
    while not stop.is_set():
        try:
            _ask(path, token, answers)
        except OSError as exc:
            answers.append(f"refused: {exc!r}".encode())


async def test_the_usage_process_starts_when_a_request_reaches_the_socket_and_takes_it_over_unrefused(
        postgres_url: str, tmp_path: Path) -> None:  # noqa: F811 (fixture)
    async with _centre(postgres_url, tmp_path / "c") as (centre, path):
        staff = await add_token(centre, "Lazy staff", STAFF)
        child = centre.usage_process
        assert child is not None
        # Nobody asked yet: the service itself serves the socket, and no usage process was started.
        assert await asyncio.to_thread(_server_pid, path) == os.getpid()
        assert child.spawned == 0
        answers: list[bytes] = []
        stop = threading.Event()
        asker = threading.Thread(target=_keep_asking, args=(path, staff, answers, stop))
        asker.start()
        try:
            # The first request starts the child, which takes the socket while the requests go on ...
            taken = await asyncio.to_thread(_until, lambda: _other_pid(path, os.getpid()))
            before = len(answers)
            # ... and answers some itself.
            await asyncio.to_thread(_until, lambda: len(answers) >= before + 3)
        finally:
            stop.set()
            await asyncio.to_thread(asker.join, BOUND_S)
        assert taken != os.getpid() and child.spawned == 1
        assert answers and all(a.startswith(b"HTTP/1.1 200 ") for a in answers), \
            [a[:80] for a in answers if not a.startswith(b"HTTP/1.1 200 ")]
    assert not path.exists()


class _OtherLoop:
    """A loop on a thread of its own, as the reports' thread is (``pg_reports.ReportThread.run``)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def run(self, coro: object) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))  # type: ignore[arg-type]

    async def close(self) -> None:
        await self.run(self.loop.shutdown_default_executor())  # its thread for to_thread, ended
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self.thread.join, BOUND_S)
        self.loop.close()


class _SlowSite:
    """A real aiohttp site on a Unix socket, made on the other loop, whose making goes on for a while once it
    listens (until ``release``): a ``stop()`` may come in between, as it may while ``usage_site`` starts."""

    def __init__(self, other: _OtherLoop, path: Path, bound: threading.Event, release: threading.Event) -> None:
        self.other, self.path, self.bound, self.release = other, path, bound, release
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        await self.other.run(self._start())

    async def _start(self) -> None:
        async def answer(_request: web.Request) -> web.Response:
            return web.Response(text="here")

        app = web.Application()
        app.router.add_get("/", answer)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.UnixSite(self.runner, str(self.path)).start()
        self.bound.set()
        await asyncio.to_thread(self.release.wait, BOUND_S)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.other.run(self.runner.cleanup())


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(BOUND_S)
        try:
            s.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            return False
        return True


async def test_stop_while_the_service_makes_its_own_site_closes_that_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child dies; while the service is making its own site on the other thread, ``stop()`` comes. Before, the
    cancel took the watch away and the site, made on the other thread anyway, listened until the process ended."""
    monkeypatch.setattr(usage_process, "_CHILD", _DIES)
    other, path = _OtherLoop(), tmp_path / "usage.sock"
    bound, release = threading.Event(), threading.Event()
    made: list[_SlowSite] = []

    async def here(*_: object) -> _SlowSite:
        site = _SlowSite(other, path, bound, release)
        made.append(site)
        await site.start()
        return site

    child = usage_process.UsageProcess("postgresql://nowhere/x", None, tmp_path, 1, Limits(), here=here)
    try:
        assert await child.start()
        assert await asyncio.to_thread(bound.wait, BOUND_S), "the service did not make its own site"
        watch = child._watch
        assert watch is not None
        stopping = asyncio.ensure_future(child.stop())
        await asyncio.wait([watch], timeout=BOUND_S)  # the watch cancelled mid-way through the site's making
        assert watch.done()
        release.set()
        await asyncio.wait_for(stopping, BOUND_S)
        assert not await asyncio.to_thread(_listening, path), "the service's own site listens after stop()"
    finally:
        release.set()
        for site in made:
            await site.stop()
        await other.close()
