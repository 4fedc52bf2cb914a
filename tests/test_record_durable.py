"""A power cut loses at most about a second: the growing file's pages reach the disk as it is written.

A power cut cannot be staged here, so the test reads what one would lose: the file's pages that are still only
in the kernel's cache (dirty or being written back), through Linux's ``cachestat`` (6.5 and later). Where that
cannot be observed (an older kernel, a tmpfs whose pages never go to a disk) the test is skipped and says why.
"""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path

import pytest

from classroom_console.media import EncoderSettings, Program, TestPattern, Tone
from tests.test_record_output import record

SYS_CACHESTAT = 451  # the same number on every architecture (the unified table)
PAGE = os.sysconf("SC_PAGE_SIZE")


class _Range(ctypes.Structure):
    _fields_ = [("off", ctypes.c_uint64), ("len", ctypes.c_uint64)]


class _Stat(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in
                ("nr_cache", "nr_dirty", "nr_writeback", "nr_evicted", "nr_recently_evicted")]


def unsaved_bytes(path: Path) -> int:
    """Bytes of ``path`` held only in memory: what a power cut now would lose."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        stat = _Stat()
        if libc.syscall(SYS_CACHESTAT, fd, ctypes.byref(_Range(0, 0)), ctypes.byref(stat), 0) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    finally:
        os.close(fd)
    return int(stat.nr_dirty + stat.nr_writeback) * PAGE


@pytest.fixture
def observable(tmp_path: Path) -> Path:
    """A folder where written pages are seen to stay unsaved for seconds unless synced."""
    probe = tmp_path / "probe.bin"
    probe.write_bytes(os.urandom(256 * 1024))
    try:
        unsaved = unsaved_bytes(probe)
    except OSError as exc:
        pytest.skip(f"cachestat is not available here ({exc}); it needs Linux 6.5 or later")
    time.sleep(1.5)
    if unsaved < 128 * 1024 or unsaved_bytes(probe) < 128 * 1024:
        pytest.skip("this file system saves written pages at once (or never keeps them), so there is nothing to see")
    with open(probe, "rb+") as f:
        os.fdatasync(f.fileno())
    if unsaved_bytes(probe) != 0:
        pytest.skip("fdatasync does not clean the pages of this file system (a tmpfs?)")
    return tmp_path


def test_a_growing_recording_is_on_the_disk_up_to_about_a_second_ago(observable: Path) -> None:
    path = observable / "durable.mp4"
    seen: list[tuple[int, int]] = []  # (file size, bytes only in memory), every half second

    def watch(_program: Program) -> None:
        for _ in range(14):
            time.sleep(0.5)
            seen.append((path.stat().st_size if path.exists() else 0, unsaved_bytes(path) if path.exists() else 0))

    size = (640, 360)
    result = record(path, size=size, duration=8.0, sources=[TestPattern(size=size), Tone()], during=watch,
                    settings=EncoderSettings(sync_s=1.0))
    assert result.stop_reason == "duration"
    # Synced each second, what is only in memory was written within the last second or two (a fragment is cut
    # each second, then synced within a second): less than the file grew in the last 2.5 s. Unsynced, it would
    # be the whole file, held for ~30 s (the fixture saw the kernel keep a file's pages that long).
    checked = 0
    for (earlier, _), (file_size, unsaved) in zip(seen, seen[5:], strict=False):
        if earlier > 0:
            assert unsaved <= file_size - earlier, f"{unsaved} of {file_size} bytes only in memory: {seen}"
            checked += 1
    assert checked >= 4, f"the file grew too late to judge: {seen}"
    assert unsaved_bytes(path) == 0, "the finished file is entirely on the disk"
