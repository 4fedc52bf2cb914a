"""SIGKILL at a random moment leaves a file that decodes to within 2 s of the kill (ten times)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest

KILLS = 10
PARALLEL = 2  # two recorders at a time: 2 cores, and each is small
MAX_LOSS_S = 2.0


def start_recorder(out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "classroom_console", "record", "--no-store", "--min-free-mb", "1",
         "--size", "320x180", "--source", "test-pattern", "--source", "tone", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def decoded_seconds(path: Path) -> float:
    """How far PyAV decodes video before the file ends (errors at the torn tail are the point)."""
    last = 0.0
    try:
        with av.open(str(path)) as container:
            rate = float(container.streams.video[0].average_rate or 30)
            for frame in container.decode(video=0):
                if frame.time is not None:
                    last = max(last, float(frame.time) + 1 / rate)
    except av.error.FFmpegError:
        pass
    return last


def test_sigkill_leaves_a_playable_file_up_to_two_seconds_before_the_kill(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("KILL_SEED", "4")))
    results: list[tuple[float, float]] = []
    for batch in range(KILLS // PARALLEL):
        procs = []
        for i in range(PARALLEL):
            out = tmp_path / f"kill-{batch}-{i}.mp4"
            procs.append((start_recorder(out), out, rng.uniform(0.5, 4.0)))
        appeared: dict[Path, float] = {}
        killed: dict[Path, float] = {}
        deadline = time.monotonic() + 30
        while len(killed) < len(procs):
            assert time.monotonic() < deadline, "recorders did not start"
            now = time.monotonic()
            for proc, out, delay in procs:
                if out not in appeared and out.exists():
                    appeared[out] = now
                if out in appeared and out not in killed and now - appeared[out] >= delay:
                    proc.send_signal(signal.SIGKILL)
                    killed[out] = now - appeared[out]
                if proc.poll() is not None and out not in killed:
                    pytest.fail(f"recorder exited by itself: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.01)
        for proc, out, _ in procs:
            proc.wait(10)
            if proc.stderr:
                proc.stderr.close()
            assert proc.returncode == -signal.SIGKILL
            results.append((killed[out], decoded_seconds(out)))
    for recorded, decoded in results:
        assert recorded - decoded <= MAX_LOSS_S, results
    assert sum(decoded > 0 for _, decoded in results) >= KILLS // 2, results
