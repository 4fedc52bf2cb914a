"""``centre backup`` and ``centre restore`` on both back ends: a restored centre gives the same report and files.

Real SQLite (backed up online, while the service runs), a real PostgreSQL (pg_dump / pg_restore), and the real
``centre`` command in its own process; rooms sync real sessions and recordings into the centre first.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from classroom_console.centre import backup
from classroom_console.store import AsyncStore
from classroom_console.usage_model import UsageFilter
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)
from tests.test_centre_api import auth
from tests.test_centre_config import cli
from tests.test_sync_support import engine_for, fill_room, running_centre

asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")


def _files(root: Path) -> dict[str, str]:
    """Every recording file under the store, by relative path, with its SHA-256."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.bin"))}


async def _fill_centre(data: Path, tmp: Path, token: str, db_options: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """Two rooms' sessions and recordings synced into the centre; returns its usage report and its files."""
    async with running_centre(data, **db_options) as centre:
        assert centre.db is not None
        for n in range(2):
            store = await AsyncStore.open(tmp / f"room-{n}")
            try:
                await store.call(functools.partial(fill_room, folder=tmp / f"room-{n}", sessions=3, events=8,
                                                   recording_bytes=(n + 1) * 700_000))
                engine = engine_for(store, centre.url, token)
                try:
                    result = await engine.run_once(force=True)
                finally:
                    await engine.close()
                assert result.failed == 0 and result.pending == 0
            finally:
                await store.close()
        report = (await centre.db.usage(UsageFilter())).as_json()
        # The backup is taken while the service runs.
        code, out, err = await cli("backup", "--data", str(data), str(tmp / "backup"),
                                   env={"PGPASSWORD": db_options.get("database_password") or ""})
        assert code == 0 and "2 files" in out, err
    return report, await asyncio.to_thread(_files, db_options.get("files_dir") or data)


async def backed_up_pg_centre(pg: PgServer, tmp: Path) -> tuple[str, Any, dict[str, str], str]:
    """A filled PostgreSQL centre backed up into tmp/backup; its token, report, files and an empty database's URL."""
    data, files_dir = tmp / "centre", tmp / "shared"
    code, out, err = await cli("add-room", "Room 101", "--data", str(data), "--database-url", pg.url,
                               "--files", str(files_dir), env={"PGPASSWORD": pg.password})
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    options = {"database_url": pg.url, "database_password": pg.password, "files_dir": files_dir}
    report, files = await _fill_centre(data, tmp, token, options)
    conn = await asyncpg.connect(pg.url, password=pg.password)
    try:
        await conn.execute("CREATE DATABASE restored")
    finally:
        await conn.close()
    return token, report, files, pg.url.replace("/postgres?", "/restored?")


async def _check_restored(data: Path, token: str, report: Any, files: dict[str, str], **db_options: Any) -> None:
    async with running_centre(data, **db_options) as centre:
        assert centre.db is not None
        assert (await centre.db.usage(UsageFilter())).as_json() == report
        async with aiohttp.ClientSession() as http, http.get(f"{centre.url}/api/v1/usage",
                                                             headers=auth(token)) as r:
            assert r.status == 200  # the room's token came back with the database
    assert await asyncio.to_thread(_files, db_options.get("files_dir") or data) == files


async def test_a_sqlite_centre_backed_up_while_running_restores_to_the_same_report_and_files(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    code, out, err = await cli("add-room", "Room 101", "--data", str(data))
    assert code == 0, err
    token = out.strip().splitlines()[-1]
    report, files = await _fill_centre(data, tmp_path, token, {})
    assert len(files) == 2 and report["sessions"] == 6
    manifest = await asyncio.to_thread(backup.read_manifest, tmp_path / "backup")
    assert {e["path"]: e["sha256"] for e in manifest["files"] if e["path"].endswith(".bin")} == files
    restored = tmp_path / "restored"
    code, out, err = await cli("restore", str(tmp_path / "backup"), "--data", str(restored))
    assert code == 0 and "each SHA-256 as in the manifest" in out, err
    await _check_restored(restored, token, report, files)
    # Into a folder that already holds a centre: refused in one line.
    code, out, err = await cli("restore", str(tmp_path / "backup"), "--data", str(restored))
    assert code == 1 and "already holds a centre" in err and len(err.strip().splitlines()) == 1


async def test_a_damaged_backup_file_is_refused_on_restore(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    code, out, err = await cli("add-room", "Room 101", "--data", str(data))
    token = out.strip().splitlines()[-1]
    await _fill_centre(data, tmp_path, token, {})
    victim = await asyncio.to_thread(lambda: next((tmp_path / "backup" / "files").rglob("*.bin")))
    with await asyncio.to_thread(open, victim, "r+b") as fh:
        await asyncio.to_thread(fh.write, b"\0\0\0\0")
    code, out, err = await cli("restore", str(tmp_path / "backup"), "--data", str(tmp_path / "restored"))
    assert code == 1 and "differs from the backup's manifest" in err and "Traceback" not in err


async def test_a_postgres_centre_restores_into_a_fresh_database_with_the_same_report_and_files(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    token, report, files, target = await backed_up_pg_centre(pg_server, tmp_path)
    env = {"PGPASSWORD": pg_server.password}
    assert len(files) == 2 and report["sessions"] == 6
    restored, restored_files = tmp_path / "restored", tmp_path / "restored-files"
    code, _, err = await cli("restore", str(tmp_path / "backup"), "--data", str(restored), "--database-url",
                               target, "--files", str(restored_files), env=env)
    assert code == 0, err
    await _check_restored(restored, token, report, files, database_url=target,
                          database_password=pg_server.password, files_dir=restored_files)
    # Once more into the same (no longer empty) database: refused, nothing touched.
    code, _, err = await cli("restore", str(tmp_path / "backup"), "--data", str(tmp_path / "again"),
                               "--database-url", target, env=env)
    assert code == 1 and "already holds a centre" in err and len(err.strip().splitlines()) == 1


def test_a_running_processes_usage_socket_is_not_a_file_of_the_centre(tmp_path: Path) -> None:
    """A PostgreSQL centre keeping its files in its data folder serves usage requests from a socket there
    (``usage_site``) while it runs, as it does while backed up: the backup takes the files, not the socket (opening
    it to hash it failed the backup)."""
    (tmp_path / "Room_A").mkdir()
    (tmp_path / "Room_A" / "rec1.bin").write_bytes(b"recording")
    (tmp_path / "usage-8766.notes").write_text("a file of someone's, kept")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "usage-8766.sock"))
        found = backup._store_files(tmp_path, tmp_path / "out")
    assert sorted(found) == [Path("Room_A/rec1.bin"), Path("usage-8766.notes")]
