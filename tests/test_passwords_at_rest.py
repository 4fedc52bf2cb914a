"""Device passwords and the centre's token at rest: in the keyring where there is one, else readable only by us."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path

import pytest

from classroom_console.passwords import PasswordBook, usable_keyring
from classroom_console.store import AsyncStore

ROOT = Path(__file__).resolve().parent.parent


async def test_without_a_keyring_passwords_sit_in_a_private_file_and_the_user_is_told_where(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        book = PasswordBook(store, use_keyring=False)
        await book.save("mac:00:11:22:33:44:55", "s3cret")
        assert book.where == "store"
        where = await book.location()
        assert str(tmp_path / "console.db") in where and "readable only by this user" in where
        again = PasswordBook(store, use_keyring=False)
        assert await again.load(["mac:00:11:22:33:44:55"]) == {"mac:00:11:22:33:44:55": "s3cret"}
        modes = await asyncio.to_thread(
            lambda: {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()})
        assert modes and set(modes.values()) == {0o600}, modes
    finally:
        await store.close()


async def test_sync_save_says_where_the_token_is_kept(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path), "sync", "--save", "--once",
        "--centre", "http://127.0.0.1:9", cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CLASSROOM_CONSOLE_TOKEN": "room-token-from-the-environment"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()  # nothing queued: nothing to send
    said = out.decode()
    if await asyncio.to_thread(usable_keyring) is None:
        assert f"the token is kept in {tmp_path / 'console.db'}" in said and "readable only by this user" in said
    else:
        assert "the token is kept in the system keyring" in said
    assert await asyncio.to_thread(lambda: stat.S_IMODE((tmp_path / "console.db").stat().st_mode)) == 0o600


async def test_with_a_keyring_nothing_secret_is_left_in_the_database(tmp_path: Path) -> None:
    if await asyncio.to_thread(usable_keyring) is None:
        pytest.skip("no usable system keyring on this machine (the 'keyring' package is optional)")
    store = await AsyncStore.open(tmp_path)
    try:
        await PasswordBook(store, use_keyring=False).save("mac:00:11:22:33:44:77", "from-an-older-run")
        book = PasswordBook(store)
        await book.save("mac:00:11:22:33:44:66", "in-the-keyring")
        found = await book.load(["mac:00:11:22:33:44:77"])  # moved to the keyring on the way
        rows = await store.call(lambda s: s.db.execute("SELECT count(*) FROM device_secrets").fetchone()[0])
        assert book.where == "keyring" and rows == 0 and found == {"mac:00:11:22:33:44:77": "from-an-older-run"}
        assert "system keyring" in await book.location()
    finally:
        await store.close()
