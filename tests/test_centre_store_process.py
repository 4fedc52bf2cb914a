"""Session uploads checked and stored, and usage reports made, by the session store process (centre/store_process.py,
store_child.py).

The loop only moves the bytes; the child gives the same answers the loop's own checks give (the stored rows,
the one-line 400 reasons, a report's very bytes), nothing it refuses is stored, and a child killed with -9 loses
no upload.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from classroom_console.centre import store_process
from classroom_console.centre.app import usage_filter
from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.centre.payloads import SessionRows, session_rows
from classroom_console.centre.reports import report_json
from classroom_console.centre.server import CentreServer
from classroom_console.centre.tokens import STAFF
from classroom_console.centre.validate import Invalid
from classroom_console.usage_model import UsageFilter, UsageReport
from tests.test_centre_api import auth, session_body
from tests.test_sync_support import add_token, running_centre


async def _child_ready(centre: CentreServer) -> int:
    """The store process's pid once it answers (bounded: 30 s)."""
    db = centre.db
    assert isinstance(db, SqliteCentreDB) and db._bodies is not None
    for _ in range(3000):
        if db._bodies.ready and db._bodies.pid is not None:
            return db._bodies.pid
        await asyncio.sleep(0.01)
    raise AssertionError("the session store process did not start within 30 s")


def _not_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[SessionRows]:
    """Uploads the loop checks and the writer thread stores are recorded (and still stored)."""
    seen: list[SessionRows] = []
    store = SqliteCentreDB.store_session

    async def recorded(self: SqliteCentreDB, rows: SessionRows) -> int:
        seen.append(rows)
        return await store(self, rows)

    monkeypatch.setattr(SqliteCentreDB, "store_session", recorded)
    return seen


async def test_the_store_process_stores_uploads_and_refuses_bad_ones_with_the_loops_reasons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_thread = _not_on_the_loop(monkeypatch)
    bad: list[tuple[str, Any]] = [
        ("s-2", {"session": {"id": "s-2", "started_at": "2026-11-23T08:00:00.000000Z"},
                 "events": [{"id": 0, "kind": "state", "wall_time": "2026-11-23T08:10:00.000000Z"}]}),
        ("s-3", {"session": {"id": "s-3", "started_at": "2026-11-23T08:00:00.000000Z"},
                 "events": [{"id": 1, "kind": "state", "payload": {"x": [[[[[[[[[1]]]]]]]]]},
                             "wall_time": "2026-11-23T08:10:00.000000Z"}]}),
        ("s-4", {"session": {"id": "other", "started_at": "2026-11-23T08:00:00.000000Z"}}),
    ]
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token, staff = await add_token(centre, "Room 101"), await add_token(centre, "Staff", STAFF)
        await _child_ready(centre)
        for _ in range(2):  # the second is a re-send: held once
            async with http.put(f"{centre.url}/api/v1/sessions/s-1", json=session_body("s-1", 40),
                                headers=auth(token)) as r:
                assert r.status == 200 and (await r.json())["events"] == 40
        for sid, body in bad:
            with pytest.raises(Invalid) as reference:
                session_rows("Room 101", sid, json.loads(json.dumps(body)), "2026-11-30T00:00:00.000000Z")
            async with http.put(f"{centre.url}/api/v1/sessions/{sid}", json=body, headers=auth(token)) as r:
                assert r.status == 400 and (await r.json())["error"] == str(reference.value)
        async with http.put(f"{centre.url}/api/v1/sessions/s-5", data=b'{"session": NaN}', headers=auth(token)) as r:
            assert r.status == 400 and (await r.json())["error"] == "body: NaN is not a JSON number"
        async with http.get(f"{centre.url}/api/v1/usage", headers=auth(staff)) as r:
            report = await r.json()  # the report kept from before the uploads is not served: it counts them
        assert centre.db is not None
        held = await centre.db.fetch("SELECT session_id, count(*) FROM session_events GROUP BY session_id", {})
    assert in_thread == []  # none of them went the loop's way
    assert report["sessions"] == 1 and report["devices"][0]["lamp_hours"] == 2950
    assert held == [("s-1", 40)]


async def test_a_killed_store_process_loses_no_upload_and_is_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_process, "RESTART_S", 0.0)
    in_thread = _not_on_the_loop(monkeypatch)
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room 101")
        first = await _child_ready(centre)
        os.kill(first, signal.SIGKILL)
        statuses = []
        for n in range(20):  # at once and one after another: every one is answered 200 and stored
            async with http.put(f"{centre.url}/api/v1/sessions/s-{n}", json=session_body(f"s-{n}", 5),
                                headers=auth(token)) as r:
                statuses.append(r.status)
        second = await _child_ready(centre)
        async with http.put(f"{centre.url}/api/v1/sessions/s-0", json=session_body("s-0", 5), headers=auth(token)) as r:
            assert r.status == 200 and (await r.json())["events"] == 5
        async with http.get(f"{centre.url}/api/v1/usage", headers=auth(token)) as r:
            report = await r.json()
    assert statuses == [200] * 20 and second != first
    assert in_thread  # while there was no child, the loop checked and the writer thread stored
    assert report["sessions"] == 20


async def test_reports_made_by_the_store_process_are_the_loops_own_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_here: list[UsageFilter] = []
    usage = SqliteCentreDB.usage

    async def counted(self: SqliteCentreDB, f: UsageFilter) -> UsageReport:
        made_here.append(f)
        return await usage(self, f)

    monkeypatch.setattr(SqliteCentreDB, "usage", counted)
    queries = [{}, {"room": "Room 1"}, {"since": "2026-11-23", "until": "2026-11-23", "utc_offset_h": "5.5"},
               {"lecturer": "L", "lamp_rated_hours": "2000"}]
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        rooms = [await add_token(centre, f"Room {n}") for n in range(3)]
        staff = await add_token(centre, "Staff", STAFF)
        await _child_ready(centre)
        for n, token in enumerate(rooms):
            for k in range(2):
                body = session_body(f"s-{n}-{k}", 5)
                body["events"][0].update(kind="error", device_uid="mac:1")
                async with http.put(f"{centre.url}/api/v1/sessions/s-{n}-{k}", json=body, headers=auth(token)) as r:
                    assert r.status == 200
        answers = []
        for query in queries:
            async with http.get(f"{centre.url}/api/v1/usage", params=query, headers=auth(staff)) as r:
                assert r.status == 200
                answers.append(await r.read())
        assert made_here == []  # every one made by the child
        db = centre.db
        assert db is not None
        for query, answer in zip(queries, answers, strict=True):
            assert answer == report_json(await db.usage(usage_filter(query)))
        assert json.loads(answers[0])["sessions"] == 6 and json.loads(answers[1])["sessions"] == 2
        async with http.put(f"{centre.url}/api/v1/sessions/s-9", json=session_body("s-9", 5),
                            headers=auth(rooms[0])) as r:
            assert r.status == 200
        async with http.get(f"{centre.url}/api/v1/usage", headers=auth(staff)) as r:
            assert (await r.json())["sessions"] == 7  # the upload's answer came after the kept report was let go
