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


# A signal landing while the window's loop holds its own lock (every wake-up from the device thread takes it): the
# handler must take no lock of the loop's, or the window hangs for good (review R6). Run apart: a hang is a hang.
INSIDE_THE_LOOPS_LOCK = """
import asyncio, os, signal
from PySide6.QtWidgets import QApplication, QWidget
from ui.event_loop import ConsoleEventLoop
from ui.quit_signals import quit_on_signals

app = QApplication([])
loop = ConsoleEventLoop(app)
asyncio.set_event_loop(loop)
owner = QWidget()
heard = asyncio.Event()

async def main():
    quit_on_signals(heard.set, owner)
    with loop._from_threads_lock:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(100):
            pass  # bytecodes: the handler runs here, inside the lock
    await asyncio.wait_for(heard.wait(), 60)
    print("quit asked", flush=True)

loop.run_until_complete(main())
"""


def test_a_signal_inside_the_loops_own_lock_does_not_hang_the_window() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    try:
        run = subprocess.run([sys.executable, "-c", INSIDE_THE_LOOPS_LOCK], env=env, capture_output=True, text=True,
                             timeout=CLOSE_WITHIN_S, cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired as hung:
        raise AssertionError("the window hung: the signal's handler waited for the lock it interrupted") from hung
    assert run.returncode == 0 and "quit asked" in run.stdout, run.stderr[-2000:]
