"""The data folder and every file of the store are private to the user: the log and the secrets in it."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from classroom_console.store import AsyncStore, open_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_data_folder_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    store = await AsyncStore.open(data)
    try:
        await store.add_event(None, None, "state", {"a": 1})  # the -wal and -shm exist while the store is open
        files = sorted(await asyncio.to_thread(lambda: [p.name for p in data.iterdir()]))
        assert files == ["console.db", "console.db-reserve", "console.db-shm", "console.db-wal", "console.lock"]
        modes = await asyncio.to_thread(lambda: {n: mode(data / n) for n in files})
        assert modes == {n: 0o600 for n in files}
        assert await asyncio.to_thread(mode, data) == 0o700
    finally:
        await store.close()


def test_an_older_world_readable_database_is_made_private(tmp_path: Path) -> None:
    open_store(tmp_path).close()
    os.chmod(tmp_path / "console.db", 0o644)
    store = open_store(tmp_path)
    try:
        assert mode(tmp_path / "console.db") == 0o600
    finally:
        store.close()


def test_a_damaged_file_moved_aside_stays_private(tmp_path: Path) -> None:
    (tmp_path / "console.db").write_bytes(b"not a database at all" * 20)
    os.chmod(tmp_path / "console.db", 0o644)
    open_store(tmp_path).close()
    [moved] = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert mode(moved) == 0o600


def test_another_user_cannot_read_the_database() -> None:
    runuser = shutil.which("runuser")
    if os.geteuid() != 0 or runuser is None:
        pytest.skip("needs root and runuser to try reading as another user")
    base = Path(tempfile.mkdtemp(prefix="cc-privacy-"))  # pytest's tmp folders are private: this one is not
    try:
        data = base / "data"
        data.mkdir()
        for folder in (base, data):
            os.chmod(folder, 0o755)  # a folder others may enter, as a chosen --data-dir may be
        open_store(data).close()
        tried = subprocess.run([runuser, "-u", "nobody", "--", "cat", str(data / "console.db")],
                               capture_output=True, timeout=60, check=False)
        assert tried.returncode != 0 and b"Permission denied" in tried.stderr
    finally:
        shutil.rmtree(base)
