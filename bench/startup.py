"""Start-up times (issue 17 item 4) beside bare Python and a bare PySide6 window, measured in the same run.

Prints the median and the fastest of several runs, interleaved so a busy machine slows every row alike:
  - bare Python (`python -c pass`), the floor;
  - `classroom-console --help` and `device 127.0.86.1 status` against one simulated projector on loopback
    (targets: under 0.3 s each; the CPU seconds beside, what a busy machine stretches least);
  - `discover --timeout 1` on loopback (no target: it looks for a second by design);
  - a bare PySide6 window mapped, and the console window (`demo`) mapped (target: under 1 s) and the whole
    console up in it (devices fill in after), from the moment the process was started.
GUI runs use Xvfb when it is installed, else Qt's offscreen platform. Run it beside `stress-ng --cpu 2` too.

    .venv/bin/python bench/startup.py [--runs 7] [--platform xvfb|offscreen] [--cli-only]
    .venv/bin/python bench/startup.py --quick     # 3 runs each: a minute or so
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLI = str(Path(PYTHON).with_name("classroom-console"))
SIM_HOST = "127.0.86.1"  # apart from `sim room` (127.0.80.0/26, the demo's and the tests'), and bench/discovery.py
SIM_PROJECTOR = f"""
import asyncio, sys
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector
async def main():
    config = SimProjectorConfig(host="{SIM_HOST}", port=4352, udp_port=None, idle_timeout_s=300)
    async with SimulatedProjector(config):
        print("Simulated room running", flush=True)
        await asyncio.to_thread(sys.stdin.read)  # until the bench closes our stdin
asyncio.run(main())
"""
BARE_WINDOW = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1360, 760)
class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Expose:
            print(f"mapped {time.monotonic():.3f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
window.winId()
probe = Probe()
window.windowHandle().installEventFilter(probe)
window.show()
app.exec()
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds from start to exit, and the CPU seconds it used (user + system: what a busy machine stretches
    least, so the figure to compare with a quiet machine's wall time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def gui_marks(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from the process's start to each line "LABEL MONOTONIC" it prints (mapped, ready)."""
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, check=False)
    marks = {}
    for line in proc.stdout.splitlines():
        label, _, stamp = line.partition(" ")
        with contextlib.suppress(ValueError):
            marks[label] = float(stamp) - start
    if "mapped" not in marks:
        raise RuntimeError(f"{' '.join(cmd)} never mapped a window: {proc.stderr[-800:]}")
    return marks


@contextlib.contextmanager
def display(platform: str) -> Iterator[dict[str, str]]:
    env = dict(os.environ)
    env.pop("CLASSROOM_CONSOLE_STARTUP_PROBE", None)
    if platform == "offscreen" or not shutil.which("Xvfb"):
        env["QT_QPA_PLATFORM"] = "offscreen"
        yield env
        return
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    env["DISPLAY"] = f":{number}"
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    try:
        yield env
    finally:
        xvfb.terminate()
        xvfb.wait(10)


