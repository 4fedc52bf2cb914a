"""The tablet participation figures read from ``tablet_sessions``/``tablet_counts`` (usage_tablets.py) are, number
for number, a recount of the raw events: for every filter, past the 500 listed sessions and activities, in a store
made before those tables carried their sessions (migrated from v9), and after a session's lecturer or room was
put right afterwards (then a filter on the old name finds nothing of it, one on the new name finds it all) --
in the room's store and, after the sync sends the session again, at the centre (SQLite and PostgreSQL).
"""

from __future__ import annotations

import functools
import json
import random
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from classroom_console.store import AsyncStore, open_store
from classroom_console.store.migrations import LATEST_VERSION, migrate, schema_version
from classroom_console.store.sqlite_db import Database
from classroom_console.sync.items import sweep
from classroom_console.usage import query_sqlite
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_participation import figures, rollup
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_participation import _lesson
from tests.test_sync_support import add_token, engine_for, running_centre

HOME = "room:0"


def _fill(conn: sqlite3.Connection, sessions: int, seed: int) -> None:
    """Sessions over a year in 4 rooms, by 6 lecturers; events in both spellings, odd ones included."""
    rng = random.Random(seed)
    for i in range(sessions):
        sid = f"s{seed}-{i:05d}"
        day = 1 + rng.randrange(28)
        started = f"2026-{1 + rng.randrange(12):02d}-{day:02d}T{8 + rng.randrange(10):02d}:00:00.000000Z"
        conn.execute("INSERT INTO sessions (id, room_id, lecturer, course, kind, started_at, ended_at, status) "
                     "VALUES (?, ?, ?, ?, 'active-learning', ?, NULL, 'completed')",
                     (sid, f"room:{rng.randrange(4)}", f"Lecturer {rng.randrange(6)}", f"Course {rng.randrange(5)}",
                      started))
        events: list[tuple[str, dict[str, Any]]] = []
        seats = rng.randrange(0, 6)
        for seat in range(seats):
            events.append((rng.choice(("participant_joined", "tablet.joined")), {"seat": str(seat)}))
        for a in range(rng.choice((0, 0, 1, 2, 3))):
            if rng.random() < 0.8:  # else answers arrive for an activity whose start was not logged
                events.append(("activity_started", {"activity_id": f"a{a}", "activity_kind": "poll", "title": "Q?"}))
            for seat in range(seats + 1):  # one seat more than joined, and some answer twice
                for _ in range(rng.choice((0, 1, 1, 2))):
                    events.append(rng.choice((("answer", {"activity_id": f"a{a}", "seat": str(seat)}),
                                              ("tablet.answer", {"activity": f"a{a}", "seat": str(seat)}))))
        for _ in range(rng.randrange(3)):
            events.append(("tablet.hand", {"seat": "1", "up": rng.random() < 0.5}))
            events.append(("hand_raised", {"seat": "2"}))
        conn.executemany("INSERT INTO session_events (session_id, device_uid, kind, payload, wall_time, monotonic_ns) "
                         "VALUES (?, NULL, ?, ?, ?, 0)", [(sid, k, json.dumps(p), started) for k, p in events])
    conn.commit()


def _recount(conn: sqlite3.Connection, f: UsageFilter) -> dict[str, Any]:
    """The figures from the raw events and the sessions table, in Python: no rollup table read."""
    since, until = f.utc_bounds()
    offset = float(f.utc_offset_h) * 3600.0
    spans = {sid: (room, lecturer, course, started, t0) for sid, room, lecturer, course, started, t0 in conn.execute(
        "SELECT s.id, coalesce(s.room_id, ''), s.lecturer, s.course, s.started_at, sp.t0_s "
        "FROM sessions s JOIN session_spans sp ON sp.id = s.id")}
    events: dict[str, list[tuple[str, Any]]] = {}
    for sid, kind, payload in conn.execute("SELECT session_id, kind, payload FROM session_events ORDER BY id"):
        events.setdefault(sid, []).append((kind, json.loads(payload)))
    rows = []
    for sid, evs in events.items():
        room, lecturer, course, started, t0 = spans[sid]
        if not since <= started < until or (f.room and room != f.room) or (f.lecturer and lecturer != f.lecturer):
            continue
        for r in rollup(evs):
            rows.append((sid, room, course, t0 + offset, r["kind"], r["item"], r["activity_kind"], r["title"],
                         r["events"], r["seats"]))
    return figures(rows)


FILTERS = (UsageFilter(), UsageFilter(utc_offset_h=5), UsageFilter(since=date(2026, 3, 1), until=date(2026, 5, 31)),
           UsageFilter(room="room:2"), UsageFilter(lecturer="Lecturer 3"),
           UsageFilter(room="room:1", lecturer="Lecturer 1", since=date(2026, 6, 1)))


def _check(conn: sqlite3.Connection, filters: tuple[UsageFilter, ...] = FILTERS) -> None:
    for f in filters:
        got = query_sqlite(conn, f, home_room=HOME).tablets
        assert got == _recount(conn, f), f


