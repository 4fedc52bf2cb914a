"""A damaged console.db: what still reads is saved into the fresh store, queued for the centre, and counted."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from classroom_console.store import AsyncStore, Event, open_store
from classroom_console.sync import items as sync_items
from tests.test_sync_support import add_token, engine_for, running_centre

PAGE = 4096


def _ten_sessions(data: Path) -> dict[str, tuple[str, str]]:
    """10 ended sessions with 5 events each (50 in all); returns id -> (lecturer, course)."""
    store = open_store(data)
    made = {}
    try:
        for n in range(10):
            sid = store.start_session(lecturer=f"Lecturer {n}", course=f"Course {n}")
            store.add_events([Event(sid, None, "state", {"n": i}) for i in range(5)])
            store.end_session(sid)
            made[sid] = (f"Lecturer {n}", f"Course {n}")
    finally:
        store.close()
    return made


def _damage(path: Path, offset: int, length: int) -> bytes:
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(os.urandom(length))
    return path.read_bytes()


def _root_pages_but(path: Path, keep: str) -> list[int]:
    """The root page of every table and index not named ``keep...``."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT rootpage FROM sqlite_master WHERE rootpage > 1 AND name NOT LIKE ?", (keep + "%",))
        return [int(r[0]) for r in rows]


def _moved_aside(data: Path) -> Path:
    [moved] = [p for p in data.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    return moved


@pytest.fixture(params=["sqlite3 .recover", "row by row"])
def salvage_way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """With the sqlite3 shell on PATH, and on a PC without it (an empty PATH)."""
    if request.param == "row by row":
        (tmp_path / "no-shell").mkdir()
        monkeypatch.setenv("PATH", str(tmp_path / "no-shell"))
    elif shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 shell is not installed (scripts/setup.sh installs it)")
    return str(request.param)


def test_8_kb_of_random_bytes_at_20480_loses_no_readable_session(tmp_path: Path, salvage_way: str) -> None:
    made = _ten_sessions(tmp_path)
    damaged = _damage(tmp_path / "console.db", 20480, 8192)

    store = open_store(tmp_path)
    try:
        assert store.notice is not None
        assert "10 sessions (50 events, 0 recordings) were saved" in store.notice, store.notice
        assert "queued for the centre; none was lost" in store.notice
        back = {r["id"]: (r["lecturer"], r["course"]) for r in store.db.query("SELECT * FROM sessions")}
        assert back == made
        assert sum(len(store.events(sid)) for sid in made) == 50
        assert store.integrity_ok()
        assert sync_items.counts(store) == {"pending": 10}
    finally:
        store.close()
    assert _moved_aside(tmp_path).read_bytes() == damaged  # the damaged file keeps every byte


def test_sessions_that_cannot_be_read_are_counted(tmp_path: Path, salvage_way: str) -> None:
    _ten_sessions(tmp_path)
    path = tmp_path / "console.db"
    for page in _root_pages_but(path, "session_events"):  # the sessions, every rollup and index: only events read
        _damage(path, (page - 1) * PAGE, PAGE)

    store = open_store(tmp_path)
    try:
        assert store.notice is not None and "damaged" in store.notice
        assert "0 sessions" in store.notice and "10 could not be read" in store.notice, store.notice
        assert store.start_session()  # the fresh store works
    finally:
        store.close()


async def test_salvaged_sessions_reach_the_centre(tmp_path: Path) -> None:
    made = await asyncio.to_thread(_ten_sessions, tmp_path / "room")
    await asyncio.to_thread(_damage, tmp_path / "room" / "console.db", 20480, 8192)
    store = await AsyncStore.open(tmp_path / "room")
    try:
        assert store.notice is not None and "10 sessions" in store.notice
        async with running_centre(tmp_path / "centre") as centre:
            engine = engine_for(store, centre.url, await add_token(centre, "Room 101"))
            try:
                result = await engine.run_once()
            finally:
                await engine.close()
        assert (result.uploaded, result.failed, result.pending) == (10, 0, 0), result.offline
        with sqlite3.connect(tmp_path / "centre" / "centre.db") as conn:
            assert {r[0] for r in conn.execute("SELECT id FROM sessions")} == set(made)
            assert conn.execute("SELECT count(*) FROM session_events").fetchone()[0] == 50
    finally:
        await store.close()



def test_the_command_that_opens_the_damaged_store_says_what_was_saved(tmp_path: Path) -> None:
    _ten_sessions(tmp_path)
    _damage(tmp_path / "console.db", 20480, 8192)
    root = Path(__file__).resolve().parent.parent
    ran = subprocess.run([sys.executable, "-m", "classroom_console", "-v", "--data-dir", str(tmp_path),
                          "usage", "--format", "json"], capture_output=True, text=True, timeout=120, cwd=root,
                         env={**os.environ, "PYTHONPATH": str(root)}, check=False)
    assert ran.returncode == 0, ran.stderr
    assert "10 sessions (50 events, 0 recordings) were saved" in ran.stderr  # the log's notice: with -v
    assert json.loads(ran.stdout)["sessions"] == 10


def test_chapters_and_tablet_figures_come_back_exactly(tmp_path: Path, salvage_way: str) -> None:
    """The rollups rebuilt by triggers as events are copied must equal the original, not count twice."""
    from classroom_console.media import chapters_store
    from classroom_console.media.chapters import Chapter

    store = open_store(tmp_path)
    sid = store.start_session(lecturer="L", course="C")
    store.add_events([Event(sid, None, "participant_joined", {"seat": "s1", "name": "A"}),
                      Event(sid, None, "participant_joined", {"seat": "s2", "name": "B"}),
                      Event(sid, None, "activity_started", {"activity_id": "a1", "activity_kind": "poll",
                                                            "title": "Ready?"}),
                      Event(sid, None, "answer", {"activity_id": "a1", "seat": "s1", "choice": 0}),
                      Event(sid, None, "answer", {"activity_id": "a1", "seat": "s2", "choice": 1}),
                      Event(sid, None, "hand_raised", {"seat": "s1"})])
    rid = store.add_recording(sid, str(tmp_path / "lecture.mp4"))
    store.finish_recording(rid, duration_s=10.0, size_bytes=1, sha256="0" * 64)
    chapters_store.replace_all(store, rid, [Chapter(0.0, "Intro", "auto", None), Chapter(5.0, "Optics", "edit", None)])
    store.end_session(sid)
    tables = ("tablet_counts", "tablet_seats", "chapters", "session_spans", "device_spans")
    before = {t: sorted(tuple(r) for r in store.db.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    store.close()
    assert before["tablet_counts"] and before["chapters"]
    path = tmp_path / "console.db"
    with sqlite3.connect(path) as conn:
        [[root]] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'device_readings'").fetchall()
    _damage(path, (int(root) - 1) * PAGE, PAGE)  # an empty table's page: everything compared stays readable

    store = open_store(tmp_path)
    try:
        assert store.notice is not None and "1 sessions" in store.notice, store.notice
        after = {t: sorted(tuple(r) for r in store.db.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    finally:
        store.close()
    assert after == before
