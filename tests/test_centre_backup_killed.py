"""A ``centre backup`` or ``restore`` killed outright (kill -9) leaves nothing that blocks or confuses the next one.

The real ``centre`` command in its own process, on a real SQLite centre and a real PostgreSQL one, is stopped
mid-backup: a named pipe in the file store holds it at a known point (the database taken, the files begun), where
it is killed. Its ``OUT.partial-PID`` stays; the next backup to the same OUT removes it, and leaves alone one whose
process still runs; a restore pointed at either refuses in one line. Whether it runs is its lock's (held by a real
process here), not its number's: a dead backup's number that a living process took since is removed all the same,
and a living backup whose number is no process here (another host's, on a shared folder) is left alone. A table
locked (a schema dropped, not yet committed) holds pg_dump (pg_restore) at a known point: killed there, the command
takes its tool with it, and a restore's retry takes the files it finds whole in the store.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from classroom_console.centre import backup
from classroom_console.centre import config as centre_config
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)
from tests.test_centre_backup import _check_restored, _fill_centre, backed_up_pg_centre
from tests.test_centre_config import cli
from tests.test_centre_tokens import CENTRE, ROOT

WAIT_S = 60.0


async def _start(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    """The centre command in its own process, as ``cli`` runs it, not waited for."""
    base = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", CENTRE, *args, cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), "PGPASSFILE": "/nonexistent", **env},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def _start_backup(data: Path, out: Path, env: dict[str, str]) -> tuple[asyncio.subprocess.Process, Path]:
    """``centre backup --data data out`` in its own process, and the partial folder it writes."""
    proc = await _start("backup", "--data", str(data), str(out), env=env)
    return proc, out.parent / f"{out.name}{backup.PARTIAL}{proc.pid}"


HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


async def _holding(lock: Path) -> asyncio.subprocess.Process:
    """A process that holds ``lock`` as a backup (or restore) holds its own, until its stdin closes."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", HOLD, str(lock), stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    async with asyncio.timeout(WAIT_S):
        assert await proc.stdout.readline() == b"held\n"
    return proc


async def _let_go(proc: asyncio.subprocess.Process) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    async with asyncio.timeout(WAIT_S):
        await proc.wait()


async def _gone_pid() -> int:
    """A process id no process has now (a child's, reaped)."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "")
    await proc.wait()
    return proc.pid


async def _kill(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    async with asyncio.timeout(WAIT_S):
        await proc.wait()


def _processes_with(text: str) -> list[int]:
    """The processes whose command line holds ``text``."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
        except OSError:
            continue  # gone meanwhile
    return found


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not await check():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT_S} s"
        await asyncio.sleep(0.02)


async def _killed_mid_backup(data: Path, out: Path, database: str, env: dict[str, str]) -> Path:
    """Starts ``centre backup --data data out``, kills it -9 once the database is taken and a file is being read;
    the partial folder it left."""
    config = await asyncio.to_thread(centre_config.load, data)
    assert config is not None
    store = config.files_dir
    await asyncio.to_thread((store / "room-1").mkdir, parents=True, exist_ok=True)
    pause = store / "room-1" / "recording.mp4"
    await asyncio.to_thread(os.mkfifo, pause)  # its open waits for a writer that never comes
    proc, partial = await _start_backup(data, out, env)
    try:
        deadline = time.monotonic() + WAIT_S
        while not (partial / database).is_file() or not (partial / backup.FILES / "room-1").is_dir():
            assert proc.returncode is None, "the backup ended before it reached the pipe"
            assert time.monotonic() < deadline, f"the backup did not reach the pipe within {WAIT_S} s"
            await asyncio.sleep(0.02)
    finally:
        await _kill(proc)
        await asyncio.to_thread(pause.unlink)
    assert proc.returncode == -signal.SIGKILL
    return partial


def _names(folder: Path) -> list[str] | None:
    """What ``folder`` holds, or None when there is no such folder."""
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else None


def _one_line(code: int, err: str) -> str:
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


