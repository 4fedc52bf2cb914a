"""A disk that stops answering while a recording ends: the end is bounded, the loop never waits, what reached the
disk is kept, and the recording is left for recovery to measure when the disk answers again.

The hung disk is real and needs no privilege: the recording's path is a named pipe whose reader (this test) stops
reading, so the muxer's ``write`` blocks in the kernel once the pipe's 4 KB are full, as on a network share that
went silent or a USB stick that stopped answering. When the test reads again, the "disk" answers, and what the
muxer wrote (the file) is in the bytes read."""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
import time
from pathlib import Path

from classroom_console.media import Program, Recorder, TestPattern, Tone, offload
from classroom_console.media.encoder import EncoderSettings, StopReason
from classroom_console.media.probe import playable_seconds
from classroom_console.media.recovery import recover_unfinished
from classroom_console.store import AsyncStore

FPS = 30
SIZE = (320, 180)
SILENT_S = 2.0  # the deadline, short for the test (30 s by default)
# The loop's longest pause allowed while the same process encodes: a Stop that waited on the hung disk on the
# loop froze it for SILENT_S or more; a busy 2-core machine (beside stress-ng) showed 430 ms pauses with none.
MAX_STALL_S = 1.5


class PipeDisk:
    """The reading end of the recording's named pipe, on a thread: it keeps what it reads, until told to hang."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # before the muxer opens it: its open never waits
        fcntl.fcntl(self.fd, fcntl.F_SETPIPE_SZ, 4096)
        self.data = bytearray()
        self.answering = threading.Event()
        self.answering.set()
        self.closed = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        end = time.monotonic() + 300
        while time.monotonic() < end and not self.closed.is_set():
            if not self.answering.wait(0.05):
                continue
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                time.sleep(0.002)
                continue
            if chunk:
                self.data.extend(chunk)
            elif self.closed.wait(0.01):  # no writer (not yet, or no more)
                break

    def close(self) -> None:
        self.closed.set()
        self._thread.join(30)
        os.close(self.fd)


async def ticks(gaps: list[float], stop: asyncio.Event) -> None:
    """The loop's own pulse: a gap much over 20 ms means something blocked it."""
    last = time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.02)
        now = time.monotonic()
        gaps.append(now - last)
        last = now


def test_a_hung_disk_ends_the_recording_in_bounded_time_keeping_what_was_written(tmp_path: Path) -> None:
    """The end waited for the file's writer without a bound (review R6): a Stop on a hung disk never returned."""
    path = tmp_path / "lecture.mp4"
    disk = PipeDisk(path)
    settings = EncoderSettings(disk_silent_s=SILENT_S)
    scratch = tmp_path / "so-far.mp4"

    async def main() -> None:
        store = await AsyncStore.open(tmp_path / "data")
        program = Program(SIZE, FPS)
        for source in (TestPattern(size=SIZE, fps=FPS), Tone()):
            program.add_source(source)
        program.start()
        gaps: list[float] = []
        beat_stop = asyncio.Event()
        beat = asyncio.ensure_future(ticks(gaps, beat_stop))
        try:
            recorder = Recorder(program, path, settings=settings, store=store, start_floor_bytes=0)
            rid = await recorder.start()
            deadline = time.monotonic() + 60
            while playable_prefix(disk, scratch) < 1.0 and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            kept_before = playable_prefix(disk, scratch)
            assert kept_before >= 1.0, "the recording never reached the disk"
            disk.answering.clear()  # the disk stops answering
            await asyncio.sleep(1.5)  # the pipe fills; the writer blocks in the kernel
            gaps.clear()
            stopped_at = time.monotonic()
            result = await asyncio.wait_for(recorder.stop(), SILENT_S + 30)
            took = time.monotonic() - stopped_at
            assert result.stop_reason == StopReason.DISK_HUNG, result
            assert took < SILENT_S + 15, f"the end took {took:.1f} s"
            assert max(gaps) < MAX_STALL_S < SILENT_S, f"the loop was blocked {max(gaps):.2f} s"
            assert result.duration_s >= kept_before and result.sha256 == ""
            row = await store.call(lambda s: s.recording(rid))
            assert row is not None and row["stopped_at"] is None, "left open for recovery to measure"
            # The disk answers again: the writer left behind finishes the file; recovery measures it next start.
            disk.answering.set()
            deadline = time.monotonic() + 60
            while writer_left(path) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            assert not writer_left(path), "the writer left behind did not finish once the disk answered"
            disk.close()
            path.unlink()
            path.write_bytes(bytes(disk.data))
            os.utime(path, (time.time() - 60, time.time() - 60))
            assert await recover_unfinished(store, quiet_s=10) == [rid]
            row = await store.call(lambda s: s.recording(rid))
            assert row is not None and row["stopped_at"] is not None and row["duration_s"] >= kept_before
        finally:
            disk.answering.set()
            beat_stop.set()
            await beat
            program.stop()
            await offload(program.join)
            await store.close()

    try:
        asyncio.run(main())
    finally:
        if not disk.closed.is_set():
            disk.close()


def writer_left(path: Path) -> bool:
    return any(thread.name == f"output-file-{path.name}" for thread in threading.enumerate())


def playable_prefix(disk: PipeDisk, scratch: Path) -> float:
    """How much of what reached the "disk" so far plays."""
    scratch.write_bytes(bytes(disk.data))
    return playable_seconds(scratch)
