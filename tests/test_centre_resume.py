"""A centre killed in the middle of one large chunk: the room resumes within a few MiB, not from the chunk's start.

The centre is its own process (kill -9, as a crash or an OOM kill would end it); the room sends one 256 MiB-style
chunk (the whole recording in one PATCH) through a loopback proxy that counts the bytes it forwards.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from pathlib import Path

import aiohttp

from classroom_console.store import AsyncStore
from tests.test_centre_api import auth
from tests.test_centre_kill import _serve
from tests.test_centre_limits import _wait_until
from tests.test_centre_tokens import centre_cli
from tests.test_sync_support import CutProxy, engine_for, file_sha256, fill_room

MB = 1 << 20


def _noted_offset(data: Path) -> int:
    """What the centre's database says it holds: the offset a resume starts from."""
    conn = sqlite3.connect(f"file:{data / 'centre.db'}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT received FROM recordings").fetchone()
        return int(row[0]) if row else 0
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


async def test_a_centre_killed_mid_chunk_resumes_within_a_few_mib(tmp_path: Path) -> None:
    data, log = tmp_path / "centre", tmp_path / "centre.log"
    code, out, _ = await centre_cli("add-room", "Room 101", "--data", str(data))
    assert code == 0
    token = out.strip().splitlines()[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = await AsyncStore.open(tmp_path / "room")
    proc = await _serve(data, port, log)
    try:
        room = await store.call(lambda st: fill_room(st, tmp_path, sessions=1, events=2, recording_bytes=32 * MB))
        async with CutProxy(port, cuts=0) as proxy:  # a relay that counts the bytes going up
            url = f"http://127.0.0.1:{proxy.port}"
            # One chunk for the whole 32 MiB (the default is 256 MiB): before, a crash lost all of it.
            engine = engine_for(store, url, token, bandwidth_bps=8 * MB, chunk_bytes=256 * MB)
            try:
                first = asyncio.ensure_future(engine.run_once())
                await _wait_until(lambda: proxy.sent >= 20 * MB, 60)  # well into the chunk, far from its end
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
                sent_before = proxy.sent
                assert (await first).offline
                proc = await _serve(data, port, log)
                async with aiohttp.ClientSession() as http, http.head(
                    f"{url}/api/v1/recordings/{room['recording']}", headers=auth(token)
                ) as r:
                    resumes_at = int(r.headers["Upload-Offset"])
                resent = sent_before - resumes_at
                assert resumes_at < room["size"] and resumes_at == await asyncio.to_thread(_noted_offset, data)
                assert 0 <= resent < 8 * MB, f"sent {sent_before} bytes, the centre resumes at {resumes_at}"
                before_resume = proxy.sent
                again = await engine.run_once(force=True)
                assert again.failed == 0 and again.pending == 0
                # The second attempt sent only what was missing (plus requests' heads and small bodies).
                assert proxy.sent - before_resume < room["size"] - resumes_at + MB
            finally:
                await engine.close()
        stored = data / "rooms"
        files = await asyncio.to_thread(lambda: list(stored.rglob("*.bin")))
        assert len(files) == 1
        assert await asyncio.to_thread(file_sha256, files[0]) == room["sha256"]
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
        await store.close()
