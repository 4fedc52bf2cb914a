"""`stream --to rtmp://…` as other RTMP implementations and a technician's terminal meet it: a real
``ffmpeg -listen 1`` receiver (it takes one client, then exits) and Ctrl+C sent to the whole process group."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_stream_rtmp import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent


def listening(port: int) -> bool:
    """Read from the kernel's table, not by connecting: a connect would be the receiver's one client."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


class Receiver:
    """``ffmpeg -listen 1 -i rtmp://… -c copy OUT.flv``: what a technician runs to see a stream arrive."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"rtmp://127.0.0.1:{self.port}/live/s3cret"
        self.flv = folder / "got.flv"
        self.log = folder / "ffmpeg.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "info", "-listen", "1",
                                          "-timeout", "60", "-i", self.url, "-c", "copy", "-y", str(self.flv)],
                                         stdout=subprocess.DEVNULL, stderr=log)
        wait_until(lambda: listening(self.port) or self.proc.poll() is not None, "ffmpeg to listen", 30)
        assert self.proc.poll() is None, self.log.read_text()

    def finished(self, within: float = 30) -> int:
        return self.proc.wait(within)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.skip("needs ffmpeg and ffprobe")
    got = Receiver(tmp_path)
    try:
        yield got
    finally:
        got.close()


def probed(flv: Path) -> tuple[list[str], float]:
    """The codecs and the duration ffprobe finds in what the receiver wrote."""
    done = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration",
                           "-of", "default=noprint_wrappers=1", str(flv)],
                          capture_output=True, text=True, timeout=60, check=False)
    codecs = [line.split("=", 1)[1] for line in done.stdout.splitlines() if line.startswith("codec_name=")]
    durations = [line.split("=", 1)[1] for line in done.stdout.splitlines() if line.startswith("duration=")]
    return codecs, float(durations[0]) if durations and durations[0] != "N/A" else 0.0


def stream_cli(url: str, *more: str) -> list[str]:
    return [sys.executable, "-m", "classroom_console", "--lang", "en", "stream", "--source", "test-pattern:320x180",
            "--source", "tone", "--size", "320x180", "--to", url, *more]


def test_a_receiver_that_takes_one_client_gets_the_stream(receiver: Receiver) -> None:
    """The console knocked with a bare TCP connection first: ``ffmpeg -listen 1`` took it as its one client,
    read no handshake and exited, and the stream said connection-refused."""
    done = subprocess.run(stream_cli(receiver.url, "--duration", "3"), capture_output=True, text=True,
                          timeout=120, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ended" in done.stdout.splitlines()[-1] and "1 connection(s)" in done.stdout.splitlines()[-1]
    assert receiver.finished() == 0, receiver.log.read_text()
    codecs, duration = probed(receiver.flv)
    assert sorted(codecs) == ["aac", "h264"] and duration >= 2.0, (codecs, duration)


def test_ctrl_c_to_the_whole_process_group_ends_the_stream_cleanly(receiver: Receiver, tmp_path: Path) -> None:
    """A terminal's Ctrl+C signals the foreground process group: the push helper died of it before the end of
    the stream was sent ("failed (connection-lost)", exit 1)."""
    out = tmp_path / "stdout.txt"
    with out.open("w") as stdout:
        console = subprocess.Popen(stream_cli(receiver.url, "--duration", "60"), stdout=stdout,
                                   stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True)
    try:
        wait_until(lambda: " live " in out.read_text() or console.poll() is not None, "the stream to go live")
        time.sleep(1.0)  # a second of pictures for the receiver
        os.killpg(console.pid, signal.SIGINT)
        _, err = console.communicate(timeout=60)
    finally:
        if console.poll() is None:
            console.kill()
            console.wait(10)
    last = out.read_text().splitlines()[-1]
    assert console.returncode == 0 and ": ended" in last, (last, err)
    assert receiver.finished() == 0, receiver.log.read_text()
    codecs, duration = probed(receiver.flv)
    assert sorted(codecs) == ["aac", "h264"] and duration >= 1.0, (codecs, duration)


def test_a_destination_that_never_connected_is_told_from_one_lost_at_the_end(tmp_path: Path) -> None:
    dead = f"rtmp://127.0.0.1:{free_port()}/live/s3cret"
    done = subprocess.run(stream_cli(dead, "--duration", "2"), capture_output=True, text=True, timeout=120,
                          check=False, cwd=ROOT)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.endswith("never connected: nothing is listening at that address and port\n")
    assert "end of the stream" not in done.stderr and "s3cret" not in done.stderr


def test_a_url_without_a_key_is_shown_as_it_is_and_said_so() -> None:
    done = subprocess.run(stream_cli("rtmp://127.0.0.1:19352/live", "--duration", "1"), capture_output=True,
                          text=True, timeout=120, check=False, cwd=ROOT)
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert "the stream key is missing after /live" in done.stderr and "rtmp://127.0.0.1:19352/live" in done.stderr
    assert "****" not in done.stderr