def test_the_figures_equal_a_recount_of_the_events_past_the_listed_500(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.close()
    conn = sqlite3.connect(tmp_path / "console.db")
    try:
        _fill(conn, 1400, seed=1)
        every = query_sqlite(conn, UsageFilter(), home_room=HOME).tablets
        assert every is not None and every["sessions"] > 1000 and every["activities"] > 1000
        assert len(every["by_session"]) == 500 and len(every["by_activity"]) == 500
        _check(conn)
    finally:
        conn.close()


def test_a_store_from_before_the_per_session_sums_is_filled_the_same(tmp_path: Path) -> None:
    db = Database(tmp_path / "console.db")
    assert migrate(db, tmp_path / "console.db", target=9) == 9  # tablet_counts as it was before v10
    _fill(db.conn, 300, seed=2)
    db.close()
    open_store(tmp_path).close()  # v10 onwards copy each session's columns and sums into the existing rows
    conn = sqlite3.connect(tmp_path / "console.db")
    try:
        assert schema_version(Database(conn)) == LATEST_VERSION
        _check(conn)
    finally:
        conn.close()


def test_a_session_whose_lecturer_or_room_is_put_right_afterwards_moves_with_all_its_figures(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.close()
    conn = sqlite3.connect(tmp_path / "console.db")
    try:
        _fill(conn, 200, seed=3)
        moved = [sid for (sid,) in conn.execute(
            "SELECT DISTINCT session_id FROM tablet_counts WHERE kind = 'answer' ORDER BY session_id LIMIT 20")]
        before = query_sqlite(conn, UsageFilter(lecturer="Lecturer 9"), home_room=HOME).tablets
        assert before is not None and before["sessions"] == 0
        marks = ",".join("?" * len(moved))
        conn.execute(f"UPDATE sessions SET lecturer = 'Lecturer 9' WHERE id IN ({marks})", moved)
        conn.execute(f"UPDATE sessions SET room_id = 'room:9', course = 'Course 9' WHERE id IN ({marks[:19]})",
                     moved[:10])
        conn.execute("UPDATE sessions SET started_at = '2027-01-01T09:00:00.000000Z' WHERE id = ?", (moved[0],))
        conn.commit()
        _check(conn, (*FILTERS, UsageFilter(lecturer="Lecturer 9"), UsageFilter(room="room:9"),
                      UsageFilter(since=date(2027, 1, 1))))
        after = query_sqlite(conn, UsageFilter(lecturer="Lecturer 9"), home_room=HOME).tablets
        assert after is not None and after["sessions"] == 20
        assert {c["course"] for c in after["by_course"]} >= {"Course 9"}
        conn.execute(f"DELETE FROM sessions WHERE id IN ({marks})", moved)  # and a deleted session leaves none
        conn.commit()
        gone = query_sqlite(conn, UsageFilter(lecturer="Lecturer 9"), home_room=HOME).tablets
        assert gone is not None and gone["sessions"] == 0
        assert conn.execute(f"SELECT count(*) FROM tablet_sessions WHERE session_id IN ({marks})", moved).fetchone() \
            == (0,)
    finally:
        conn.close()


async def _sync(store: AsyncStore, url: str, token: str) -> None:
    """Send every session again (as after an edit), waiting for the centre's answer."""
    await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'pending'"))
    engine = engine_for(store, url, token)
    try:
        sent = await engine.run_once(force=True)
    finally:
        await engine.close()
    assert sent.failed == 0 and sent.uploaded >= 1


def _local(store: Any, *, lecturer: str) -> dict[str, Any]:
    tablets = query_sqlite(store.db.conn, UsageFilter(lecturer=lecturer), home_room="room:A").tablets
    assert tablets is not None
    return tablets


async def test_the_centre_follows_a_lecturer_put_right_after_the_upload(
    postgres_url: str, tmp_path: Path  # noqa: F811 (fixture)
) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        sid = await _lesson(store, "Physics", seats=5, answering=[5, 3])
        await _lesson(store, "Maths", seats=2, answering=[2])
        await store.call(sweep)
        for folder, url in (("lite", None), ("pg", postgres_url)):
            await store.call(lambda s: s.db.execute("UPDATE sessions SET lecturer = 'Aliya'"))
            async with running_centre(tmp_path / folder, database_url=url) as centre:
                assert centre.db is not None
                token = await add_token(centre, "Room 101")
                await _sync(store, centre.url, token)
                aliya = (await centre.db.usage(UsageFilter(lecturer="Aliya"))).as_json()["tablets"]
                assert aliya["sessions"] == 2 and aliya["joins"] == 7
                await store.call(lambda s: s.db.execute("UPDATE sessions SET lecturer = 'Bolat' WHERE id = ?", [sid]))
                await _sync(store, centre.url, token)
                got = {who: (await centre.db.usage(UsageFilter(lecturer=who))).as_json()["tablets"]
                       for who in ("Aliya", "Bolat")}
            local = {who: await store.call(functools.partial(_local, lecturer=who)) for who in ("Aliya", "Bolat")}
            assert got["Bolat"]["sessions"] == 1 and got["Bolat"]["joins"] == 5 and got["Aliya"]["sessions"] == 1
            for who in ("Aliya", "Bolat"):  # the centre names the room by its token: compare all but the room
                for key in ("sessions", "joins", "activities", "answers", "hands", "response_rate", "by_course"):
                    assert got[who][key] == local[who][key], (folder, who, key)
    finally:
        await store.close()
