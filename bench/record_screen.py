"""Screen capture under Xvfb: what the ScreenCapture source costs, against ffmpeg's own x11grab.

Starts a 1920x1080 Xvfb, then captures it for a few seconds at 30 fps three ways and prints frames/s and
CPU-ms per frame: our ScreenCapture (PyAV x11grab, decoded to RGB arrays in this process), PyAV x11grab
left in its native BGRA (no conversion), and the ffmpeg binary's x11grab writing rawvideo to a pipe.

    python bench/record_screen.py [--seconds 5] [--size 1920x1080]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom_console.media import MonotonicClock, ScreenCapture


def start_xvfb(size: str) -> tuple[subprocess.Popen[bytes], str]:
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        return proc, f":{f.readline().strip()}"


def ours(display: str, seconds: float) -> tuple[float, float]:
    screen = ScreenCapture("screen", display, fps=30)
    screen.start(MonotonicClock())
    while screen.captured == 0:
        time.sleep(0.01)
    first, cpu, wall = screen.captured, time.process_time(), time.monotonic()
    time.sleep(seconds)
    frames = screen.captured - first
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    screen.stop()
    screen.join(5)
    return frames / wall, cpu / max(frames, 1) * 1000


def pyav_native(display: str, seconds: float) -> tuple[float, float]:
    frames = 0
    with av.open(display, format="x11grab", options={"framerate": "30"}) as container:
        cpu, wall = time.process_time(), time.monotonic()
        for frame in container.decode(video=0):
            np.frombuffer(frame.planes[0], np.uint8).copy()  # bgr0 as it comes: no colour conversion
            frames += 1
            if time.monotonic() - wall >= seconds:
                break
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    return frames / wall, cpu / max(frames, 1) * 1000


def ffmpeg_pipe(ffmpeg: str, display: str, size: str, seconds: float) -> tuple[float, float]:
    w, h = (int(x) for x in size.split("x"))
    frame_bytes = w * h * 3
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.monotonic()
    proc = subprocess.Popen([ffmpeg, "-v", "error", "-f", "x11grab", "-framerate", "30", "-i", display,
                             "-t", str(seconds), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE)
    frames = 0
    assert proc.stdout is not None
    while len(proc.stdout.read(frame_bytes)) == frame_bytes:
        frames += 1
    proc.wait()
    wall = time.monotonic() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    total = child + time.process_time() - cpu
    return frames / wall, total / max(frames, 1) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--size", default="1920x1080")
    args = parser.parse_args()
    if shutil.which("Xvfb") is None:
        print("bench/record_screen.py: needs Xvfb")
        return 1
    xvfb, display = start_xvfb(args.size)
    try:
        print(f"Xvfb {display} {args.size}, {args.seconds:g} s each, asking for 30 fps")
        rows = [("ScreenCapture (PyAV x11grab -> RGB)", ours(display, args.seconds)),
                ("PyAV x11grab, native BGRA", pyav_native(display, args.seconds))]
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg:
            rows.append(("ffmpeg x11grab -> rgb24 pipe", ffmpeg_pipe(ffmpeg, display, args.size, args.seconds)))
        for name, (fps, ms) in rows:
            print(f"  {name:38s} {fps:5.1f} frames/s  {ms:5.2f} CPU-ms/frame")
    finally:
        xvfb.terminate()
        xvfb.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
