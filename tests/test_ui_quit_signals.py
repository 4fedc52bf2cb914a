"""Ctrl+C in the console's terminal and SIGTERM close it the orderly way: the window ignored Ctrl+C (still running
10 s after it) and SIGTERM killed it outright, leaving a session unended and a recording cut mid-fragment.

The demo console runs as the user starts it, in a process of its own (offscreen Qt, its own data folder, the
simulated room on loopback); the test sends the signal and waits, with a generous bound, for an orderly exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

START_WITHIN_S = 120
CLOSE_WITHIN_S = 120


def _console(data: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CLASSROOM_CONSOLE_SCOPE": "loopback"}
    return subprocess.Popen([sys.executable, "-m", "classroom_console", "--data-dir", str(data), "--lang", "en",
                             "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_closes_the_console_the_orderly_way(tmp_path: Path, number: signal.Signals) -> None:
    console = _console(tmp_path)
    try:
        # The store is opened after the handlers are set (ui/console_run.py): its file says the console is up.
        deadline = time.monotonic() + START_WITHIN_S
        while not (tmp_path / "console.db").exists():
            assert console.poll() is None, console.communicate()[0].decode(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the console did not start"
            time.sleep(0.2)
        console.send_signal(number)
        output, _ = console.communicate(timeout=CLOSE_WITHIN_S)
        text = output.decode(errors="replace")
        assert console.returncode == 0, f"{number.name}: exit {console.returncode}\n{text[-2000:]}"
        assert "Traceback" not in text, text[-2000:]
    finally:
        if console.poll() is None:
            console.kill()
            console.wait(30)
