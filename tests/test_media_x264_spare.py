"""The Studio's x264_apart child is started while its program runs (x264_spare.py): a recording takes it with its
imports done, so its first second is whole (a child started with the recording took 0.4-1 s while a 0.2 s queue
skipped the pictures after it). A spare that died is replaced (one that dies while recording too:
test_media_x264_restart.py); the Studio's close leaves no child behind."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import av

from classroom_console.media.encoder import StopReason
from classroom_console.media.studio import Studio
from tests.test_media_x264_apart import _helpers

SIZE, FPS = (320, 180), 30


async def _until(predicate: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def _studio(tmp_path: Path) -> Studio:
    studio = Studio(None, None, tmp_path, size=SIZE, fps=FPS, start_floor_bytes=0)
    studio.settings = dataclasses.replace(studio.settings, x264_apart=True)
    await studio.add_source("test-pattern")
    return studio


def _times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        return sorted(float(frame.time) for frame in container.decode(video=0))


def _recorded(studio: Studio) -> int:
    stats = studio.stats()
    return stats.frames if stats is not None else 0


async def test_the_first_second_of_a_recording_with_x264_apart_is_whole(tmp_path: Path) -> None:
    studio = await _studio(tmp_path)
    try:
        await _until(studio._x264_spare.ready)  # the program's first seconds: the child's imports done
        await studio.start_recording()
        await _until(lambda: _recorded(studio) >= 2 * FPS)
        result = await studio.stop_recording()
    finally:
        await studio.close()
    times = _times(result.path)
    first_second = [round(t * FPS) for t in times if t < 1.0]
    # A cold child lost the first 14 in a row; on a machine busy beside stress-ng the 0.2 s queue may skip one
    # picture here or there (R10 saw 1 of 30 once in 5 rounds), which is not this bug.
    assert first_second[:5] == [0, 1, 2, 3, 4], f"the first pictures lost: {first_second[:5]}"
    assert len(first_second) >= FPS - 2, f"{FPS - len(first_second)} of the first {FPS} lost"


async def test_a_spare_that_died_is_replaced_and_the_recording_goes_on(tmp_path: Path) -> None:
    studio = await _studio(tmp_path)
    try:
        await _until(studio._x264_spare.ready)
        (spare,) = _helpers()
        os.kill(spare, signal.SIGKILL)
        await _until(lambda: spare not in _helpers())  # a zombie's command line is empty
        await studio.start_recording()
        await _until(lambda: _recorded(studio) >= FPS)
        assert spare not in _helpers()
        result = await studio.stop_recording()
        assert result.stop_reason == StopReason.STOPPED
        assert len(_helpers()) == 1, "the next recording's child, started as this one ended"
    finally:
        await studio.close()
    assert not _helpers(), "none left once the Studio is closed"
    assert len(_times(result.path)) == result.stats.frames


async def test_a_waiting_child_that_died_is_replaced_before_the_next_recording(tmp_path: Path) -> None:
    """Not only when the recording starts (its own child's start then cost its first pictures): at once, so the next
    recording finds one ready and its first second is whole."""
    studio = await _studio(tmp_path)
    try:
        await _until(studio._x264_spare.ready)
        (spare,) = _helpers()
        os.kill(spare, signal.SIGKILL)
        await _until(lambda: spare not in _helpers() and len(_helpers()) == 1 and studio._x264_spare.ready())
        (replacement,) = _helpers()
        await studio.start_recording()
        await _until(lambda: _recorded(studio) >= 2 * FPS)
        assert list(_helpers()) == [replacement], "the recording took the replacement, started no child of its own"
        result = await studio.stop_recording()
    finally:
        await studio.close()
    first_second = [round(t * FPS) for t in _times(result.path) if t < 1.0]
    # As in the first test: a child started with the recording lost its first pictures in a row; beside stress-ng the
    # 0.2 s queue may skip one here or there, which is not this bug. (A longer queue would hide that bug, so not that.)
    assert first_second[:5] == [0, 1, 2, 3, 4], f"the first pictures lost: {first_second[:5]}"
    assert len(first_second) >= FPS - 2, f"{FPS - len(first_second)} of the first {FPS} lost"
    assert not _helpers()


async def test_the_sources_own_files_keep_x264_in_the_windows_process(tmp_path: Path) -> None:
    """A child for each source's file would start with the recording (its first second lost) and hold ~44 MB more."""
    studio = await _studio(tmp_path)
    await studio.add_source("test-pattern")
    studio.tracks = True
    try:
        await _until(studio._x264_spare.ready)
        await studio.start_recording()
        await _until(lambda: _recorded(studio) >= FPS)
        children = _helpers()
        result = await studio.stop_recording()
    finally:
        await studio.close()
    assert len(children) == 1, "the program's file alone has x264 apart"
    assert len(result.tracks) == 2 and all(_times(track.path) for track in result.tracks)


WINDOW = """
import sys, time
from classroom_console.media.x264_spare import X264Spare
spare = X264Spare()
spare.warm()
while not spare.ready():
    time.sleep(0.01)
print(spare._child.process.pid, flush=True)
time.sleep(600)
"""


def test_a_waiting_child_ends_when_the_window_is_killed() -> None:
    """Its stdin's end: a killed window leaves no x264 child behind, adopted by init."""
    root = Path(__file__).resolve().parent.parent
    window = subprocess.Popen([sys.executable, "-c", WINDOW], stdout=subprocess.PIPE, cwd=root, text=True)
    try:
        assert window.stdout is not None
        child = int(window.stdout.readline())
        assert Path(f"/proc/{child}/cmdline").exists()
    finally:
        window.kill()
        window.wait(30)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child}/cmdline").exists() and b"x264_apart" in _command(child):
        assert time.monotonic() < deadline, "the child outlived the window"
        time.sleep(0.05)


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