async def _check_debris_is_cleared(tmp: Path, data: Path, out: Path, database: str, env: dict[str, str],
                                   restore_args: tuple[str, ...]) -> None:
    partial = await _killed_mid_backup(data, out, database, env)
    assert await asyncio.to_thread(_names, partial) and await asyncio.to_thread(_names, out) is None  # kill -9's
    # a restore pointed at it refuses in one line, making nothing
    target = tmp / "restored"
    code, _, err = await cli("restore", str(partial), "--data", str(target), *restore_args, env=env)
    assert "unfinished backup" in _one_line(code, err)
    assert await asyncio.to_thread(_names, target) in (None, [])
    # a backup to the same OUT still being written by a live process (its lock held): left alone, and refused
    live = out.parent / f"{out.name}{backup.PARTIAL}{os.getpid()}"
    await asyncio.to_thread(live.mkdir)
    holder = await _holding(out.parent / f"{live.name}{backup.LOCK}")
    try:
        code, _, err = await cli("restore", str(live), "--data", str(target), *restore_args, env=env)
        assert "still being written" in _one_line(code, err)
        # the next backup to that OUT: the dead one's debris removed, the live one's kept
        code, _, err = await cli("backup", "--data", str(data), str(out), env=env)
        assert code == 0, err
        assert await asyncio.to_thread(_names, partial) is None and await asyncio.to_thread(_names, live) == []
        assert await asyncio.to_thread(_names, out) == sorted([backup.MANIFEST, database])
    finally:
        await _let_go(holder)
        await asyncio.to_thread(shutil.rmtree, live)
    assert (await asyncio.to_thread(backup.read_manifest, out))["database"]["path"] == database


