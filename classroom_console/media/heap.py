"""Giving frame-sized memory back to the system: glibc keeps freed blocks for reuse unless told otherwise.

glibc serves a big block (a 1080p picture is 3 MB) with its own ``mmap`` and returns it on ``free`` -- until the
first such free, after which its *dynamic* threshold rises to that size and later pictures come from the heap,
where a freed one stays mapped for good (measured: 140 MB held after a 1080p recording ended, given back by
``malloc_trim``). Fixing the threshold keeps every picture-sized block an ``mmap`` of its own, so memory freed
after a recording (pools, queues, x264's frames) leaves the process; the pools make the mapping cost rare.

Threads other than the main one allocate from arenas of their own, and ``malloc_trim`` gives back the free pages
inside each arena but never an arena's free *top* (glibc trims the main heap's top alone): an arena whose thread
ended (the encoder's, an output's, a chapters worker's) kept 1-7 MB each after a recording, 4-18 MB in all
(bench/memory.py --only gui). A free of 64 KiB or more in an arena trims its top, so ``give_back`` makes one in
every arena (``_trim_arenas``).

x264 rounds each buffer of 1.8 MB or more up to whole 2 MB pages and asks the kernel for transparent huge pages
there (``madvise``), so a buffer it only begins to touch (its bitstream's, a plane's padding) is resident 2 MB at a
time: 9 MB of an x264 at 1080p veryfast (bench/memory.py's x264_apart child, 169 -> 160 MB, the same bytes
encoded), 5 MB of the window's header-only x264. ``no_huge_pages`` turns them off for the process.

Only glibc (and Linux's prctl) has these calls: elsewhere the functions do nothing.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
PR_SET_THP_DISABLE = 41
MMAP_THRESHOLD_BYTES = 512 * 1024  # well under a 720p chroma plane, well over Python's small objects
TRIM_THRESHOLD_BYTES = 4 * 2**20  # free heap top over this goes back at once

_lock = threading.Lock()


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the process's own symbols: glibc's malloc where there is one (no ldconfig run)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc.argtypes, libc.malloc.restype = [ctypes.c_size_t], ctypes.c_void_p
        libc.free.argtypes = [ctypes.c_void_p]
        libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
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
    no_huge_pages()
    if not ok:
        log.debug("mallopt refused the media thresholds")
    return ok


@functools.cache
def no_huge_pages() -> bool:
    """Transparent huge pages off for this process (and the processes it starts after): x264's ``madvise`` asks
    in vain. True where the kernel took it."""
    libc = _libc()
    return libc is not None and libc.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0


def give_back() -> None:
    """Return the heap's free pages to the system (after a recording or a program ends); a few ms, any thread."""
    libc = _libc()
    if libc is not None:
        with _lock:
            libc.malloc_trim(0)
            if fix_thresholds():  # where glibc took the media thresholds, the arenas' tops go too
                _trim_arenas(libc)


ARENA_TRIM_BLOCK = 128 * 1024  # over glibc's 64 KiB that makes a free trim its arena, under the mmap threshold
ARENA_TRIM_THRESHOLD = 128 * 1024  # glibc's default: the top an arena keeps after the trim


def _trim_arenas(libc: ctypes.CDLL) -> None:
    """A block freed in each arena, with the trim threshold lowered meanwhile, so every arena's free top goes back.

    A thread takes an arena at its first allocation: an idle one (its threads ended) if there is one, else it
    shares one round-robin. Threads alive together therefore cover the idle arenas one each, then the busy ones;
    glibc makes at most 8 arenas a core, so that many threads cover them all.
    """
    count = min(64, 8 * (os.cpu_count() or 1))
    allocated = threading.Barrier(count + 1)

    def touch() -> None:
        block = libc.malloc(ARENA_TRIM_BLOCK)
        try:
            allocated.wait(2.0)  # every thread holds its arena before any lets go of it
        except threading.BrokenBarrierError:
            pass
        libc.free(block)

    threads = [threading.Thread(target=touch, name="heap-trim", daemon=True) for _ in range(count)]
    libc.mallopt(M_TRIM_THRESHOLD, ARENA_TRIM_THRESHOLD)
    try:
        for thread in threads:
            thread.start()
        try:
            allocated.wait(2.0)
        except threading.BrokenBarrierError:
            log.debug("heap trim: not every thread took an arena in time")
        for thread in threads:
            thread.join(2.0)
    finally:
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
