"""``usage --centre`` and ``sync`` take the token from a file or the environment, never only from the command line
(where ``ps`` shows it), and a refused token says how to give one. Against a real centre on loopback, the real
command in its own process.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from classroom_console.centre.tokens import STAFF, issue_token
from classroom_console.store import AsyncStore
from tests.test_sync_support import add_token, fill_room, running_centre

ENV = "CLASSROOM_CONSOLE_TOKEN"


async def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    base = {k: v for k, v in os.environ.items() if k not in (ENV, "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "classroom_console", *args, env={**base, **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _one_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


async def test_usage_reads_a_staff_token_from_a_file_or_the_environment(tmp_path: Path) -> None:
    async with running_centre(tmp_path / "centre") as centre:
        staff = await add_token(centre, "Ann", STAFF)
        token_file = tmp_path / "staff-token"
        await asyncio.to_thread(token_file.write_text, staff + "\n")
        here = ("--data-dir", str(tmp_path / "room"), "usage", "--centre", centre.url, "--format", "json")
        code, out, err = await cli(*here, "--token-file", str(token_file))
        assert code == 0 and "sessions" in json.loads(out), err
        code, out, err = await cli(*here, env={ENV: staff})
        assert code == 0 and "sessions" in json.loads(out), err
        # No token at all: said at once, with how to give one (it used to ask the centre with an empty token).
        code, out, err = await cli(*here)
        assert code == 2 and not out and "--token-file" in _one_line(err) and ENV in err
        # A token the centre does not know: one line that says how to give the right one, not --token.
        code, out, err = await cli(*here, env={ENV: issue_token()})
        line = _one_line(err)
        assert code == 1 and not out and "did not accept this token" in line and "add-staff" in line
        assert "--token-file" in line and ENV in line
        empty = tmp_path / "empty"
        await asyncio.to_thread(empty.write_text, "")
        code, _, err = await cli(*here, "--token-file", str(empty))
        assert code == 2 and "is empty" in _one_line(err)
    code, _, err = await cli("--data-dir", str(tmp_path / "room"), "usage", "--token-file", str(token_file))
    assert code == 2 and "--centre" in _one_line(err)


async def test_syncs_refused_token_advises_a_file_or_the_environment_not_the_command_line(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=1))  # something to send, so the centre is asked
    finally:
        await store.close()
    async with running_centre(tmp_path / "centre") as centre:
        code, _, err = await cli("--data-dir", str(tmp_path / "room"), "sync", "--once", "--centre", centre.url,
                                 env={ENV: issue_token()})
    assert code == 3 and "did not accept this room's token" in err, err
    assert "--token-file FILE or the CLASSROOM_CONSOLE_TOKEN" in err and "with --token." not in err
