"""A camera lost in the middle of `record`, as a technician's terminal shows it: one line in words when it goes,
not a raw FFmpeg line per retry ("[tcp @ 0x…] Connection to tcp://… failed: Connection refused")."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.test_media_camera_http import MjpegServer
from tests.test_stream_rtmp import wait_until

ROOT = Path(__file__).resolve().parent.parent


def test_a_camera_that_goes_away_is_said_once_and_the_retries_are_quiet(tmp_path: Path) -> None:
    server = MjpegServer()
    out = tmp_path / "gone.mp4"
    try:
        record = subprocess.Popen(
            [sys.executable, "-m", "classroom_console", "--lang", "en", "record", "--no-store", "--min-free-mb", "0",
             "--size", "320x180", "--source", f"camera:{server.url}", "--source", "tone", "--duration", "9",
             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        wait_until(lambda: (out.exists() and out.stat().st_size > 0) or record.poll() is not None,
                   "the recording to start", 60)
        time.sleep(1.0)  # a second of the camera's pictures
    finally:
        server.close()  # the camera unplugged: each retry after this is refused
    try:
        stdout, stderr = record.communicate(timeout=120)
    finally:
        if record.poll() is None:
            record.kill()
            record.wait(10)
    assert record.returncode == 0, stdout + stderr
    gone = [line for line in stderr.splitlines() if "went away" in line]
    assert len(gone) == 1 and "camera" in gone[0], stderr
    assert " @ 0x" not in stderr and "Connection refused" not in stderr, stderr  # no FFmpeg line of its own
    assert "(its time was up)" in stdout
