"""A usage process that keeps dying (R F12): tried again less and less often (``RESTART_S`` doubled to a bound), the
outage logged once, and the socket served by the service's own process meanwhile, so that it answers rather than
refusing. Real child processes; the second test a real PostgreSQL centre and its real socket."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from pathlib import Path

import pytest

from classroom_console.centre import usage_process
from classroom_console.centre.limits import Limits
from classroom_console.centre.tokens import STAFF
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_usage_site import _ask, _centre, _child_serving, _other_pid, _until
from tests.test_sync_support import add_token

BOUND_S = 30.0
# A child that says it serves and ends at once: the crash loop of a child whose every start fails after its "ready".
_DIES = "import sys; sys.stdin.buffer.readline(); print('ready', flush=True); sys.exit(3)"
_FAILS = "import sys; sys.exit(5)"  # one that cannot start at all


class _Here:
    """What the service serves meanwhile: each start and stop noted, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []

    async def __call__(self, _asked: object = None) -> _Here:
        self.log.append("serve")
        return self

    async def stop(self) -> None:
        self.log.append("stop")


async def test_a_child_that_keeps_dying_is_tried_less_often_and_logged_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(usage_process, "_CHILD", _DIES)
    monkeypatch.setattr(usage_process, "RESTART_S", 0.2)
    monkeypatch.setattr(usage_process, "RESTART_MAX_S", 0.8)
    here = _Here()
    child = usage_process.UsageProcess("postgresql://nowhere/x", None, tmp_path, 1, Limits(), here=here)
    caplog.set_level(logging.INFO, logger=usage_process.__name__)
    began = time.monotonic()
    try:
        assert await child.start()
        await asyncio.to_thread(_until, lambda: child.spawned >= 6)
        took = time.monotonic() - began
    finally:
        await child.stop()
    # Five waits between six starts: 0.2, 0.4, then the bound (every 0.2 s forever before).
    assert took >= 0.2 + 0.4 + 0.8 * 3
    ended = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(ended) == 1 and "usage process ended (exit status 3)" in ended[0].getMessage(), ended
    # Served here between every two tries, and left before each so the child may take the socket's path.
    assert here.log[:10] == ["serve", "stop"] * 5 and here.log[-1] == "stop"


async def test_the_socket_is_served_by_the_service_while_its_child_is_down(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 (fixture)
    monkeypatch.setattr(usage_process, "RESTART_S", 0.2)
    async with _centre(postgres_url, tmp_path / "c") as (centre, path):
        staff = await add_token(centre, "Restart staff", STAFF)
        first = await asyncio.to_thread(_child_serving, path, staff)
        monkeypatch.setattr(usage_process, "_CHILD", _FAILS)  # every start from now on fails
        os.kill(first, signal.SIGKILL)
        # The service's own process takes the socket (its usage site on its reports' thread), and keeps it between
        # its child's failed tries.
        await asyncio.to_thread(_until, lambda: _other_pid(path, first) == os.getpid())
        assert centre.usage_process is not None
        tried = centre.usage_process.spawned
        await asyncio.to_thread(_until, lambda: centre.usage_process is not None
                                and centre.usage_process.spawned >= tried + 2)
        answers: list[bytes] = []
        await asyncio.to_thread(_until, lambda: _other_pid(path, first) == os.getpid())
        await asyncio.to_thread(_ask, path, staff, answers)
        assert answers[0].startswith(b"HTTP/1.1 200 "), answers
        monkeypatch.undo()  # the child can start again: it takes the socket back
        again = await asyncio.to_thread(_until, lambda: (pid := _other_pid(path, os.getpid())) != first and pid)
        assert again not in (first, os.getpid())
        answers.clear()
        await asyncio.to_thread(_ask, path, staff, answers)
        assert answers[0].startswith(b"HTTP/1.1 200 "), answers
    assert not path.exists()
