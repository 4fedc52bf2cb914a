"""Free disk: a recording refuses to start below the floor, and a disk that fills ends it cleanly.

Uses a real 20 MB tmpfs mounted by the test (root only); elsewhere these tests skip and say why.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from classroom_console.media import DiskFullError, EncoderSettings, SimulatedClock, TestPattern, Tone
from classroom_console.media.probe import inspect
from classroom_console.media.probe import playable_seconds as decoded_seconds
from tests.test_record_output import record

MB = 2**20


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a 20 MB tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave_bytes: int) -> None:
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    (disk / "ballast").write_bytes(b"\0" * max(0, free - leave_bytes))


def heavy(stop_floor: int) -> EncoderSettings:
    """Near-lossless, so a few MB fill in a second or two of simulated time."""
    return EncoderSettings(preset="ultrafast", crf=1, stop_floor_bytes=stop_floor, block_when_full=True)


def test_refuses_to_start_below_the_floor(small_disk: Path) -> None:
    with pytest.raises(DiskFullError, match="MB free"):
        record(small_disk / "x.mp4", start_floor=30 * MB)
    assert not (small_disk / "x.mp4").exists()
    assert [t for t in threading.enumerate() if t.name.startswith(("source-", "encoder-", "compositor"))] == []


def test_stops_in_time_and_finalises_when_the_disk_nearly_fills(small_disk: Path) -> None:
    fill(small_disk, 6 * MB)
    out = small_disk / "rec.mp4"
    result = record(out, size=(640, 360), duration=120.0, clock=SimulatedClock(), settings=heavy(2 * MB),
                    sources=[TestPattern(size=(640, 360), fps=30), Tone()])
    assert result.stop_reason == "disk-full" and "disk" in result.message
    info = inspect(out)
    assert 0 < info.duration_s < 120 and abs(info.duration_s - result.duration_s) <= 1 / 30 + 1e-6
    assert info.audio_codec == "aac"


def test_a_write_that_fails_with_no_space_ends_cleanly(small_disk: Path) -> None:
    fill(small_disk, 4 * MB)
    out = small_disk / "rec.mp4"
    result = record(out, size=(640, 360), duration=120.0, clock=SimulatedClock(), settings=heavy(0),
                    sources=[TestPattern(size=(640, 360), fps=30), Tone()])
    assert result.stop_reason == "disk-full" and "full" in result.message
    assert decoded_seconds(out) > 1.0, "the fragments written before the disk filled still play"
