"""kill -9 of the centre in the middle of a recording's upload: after a restart the room resumes, nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
import time
from pathlib import Path

from classroom_console.store import AsyncStore
from tests.test_centre_limits import _wait_until
from tests.test_centre_tokens import CENTRE, ROOT, centre_cli
from tests.test_sync_support import engine_for, file_sha256, fill_room


async def _serve(data: Path, port: int, log: Path) -> asyncio.subprocess.Process:
    out = await asyncio.to_thread(open, log, "ab")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CENTRE, "serve", "--port", str(port), "--data", str(data),
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=out,
        )
    finally:
        await asyncio.to_thread(out.close)
    deadline = time.monotonic() + 30
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return proc
        except OSError:
            assert time.monotonic() < deadline and proc.returncode is None, "the centre did not start"
            await asyncio.sleep(0.1)


def _held(data: Path) -> int:
    files = list((data / "rooms").rglob("*.bin")) if (data / "rooms").exists() else []
    return sum(f.stat().st_size for f in files)


def _stored(data: Path) -> tuple[int, int, str | None]:
    conn = sqlite3.connect(data / "centre.db")
    try:
        sessions = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM session_events").fetchone()[0]
        row = conn.execute("SELECT sha256 FROM recordings WHERE complete = 1").fetchone()
        return int(sessions), int(events), row[0] if row else None
    finally:
        conn.close()


async def test_the_centre_killed_mid_upload_loses_nothing_and_the_room_resumes(tmp_path: Path) -> None:
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
        room = await store.call(lambda st: fill_room(st, tmp_path, sessions=3, events=20, recording_bytes=8 << 20))
        url = f"http://127.0.0.1:{port}"
        engine = engine_for(store, url, token, bandwidth_bps=4 << 20, chunk_bytes=1 << 20)
        try:
            first = asyncio.ensure_future(engine.run_once())
            await _wait_until(lambda: _held(data) > 1 << 20, 60)  # part of the recording has arrived
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            result = await first
            assert result.offline  # said so, and kept the rest for later
            proc = await _serve(data, port, log)
            again = await engine.run_once(force=True)
            assert again.failed == 0 and again.pending == 0
        finally:
            await engine.close()
        sessions, events, sha = await asyncio.to_thread(_stored, data)
        assert (sessions, events) == (3, 60)
        assert sha == room["sha256"] == await asyncio.to_thread(file_sha256, room["path"])
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
        await store.close()
