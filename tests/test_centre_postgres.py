"""The centre on a real PostgreSQL server, started here on loopback from Debian's ``postgresql`` package."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from classroom_console.store import AsyncStore
from classroom_console.usage_model import UsageFilter
from tests.test_sync_support import add_token, engine_for, fill_room, running_centre

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """initdb + pg_ctl in a temp dir (as the postgres user when we are root); skipped only if it cannot start."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    bindir = Path(bins[-1]).parent
    user = None
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        user = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="cc-pg-"))
    if user:
        shutil.chown(folder, user)
    data, port = folder / "data", _free_port()
    try:
        subprocess.run(_as_user([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                 "--no-sync"], user), check=True, capture_output=True, timeout=60)
        opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(folder / "log"),
                                 "-w", "-t", "30", "start"], user), check=True, capture_output=True, timeout=60)
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server on loopback: {exc}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
    finally:
        subprocess.run(_as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], user),
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


async def test_sync_into_postgres_is_intact_idempotent_and_reports_like_sqlite(
    postgres_url: str, tmp_path: Path
) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=4, events=6, recording_bytes=300_000))
        reports = []
        for backend, url in (("pg", postgres_url), ("sqlite", None)):
            await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'pending'"))
            async with running_centre(tmp_path / backend, database_url=url) as centre:
                token = await add_token(centre, "Room 101")
                engine = engine_for(store, centre.url, token)
                try:
                    first = await engine.run_once(force=True)
                    await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'pending'"))
                    second = await engine.run_once(force=True)
                finally:
                    await engine.close()
                assert first.uploaded == second.uploaded == 5 and first.failed == 0
                assert centre.db is not None
                reports.append(await centre.db.usage(UsageFilter()))
                rec = await centre.db.recording("Room 101", room["recording"])
                assert rec is not None and rec.complete and rec.sha256 == room["sha256"]
        pg, lite = reports
        assert pg.sessions == lite.sessions == 4  # sent twice, stored once
        assert pg.as_json() == lite.as_json()
    finally:
        await store.close()
