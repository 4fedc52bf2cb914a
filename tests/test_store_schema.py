"""Schema migrations, newer-schema refusal and the data-dir default."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from platformdirs import user_data_dir

from classroom_console.store import LATEST_VERSION, StoreTooNewError, data_dir, database_path, open_store
from classroom_console.store.migrations import MIGRATIONS, migrate, schema_version
from classroom_console.store.sqlite_db import Database

TABLES = {
    "rooms",
    "devices",
    "device_readings",
    "sessions",
    "session_events",
    "recordings",
    "markers",
    "upload_queue",
}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_default_data_dir_is_platformdirs_and_overridable(tmp_path: Path) -> None:
    assert data_dir() == Path(user_data_dir("classroom-console", appauthor=False))
    assert data_dir(tmp_path) == tmp_path
    assert database_path(tmp_path) == tmp_path / "console.db"


@pytest.mark.parametrize("zero_byte_file", [False, True])
def test_fresh_store_is_migrated_to_latest(tmp_path: Path, zero_byte_file: bool) -> None:
    if zero_byte_file:
        (tmp_path / "console.db").write_bytes(b"")
    store = open_store(tmp_path)
    try:
        assert store.notice is None
        assert store.schema_version == LATEST_VERSION == len(MIGRATIONS)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"session_events_session_time", "devices_last_seen"} <= indexes
    finally:
        store.close()
    assert TABLES <= _tables(tmp_path / "console.db")


def test_version_1_file_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    db = Database(sqlite3.connect(path))
    assert migrate(db, path, target=1) == 1
    db.execute(
        "INSERT INTO sessions (id, lecturer, started_at) VALUES ('s1', 'Dr. Aliyeva', '2026-01-01T09:00:00Z')"
    )
    db.execute(
        "INSERT INTO session_events (session_id, kind, payload, wall_time, monotonic_ns) "
        "VALUES ('s1', 'command', '{\"power\":\"on\"}', '2026-01-01T09:00:01Z', 1)"
    )
    db.close()
    assert "recordings" not in _tables(path)

    store = open_store(tmp_path)
    try:
        assert store.schema_version == LATEST_VERSION
        assert store.session("s1")["lecturer"] == "Dr. Aliyeva"  # type: ignore[index]
        assert [e["payload"] for e in store.events("s1")] == [{"power": "on"}]
        rec = store.add_recording("s1", "/videos/a.mp4")
        assert store.recording(rec)["session_id"] == "s1"  # type: ignore[index]
    finally:
        store.close()


def test_failed_step_rolls_back_with_its_version(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    db = Database(sqlite3.connect(path))

    def broken(d: Database) -> None:
        d.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        migrate(db, path, migrations=[MIGRATIONS[0], broken])
    assert schema_version(db) == 1
    assert "half_done" not in db.table_names()
    db.close()


def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    path = tmp_path / "console.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 7}")
    conn.close()
    before = path.read_bytes()

    with pytest.raises(StoreTooNewError) as info:
        open_store(tmp_path)
    message = str(info.value)
    assert str(LATEST_VERSION + 7) in message and "Update Classroom Console" in message
    assert info.value.found == LATEST_VERSION + 7 and info.value.supported == LATEST_VERSION
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_newer_version_still_in_the_wal_is_refused(tmp_path: Path) -> None:
    """After a crash the version bump may live only in the -wal; the header alone would lie."""
    open_store(tmp_path).close()
    live = sqlite3.connect(tmp_path / "console.db")
    live.execute("PRAGMA wal_autocheckpoint = 0")
    live.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in ("console.db", "console.db-wal"):
        shutil.copy(tmp_path / name, crashed / name)
    live.close()
    before = (crashed / "console.db").read_bytes()

    with pytest.raises(StoreTooNewError):
        open_store(crashed)
    assert (crashed / "console.db").read_bytes() == before
