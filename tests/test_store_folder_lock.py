"""A second console on one data folder (the `class` command or a headless `record` beside the window) must not
take the first one's live session or recording for a crash's leftovers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.store import open_store
from classroom_console.store.folder_lock import FolderLock


async def test_a_second_console_leaves_the_first_ones_session_and_recording_open(tmp_path: Path) -> None:
    first = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    await first.start()
    try:
        assert first.store is not None and first.store.tidies_after_crash
        session = await first.room.start_session("Aliya", "Physics")
        recording_id = await first.store.add_recording(session.id, str(tmp_path / "live.mp4"))

        second = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await second.start()
        try:
            assert second.store is not None and not second.store.tidies_after_crash
            row = await second.store.call(lambda s: s.session(session.id))
            assert row is not None and row["ended_at"] is None, "the live session was closed as interrupted"
            assert second.studio is not None and await second.studio.recover() == []
            open_rows = await second.store.call(
                lambda s: s.db.execute("SELECT count(*) FROM recordings WHERE stopped_at IS NULL").fetchone()[0])
            assert open_rows == 1, recording_id
        finally:
            await second.stop()
        await first.room.end_session()
    finally:
        await first.stop()
    row = await asyncio.to_thread(_session_row, tmp_path, session.id)
    assert row is not None and row["status"] == "completed"


def _session_row(folder: Path, session_id: str) -> dict[str, object] | None:
    store = open_store(folder)
    try:
        row = store.session(session_id)
        return dict(row) if row is not None else None
    finally:
        store.close()


def test_the_lock_goes_with_a_killed_process(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from classroom_console.store.folder_lock import FolderLock; "
         "assert FolderLock(Path(sys.argv[1])).try_acquire(); print('held', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not FolderLock(tmp_path).try_acquire()
    finally:
        holder.kill()
        holder.wait(timeout=30)
    lock = FolderLock(tmp_path)
    deadline = time.monotonic() + 30
    while not lock.try_acquire():  # the kernel drops a dead process's lock at once; bounded anyway
        assert time.monotonic() < deadline
        time.sleep(0.05)
    lock.release()
    assert oct(os.stat(tmp_path / "console.lock").st_mode & 0o777) == "0o600"
