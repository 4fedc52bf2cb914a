"""A short kernel time slice for the thread that runs the window (Linux 6.12+, EEVDF, no privilege needed).

While recording, the window's process shares the cores with x264's child and whatever else the PC runs. The
window's main thread wakes for a few hundred microseconds a frame; with the default slice (0.7-3 ms, by the number
of cores) its turn's deadline lies a slice away, and on a busy PC it waited behind others' whole slices.
sched_setattr's ``sched_runtime`` on SCHED_NORMAL sets a thread's own slice: a 0.3 ms one puts its deadline near,
so a woken main thread runs sooner, in shorter turns. bench/ui_stall.py (UI_STALL_SLICE_US=0: the default), the
Studio recording 1080p30 PiP beside stress-ng --cpu 2, alternated: given to every thread and x264's child (before
RESET_ON_FORK) the longest stall was lower in 6 of 6 pairs (20.4/24.8/20.7 -> 17.0/18.7/12.0 ms at load 2.1-2.9;
91.8/38.4/87.5 -> 34.3/22.1/28.8 at load 4.6-5.1); the main thread's alone, 2 of 3 (15.3/18.5/18.1 ->
21.0/14.0/12.6 ms at load 1.6-3.2; a bare window beside GIL-free work in a child: 11.8/14.5/7.0). Elsewhere it does
nothing.
"""

from __future__ import annotations

import ctypes
import logging
import platform
import struct
import sys

log = logging.getLogger(__name__)

WINDOW_SLICE_NS = 300_000
# The slice is copied to every thread and process started after, unless the call says otherwise (R9: the room's,
# the compositor's and the encoder's threads and x264's child all ran in 0.3 ms turns): the window's thread alone.
SCHED_FLAG_RESET_ON_FORK = 0x01
_LAYOUT, _SIZE = "IIQiIQQQII", 56  # struct sched_attr (SCHED_ATTR_SIZE_VER1)
_CALLS = {"x86_64": (314, 315), "aarch64": (274, 275)}  # sched_setattr, sched_getattr


def shorten(ns: int = WINDOW_SLICE_NS) -> bool:
    """This thread's slice set to ``ns``, its policy and nice kept; False where the system has no such call."""
    calls = _CALLS.get(platform.machine())
    if not sys.platform.startswith("linux") or calls is None:
        return False
    setattr_call, getattr_call = calls
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(_SIZE)
    if libc.syscall(getattr_call, 0, attr, _SIZE, 0) != 0:
        log.debug("sched_getattr: errno %d", ctypes.get_errno())
        return False
    _size, policy, _flags, nice, priority, *_rest = struct.unpack(_LAYOUT, attr.raw)
    if policy != 0:  # not SCHED_NORMAL (a real-time or batch thread): its slice is not ours to set
        return False
    wanted = struct.pack(_LAYOUT, _SIZE, policy, SCHED_FLAG_RESET_ON_FORK, nice, priority, ns, 0, 0, 0, 0)
    if libc.syscall(setattr_call, 0, wanted, 0) != 0:
        log.debug("sched_setattr: errno %d", ctypes.get_errno())
        return False
    return True
