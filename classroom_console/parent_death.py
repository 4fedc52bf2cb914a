"""A child process that the kernel kills when its parent dies, even by kill -9 (Linux's ``PR_SET_PDEATHSIG``).

``prctl`` is looked up here, in the parent, and only called in the child: between ``fork`` and ``exec`` in a parent
with threads, loading a library (``ctypes.CDLL``: dlopen, dlsym) can wait for ever on a loader lock that another
thread of the parent held at the fork. A child started by path (``media/push_child.py``) loads this file by path
too: standard library only.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, resolved once, in the parent; None where there is none (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
    prctl.restype = ctypes.c_int
    return prctl


def preexec(parent: int | None = None) -> Callable[[], None] | None:
    """For ``subprocess``'s ``preexec_fn``: the child, before it runs its program, asks to be killed with
    ``parent`` (this process by default), and ends at once if that is gone already. None where it cannot be had."""
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid() if parent is None else parent
    kill = int(signal.SIGKILL)

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:  # gone before the line above: the kernel would never send it
            os._exit(1)

    return in_child


def die_with(parent: int) -> bool:
    """The same, for a process that is already running its own program (one with no threads yet); whether it could."""
    now = preexec(parent)
    if now is None:
        return False
    now()
    return True
