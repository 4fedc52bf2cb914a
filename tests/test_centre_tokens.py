"""Tokens from the command line while the centre runs: a revoked token stops at once, rotation, listing."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import aiohttp

from classroom_console.centre.tokens import folder_for, issue_token, token_hash
from tests.test_centre_api import auth
from tests.test_sync_support import running_centre

ROOT = Path(__file__).resolve().parent.parent
# The centre command on its own, in its own process (as staff run it beside the service).
CENTRE = ("import argparse, sys; from classroom_console.commands import centre; "
          "p = argparse.ArgumentParser(prog='classroom-console centre'); centre.configure(p); "
          "sys.exit(centre.run(p.parse_args(sys.argv[1:])))")


async def centre_cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CENTRE, *args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def _ping(http: aiohttp.ClientSession, url: str, token: str) -> int:
    async with http.get(f"{url}/api/v1/ping", headers=auth(token)) as r:
        return r.status


async def test_revoke_and_rotate_take_effect_at_once_without_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    code, out, _ = await centre_cli("add-room", "Room 101", "--data", str(data))
    assert code == 0
    first = out.strip().splitlines()[-1]
    code, out, _ = await centre_cli("add-room", "Room 102", "--data", str(data))
    other = out.strip().splitlines()[-1]
    async with running_centre(data) as centre, aiohttp.ClientSession() as http:
        assert await _ping(http, centre.url, first) == 200
        # Added again: a warning, and both tokens work until one is revoked.
        code, out, err = await centre_cli("add-room", "Room 101", "--data", str(data))
        second = out.strip().splitlines()[-1]
        assert code == 0 and "already has a token" in err and "--rotate" in err and len(err.splitlines()) == 1
        assert await _ping(http, centre.url, second) == 200
        code, out, _ = await centre_cli("tokens", "--data", str(data))
        listed = [line for line in out.splitlines() if line.startswith("Room 101")]
        assert code == 0 and len(listed) == 2
        first_id = listed[0].split()[3]
        assert len(first_id) == 12 and first not in out and second not in out
        code, out, _ = await centre_cli("revoke", first_id, "--data", str(data))
        assert code == 0 and first_id in out
        assert await _ping(http, centre.url, first) == 401  # the very next request
        assert await _ping(http, centre.url, second) == 200
        # Rotation: the room's old token stops, the new one works.
        code, out, err = await centre_cli("add-room", "Room 101", "--rotate", "--data", str(data))
        third = out.strip().splitlines()[-1]
        assert code == 0 and "revoked the old token" in out and not err
        assert await _ping(http, centre.url, second) == 401
        assert await _ping(http, centre.url, third) == 200
        # Revoking by room name stops every token of that room, and only that room.
        code, out, _ = await centre_cli("revoke", "Room 101", "--data", str(data))
        assert code == 0
        assert await _ping(http, centre.url, third) == 401
        assert await _ping(http, centre.url, other) == 200
        code, _, err = await centre_cli("revoke", "No such room", "--data", str(data))
        assert code == 1 and len(err.strip().splitlines()) == 1
    # Stopping the service writes when each token was last used.
    code, out, _ = await centre_cli("tokens", "--data", str(data))
    rows = {line.split()[3]: line for line in out.splitlines() if line.startswith("Room 102")}
    assert len(rows) == 1 and "never" not in next(iter(rows.values()))
    assert all("never" not in line.split("  ")[-1] for line in out.splitlines() if line.startswith("Room 101"))


async def test_add_room_refuses_a_blank_or_multi_line_name(tmp_path: Path) -> None:
    for name in ("", "   ", "Room\n101", "Room\x1b[31m"):
        code, out, err = await centre_cli("add-room", name, "--data", str(tmp_path / "centre"))
        assert code == 2 and not out and len(err.strip().splitlines()) == 1 and "Traceback" not in err, name
    assert not (tmp_path / "centre").exists()  # a refused name makes no centre


async def test_a_centre_made_before_tokens_could_be_revoked_is_upgraded_in_place(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    data.mkdir()
    token = issue_token()
    old = sqlite3.connect(data / "centre.db")  # the tokens table as the first release made it
    old.execute("CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, "
                "folder TEXT NOT NULL, created_at TEXT NOT NULL)")
    old.execute("INSERT INTO tokens VALUES (?, 'Room 1', 'room', ?, '2026-01-01T00:00:00.000000Z')",
                (token_hash(token), folder_for("Room 1")))
    old.commit()
    old.close()
    async with running_centre(data) as centre, aiohttp.ClientSession() as http:
        assert await _ping(http, centre.url, token) == 200
    code, out, _ = await centre_cli("revoke", "Room 1", "--data", str(data))
    assert code == 0 and "Room 1" in out
    async with running_centre(data) as centre, aiohttp.ClientSession() as http:
        assert await _ping(http, centre.url, token) == 401
