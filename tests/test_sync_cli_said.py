"""What `sync` says to its user: a malformed --centre is one line and exit 2 at once (it said "up to date" and exited
0 with nothing queued), and --delete-uploaded-media against a centre that cannot prove it holds the recordings says
in the command's own output, once a run, that they are kept (it said so only in the log). Real command, real
aiohttp server on loopback playing an older centre, in both languages."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from classroom_console.store import open_store
from tests.test_sync_hostile_centre import fake_centre
from tests.test_sync_support import fill_room


async def cli(*args: str, lang: str = "en_GB.UTF-8") -> tuple[int, str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "classroom_console", *args, env={**base, "LANG": lang},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize(("url", "lang", "words"), [
    ("notaurl", "en_GB.UTF-8", "is not a centre's address"),
    ("notaurl", "ru_RU.UTF-8", "не адрес центра"),
    ("ftp://centre.example.edu", "en_GB.UTF-8", "is not a centre's address"),
    ("http://centre:99999", "en_GB.UTF-8", "is not a centre's address"),
])
async def test_a_malformed_centre_is_one_line_and_exit_2(tmp_path: Path, url: str, lang: str, words: str) -> None:
    rc, out, err = await cli("--data-dir", str(tmp_path), "sync", "--centre", url, "--token", "t", "--once",
                             lang=lang)
    assert (rc, out) == (2, ""), (rc, out, err)
    assert len(err.splitlines()) == 1 and words in err and repr(url) in err, err
    assert not (tmp_path / "console.db").exists()  # refused before anything was opened


def test_recordings_an_older_centre_cannot_prove_are_kept_and_said_once(tmp_path: Path) -> None:
    for n in range(2):
        (tmp_path / f"r{n}").mkdir()
    store = open_store(tmp_path / "room")
    try:
        rooms = [fill_room(store, tmp_path / f"r{n}", sessions=1, recording_bytes=20_000) for n in range(2)]
    finally:
        store.close()

    def older(meta: dict[str, Any]) -> dict[str, Any]:  # complete, the right SHA-256, and no proof field
        return {"id": meta["id"], "offset": meta["size"], "size": meta["size"], "complete": True,
                "sha256": meta["sha256"]}

    async def against_older_centre() -> tuple[int, str, str]:
        async with fake_centre(older) as (url, _seen):
            return await cli("--data-dir", str(tmp_path / "room"), "sync", "--centre", url, "--token", "t",
                             "--once", "--delete-uploaded-media", lang="ru_RU.UTF-8")

    rc, out, err = asyncio.run(against_older_centre())
    assert all(room["path"].exists() for room in rooms)
    assert rc == 0, (out, err)
    said = [line for line in err.splitlines() if "--delete-uploaded-media" in line]
    assert len(said) == 1 and "оставлены на этом ПК" in said[0], err
