"""A mistyped --data: the centre commands that only read or change a centre refuse a folder that holds none.

The real ``centre`` command in its own process, on real folders (SQLite).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.test_centre_tokens import CENTRE, ROOT, centre_cli

# Every centre command that does not create a centre, with the arguments it needs beside --data.
READERS = [("tokens",), ("revoke", "Room 1"), ("readers",), ("library-access",), ("library-access", "token"),
           ("add-reader", "Partner"), ("revoke-reader", "Partner"), ("recordings",), ("publish", "x"),
           ("unpublish", "x"), ("backup", "OUT")]


def _one_line(code: int, err: str) -> str:
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0] + ("-" + c[1] if c[1:] else ""))
async def test_a_folder_without_a_centre_is_refused_in_one_line_and_nothing_is_made(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    typo = tmp_path / "centr"
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    code, out, err = await centre_cli(*args, "--data", str(typo))
    assert "holds no centre" in _one_line(code, err) and str(typo) in err and not out
    assert not typo.exists() and not (tmp_path / "out").exists()
    # An empty folder that exists is no centre either, and stays empty.
    typo.mkdir()
    code, _, err = await centre_cli(*args, "--data", str(typo))
    assert "holds no centre" in _one_line(code, err)
    assert await asyncio.to_thread(lambda: list(typo.iterdir())) == []


async def test_the_same_commands_work_on_a_centre(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    code, _, err = await centre_cli("add-room", "Room 1", "--data", str(data))
    assert code == 0, err
    code, out, err = await centre_cli("tokens", "--data", str(data))
    assert code == 0 and "Room 1" in out, err
    code, out, err = await centre_cli("library-access", "--data", str(data))
    assert code == 0 and out, err


async def test_a_command_that_creates_a_centre_says_so_once_on_stderr(tmp_path: Path) -> None:
    data = tmp_path / "centr"
    code, out, err = await centre_cli("add-room", "Room 1", "--data", str(data))
    assert code == 0 and "Room 1" in out and err.strip() == f"created a new SQLite centre in {data}", err
    code, _, err = await centre_cli("add-staff", "Ann", "--data", str(data))
    assert code == 0 and not err, err  # the centre was there: nothing to say


async def test_serve_on_a_new_folder_says_it_created_a_centre(tmp_path: Path) -> None:
    data = tmp_path / "centr"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CENTRE, "serve", "--port", "0", "--data", str(data), cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        async with asyncio.timeout(60):
            said = (await proc.stderr.readline()).decode()
            listening = (await proc.stdout.readline()).decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(60):
            await proc.wait()
    assert said.strip() == f"created a new SQLite centre in {data}" and "centre service on" in listening
    assert proc.returncode == 0


async def test_a_password_file_without_a_database_url_is_refused_for_a_new_centre(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("x\n")
    secret.chmod(0o600)
    for command in (("add-room", "Room 1"), ("serve", "--port", "0")):
        code, out, err = await centre_cli(*command, "--data", str(tmp_path / "c"), "--password-file", str(secret))
        assert _one_line(code, err).endswith("--password-file is for a PostgreSQL centre: give --database-url")
        assert not out and not (tmp_path / "c").exists()
    # Nor is it taken by a SQLite centre later: said as such, not as a contradiction of a file it never named.
    code, _, err = await centre_cli("add-room", "Room 1", "--data", str(tmp_path / "c"))
    assert code == 0, err
    code, _, err = await centre_cli("tokens", "--data", str(tmp_path / "c"), "--password-file", str(secret))
    assert "--password-file is for a PostgreSQL centre" in _one_line(code, err) and "SQLite" in err
