"""Usage reports are made by report processes of their own (db_sqlite.REPORT_PROCESSES), not by the session store
process: reports asked at once are shared out, each is the very bytes the loop's readers make, and one killed
with -9 is covered by the others and started again."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre import store_process
from classroom_console.centre.app import usage_filter
from classroom_console.centre.db_sqlite import REPORT_PROCESSES, SqliteCentreDB
from classroom_console.centre.reports import report_json
from classroom_console.centre.server import CentreServer
from classroom_console.centre.store_process import SessionStore
from classroom_console.centre.tokens import STAFF
from tests.test_centre_api import auth, session_body
from tests.test_sync_support import add_token, running_centre


async def _all_ready(centre: CentreServer) -> tuple[SessionStore, list[SessionStore]]:
    """The session store process and the report processes, once each answers (bounded: 30 s)."""
    db = centre.db
    assert isinstance(db, SqliteCentreDB) and db._bodies is not None
    for _ in range(3000):
        if db._bodies.ready and all(p.ready for p in db._report_procs):
            return db._bodies, db._report_procs
        await asyncio.sleep(0.01)
    raise AssertionError("the centre's processes did not start within 30 s")


async def test_reports_asked_at_once_are_shared_by_the_report_processes_as_the_loops_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_process, "RESTART_S", 0.0)
    assert REPORT_PROCESSES >= 2
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        rooms = [await add_token(centre, f"Room {n}") for n in range(8)]
        staff = await add_token(centre, "Staff", STAFF)
        store, makers = await _all_ready(centre)
        for n, token in enumerate(rooms):
            async with http.put(f"{centre.url}/api/v1/sessions/s-{n}", json=session_body(f"s-{n}", 5),
                                headers=auth(token)) as r:
                assert r.status == 200
        asked_of_store = store.asked

        async def own(token: str) -> bytes:
            async with http.get(f"{centre.url}/api/v1/usage", headers=auth(token)) as r:
                assert r.status == 200
                return await r.read()

        answers = await asyncio.gather(*(own(token) for token in rooms))
        assert store.asked == asked_of_store  # the store process made none
        assert sum(p.asked for p in makers) == len(rooms) and all(p.asked for p in makers)
        db = centre.db
        assert db is not None
        for n, answer in enumerate(answers):
            assert answer == report_json(await db.usage(usage_filter({"room": f"Room {n}"})))

        pids = [p.pid for p in makers]
        assert all(pid is not None and pid != store.pid for pid in pids)
        os.kill(pids[0] or 0, signal.SIGKILL)
        for n in range(6):  # asked while it is gone and while it starts again: every one answered, and exact
            async with http.put(f"{centre.url}/api/v1/sessions/t-{n}", json=session_body(f"t-{n}", 5),
                                headers=auth(rooms[0])) as r:
                assert r.status == 200
            async with http.get(f"{centre.url}/api/v1/usage", headers=auth(staff)) as r:
                assert r.status == 200 and (await r.json())["sessions"] == len(rooms) + n + 1
        _, makers = await _all_ready(centre)
        assert makers[0].pid not in (None, pids[0])


async def test_a_child_stopped_by_signal_is_told_apart_from_one_that_died_and_each_is_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """systemd's SIGTERM (or Ctrl+C) reaches the whole process group, children first: an info line naming the child,
    not an error; a child killed otherwise is an error naming which it was (review R4: a report process's end was
    told as the session store process's, and a clean stop logged errors)."""
    async with running_centre(tmp_path) as centre:
        _store, makers = await _all_ready(centre)
        caplog.set_level("INFO", logger=store_process.log.name)
        first, second = makers[0], makers[1]
        assert first.pid is not None and second.pid is not None
        os.kill(first.pid, signal.SIGTERM)
        os.kill(second.pid, signal.SIGKILL)
        for _ in range(3000):  # bounded: 30 s
            said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == store_process.log.name]
            if len(said) >= 2:
                break
            await asyncio.sleep(0.01)
        assert ("INFO", f"a report process was stopped by signal {int(signal.SIGTERM)}") in said, said
        assert any(level == "ERROR" and text.startswith("a report process went away") for level, text in said), said
        assert not any("session store" in text for _, text in said), said
