"""One place for the centre's configuration: the first command writes it, later ones read it and refuse contradictions.

Against a real PostgreSQL server on loopback that asks for a password, and the real ``centre`` command in its
own process (as staff run it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre import config
from tests.pg_server import PgServer, pg_server  # noqa: F401  (a fixture)
from tests.test_centre_api import auth
from tests.test_centre_tokens import CENTRE, ROOT
from tests.test_sync_support import running_centre

pytest.importorskip("asyncpg", reason="the PostgreSQL centre needs asyncpg (pip install asyncpg)")


async def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The centre command with PGPASSWORD not inherited unless given: the password must come from where we say."""
    base = {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CENTRE, *args, cwd=ROOT,
        env={**base, "PYTHONPATH": str(ROOT), "PGPASSFILE": "/nonexistent", **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _one_line(code: int, err: str) -> str:
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


async def _ping(url: str, token: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/api/v1/ping", headers=auth(token)) as r:
        return r.status


async def test_later_commands_follow_the_first_ones_postgres_configuration(pg_server: PgServer, tmp_path: Path) -> None:  # noqa: F811
    data, files = tmp_path / "centre", tmp_path / "shared-files"
    secret = await asyncio.to_thread(pg_server.password_file, tmp_path / "secret" / "pg-password")
    code, out, err = await cli("add-room", "Room 101", "--data", str(data), "--database-url", pg_server.url,
                               "--password-file", str(secret), "--files", str(files))
    assert code == 0 and err.strip() == f"created a new PostgreSQL centre in {data} (its data in {pg_server.url})"
    first = out.strip().splitlines()[-1]
    written = await asyncio.to_thread(config.load, data)
    assert written is not None and written.backend == config.POSTGRESQL
    assert written.database_url == pg_server.url and written.files == files and written.password_file == secret
    assert pg_server.password not in await asyncio.to_thread(config.path(data).read_text)
    # No --database-url: the token goes to PostgreSQL all the same (it used to land in a stray centre.db).
    code, out, err = await cli("add-room", "Room 102", "--data", str(data))
    assert code == 0 and not err, err
    second = out.strip().splitlines()[-1]
    assert not (data / "centre.db").exists()
    async with running_centre(data, database_url=pg_server.url, database_password=pg_server.password) as centre:
        assert await _ping(centre.url, first) == 200
        assert await _ping(centre.url, second) == 200
    # Saying something else is refused in one line, and nothing is written.
    other = f"postgresql://postgres@127.0.0.1:{pg_server.port + 1}/other"
    code, out, err = await cli("add-room", "Room 103", "--data", str(data), "--database-url", other)
    line = _one_line(code, err)
    assert "contradicts" in line and other in line and not out
    code, _, err = await cli("tokens", "--data", str(data), "--files", str(tmp_path / "elsewhere"))
    assert "contradicts" in _one_line(code, err)
    # The same URL repeated is fine; the listing reads PostgreSQL.
    code, out, err = await cli("tokens", "--data", str(data), "--database-url", pg_server.url)
    assert code == 0 and "Room 101" in out and "Room 102" in out, err


async def test_a_sqlite_centre_refuses_a_database_url_later(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    code, _, err = await cli("add-room", "Room 1", "--data", str(data))
    assert code == 0 and await asyncio.to_thread(config.load, data) == config.CentreConfig(data), err
    code, _, err = await cli("serve", "--port", "0", "--data", str(data), "--database-url",
                               "postgresql://centre@127.0.0.1:5432/centre")
    line = _one_line(code, err)
    assert "SQLite" in line and "contradicts" in line


async def test_the_password_comes_from_pgpassword_or_pgpass_never_the_command_line(
    pg_server: PgServer, tmp_path: Path  # noqa: F811
) -> None:
    data = tmp_path / "centre"
    with_password = pg_server.url.replace("postgres@", f"postgres:{pg_server.password}@")
    code, out, err = await cli("add-room", "Room 1", "--data", str(data), "--database-url", with_password)
    line = _one_line(code, err)
    assert "PGPASSWORD" in line and pg_server.password not in line and not data.exists()
    # Without any password PostgreSQL refuses: one line, and no configuration is left behind.
    code, _, err = await cli("add-room", "Room 1", "--data", str(data), "--database-url", pg_server.url)
    assert "password" in _one_line(code, err) and not config.path(data).exists()
    code, _, err = await cli("add-room", "Room 1", "--data", str(data), "--database-url", pg_server.url,
                             env={"PGPASSWORD": pg_server.password})
    assert code == 0, err
    pgpass = tmp_path / "pgpass"
    await asyncio.to_thread(pgpass.write_text, f"127.0.0.1:{pg_server.port}:*:postgres:{pg_server.password}\n")
    pgpass.chmod(0o600)
    code, out, err = await cli("tokens", "--data", str(data), env={"PGPASSFILE": str(pgpass)})
    assert code == 0 and "Room 1" in out, err
    # A password file others can read is refused, as libpq refuses such a .pgpass.
    loose = await asyncio.to_thread(pg_server.password_file, tmp_path / "loose")
    loose.chmod(0o644)
    code, _, err = await cli("add-room", "Room 2", "--data", str(tmp_path / "c2"), "--database-url", pg_server.url,
                             "--password-file", str(loose))
    assert "chmod 600" in _one_line(code, err)


async def test_serve_says_in_one_line_why_it_cannot_start(pg_server: PgServer, tmp_path: Path) -> None:  # noqa: F811
    cases = [
        (("--database-url", pg_server.url), {"PGPASSWORD": "wrong"}, "refused the password"),
        (("--database-url", f"postgresql://postgres@127.0.0.1:{pg_server.port + 7}/postgres"), {}, "no PostgreSQL"),
        (("--database-url", "mysql://centre@127.0.0.1/centre"), {}, "unsupported database URL scheme 'mysql'"),
        (("--database-url", "postgresql://postgres@no-such-host.invalid/centre"), {}, "cannot find"),
    ]
    for n, (extra, env, expected) in enumerate(cases):
        started = time.monotonic()
        code, _, err = await cli("serve", "--port", "0", "--data", str(tmp_path / f"c{n}"), *extra, env=env)
        line = _one_line(code, err)
        assert expected in line, line
        assert time.monotonic() - started < 45 and not config.path(tmp_path / f"c{n}").exists()


async def test_while_postgres_is_down_every_request_is_503_with_retry_after_and_one_log_line_each_way(
    pg_server: PgServer, tmp_path: Path, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    caplog.set_level(logging.INFO, logger="classroom_console.centre")
    async with running_centre(tmp_path / "centre", database_url=pg_server.url,
                              database_password=pg_server.password) as centre:
        from tests.test_sync_support import add_token

        token = await add_token(centre, "Room 1")
        assert await _ping(centre.url, token) == 200
        await asyncio.to_thread(pg_server.stop)
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(5):
                    async with http.get(f"{centre.url}/api/v1/ping", headers=auth(token)) as r:
                        body = await r.json()
                        assert r.status == 503 and r.headers["Retry-After"].isdigit(), body
                        assert body["reason"] == "busy"
                    async with http.get(f"{centre.url}/api/v1/usage", headers=auth(token)) as r:
                        assert r.status == 503
        finally:
            await asyncio.to_thread(pg_server.start)
        deadline = time.monotonic() + 30
        while await _ping(centre.url, token) != 200:  # it reconnects by itself
            assert time.monotonic() < deadline, "the centre did not come back after PostgreSQL did"
            await asyncio.sleep(0.2)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("database is down" in m for m in messages) == 1, messages
    assert sum("database is back" in m for m in messages) == 1, messages
    tracebacks = [(r.getMessage(), r.exc_info) for r in caplog.records if r.exc_info]
    assert not tracebacks, tracebacks