@contextlib.contextmanager
def simulated_projector(env: dict[str, str]) -> Iterator[None]:
    proc = subprocess.Popen([PYTHON, "-c", SIM_PROJECTOR], env=env, cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line or line.startswith("Simulated room running"):
            break
    if proc.poll() is not None:
        print(f"(sim room did not start: {proc.stderr.read().strip() if proc.stderr else ''}; "
              f"timing against whatever answers at {SIM_HOST})")
    try:
        yield
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(15)
        if proc.poll() is None:
            proc.kill()


def row(name: str, values: list[float], floor: float, target: float | None) -> str:
    median = statistics.median(values)
    verdict = "" if target is None else f"target < {target:.2f} s: {'met' if median < target else 'NOT met'}"
    return f"{name:<34} median {median:6.3f} s  fastest {min(values):6.3f} s  {median / floor:5.1f}x bare  {verdict}"


def remember(folder: Path, in_session: bool = False) -> None:
    """A store that remembers the simulated projector, as the console's would once it has found it."""
    sys.path.insert(0, str(ROOT))
    from classroom_console.store import open_store
    from devices.model import DeviceInfo, DeviceKind

    store = open_store(folder)
    try:
        store.upsert_device(DeviceInfo("mac:02:be:86:00:00:01", DeviceKind.PROJECTOR, "Bench", SIM_HOST, 4352,
                                       "pjlink"))
        if in_session:
            store.start_session(lecturer="Bench", course="Start-up", kind="lecture")
    finally:
        store.close()


def window_figures(args: argparse.Namespace, env: dict[str, str], data: Path) -> dict[str, list[float]]:
    """Seconds until a bare PySide6 window and the console's window are mapped, and the console is up."""
    with display(args.platform) as genv:
        genv.update({k: v for k, v in env.items() if k in ("CLASSROOM_CONSOLE_SCOPE", "PYTHONPYCACHEPREFIX")})
        genv.pop("PYTHONDONTWRITEBYTECODE", None)
        bare_window = [PYTHON, "-c", BARE_WINDOW]
        demo = [CLI, "--data-dir", str(data / "demo"), "demo"]
        probe_env = dict(genv, CLASSROOM_CONSOLE_STARTUP_PROBE="1")
        gui_marks(bare_window, genv)
        gui_marks(demo, probe_env)
        window_times: dict[str, list[float]] = {"bare PySide6 window mapped": [], "console window mapped": [],
                                                "console up (devices fill in after)": []}
        for _ in range(max(3, args.runs // 2)):
            window_times["bare PySide6 window mapped"].append(gui_marks(bare_window, genv)["mapped"])
            marks = gui_marks(demo, probe_env)
            window_times["console window mapped"].append(marks["mapped"])
            window_times["console up (devices fill in after)"].append(marks.get("ready", float("nan")))
    return window_times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", choices=["xvfb", "offscreen"], default="xvfb")
    parser.add_argument("--quick", action="store_true", help="3 runs each")
    parser.add_argument("--cli-only", action="store_true", help="the commands only, no window")
    args = parser.parse_args()
    if args.quick:
        args.runs = 3
    data = Path(tempfile.mkdtemp(prefix="startup-bench-"))
    # As installed (pip writes .pyc files): bytecode cached, in a folder of the bench's own rather than the tree.
    # Without it (PYTHONDONTWRITEBYTECODE) every run compiles the project's modules again.
    env = dict(os.environ, CLASSROOM_CONSOLE_SCOPE="loopback", PYTHONPYCACHEPREFIX=str(data / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cli_rows: dict[str, list[str]] = {
        "bare python": [PYTHON, "-c", "pass"],
        "classroom-console --help": [CLI, "--help"],
        f"device {SIM_HOST} status": [CLI, "--data-dir", str(data / "status"), "device", SIM_HOST, "status"],
        # the same device remembered by the console (the usual case): read loop-free, its reading kept
        "  the same, remembered": [CLI, "--data-dir", str(data / "remembered"), "device", SIM_HOST, "status"],
        # during a session (the window's) the read is logged in it as the room logs it, loop-free too
        "  the same, during a session": [CLI, "--data-dir", str(data / "session"), "device", SIM_HOST,
                                                 "status"],
        "discover --timeout 1": [CLI, "--data-dir", str(data), "discover", "--timeout", "1", "--scope", "loopback"],
    }
    targets = {"classroom-console --help": 0.3, f"device {SIM_HOST} status": 0.3, "  the same, remembered": 0.3,
               "  the same, during a session": 0.3}
    remember(data / "remembered")
    remember(data / "session", in_session=True)
    times: dict[str, list[float]] = {name: [] for name in cli_rows}
    cpu: dict[str, list[float]] = {name: [] for name in cli_rows}
    with simulated_projector(env):
        for cmd in cli_rows.values():  # warm-up: caches, .pyc files, the store made once
            timed(cmd, env)
        for _ in range(args.runs):
            for name, cmd in cli_rows.items():
                wall, used = timed(cmd, env)
                times[name].append(wall)
                cpu[name].append(used)
    window_times = {} if args.cli_only else window_figures(args, env, data)
    shutil.rmtree(data, ignore_errors=True)
    floor = statistics.median(times["bare python"])
    load = os.getloadavg()[0]
    print(f"start-up, {args.runs} runs each, interleaved; load average {load:.1f}; GUI on {args.platform}")
    for name, values in times.items():
        print(row(name, values, floor, targets.get(name)) + f"  (CPU {statistics.median(cpu[name]):.3f} s)")
    for name, values in window_times.items():
        window_floor = statistics.median(window_times["bare PySide6 window mapped"])
        line = row(name, values, floor, 1.0 if name == "console window mapped" else None)
        print(f"{line}  ({statistics.median(values) / window_floor:.1f}x a bare PySide6 window)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