async def test_a_sqlite_backup_killed_mid_way_is_cleared_by_the_next(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    code, _, err = await cli("add-room", "Room 101", "--data", str(data))
    assert code == 0, err
    await _check_debris_is_cleared(tmp_path, data, tmp_path / "backups" / "monday", backup.SQLITE_FILE, {}, ())


async def test_a_postgres_backup_killed_mid_way_is_cleared_by_the_next(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
    data, files = tmp_path / "centre", tmp_path / "shared"
    env = {"PGPASSWORD": pg_server.password}
    code, _, err = await cli("add-room", "Room 101", "--data", str(data), "--database-url", pg_server.url,
                             "--files", str(files), env=env)
    assert code == 0, err
    await _check_debris_is_cleared(tmp_path, data, tmp_path / "backups" / "monday", backup.PG_FILE, env,
                                   ("--database-url", pg_server.url, "--files", str(tmp_path / "restored-files")))


async def test_a_postgres_backup_killed_while_pg_dump_waits_leaves_no_pg_dump_behind(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
    data, env = tmp_path / "centre", {"PGPASSWORD": pg_server.password}
    code, _, err = await cli("add-room", "Room 101", "--data", str(data), "--database-url", pg_server.url,
                             "--files", str(tmp_path / "shared"), env=env)
    assert code == 0, err
    holder = await asyncpg.connect(pg_server.url, password=pg_server.password)
    tx = holder.transaction()
    await tx.start()
    # pg_dump waits for it (a table the centre's own start does not touch: the command opens the centre first)
    await holder.execute("LOCK TABLE library_settings IN ACCESS EXCLUSIVE MODE")
    try:
        proc, partial = await _start_backup(data, tmp_path / "backups" / "monday", env)
        dump = f"--file={partial / backup.PG_FILE}"

        async def dumping() -> bool:
            return bool(await asyncio.to_thread(_processes_with, dump)) and bool(await holder.fetchval(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'library_settings'::regclass"))

        async def no_dump() -> bool:
            return not await asyncio.to_thread(_processes_with, dump)

        try:
            await _until(dumping, "pg_dump waiting for the locked table")
        finally:
            await _kill(proc)
        await _until(no_dump, "pg_dump gone with the backup killed -9")  # the code before left it waiting
    finally:
        await tx.rollback()
        await holder.close()


@pytest.mark.parametrize("reused", [False, True], ids=["", "its-number-reused"])
async def test_a_postgres_restore_killed_while_pg_restore_waits_is_done_by_the_retry(
    pg_server: PgServer, tmp_path: Path, reused: bool  # noqa: F811
) -> None:
    """``reused``: the killed restore's number (in its mark in the store) is a living process's by the retry, which
    the code before took for the restore still running: it refused the files already there."""
    asyncpg = pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")
    token, report, files, target = await backed_up_pg_centre(pg_server, tmp_path)
    try:
        await _restore_killed_then_retried(asyncpg, pg_server, tmp_path, reused, token, report, files, target)
    finally:  # the next case of this module's server makes it again
        admin = await asyncpg.connect(pg_server.url, password=pg_server.password)
        try:
            await admin.execute("DROP DATABASE IF EXISTS restored WITH (FORCE)")
        finally:
            await admin.close()


async def _restore_killed_then_retried(asyncpg: Any, pg_server: PgServer, tmp_path: Path,  # noqa: F811
                                       reused: bool, token: str, report: Any, files: dict[str, str],
                                       target: str) -> None:
    env = {"PGPASSWORD": pg_server.password}
    restored, restored_files = tmp_path / "restored", tmp_path / "restored-files"
    args = ("restore", str(tmp_path / "backup"), "--data", str(restored), "--database-url", target,
            "--files", str(restored_files))
    holder = await asyncpg.connect(target, password=pg_server.password)
    tx = holder.transaction()
    await tx.start()
    await holder.execute("DROP SCHEMA public CASCADE")  # until rolled back, pg_restore's first CREATE waits

    async def loading() -> bool:  # the files copied, pg_restore waiting
        return bool(await holder.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"))

    async def no_pg_restore() -> bool:
        return not await asyncio.to_thread(_processes_with, f"--dbname={target}")

    try:
        proc = await _start(*args, env=env)
        try:
            await _until(loading, "pg_restore waiting")
        finally:
            await _kill(proc)
        await _until(no_pg_restore, "pg_restore gone with the restore killed -9")
    finally:
        await tx.rollback()
        await holder.close()
    assert await asyncio.to_thread(_names, restored) in (None, [])  # no centre.toml: not a centre yet
    assert await asyncio.to_thread(_names, restored_files)  # but the files it copied before loading
    other = await asyncio.create_subprocess_exec(sys.executable, "-c", "import sys; sys.stdin.read()",
                                                 stdin=asyncio.subprocess.PIPE)
    try:
        if reused:
            (mark,) = await asyncio.to_thread(lambda: list(restored_files.glob(f"{backup.RESTORE_MARK}*")))
            await asyncio.to_thread(mark.rename, restored_files / f"{backup.RESTORE_MARK}{other.pid}")
        code, _, err = await cli(*args, env=env)  # the code before: "... already exists: restore into a new file store"
    finally:
        await _kill(other)
    assert code == 0, err
    assert not await asyncio.to_thread(lambda: list(restored_files.glob(f"{backup.RESTORE_MARK}*")))
    await _check_restored(restored, token, report, files, database_url=target, database_password=pg_server.password,
                          files_dir=restored_files)


@pytest.mark.parametrize("number", ["0", "99999999999999999999"])
async def test_a_partial_whose_number_is_no_process_is_left_alone_and_refused(tmp_path: Path, number: str) -> None:
    """OUT.partial-0 and OUT.partial-9999… are no backup of ours: left in place by the next backup, refused by a
    restore in one line (one was an OverflowError's traceback, the other "still being written (process 0)")."""
    data, out = tmp_path / "centre", tmp_path / "backups" / "monday"
    code, _, err = await cli("add-room", "Room 101", "--data", str(data))
    assert code == 0, err
    odd = out.parent / f"{out.name}{backup.PARTIAL}{number}"
    await asyncio.to_thread(odd.mkdir, parents=True)
    code, _, err = await cli("backup", "--data", str(data), str(out))
    assert code == 0 and "Traceback" not in err, err
    assert await asyncio.to_thread(_names, odd) == []  # not ours to remove
    code, _, err = await cli("restore", str(odd), "--data", str(tmp_path / "restored"))
    assert "not a finished backup" in _one_line(code, err)


async def test_a_restore_into_a_store_that_merely_holds_the_same_files_is_refused(tmp_path: Path) -> None:
    """Only a restore killed outright (its mark left in the store) lets a retry keep files already there: a new centre
    pointed at a living centre's store, which holds the very files, would share it with that centre (review R6)."""
    data = tmp_path / "centre"
    code, out, err = await cli("add-room", "Room 101", "--data", str(data))
    assert code == 0, err
    _report, files = await _fill_centre(data, tmp_path, out.strip().splitlines()[-1], {})
    assert files
    code, _, err = await cli("restore", str(tmp_path / "backup"), "--data", str(tmp_path / "restored"),
                             "--files", str(data))  # the living centre's own store (its data folder)
    assert "already exists: restore into a new file store" in _one_line(code, err)
    assert not (tmp_path / "restored").exists()
    assert not list(data.glob(f"{backup.RESTORE_MARK}*"))  # the refused restore left no mark in that store


async def test_a_killed_backup_whose_number_a_living_process_took_since_is_cleared(tmp_path: Path) -> None:
    """A pid reused (after a reboot, or by a busy machine's wrap-around): the process of that number lives but is no
    backup. The code before took it for the backup, refused it as still being written and kept it for ever."""
    data, out = tmp_path / "centre", tmp_path / "backups" / "monday"
    code, _, err = await cli("add-room", "Room 101", "--data", str(data))
    assert code == 0, err
    partial = await _killed_mid_backup(data, out, backup.SQLITE_FILE, {})
    other = await asyncio.create_subprocess_exec(sys.executable, "-c", "import sys; sys.stdin.read()",
                                                 stdin=asyncio.subprocess.PIPE)
    try:
        reused = out.parent / f"{out.name}{backup.PARTIAL}{other.pid}"
        await asyncio.to_thread(partial.rename, reused)
        lock = out.parent / f"{partial.name}{backup.LOCK}"
        if await asyncio.to_thread(lock.exists):  # the code before made none
            await asyncio.to_thread(lock.rename, out.parent / f"{reused.name}{backup.LOCK}")
        code, _, err = await cli("restore", str(reused), "--data", str(tmp_path / "restored"))
        assert "unfinished backup" in _one_line(code, err)  # the code before: "still being written"
        code, _, err = await cli("backup", "--data", str(data), str(out))
        assert code == 0, err
        assert await asyncio.to_thread(_names, reused) is None  # the code before kept it
        assert sorted(p.name for p in out.parent.iterdir()) == ["monday"]  # its lock file went with it
    finally:
        await _kill(other)


async def test_a_living_backup_whose_number_is_no_process_here_is_left_alone(tmp_path: Path) -> None:
    """A backup folder on a shared disk written from another host (or from a container): its process is no process
    of this machine, but its lock is held. The code before removed it under the living backup's feet."""
    data, out = tmp_path / "centre", tmp_path / "backups" / "monday"
    code, _, err = await cli("add-room", "Room 101", "--data", str(data))
    assert code == 0, err
    elsewhere = out.parent / f"{out.name}{backup.PARTIAL}{await _gone_pid()}"
    await asyncio.to_thread(elsewhere.mkdir, parents=True)
    await asyncio.to_thread((elsewhere / backup.SQLITE_FILE).write_bytes, b"being written")
    holder = await _holding(out.parent / f"{elsewhere.name}{backup.LOCK}")
    try:
        code, _, err = await cli("restore", str(elsewhere), "--data", str(tmp_path / "restored"))
        assert "still being written" in _one_line(code, err)  # the code before: "unfinished backup"
        code, _, err = await cli("backup", "--data", str(data), str(out))
        assert code == 0, err
        assert await asyncio.to_thread(_names, elsewhere) == [backup.SQLITE_FILE]  # the code before removed it
    finally:
        await _let_go(holder)
    # once that backup is gone (its lock let go), the next backup clears what it left
    await asyncio.to_thread(shutil.rmtree, out)
    code, _, err = await cli("backup", "--data", str(data), str(out))
    assert code == 0, err
    assert await asyncio.to_thread(_names, elsewhere) is None
