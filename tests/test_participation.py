"""Tablet participation lands in the session log, verbatim and in batches, and becomes the usage figures:
in ``usage --format json`` on the room, at a real centre after a real sync (SQLite and PostgreSQL alike),
and after the retention period without the students' names but with every count."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from classroom_console import participation as pt
from classroom_console.centre.db_sqlite import _connect as centre_connect
from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.participation import NameRetention, Participation, drop_old_names
from classroom_console.room import Room
from classroom_console.store import AsyncStore, open_store, utc_iso
from classroom_console.sync.items import sweep
from classroom_console.tablets import RoomLog
from classroom_console.usage import local_report
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import SQLITE, build_queries
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_sync_support import add_token, engine_for, running_centre

XSS = '<img src=x onerror="alert(1)">&amp;</script>'


async def _lesson(store: AsyncStore, course: str, seats: int, answering: list[int], name: str = "Student") -> str:
    """One ended session: ``seats`` join, activity i is answered by ``answering[i]`` seats (the first also
    changes its answer), seat 0 raises and lowers a hand."""
    await store.call(lambda s: s.upsert_room("room:A", "A"))
    sid = await store.start_session(room_id="room:A", lecturer="Aliya", course=course)
    p = Participation(store)
    for seat in range(seats):
        p.joined(sid, f"seat-{seat}", f"{name} {seat}")
    p.joined(sid, "seat-0", f"{name} 0")  # a tablet that dropped and came back: the same seat
    for i, n in enumerate(answering):
        p.activity_started(sid, f"act-{i}", "poll", {"question": f"Q{i}?", "options": ["Yes", "No"]})
        for seat in range(n):
            p.answered(sid, f"act-{i}", f"seat-{seat}", "Yes")
        if n:
            p.answered(sid, f"act-{i}", "seat-0", "No")
        p.activity_ended(sid, f"act-{i}")
    p.hand_raised(sid, "seat-0")
    p.hand_cleared(sid, "seat-0")
    await p.flush()
    assert p.failed == 0
    await store.end_session(sid)
    return sid


async def test_every_answer_is_logged_verbatim_with_its_time(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        sid = await store.start_session(course="Physics")
        p = Participation(store)
        at = datetime.now(UTC) - timedelta(seconds=30)
        p.joined(sid, "7", XSS, at=at)
        p.activity_started(sid, "q1", "text", {"question": "Why?"}, at=at + timedelta(seconds=1))
        p.answered(sid, "q1", "7", XSS + " Почему — потому", at=at + timedelta(seconds=4))
        p.answer_shown(sid, "q1", "7")
        p.answered(sid, "q1", "7", ["A", "B"], correct=True)
        p.hand_raised(sid, "7")
        p.hand_cleared(sid, "7", by="student")
        p.left(sid, "7")
        await p.flush()
        events = await store.events(sid)
    finally:
        await store.close()
    assert [e["kind"] for e in events] == [
        pt.JOINED, pt.ACTIVITY_STARTED, pt.ANSWER, pt.ANSWER_SHOWN, pt.ANSWER, pt.HAND_RAISED, pt.HAND_CLEARED,
        pt.LEFT,
    ]
    joined = events[0]
    assert joined["payload"] == {"seat": "7", "name": XSS} and joined["wall_time"] == utc_iso(at)
    answers = [e for e in events if e["kind"] == pt.ANSWER]
    assert answers[0]["payload"]["answer"] == XSS + " Почему — потому"
    assert answers[0]["wall_time"] == utc_iso(at + timedelta(seconds=4))
    assert answers[1]["payload"] == {"activity_id": "q1", "seat": "7", "answer": ["A", "B"], "correct": True}
    assert all(e["device_uid"] is None for e in events)  # tablets' answers never count as device hours


async def test_a_burst_of_answers_is_batched_and_never_waits_on_disk(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        sid = await store.start_session(course="Physics")
        p = Participation(store)
        started = time.perf_counter()
        for seat in range(500):
            p.answered(sid, "poll", str(seat), "Yes")
        queued_s = time.perf_counter() - started
        await p.flush()
        count = await store.call(lambda s: s.db.execute("SELECT count(*) FROM session_events").fetchone()[0])
    finally:
        await store.close()
    assert count == 500 and p.written == 500
    assert queued_s < 0.5  # queueing 500 answers is in-memory work (about 10 ms); the disk is the writer's


async def test_bad_input_is_refused_at_the_call_and_a_bad_session_sinks_nothing_else(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        sid = await store.start_session()
        p = Participation(store)
        with pytest.raises(ValueError):
            p.answered(sid, "q", "1", "x" * 40_000)  # one event could otherwise make the centre refuse the session
        with pytest.raises(ValueError):
            p.answered(sid, "q", "1", [[[[[["too deep"]]]]]])
        with pytest.raises(ValueError):
            p.joined(sid, "s" * 65, "Name")
        with pytest.raises(ValueError):
            p.joined(sid, "1", "N" * 201)
        with pytest.raises(ValueError):
            p.hand_raised(sid, "1", at=datetime(2026, 1, 1))  # naive: which zone?
        with pytest.raises(ValueError):
            p.answered(sid, "q", "1", 1 << 70)
        p.answered("no-such-session", "q", "1", "Yes")
        p.answered(sid, "q", "2", "Yes")
        await p.flush()
        events = await store.events(sid)
    finally:
        await store.close()
    assert p.failed == 1 and p.written == 1
    assert [e["payload"]["seat"] for e in events] == ["2"]


async def test_usage_json_counts_joins_answers_and_response_rates(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        await _lesson(store, "Physics", seats=4, answering=[4, 2])  # (4 + 2) / (2 x 4) = 75%
        await _lesson(store, "Physics", seats=2, answering=[1])  # 1 / 2
        await _lesson(store, "Chemistry", seats=3, answering=[])  # joined, no activity: no rate
    finally:
        await store.close()
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path), "usage",
                         "--format", "json"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    t = json.loads(done.stdout)["tablets"]
    assert (t["sessions"], t["joins"], t["activities"], t["answers"], t["hands"]) == (3, 9, 3, 10, 3)
    assert t["response_rate"] == round((4 + 2 + 1) / (2 * 4 + 1 * 2), 4)
    rates = sorted((s["course"], s["joins"], s["response_rate"]) for s in t["by_session"])
    assert rates == [("Chemistry", 3, None), ("Physics", 2, 0.5), ("Physics", 4, 0.75)]
    courses = {c["course"]: c for c in t["by_course"]}
    assert courses["Physics"]["sessions"] == 2 and courses["Physics"]["response_rate"] == 0.7
    assert courses["Chemistry"]["response_rate"] is None and courses["Chemistry"]["joins"] == 3
    per_activity = sorted((a["title"], a["answers"], a["respondents"]) for a in t["by_activity"])
    assert per_activity == [("Q0?", 2, 1), ("Q0?", 5, 4), ("Q1?", 3, 2)]
    table = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path), "usage"],
        capture_output=True, text=True, timeout=120, check=False)
    assert "Tablet participation: 3 session(s), 9 joined, 3 activities, 10 answers, response rate 70%" in table.stdout


async def _room_log_lesson(store: AsyncStore) -> str:
    """A session as the tablets server logs it (RoomLog, ``tablet.*`` kinds): 3 seats, 2 answer, one hand."""
    room = Room("A", room_id="room:A")
    room.attach_store(store)
    session = await room.start_session("Aliya", "Physics")
    log = RoomLog(room)
    for seat, name in ((1, XSS), (2, "Bolat"), (3, "Dana")):
        log.joined(seat, name, rejoined=False)
    log.joined(1, XSS, rejoined=True)
    log.activity_started({"id": "a1", "kind": "poll", "question": "Ready?", "options": ["Yes", "No"]})
    for seat in (1, 2):
        log.answered("a1", seat, {"choice": [0]}, datetime.now(UTC).isoformat())
    log.hand(3, True, "student")
    log.hand(3, False, "lecturer")
    log.activity_closed({"activity": "a1", "answers": [{"seat_id": 1, "name": XSS, "text": "x"}]})
    await room.flush()
    await room.end_session()
    return session.id


async def _centre_reports(store: AsyncStore, folder: Path, url: str | None) -> list[dict[str, Any]]:
    await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'pending'"))
    async with running_centre(folder, database_url=url) as centre:
        token = await add_token(centre, "Room 101")
        engine = engine_for(store, centre.url, token)
        try:
            sent = await engine.run_once(force=True)
        finally:
            await engine.close()
        assert sent.failed == 0 and sent.uploaded >= 2
        assert centre.db is not None
        filters = (UsageFilter(), UsageFilter(lecturer="Aliya"), UsageFilter(room="Room 102"))
        return [(await centre.db.usage(f)).as_json()["tablets"] for f in filters]


async def test_participation_survives_the_sync_and_the_centre_reports_it_on_sqlite_and_postgres(
    postgres_url: str, tmp_path: Path  # noqa: F811 (fixture)
) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        sid = await _lesson(store, "Physics", seats=5, answering=[5, 3], name=XSS)
        await _lesson(store, "Maths", seats=2, answering=[2])
        await _room_log_lesson(store)
        await store.call(sweep)
        local = (await local_report(store, UsageFilter())).as_json()["tablets"]
        lite = await _centre_reports(store, tmp_path / "lite", None)
        pg = await _centre_reports(store, tmp_path / "pg", postgres_url)
    finally:
        await store.close()
    assert lite == pg
    every, by_lecturer, other_room = lite
    assert every["joins"] == 7 + 3 and every["answers"] == 5 + 1 + 3 + 1 + 2 + 1 + 2 and every["activities"] == 4
    assert every["response_rate"] == round((5 + 3 + 2 + 2) / (2 * 5 + 2 + 3), 4) and every["hands"] == 3
    assert by_lecturer["sessions"] == 3 and other_room["sessions"] == 0
    # the centre keys rooms by their token's name; apart from that the room's own report says the same
    for key in ("sessions", "joins", "activities", "answers", "hands", "response_rate", "by_course"):
        assert local[key] == every[key], key
    assert {s["session_id"] for s in every["by_session"]} >= {sid}
    with sqlite3.connect(tmp_path / "lite" / "centre.db") as conn:
        names = [json.loads(p)["name"] for (p,) in conn.execute(
            "SELECT payload FROM session_events WHERE kind = 'participant_joined' AND session_id = ?", (sid,))]
    assert XSS + " 0" in names  # uploaded verbatim (escaping is the viewer's job)


async def test_retention_drops_names_and_keeps_every_count(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        old = await _lesson(store, "Physics", seats=3, answering=[3])
        recent = await _lesson(store, "Physics", seats=2, answering=[1])
        long_ago = utc_iso(datetime.now(UTC) - timedelta(days=40))
        await store.call(lambda s: s.db.execute(
            "UPDATE session_events SET wall_time = ? WHERE session_id = ?", (long_ago, old)))
        before = (await local_report(store)).tablets
        assert await store.call(lambda s: drop_old_names(s, 0)) == 0  # 0 keeps names
        assert await store.call(lambda s: drop_old_names(s, 30)) == 4  # three seats, one joined twice
        assert await store.call(lambda s: drop_old_names(s, 30)) == 0  # nothing left to drop
        after = (await local_report(store)).tablets
        old_events = await store.events(old)
        recent_events = await store.events(recent)
    finally:
        await store.close()
    assert after == before and after is not None and after["joins"] == 5
    joins = [e["payload"] for e in old_events if e["kind"] == pt.JOINED]
    assert joins and all(p["name"] == "" and p["name_dropped"] is True and p["seat"] for p in joins)
    assert all(e["payload"]["name"].startswith("Student") for e in recent_events if e["kind"] == pt.JOINED)


async def test_the_console_applies_retention_from_its_settings_at_start(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        old = await _lesson(store, "Physics", seats=2, answering=[1])
        long_ago = utc_iso(datetime.now(UTC) - timedelta(days=10))
        await store.call(lambda s: s.db.execute("UPDATE session_events SET wall_time = ?", (long_ago,)))
    finally:
        await store.close()
    (tmp_path / "settings.json").write_text(json.dumps({"personal_data_days": 7}), encoding="utf-8")
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    await core.start()
    try:
        assert core.settings.personal_data_days == 7 and core.store is not None
        retention = core.name_retention
        assert retention is not None
        deadline = time.monotonic() + 30
        while retention.runs == 0 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        names = [e["payload"]["name"] for e in await core.store.events(old) if e["kind"] == pt.JOINED]
    finally:
        await core.stop()
    assert retention.dropped == 3 and names == ["", "", ""]


async def test_retention_runs_again_after_its_interval(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    retention = NameRetention(store, days=1, every_s=0.05)
    try:
        retention.start()
        deadline = time.monotonic() + 30
        while retention.runs < 3 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    finally:
        await retention.stop()
        await store.close()
    assert retention.runs >= 3


async def test_the_tablets_servers_own_log_counts_too_and_loses_its_names(tmp_path: Path) -> None:
    """ClassSession logs through RoomLog (``tablet.*`` kinds): the same figures, the same retention."""
    store = await AsyncStore.open(tmp_path)
    try:
        await store.call(lambda s: s.upsert_room("room:A", "A"))
        session_id = await _room_log_lesson(store)
        t = (await local_report(store)).tablets
        assert t is not None
        assert (t["sessions"], t["joins"], t["activities"], t["answers"], t["hands"]) == (1, 3, 1, 2, 1)
        assert t["response_rate"] == round(2 / 3, 4) and t["by_activity"][0]["title"] == "Ready?"
        later = datetime.now(UTC) + timedelta(days=31)
        assert await store.call(lambda s: drop_old_names(s, 30, now=later)) == 5  # four joins, one results
        assert (await local_report(store)).tablets == t
        text = json.dumps([e["payload"] for e in await store.events(session_id)], ensure_ascii=False)
    finally:
        await store.close()
    assert XSS not in text and "Bolat" not in text and "Ready?" in text


def test_the_figures_read_the_rollup_not_the_events(tmp_path: Path) -> None:
    """Migration v9 and the centre's schema carry the per-session rollup the query reads (else: every answer)."""
    store = open_store(tmp_path / "room")
    centre = centre_connect(tmp_path / "centre.db")
    try:
        for db, home in ((store.db.conn, "room:A"), (centre, None)):
            sql = build_queries(SQLITE, UsageFilter(), home)[0]["tablets"]
            plan = " ".join(str(row) for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", ("0000", "9999")))
            assert "SEARCH t USING" in plan and "session_events" not in plan, plan  # t: tablet_counts
    finally:
        store.close()
        centre.close()
