"""Starting fast: `--help` and `device X status` import none of the heavy libraries (issue 17 item 4).

Each command runs in a fresh interpreter (the test process has them all loaded), against a real simulated projector
for `status`, and reports what its run left in ``sys.modules``. Correctness, not timing: a top-level import of
aiohttp or PyAV in a command module, or the parser importing every command, fails here on any machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

HEAVY = ("aiohttp", "av", "numpy", "asyncpg", "cv2", "PySide6")
RUN_AND_REPORT = """
import contextlib, io, json, sys
from classroom_console import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = cli.main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY_NAMES))
print(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()}))
""".replace("HEAVY_NAMES", repr(HEAVY))


def run_cli(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", RUN_AND_REPORT, *args], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return report


@pytest.mark.parametrize("args", [["--help"], ["device", "--help"], ["discover", "--help"], ["--lang", "ru", "--help"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    report = run_cli(*args)
    assert report["code"] == 0
    assert "usage" in str(report["out"]) or "использование" in str(report["out"])
    assert report["heavy"] == [], f"{' '.join(args)} imported {report['heavy']}"


async def test_device_status_imports_no_heavy_library(tmp_path: Path) -> None:
    """The whole run, store and room included, on a real projector: still none of them."""
    async with SimulatedProjector(SimProjectorConfig(host="127.0.0.1", port=0, udp_port=None)) as projector:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RUN_AND_REPORT, "--data-dir", str(tmp_path),
            "device", f"127.0.0.1:{projector.tcp_port}", "status",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        async with asyncio.timeout(120):
            stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr
    report = json.loads(stdout.decode().splitlines()[-1])
    assert report["code"] == 0, (report, stderr)
    assert "power: " in report["out"]
    assert b"store write failed" not in stderr  # a device reached by address has no row for its readings
    assert report["heavy"] == [], f"device status imported {report['heavy']}"


def test_defaults_written_in_the_commands_match_the_core() -> None:
    """`record --help` states the disk floor without loading the media stack: the copy must not drift."""
    from classroom_console.commands import record
    from classroom_console.media.disk import START_FLOOR_BYTES

    assert record.DEFAULT_MIN_FREE_MB * 2**20 == START_FLOOR_BYTES
    from classroom_console.commands import discover
    from classroom_console.discovery_scope import Scope

    assert set(discover.SCOPES) == {s.value for s in Scope}


FIRST_WINDOW = """
import json, sys
from ui.app import FirstWindow, make_application
app, _ = make_application("en")
window = FirstWindow()
window.show()
app.processEvents()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY_NAMES))
                 + sorted(n for n in ("classroom_console.console", "ui.main_window") if n in sys.modules)))
""".replace("HEAVY_NAMES", repr(tuple(h for h in HEAVY if h != "PySide6")))


def test_the_first_window_shows_before_the_core_is_imported() -> None:
    """The GUI maps a window of its own first; the core, media and workspaces load behind it (issue 17 item 4)."""
    done = subprocess.run([sys.executable, "-c", FIRST_WINDOW], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_the_demo_is_mapped_first_and_the_console_comes_up_after(tmp_path: Path) -> None:
    """The real `demo` start: a window is exposed, then the console's own window, then it closes by itself."""
    done = subprocess.run(
        [sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path), "demo"], capture_output=True,
        text=True, timeout=180, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "CLASSROOM_CONSOLE_STARTUP_PROBE": "1",
             "CLASSROOM_CONSOLE_SCOPE": "loopback"})
    assert done.returncode == 0, done.stderr[-2000:]
    marks = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("mapped ", "ready ")))
    assert set(marks) == {"mapped", "ready"}, done.stdout
    assert float(marks["mapped"]) <= float(marks["ready"])
