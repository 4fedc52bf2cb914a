"""A camera's password never reaches a terminal, a log or the window: `record` printed "…did not start (camera:
cannot open rtsp://admin:s3cret@…)", and the Studio showed it in a tooltip a projected window may show the room
(review R6). The real command, a camera address on loopback that refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from classroom_console.media.camera import shown_url

SECRET = "s3cret-Pa55"


def test_a_cameras_password_is_masked_in_what_record_prints(tmp_path: Path) -> None:
    url = f"rtsp://admin:{SECRET}@127.0.0.1:9/stream"  # port 9 (discard): nothing listens, the connect is refused
    run = subprocess.run([sys.executable, "-m", "classroom_console", "--lang", "en", "--data-dir", str(tmp_path),
                          "record", "--source", f"camera:{url}", "--duration", "2", str(tmp_path / "x.mp4")],
                         env={**os.environ, "CLASSROOM_CONSOLE_SCOPE": "loopback"}, capture_output=True, text=True,
                         timeout=180)
    said = run.stdout + run.stderr
    assert "127.0.0.1:9/stream" in said, said[-2000:]  # it does say which camera
    assert SECRET not in said, said[-2000:]


def test_shown_url_masks_passwords_and_tokens_only() -> None:
    assert shown_url(f"rtsp://admin:{SECRET}@10.0.0.5:554/main") == "rtsp://admin:****@10.0.0.5:554/main"
    assert shown_url("http://cam.local/video.mjpg?token=abc") == "http://cam.local/video.mjpg?****"
    assert shown_url("rtsp://viewer@[::1]:8554/x") == "rtsp://viewer@[::1]:8554/x"
    assert shown_url("/dev/video0") == "/dev/video0" and shown_url("0") == "0"
