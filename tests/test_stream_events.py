"""Streams in the session log, and stream keys kept secret everywhere a run writes.

A recording pushed live with a distinctive key, and a broadcast without recording, run in a Room's session
against a real nginx-rtmp and the console's own HLS server; then every file the run wrote (the store in the data
folder, the recording), everything logged and everything printed is searched for the key. The CLI's run of the
issue's Done-when is checked the same way.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from classroom_console.media import EncoderSettings, Recorder, offload
from classroom_console.media.broadcast import Broadcast
from classroom_console.media.hls_server import HlsServer
from classroom_console.media.output_hls import HlsOutput
from classroom_console.media.output_rtmp import RtmpOutput
from classroom_console.media.probe import inspect
from classroom_console.room import Room
from classroom_console.store import AsyncStore
from classroom_console.store.paths import DB_FILENAME
from tests.test_stream_hls import Playlist, decode_segment, small_program
from tests.test_stream_rtmp import FPS, Nginx, free_port, received_whole
from tests.test_stream_rtmp import nginx as nginx_server

nginx = nginx_server  # the fixture, under the name the tests ask for

KEY = "kq9-S3CRET-7731"


def files_containing(folder: Path, secret: str, *, skip: Path | None = None) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and (skip is None or skip not in path.parents) and secret.encode() in path.read_bytes():
            found.append(path)
    return found


async def test_streams_are_session_events_and_the_key_is_written_nowhere(
        nginx: Nginx, tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    store = await AsyncStore.open(tmp_path / "data")
    room = Room("Studio", log_store=store)
    session = await room.start_session("A. Nurlanovna", "Physics 1", kind="recording")
    program = small_program()
    program.start()
    live, hls = RtmpOutput(nginx.url(KEY)), HlsOutput()
    server = HlsServer("127.0.0.1", 0, hls)
    await server.start()
    try:
        recorder = Recorder(program, tmp_path / "rec" / "lecture.mp4", store=store, room=room, duration_s=3.0,
                            start_floor_bytes=0, outputs=[live, hls], settings=EncoderSettings())
        await recorder.start()
        result = await recorder.wait()
        overflow = HlsOutput()
        server.source = overflow
        broadcast = Broadcast(program, [overflow], duration_s=2.0, room=room)
        await broadcast.start()
        await broadcast.wait()
    finally:
        program.stop()
        await offload(program.join)
        await server.stop()
        await room.end_session()
        await room.flush()
    events = await store.call(lambda s: s.events(session.id))
    await store.close()

    streams = [(e["kind"], e["payload"]) for e in events if e["kind"].startswith("stream-")]
    assert [(kind, p["protocol"]) for kind, p in streams] == [
        ("stream-started", "rtmp"), ("stream-started", "hls"), ("stream-stopped", "rtmp"), ("stream-stopped", "hls"),
        ("stream-started", "hls"), ("stream-stopped", "hls")]
    assert streams[0][1]["destination"] == f"rtmp://127.0.0.1:{nginx.port}/live/****"
    assert streams[1][1]["destination"] == "/live/index.m3u8"
    for (_, stopped), seconds in ((streams[2], 3.0), (streams[3], 3.0), (streams[5], 2.0)):
        assert (stopped["state"], stopped["reason"], stopped["reconnects"], stopped["dropped"]) == ("ended", "", 0, 0)
        assert stopped["bytes"] > 0 and stopped["seconds_live"] == pytest.approx(seconds, abs=1.5)
    assert result.stop_reason == "duration"

    out = capsys.readouterr()
    assert KEY not in out.out + out.err
    assert KEY not in caplog.text
    assert files_containing(tmp_path, KEY, skip=nginx.folder) == [], "the key reached a file of the run"
    assert list((tmp_path / "data").rglob(DB_FILENAME)), "the store was searched"


def test_the_issue_done_when_rtmp_hls_and_a_complete_recording_and_no_key_printed(
        nginx: Nginx, tmp_path: Path) -> None:
    """``stream --to rtmp://… --hls-port P --record out.mp4``: the server receives it, a player fetches and decodes
    the playlist's segments while it runs, and the file is complete."""
    port = free_port()
    out = tmp_path / "out.mp4"
    command = [sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path / "data"), "stream",
               "--source", "test-pattern:320x180", "--source", "tone", "--size", "320x180", "--to", nginx.url(KEY),
               "--hls-port", str(port), "--hls-host", "127.0.0.1", "--record", str(out), "--duration", "8", "--json"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    playlist_url = f"http://127.0.0.1:{port}/live/index.m3u8"
    played: list[tuple[list[str], list[float], float]] = []
    try:
        deadline = time.monotonic() + 60
        while len(played) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the stream ended before a player got it"
            try:
                with urllib.request.urlopen(playlist_url, timeout=5) as response:
                    playlist = Playlist(response.read().decode())
                names = playlist.names[len(played):2]
                for name in names:
                    with urllib.request.urlopen(playlist_url.replace("index.m3u8", name), timeout=5) as response:
                        played.append(decode_segment(response.read()))
            except OSError:  # not listening yet, or the playlist's first segment still being made
                pass
            time.sleep(0.2)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert KEY not in stdout + stderr
    assert f"HLS: http://127.0.0.1:{port}/live/index.m3u8" in stderr
    assert all(codecs == ["aac", "h264"] and len(times) == FPS for codecs, times, _ in played)
    *health, final = [json.loads(line) for line in stdout.splitlines()]
    assert {d["kind"] for h in health for d in h["destinations"]} == {"file", "rtmp", "hls"}
    rtmp, hls = final["destinations"]
    assert (rtmp["kind"], rtmp["state"], rtmp["dropped_packets"]) == ("rtmp", "ended", 0)
    assert (hls["kind"], hls["state"], hls["dropped_packets"]) == ("hls", "ended", 0)
    assert hls["extra"]["segments"] >= 7 and hls["extra"]["clients_last_minute"] >= 1
    assert final["recording"]["stop_reason"] == "duration" and inspect(out).frames == 8 * FPS
    (flv,) = nginx.recordings(KEY)
    assert received_whole(flv, 8.0)[1] == pytest.approx(8.0, abs=1.5 / FPS)
    assert files_containing(tmp_path, KEY, skip=nginx.folder) == []
    (db,) = (tmp_path / "data").rglob(DB_FILENAME)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT path FROM recordings").fetchall() == [(str(out),)]


def test_a_stream_with_only_hls_needs_no_destination_url(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "classroom_console", "stream", "--source", "test-pattern:320x180",
                           "--source", "tone", "--size", "320x180", "--hls-port", str(free_port()),
                           "--hls-host", "127.0.0.1", "--duration", "2", "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (hls,) = json.loads(done.stdout.splitlines()[-1])["destinations"]
    assert (hls["kind"], hls["state"], hls["dropped_packets"]) == ("hls", "ended", 0)
    assert hls["extra"]["segments"] >= 2
