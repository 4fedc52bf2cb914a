"""Memory a recording freed leaves the process: thread arenas' free tops, and pools' buffers nobody needs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A thread (as the encoder's or an output's) fills its own malloc arena with 3 MB of blocks under the mmap threshold,
# frees them and ends: the arena's top keeps them (under the 4 MB trim threshold, and malloc_trim leaves a thread
# arena's top alone). give_back must return them. Run in a fresh process, so no other thread moves its RSS.
ARENA_CHILD = textwrap.dedent("""
    import ctypes, json, threading
    from classroom_console.media import heap

    libc = ctypes.CDLL(None)
    libc.malloc.argtypes, libc.malloc.restype = [ctypes.c_size_t], ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]

    def rss():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

    assert heap.fix_thresholds()

    def work():
        blocks = [libc.malloc(100_000) for _ in range(30)]
        for block in blocks:
            ctypes.memset(block, 1, 100_000)
        for block in blocks:
            libc.free(block)

    before = rss()
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    held = rss() - before
    heap.give_back()
    print(json.dumps({"held": held, "after": rss() - before, "threads": threading.active_count()}))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_give_back_returns_an_ended_threads_arena() -> None:
    out = subprocess.run([sys.executable, "-c", ARENA_CHILD], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    figures = json.loads(out.stdout.splitlines()[-1])
    assert figures["held"] >= 2.5, f"the ended thread's arena should hold its 3 MB before give_back: {figures}"
    assert figures["after"] <= 1.0, f"give_back left the arena's top in memory: {figures}"
    assert figures["threads"] == 1, "the trimming threads are all joined"


def test_buffer_pool_lets_a_bursts_buffers_go_down_to_what_is_used() -> None:
    from classroom_console.media.frames import BufferPool

    pool = BufferPool((8, 8), idle_s=0.05)
    burst = [pool.get() for _ in range(4)]  # a recording's backlog: four in use at once
    assert len(pool) == 4
    del burst
    deadline = time.monotonic() + 30.0
    while len(pool) > 1 and time.monotonic() < deadline:  # one in use at a time, as a preview alone takes them
        held = pool.get()
        time.sleep(0.01)
        del held
    assert len(pool) == 1, "buffers nobody needed for idle_s are let go, none kept spare"
