"""A mistyped --data: the centre commands that only read or change a centre refuse a folder that holds none.

The real ``centre`` command in its own process, on real folders (SQLite).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.test_centre_tokens import centre_cli

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
