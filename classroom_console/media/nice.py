"""x264's own threads at a lower priority than the process's Python threads, so they never hold up the GIL.

x264 does the bulk of a recording's CPU work in native threads that never take the GIL. On a busy 2-core PC they
were scheduled like every other thread: a Python thread holding the GIL (the compositor, a source, the encoder's
feeding) was preempted by them, and the window's main thread, waiting for that GIL, stalled behind the encoder.
x264 makes its worker threads when its encoder opens; those are given the lower priority once the open returns.
The open itself runs at the caller's priority: it holds the GIL throughout (PyAV's open does not release it, 4-19 ms
at 1080p), and opened from a thread at +5, as it was, a busy PC preempted it while the window waited for that GIL
(the Studio's longest stall at a preset step, 18-41 ms beside stress-ng). Nice only weighs threads against
others of the same scheduling group (a desktop session's autogroup or cgroup): x264 still gets every cycle our
Python threads leave, and against programs in other groups the same share; against a program in the same group it
loses (beside stress-ng --cpu 2 started from the same session: 0.29x real time flat out at +5, 0.63x at par). So
only the window's Studio asks for it (``EncoderSettings.encoder_nice``); a headless recording has no window to
give way to and runs x264 at par. Linux only; elsewhere the open runs as is.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
ENCODER_NICE = 5  # weight 335 against a normal thread's 1024 (bench/ui_stall.py --compare also runs it at 0)


def at_lower_priority(call: Callable[[], T], step: int | None = None) -> T:
    """``call()`` on this thread, at its priority; the threads it makes get a nice value ``step`` above this one's.

    Taken as the threads that appeared while it ran: it holds the GIL (an x264 open), so no Python thread starts
    meanwhile."""
    step = ENCODER_NICE if step is None else step
    if step <= 0 or not sys.platform.startswith("linux"):
        return call()  # elsewhere PRIO_PROCESS with a thread's id would name a process, not a thread
    before = _threads()
    result = call()
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for tid in _threads() - before:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, own + step))
        except OSError:  # it ended meanwhile, or the system refused
            log.debug("could not lower the priority of thread %d", tid, exc_info=True)
    return result


def _threads() -> set[int]:
    try:
        return {int(tid) for tid in os.listdir("/proc/self/task")}
    except OSError:
        return set()
