"""The x264 child's pipe keeps its messages whole when the child is stopped and continued mid-write (SIGSTOP and
SIGCONT: a busy PC's tools, a debugger, the slow-drain test's turns). Its writer went through Python's buffered
stdout, which returns the part the kernel took when a write is cut short and drops the rest: the window then read a
packet's bytes as the next message's length ("invalid load key" at the first packet of a flush, or a wait for bytes
that never come). Beside ``stress-ng --cpu 2`` the slow-drain test failed this way about one run in three.

A real child process and a real pipe; the child loads x264_child.py as x264_apart's child does, without the
packages' own imports (what it sends is not x264's: the pipe is what is tested, and 200 messages of 300 KB are sent
in well under a second where x264 would take a minute).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from classroom_console.media import x264_child

MESSAGES, SIZE = 200, 300_000  # each message far over a pipe's 64 KB: the kernel takes it in parts
MEDIA = Path(x264_child.__file__).parent
CHILD = f"""
import sys, types
for name, path in (("classroom_console", {str(MEDIA.parent)!r}), ("classroom_console.media", {str(MEDIA)!r})):
    package = types.ModuleType(name)  # as x264_apart's child: the packages' own imports not run
    package.__path__ = [path]
    sys.modules[name] = package
import classroom_console.media.x264_child as child
out = sys.stdout.buffer
child.write(out, ("ready", None))
for i in range({MESSAGES}):
    child.write(out, ("part", [bytes([i % 251]) * {SIZE}]))
child.write(out, ("done", None))
"""


def test_messages_stay_whole_when_the_child_is_stopped_and_continued_mid_write() -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, start_new_session=True)
    assert child.stdout is not None
    done = threading.Event()
    turns = random.Random(7)  # the same turns each run: stopped and continued every 1-20 ms

    def by_turns() -> None:
        give_up = time.monotonic() + 120
        while not done.is_set() and time.monotonic() < give_up:
            try:
                os.kill(child.pid, signal.SIGSTOP)
                done.wait(turns.uniform(0.001, 0.02))
                os.kill(child.pid, signal.SIGCONT)
            except ProcessLookupError:
                return
            done.wait(turns.uniform(0.001, 0.02))

    watchdog = threading.Timer(120, child.kill)  # a reader waiting for bytes that never come: EOF, not a hang
    watchdog.start()
    stopper = threading.Thread(target=by_turns, name="by-turns")
    try:
        assert x264_child.read(child.stdout) == ("ready", None)
        stopper.start()
        for i in range(MESSAGES):
            kind, value = x264_child.read(child.stdout)  # a message cut short: garbage or a wait for bytes
            assert kind == "part" and value == [bytes([i % 251]) * SIZE], f"message {i} came back wrong"
        assert x264_child.read(child.stdout) == ("done", None)
    finally:
        done.set()
        watchdog.cancel()
        if stopper.is_alive():
            stopper.join()
        try:
            os.kill(child.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        child.kill()
        child.wait(30)
        child.stdout.close()
