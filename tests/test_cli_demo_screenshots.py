"""`demo --screenshot DIR` leaves the demo's own log alone: on it, each run added its two test patterns and a tone to
the last run's ("Test pattern 3", "4", … nine sources after three runs), the Studio restored them all, and the
pictures differed from run to run. It now runs on a fresh folder of its own, removed afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUN_WITHIN_S = 300


def test_demo_screenshots_neither_read_nor_write_the_demos_own_log(tmp_path: Path) -> None:
    home = tmp_path / "data-home"  # the user's data folder (platformdirs follows XDG_DATA_HOME)
    shots = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CLASSROOM_CONSOLE_SCOPE": "loopback",
           "XDG_DATA_HOME": str(home)}
    run = subprocess.run([sys.executable, "-m", "classroom_console", "--lang", "en", "demo", "--screenshot",
                          str(shots)], env=env, capture_output=True, text=True, timeout=RUN_WITHIN_S)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (shots / "studio-sources-en.png").is_file() and (shots / "lecturer-session-en.png").is_file()
    assert not (home / "classroom-console").exists(), sorted(str(p) for p in home.rglob("*"))
