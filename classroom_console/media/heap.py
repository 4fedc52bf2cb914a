"""Giving frame-sized memory back to the system: glibc keeps freed blocks for reuse unless told otherwise.

glibc serves a big block (a 1080p picture is 3 MB) with its own ``mmap`` and returns it on ``free`` -- until the
first such free, after which its *dynamic* threshold rises to that size and later pictures come from the heap,
where a freed one stays mapped for good (measured: 140 MB held after a 1080p recording ended, given back by
``malloc_trim``). Fixing the threshold keeps every picture-sized block an ``mmap`` of its own, so memory freed
after a recording (pools, queues, x264's frames) leaves the process; the pools make the mapping cost rare.
Only glibc has these calls: elsewhere both functions do nothing.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 512 * 1024  # well under a 720p chroma plane, well over Python's small objects
TRIM_THRESHOLD_BYTES = 4 * 2**20  # free heap top over this goes back at once

_lock = threading.Lock()


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols: glibc's malloc where there is one (no ldconfig run)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


@functools.cache
def fix_thresholds() -> bool:
    """Once per process, before the media engine makes its first picture; True where glibc took it."""
    libc = _libc()
    if libc is None:
        return False
    ok = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    ok = bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)) and ok
    if not ok:
        log.debug("mallopt refused the media thresholds")
    return ok


def give_back() -> None:
    """Return the heap's free pages to the system (after a recording or a program ends); a few ms, any thread."""
    libc = _libc()
    if libc is not None:
        with _lock:
            libc.malloc_trim(0)
