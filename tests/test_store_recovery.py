"""A damaged database is moved aside with every byte kept, and the console starts on a fresh one."""

from __future__ import annotations

from pathlib import Path

from classroom_console.store import Event, open_store


def _corrupt_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.iterdir() if ".corrupt-" in p.name)


def _assert_fresh_and_working(data_dir: Path) -> None:
    store = open_store(data_dir)
    try:
        assert store.notice is None
        sid = store.start_session(lecturer="after recovery")
        store.add_event(sid, None, "state", {"ok": True})
        assert len(store.events(sid)) == 1
        assert store.integrity_ok()
    finally:
        store.close()


def test_garbage_file_is_moved_aside(tmp_path: Path) -> None:
    garbage = bytes(range(256)) * 64
    (tmp_path / "console.db").write_bytes(garbage)
    (tmp_path / "console.db-wal").write_bytes(b"stale wal")

    store = open_store(tmp_path)
    try:
        assert store.notice is not None and "moved to" in store.notice and "not a database" in store.notice
        assert store.start_session()  # the fresh store works
    finally:
        store.close()
    moved = [p for p in _corrupt_files(tmp_path) if not p.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1 and moved[0].read_bytes() == garbage
    assert Path(f"{moved[0]}-wal").read_bytes() == b"stale wal"
    assert moved[0].name in store.notice
    _assert_fresh_and_working(tmp_path)


def test_truncated_database_is_moved_aside(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    sid = store.start_session()
    store.add_events([Event(sid, "mac:00:11:22:33:44:55", "state", {"pad": "x" * 300}) for _ in range(1000)])
    store.close()
    path = tmp_path / "console.db"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    truncated = path.read_bytes()

    store = open_store(tmp_path)
    try:
        assert store.notice is not None and "damaged" in store.notice
        assert store.events(sid) == []
    finally:
        store.close()
    moved = [p for p in _corrupt_files(tmp_path) if not p.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1 and moved[0].read_bytes() == truncated
    _assert_fresh_and_working(tmp_path)


def test_repeated_corruption_never_overwrites_an_earlier_copy(tmp_path: Path) -> None:
    for n in range(2):
        (tmp_path / "console.db").write_bytes(f"garbage {n}".encode() * 50)
        open_store(tmp_path).close()
    kept = {p.read_bytes() for p in _corrupt_files(tmp_path) if not p.name.endswith(("-wal", "-shm"))}
    assert kept == {b"garbage 0" * 50, b"garbage 1" * 50}
