"""Camera previews on the lecturer's screen: capture-to-paint latency and CPU, for 1 and 4 cameras, beside ffplay.

Simulated 720p25 MJPEG cameras run in a child process (their rendering is not ours to count); this process
shows each in a CameraView tile (480x270) exactly as a camera card does: the core's preview thread decodes
and downscales, the Qt main thread paints. Each painted frame's burnt-in capture stamp gives the latency.
References in the same run: ffplay showing the same streams (CPU; SDL's dummy video driver when there is no
display), and ffmpeg decoding one stream to a pipe (the latency floor of decoding alone).

    python bench/camera_preview.py [--seconds 8]      (targets: latency < 150 ms, 4 previews < 0.5 core)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from classroom_console.media.preview import PreviewStatus, StreamPreview
from devices.sim.camera import read_stamp
from ui.bridge import RoomBridge
from ui.camera_view import CameraView
from ui.stall_meter import StallMeter

TILE = (480, 270)
CAMERAS = """
import asyncio, sys
from devices.sim.camera import SimCameraConfig, SimulatedCamera
async def main(n):
    cams = [SimulatedCamera(SimCameraConfig(name=f"Bench {i + 1}", host="127.0.0.1", http_port=0, visca_port=0,
                                            ptz=False, width=1280, height=720, fps=25)) for i in range(n)]
    for c in cams:
        await c.start()
    print(" ".join(c.stream_url for c in cams), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for c in cams:
        await c.stop()
asyncio.run(main(int(sys.argv[1])))
"""


class Previews:
    """What a CameraView needs of the bridge: start and stop a core preview (no room, no devices)."""

    def watch_stream(self, url: str, size: tuple[int, int], on_frame: Callable[[np.ndarray], None],
                     on_status: Callable[[PreviewStatus], None]) -> StreamPreview:
        preview = StreamPreview(url, size, on_frame, on_status)
        preview.start()
        return preview

    def stop_stream(self, preview: StreamPreview) -> None:
        preview.stop()


def start_cameras(count: int) -> tuple[subprocess.Popen[str], list[str]]:
    root = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.Popen([sys.executable, "-c", CAMERAS, str(count)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=root, env={**os.environ, "PYTHONPATH": root})
    assert proc.stdout is not None
    return proc, proc.stdout.readline().split()


def stop_cameras(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def pump(app: QApplication, seconds: float, until: Callable[[], bool] = lambda: False) -> None:
    """Runs Qt's event loop (sleeping when idle, as the app does) for ``seconds`` or until ``until()``."""
    loop = QEventLoop()
    check = QTimer()
    check.setInterval(50)
    check.timeout.connect(lambda: loop.quit() if until() else None)
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    check.start()
    loop.exec()
    check.stop()


def ours(app: QApplication, urls: list[str], seconds: float, cameras_pid: int) -> dict[str, float]:
    window = QWidget()
    grid = QGridLayout(window)
    latencies: list[float] = []
    measuring = [0.0]  # CPU spent reading stamps: the bench's, not the preview's

    def painted(frame: np.ndarray) -> None:
        now, began = time.time(), time.thread_time()
        stamp = read_stamp(frame)  # black and white cells: RGB reads as well as BGR
        if stamp is not None:
            latencies.append(now - stamp.time_s)
        measuring[0] += time.thread_time() - began

    views = []
    for index, url in enumerate(urls):
        view = CameraView(cast(RoomBridge, Previews()), f"Bench {index + 1}")
        view.setFixedSize(*TILE)
        view.set_source(url, view.name)
        view.on_painted = painted
        grid.addWidget(view, index // 2, index % 2)
        views.append(view)
    window.show()
    pump(app, 30, lambda: all(v.live for v in views))
    pump(app, 1.0)  # past the first frames' connection set-up
    latencies.clear()
    meter = StallMeter()
    meter.start()
    painted_before = sum(v.painted for v in views)
    cpu, wall, sim = time.process_time(), time.monotonic(), _cpu_s(cameras_pid)
    measuring[0] = 0.0
    pump(app, seconds)
    cpu, wall, sim = time.process_time() - cpu, time.monotonic() - wall, _cpu_s(cameras_pid) - sim
    cpu -= measuring[0]
    meter.stop()
    fps = (sum(v.painted for v in views) - painted_before) / wall / len(views)
    for view in views:
        view.close_stream()
    window.close()
    pump(app, 0.5)
    return {"cpu": cpu / wall, "sim_cpu": sim / wall, "fps": fps, "median_ms": statistics.median(latencies) * 1000,
            "p95_ms": sorted(latencies)[int(0.95 * (len(latencies) - 1))] * 1000, "stall_ms": meter.longest_ms}


def ffplay(urls: list[str], seconds: float) -> float | None:
    """CPU (cores) of ffplay windows showing the same streams at the same tile size."""
    if shutil.which("ffplay") is None:
        return None
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["SDL_VIDEODRIVER"] = "dummy"
    players = [subprocess.Popen(["ffplay", "-loglevel", "quiet", "-fflags", "nobuffer", "-flags", "low_delay",
                                 "-framedrop", "-an", "-x", str(TILE[0]), "-y", str(TILE[1]), url],
                                env=env, stdin=subprocess.DEVNULL) for url in urls]
    time.sleep(2.0)  # connected and playing
    before, wall = sum(_cpu_s(p.pid) for p in players), time.monotonic()
    time.sleep(seconds)
    used, wall = sum(_cpu_s(p.pid) for p in players) - before, time.monotonic() - wall
    for player in players:
        player.terminate()
        player.wait(10)
    return used / wall


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ffmpeg_latency(url: str, seconds: float) -> float | None:
    """Median capture-to-pipe latency of ffmpeg decoding and scaling one stream: decoding's own floor."""
    if shutil.which("ffmpeg") is None:
        return None
    w, h = TILE
    proc = subprocess.Popen(["ffmpeg", "-loglevel", "quiet", "-fflags", "nobuffer", "-flags", "low_delay", "-i", url,
                             "-vf", f"scale={w}:{h}", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"],
                            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    latencies, deadline = [], time.monotonic() + seconds + 1.0
    while time.monotonic() < deadline:
        raw = proc.stdout.read(w * h)
        if len(raw) < w * h:
            break
        stamp = read_stamp(np.frombuffer(raw, np.uint8).reshape(h, w))
        if stamp is not None:
            latencies.append(time.time() - stamp.time_s)
    proc.stdout.close()  # a writer blocked on a full pipe hears SIGTERM only once the pipe is gone
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return statistics.median(latencies[5:] or latencies) * 1000 if latencies else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    results: dict[int, dict[str, Any]] = {}
    for count in (1, 4):
        proc, urls = start_cameras(count)
        try:
            results[count] = ours(app, urls, args.seconds, proc.pid)
            results[count]["ffplay"] = ffplay(urls, args.seconds)
            results[count]["ffmpeg_ms"] = ffmpeg_latency(urls[0], args.seconds) if count == 1 else None
        finally:
            stop_cameras(proc)
    print(f"camera previews, 1280x720 MJPEG at 25 fps into {TILE[0]}x{TILE[1]} tiles, {args.seconds:.0f} s each, "
          f"Qt platform {app.platformName()}, {os.cpu_count()} cores")
    for count, r in results.items():
        print(f"  {count} camera(s): latency capture->paint median {r['median_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms; "
              f"painted {r['fps']:.1f} fps per tile; CPU {r['cpu']:.2f} core ({r['cpu'] / count:.2f} per preview); "
              f"longest main-thread stall {r['stall_ms']:.0f} ms; the simulated cameras took {r['sim_cpu']:.2f} core")
        if r["ffplay"] is None:
            print("    ffplay: not installed (Debian package ffmpeg): no reference")
        else:
            print(f"    ffplay, same streams: CPU {r['ffplay']:.2f} core; ours / ffplay = {r['cpu'] / r['ffplay']:.2f}")
        if r["ffmpeg_ms"] is not None:
            print(f"    ffmpeg decode+scale to a pipe: latency median {r['ffmpeg_ms']:.0f} ms "
                  f"(ours / ffmpeg = {r['median_ms'] / r['ffmpeg_ms']:.2f})")
    four = results[4]
    print(f"targets: latency < 150 ms: {'met' if results[1]['median_ms'] < 150 else 'MISSED'}; "
          f"4 previews < 0.5 core: {'met' if four['cpu'] < 0.5 else 'MISSED'} ({four['cpu']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
