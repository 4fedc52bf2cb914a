"""The centre's failures as a room meets them: a full disk is 507 and recoverable, a hang-up is one log line."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre.server import CentreServer
from tests.test_centre_api import T0, auth, session_body
from tests.test_centre_limits import BOUND_S, _closed_within, _raw
from tests.test_sync_support import add_token, running_centre


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB filesystem (tmpfs with size=), so ENOSPC and SQLITE_FULL come from the kernel, not a mock."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here: a small filesystem cannot be made for the full-disk test")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True, timeout=30)
    if made.returncode != 0:
        pytest.skip(f"mounting a small tmpfs needs root, which this run lacks: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)


def _fill(path: Path) -> None:
    """Write until the filesystem refuses: what is left is less than one block."""
    with open(path, "wb", buffering=0) as fh:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                for _ in range((4 << 20) // size):
                    fh.write(b"\0" * size)


def _taken(centre: CentreServer, size: int) -> bool:
    """The open request's handler has read ``size`` bytes of its body: they came, and aiohttp buffers none of them.

    Only then is a hang-up sure to keep them: aiohttp's body reader raises the lost connection before it hands over
    what it still buffers. The centre shows this nowhere (the bytes reach its disk at the body's end), so it is read
    from aiohttp's own request and stream (read only; ``_size`` is the stream's buffered byte count)."""
    runner = centre._runner
    assert runner is not None and runner.server is not None
    for handler in runner.server.connections:
        request = handler._current_request
        if request is not None and request.content.total_bytes >= size and request.content._size == 0:
            return True
    return False


async def test_a_full_disk_is_507_and_the_room_resumes_once_there_is_room(small_disk: Path) -> None:
    data = os.urandom(3 << 20)  # more than the whole disk
    meta = {"id": "rec-1", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "started_at": T0}
    async with running_centre(small_disk / "centre") as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
            assert r.status == 200
        url = f"{centre.url}/api/v1/recordings/rec-1"
        async with http.patch(url, data=data, headers={**auth(token), "Upload-Offset": "0"}) as r:
            assert r.status == 507 and (await r.json()) == {"error": "the centre's disk is full", "reason": "disk_full"}
        async with http.head(url, headers=auth(token)) as r:
            held = int(r.headers["Upload-Offset"])
        assert held == 0
        await asyncio.to_thread(_fill, small_disk / "filler")
        big = session_body("s-1", events=3000)
        async with http.put(f"{centre.url}/api/v1/sessions/s-1", json=big, headers=auth(token)) as r:
            assert r.status == 507 and (await r.json())["error"] == "the centre's disk is full"
        async with http.get(f"{centre.url}/api/v1/ping", headers=auth(token)) as r:
            assert r.status == 200  # still answering
        await asyncio.to_thread(os.remove, small_disk / "filler")
        async with http.put(f"{centre.url}/api/v1/sessions/s-1", json=big, headers=auth(token)) as r:
            assert r.status == 200 and (await r.json())["events"] == 3000
        # The recording itself cannot fit; a smaller one goes through, so the centre is healthy again.
        small = os.urandom(100_000)
        meta2 = {"id": "rec-2", "size": len(small), "sha256": hashlib.sha256(small).hexdigest(), "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta2, headers=auth(token)) as r:
            assert r.status == 200
        async with http.patch(f"{centre.url}/api/v1/recordings/rec-2", data=small,
                              headers={**auth(token), "Upload-Offset": "0"}) as r:
            assert (await r.json())["complete"] is True


async def test_a_room_that_hangs_up_mid_request_is_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        meta = {"id": "rec-1", "size": 1 << 20, "sha256": "a" * 64, "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
            assert r.status == 200
        heads = [
            f"PUT /api/v1/sessions/s-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            "Content-Length: 100000\r\n\r\n{\"session\": {",
            f"PATCH /api/v1/recordings/rec-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Upload-Offset: 0\r\nContent-Length: {1 << 20}\r\n\r\n" + "x" * 5000,
        ]
        for head in heads:
            caplog.clear()
            reader, writer = await _raw(centre, head.encode())
            body = len(head.encode().split(b"\r\n\r\n", 1)[1])
            deadline = time.monotonic() + BOUND_S
            while not _taken(centre, body):  # the centre's handler has read every byte sent of the body
                assert time.monotonic() < deadline, "the centre did not read the body's first bytes"
                await asyncio.sleep(0.02)
            writer.transport.abort()  # a hang-up: RST, as a room losing its link
            deadline = time.monotonic() + BOUND_S
            while not [r for r in caplog.records if "went away" in r.getMessage()]:
                assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # anything else it would log comes now
            about = [r for r in caplog.records if r.levelno >= logging.INFO]
            assert len(about) == 1, [r.getMessage() for r in about]
            assert about[0].exc_info is None and "\n" not in about[0].getMessage()
            assert "Traceback" not in caplog.text
            with contextlib.suppress(Exception):
                await _closed_within(reader, BOUND_S)
        async with http.head(f"{centre.url}/api/v1/recordings/rec-1", headers=auth(token)) as r:
            assert int(r.headers["Upload-Offset"]) == 5000  # what arrived before the hang-up is kept
