"""x264's own threads at a lower priority than the process's Python threads, so they never hold up the GIL.

x264 does the bulk of a recording's CPU work in native threads that never take the GIL. On a busy 2-core PC they
were scheduled like every other thread: a Python thread holding the GIL (the compositor, a source, the encoder's
feeding) was preempted by them, and the window's main thread, waiting for that GIL, stalled behind the encoder.
Threads inherit their creator's nice value, and x264 makes its worker threads when its encoder opens, so the
codec is opened from a short-lived thread that lowered its own priority first. Nice only weighs threads against
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


def _lower_own_priority(step: int) -> None:
    if step <= 0 or not sys.platform.startswith("linux"):
        return  # elsewhere PRIO_PROCESS with a thread's id would name a process, not this thread
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + step))
    except OSError:
        log.debug("could not lower the encoder threads' priority", exc_info=True)


def at_lower_priority(call: Callable[[], T], step: int | None = None) -> T:
    """``call()`` on a thread of its own whose nice value is ``step`` above this one's (threads it makes keep it)."""
    step = ENCODER_NICE if step is None else step
    result: list[T] = []
    error: list[BaseException] = []

    def body() -> None:
        _lower_own_priority(step)
        try:
            result.append(call())
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=body, name="x264-open", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]
