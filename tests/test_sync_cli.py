"""The commands as a centre's admin and a room's script use them: add-room, serve, sync, usage --centre."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from classroom_console.store import open_store
from tests.test_sync_support import fill_room

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "classroom_console", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path / "centre"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "centre.log").open("wb")  # a file, not a pipe nobody reads: the service never blocks on it
    proc = subprocess.Popen([sys.executable, "-m", "classroom_console", "centre", "serve", "--port", str(port),
                             "--data", str(data)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v1/ping", timeout=1)
            except urllib.error.HTTPError:
                break  # 401: it is up
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("centre did not start") from None
                time.sleep(0.1)
        yield url, data
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_add_room_sync_and_usage_from_the_command_line(centre: tuple[str, Path], tmp_path: Path) -> None:
    url, data = centre
    added = cli("centre", "add-room", "Room 101", "--data", str(data))
    assert added.returncode == 0
    token = added.stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    room_dir = tmp_path / "room"
    store = open_store(room_dir)
    fill_room(store, tmp_path, sessions=2, events=3, recording_bytes=100_000)
    store.close()

    wrong = cli("--data-dir", str(room_dir), "sync", "--centre", url, "--token", "wrong", "--once")
    assert wrong.returncode == 3
    assert "did not accept this room's token" in wrong.stderr and "--token" in wrong.stderr

    ok = cli("--data-dir", str(room_dir), "sync", "--centre", url, "--token", token, "--once")
    assert ok.returncode == 0, ok.stderr
    assert "uploaded 3, failed 0, still queued 0" in ok.stdout

    usage = cli("usage", "--centre", url, "--token", token, "--format", "json")
    assert usage.returncode == 0, usage.stderr
    assert json.loads(usage.stdout)["sessions"] == 2


def test_sync_with_the_centre_away_keeps_the_queue(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    fill_room(store, tmp_path, sessions=2)
    store.close()
    away = cli("--data-dir", str(tmp_path), "sync", "--centre", "http://127.0.0.1:9", "--token", "t", "--once")
    assert away.returncode == 4 and "the centre cannot be reached" in away.stderr
    assert "still queued 2" in away.stdout
