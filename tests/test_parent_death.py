"""A child started with ``parent_death.preexec`` dies with its parent killed -9, the parent busy with threads.

The parent is a real Python process with threads running (as the centre and the console are) that starts a real
child program; it is killed outright and the child must go (PR_SET_PDEATHSIG, armed before the child's program ran
by the function resolved in the parent). Without it the child lives on, adopted by init.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WAIT_S = 60.0
PARENT = """
import subprocess, sys, threading, time
from classroom_console import parent_death

stop = threading.Event()
threads = [threading.Thread(target=lambda: [time.sleep(0.001) for _ in iter(stop.is_set, True)], daemon=True)
           for _ in range(4)]
for t in threads:
    t.start()
child = subprocess.Popen(["sleep", "600"], preexec_fn=parent_death.preexec())
print(child.pid, flush=True)
sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for whoever adopted it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_with_its_threaded_parent_killed_9() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    child = 0
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(WAIT_S)
        deadline = time.monotonic() + WAIT_S
        while _alive(child):
            assert time.monotonic() < deadline, f"the child {child} outlived its parent by {WAIT_S} s"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(WAIT_S)
        if child and _alive(child):
            os.kill(child, signal.SIGKILL)


def test_the_child_side_calls_nothing_it_must_load() -> None:
    """What runs in the child is a call of a function resolved before: no library is looked up after the fork."""
    from classroom_console import parent_death

    hook = parent_death.preexec()
    if hook is None:
        pytest.skip("no prctl here")
    names = hook.__code__.co_names
    assert "CDLL" not in names and "_prctl" not in names and "ctypes" not in names
