"""A failed ``centre backup`` or ``centre restore`` leaves nothing half-done, so the retry works; backups are private.

Real SQLite and a real PostgreSQL (stopped for a backup, given a clashing table for a restore), through the real
``centre`` command in its own process.
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from classroom_console.centre import backup
from classroom_console.centre import config as centre_config
from classroom_console.centre.config import POSTGRESQL, CentreConfig
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)
from tests.test_centre_backup import _check_restored, _fill_centre, backed_up_pg_centre
from tests.test_centre_config import cli

asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")


def _flip_a_byte(backup: Path) -> tuple[Path, bytes]:
    victim = next((backup / "files").rglob("*.bin"))
    original = victim.read_bytes()
    victim.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
    return victim, original


def _modes(root: Path) -> set[tuple[str, int]]:
    """Each kind of entry under root (root included) with its permission bits."""
    found = {("dir", stat.S_IMODE(root.stat().st_mode))}
    for folder, dirs, names in os.walk(root):
        found |= {("dir", stat.S_IMODE((Path(folder) / d).stat().st_mode)) for d in dirs}
        found |= {("file", stat.S_IMODE((Path(folder) / n).stat().st_mode)) for n in names}
    return found


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) if root.exists() else []


async def _pg(url: str, password: str, sql: str) -> list[str]:
    conn = await asyncpg.connect(url, password=password)
    try:
        return [row[0] for row in await conn.fetch(sql)]
    finally:
        await conn.close()


TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
OBJECTS = """SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
             UNION ALL SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace"""


async def test_a_sqlite_restore_of_a_damaged_file_touches_nothing_and_the_retry_works(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    code, out, err = await cli("add-room", "Room 101", "--data", str(data))
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    report, files = await _fill_centre(data, tmp_path, token, {})
    # A backup holds every room's token hash and the recordings: its owner's alone, as centre.toml is.
    assert await asyncio.to_thread(_modes, tmp_path / "backup") == {("dir", 0o700), ("file", 0o600)}
    victim, original = await asyncio.to_thread(_flip_a_byte, tmp_path / "backup")
    restored = tmp_path / "restored"
    restored.mkdir()
    code, out, err = await cli("restore", str(tmp_path / "backup"), "--data", str(restored))
    assert code == 1 and "differs from the backup's manifest" in err and "Traceback" not in err
    assert await asyncio.to_thread(_tree, restored) == []  # no centre.db, no files: no half-restored centre
    await asyncio.to_thread(victim.write_bytes, original)
    code, out, err = await cli("restore", str(tmp_path / "backup"), "--data", str(restored))
    assert code == 0, err
    await _check_restored(restored, token, report, files)


async def test_a_postgres_restore_that_fails_leaves_the_database_and_files_as_they_were(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    token, report, files, target = await backed_up_pg_centre(pg_server, tmp_path)
    env = {"PGPASSWORD": pg_server.password}
    restored, restored_files = tmp_path / "restored", tmp_path / "restored-files"
    args = ("restore", str(tmp_path / "backup"), "--data", str(restored), "--database-url", target,
            "--files", str(restored_files))
    # A damaged file is refused before the database is touched.
    victim, original = await asyncio.to_thread(_flip_a_byte, tmp_path / "backup")
    code, _, err = await cli(*args, env=env)
    assert code == 1 and "differs from the backup's manifest" in err and "Traceback" not in err
    assert await _pg(target, pg_server.password, TABLES) == []
    assert await asyncio.to_thread(_tree, restored) == [] and await asyncio.to_thread(_tree, restored_files) == []
    await asyncio.to_thread(victim.write_bytes, original)
    # pg_restore itself fails on a table in its way: nothing of the dump stays loaded, the files copied go again.
    await _pg(target, pg_server.password, "CREATE TABLE roll_heat (x INTEGER)")
    code, _, err = await cli(*args, env=env)
    assert code == 1 and "pg_restore failed" in err and len(err.strip().splitlines()) == 1, err
    assert await _pg(target, pg_server.password, TABLES) == ["roll_heat"]
    assert await asyncio.to_thread(_tree, restored) == [] and await asyncio.to_thread(_tree, restored_files) == []
    await _pg(target, pg_server.password, "DROP TABLE roll_heat")
    # The database loaded, then centre.toml cannot be written (a folder in the way of its temporary name): what
    # pg_restore loaded is dropped again.
    config = CentreConfig(restored, POSTGRESQL, target, restored_files, pg_server.password_file(tmp_path / "pw"))
    in_the_way = restored / f".{centre_config.FILE}.{os.getpid()}"
    await asyncio.to_thread(in_the_way.mkdir, parents=True)
    with pytest.raises(IsADirectoryError):
        await asyncio.to_thread(backup.restore, tmp_path / "backup", config)
    assert await _pg(target, pg_server.password, OBJECTS) == []
    assert await asyncio.to_thread(_tree, restored) == [in_the_way.name] and not restored_files.exists()
    await asyncio.to_thread(in_the_way.rmdir)
    code, _, err = await cli(*args, env=env)
    assert code == 0, err
    await _check_restored(restored, token, report, files, database_url=target,
                          database_password=pg_server.password, files_dir=restored_files)


async def test_a_backup_that_fails_leaves_no_folder_behind_and_the_retry_works(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    data = tmp_path / "centre"
    env = {"PGPASSWORD": pg_server.password}
    await _pg(pg_server.url, pg_server.password, "CREATE DATABASE stopped")
    url = pg_server.url.replace("/postgres?", "/stopped?")
    code, _, err = await cli("add-room", "Room 101", "--data", str(data), "--database-url", url, env=env)
    assert code == 0, err
    out_dir = tmp_path / "backups" / "monday"
    await asyncio.to_thread(pg_server.stop)
    try:
        code, _, err = await cli("backup", "--data", str(data), str(out_dir), env=env)
    finally:
        await asyncio.to_thread(pg_server.start)
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert await asyncio.to_thread(_tree, tmp_path / "backups") == []  # no OUT, no OUT.partial-…
    code, _, err = await cli("backup", "--data", str(data), str(out_dir), env=env)
    assert code == 0, err
    assert await asyncio.to_thread(_tree, tmp_path / "backups") == ["monday", "monday/centre.pgdump",
                                                                    "monday/manifest.json"]
    assert await asyncio.to_thread(_modes, out_dir) == {("dir", 0o700), ("file", 0o600)}
