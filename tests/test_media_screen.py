"""Screen capture of an X display through x11grab, against a real Xvfb started by the test."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest

from classroom_console.media import MonotonicClock, ScreenCapture, SourceState
from classroom_console.media.frames import picture_size

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (Debian: xvfb)")


@pytest.fixture
def display() -> Iterator[str]:
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        proc.wait(5)
        pytest.skip("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(5)


def wait_until(predicate: Callable[[], object], within: float = 8.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_captures_the_display_at_its_size_and_rate(display: str) -> None:
    screen = ScreenCapture("board", display, fps=30)
    started = time.monotonic()
    screen.start(MonotonicClock())
    try:
        wait_until(lambda: screen.state is SourceState.LIVE)
        first = screen.captured
        time.sleep(1.0)
        captured = screen.captured
        elapsed = time.monotonic() - started
        frame = screen.frame_at(time.monotonic())
    finally:
        screen.stop()
        assert screen.join(5)
    assert frame is not None and picture_size(frame.image) == (640, 480)
    # At its rate: at least 20 frames in the second after it went live, and never more than 30 a second since it
    # was started (measured, not the second asked for: a busy machine oversleeps it). x11grab grabs on its own
    # 30 fps schedule from its opening and, when late, catches up without running ahead, so frames read in a burst
    # after a stall cannot push the total over the bound, as they could a count over the last second alone.
    assert captured - first >= 20
    assert captured <= 30 * elapsed + 2


def test_a_display_that_is_not_there_is_a_clear_failure() -> None:
    screen = ScreenCapture("board", ":987", fps=30)
    screen.start(MonotonicClock())
    wait_until(lambda: screen.state is SourceState.FAILED)
    screen.stop()
    assert screen.join(5)
    assert "cannot capture display :987" in screen.message
