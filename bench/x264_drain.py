"""How long x264's child (x264_apart) goes silent while Stop drains it: what ``x264_apart.DRAIN_SILENT_S`` must cover.

The window's Studio records 1080p30 picture-in-picture (two test patterns and a tone, its own settings: x264 in a
child at nice +5, adaptive preset) for ``--seconds``, then Stop. Every wait of the encoder thread for the child's next
message is timed, as the child's watch thread times it (``RemoteX264._answer``). Printed per round: the longest wait
after Stop was asked (the figure), the longest wait mid-recording (reference, same run), the end's flush as a whole
(what the old one-answer flush left silent), the drain's whole time and Stop's. ``--load`` runs ``stress-ng --cpu 2``
beside it; ``--grain`` adds a camera sensor's grain to the test patterns (random, so x264 predicts none of it: its
costliest pictures, several times a clean pattern's).

    flock /tmp/bench.lock .venv/bin/python bench/x264_drain.py --rounds 5 --load
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _grainy() -> None:
    """The test patterns with a sensor's grain on their luma: four planes of random noise, taken in turn."""
    import cv2
    import numpy as np

    from classroom_console.media import synthetic
    from classroom_console.media.frames import i420_planes

    render = synthetic.TestPattern.render
    grains: dict[tuple[int, ...], list[Any]] = {}

    def grainy(self: Any, t: float, index: int) -> Any:
        image = render(self, t, index)
        luma = i420_planes(image)[0]
        noise = grains.setdefault(luma.shape, [np.random.default_rng(i).integers(0, 24, luma.shape, np.uint8)
                                               for i in range(4)])
        cv2.add(luma, noise[index % 4], dst=luma)
        return image

    synthetic.TestPattern.render = grainy  # type: ignore[method-assign]


async def _round(seconds: float, size: tuple[int, int]) -> dict[str, float]:
    from classroom_console.media import x264_apart
    from classroom_console.media.layout import Layout, LayoutKind
    from classroom_console.media.studio import Studio

    waits: list[tuple[float, float]] = []  # (when it ended, how long the encoder thread waited)
    answer = x264_apart.RemoteX264._answer

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        asked = time.monotonic()
        try:
            return answer(self, *args, **kwargs)
        finally:
            now = time.monotonic()
            waits.append((now, now - asked))

    x264_apart.RemoteX264._answer = timed  # type: ignore[method-assign]
    flushes: list[tuple[float, float]] = []
    encode = x264_apart.RemoteX264.encode

    def timed_encode(self: Any, picture: Any, *args: Any) -> Any:
        started = time.monotonic()
        try:
            return encode(self, picture, *args)
        finally:
            if picture is None:
                flushes.append((started, time.monotonic() - started))

    x264_apart.RemoteX264.encode = timed_encode  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as folder:
            studio = Studio(None, None, Path(folder), size=size, fps=30, start_floor_bytes=0)
            try:
                for spec in ("test-pattern", "test-pattern", "tone"):
                    await studio.add_source(spec)
                studio.set_layout(Layout(LayoutKind.PIP))
                while not studio._x264_spare.ready():  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                await studio.start_recording()
                await asyncio.sleep(seconds)
                asked = time.monotonic()
                result = await studio.stop_recording()
                done = time.monotonic()
            finally:
                await studio.close()
    finally:
        x264_apart.RemoteX264._answer = answer  # type: ignore[method-assign]
        x264_apart.RemoteX264.encode = encode  # type: ignore[method-assign]
    during = [w for t, w in waits if t < asked and t > asked - seconds + 2.0]  # past the child's open
    after = [w for t, w in waits if t >= asked]
    flush = [d for t, d in flushes if t >= asked]
    return {"drain_max": max(after, default=0.0), "recording_max": max(during, default=0.0),
            "flush": max(flush, default=0.0), "stop": done - asked,
            "drain": max((t for t, _w in waits if t >= asked), default=asked) - asked, "answers": float(len(after)),
            "lost": float(result.lost_at_end is not None), "skipped": float(result.stats.skipped_by_encoder),
            "frames": float(result.stats.frames)}


def _load() -> str:
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="each recording's length before Stop")
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--load", action="store_true", help="stress-ng --cpu 2 beside it")
    parser.add_argument("--grain", action="store_true", help="a sensor's grain on the test patterns")
    args = parser.parse_args()
    if args.grain:
        _grainy()
    from classroom_console.media.x264_apart import DRAIN_SILENT_S

    w, h = (int(v) for v in args.size.split("x"))
    stress = None
    if args.load:
        if shutil.which("stress-ng") is None:
            sys.exit("stress-ng is not installed")
        stress = subprocess.Popen(["stress-ng", "--cpu", "2", "--timeout", "3600"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        time.sleep(2.0)
    worst = 0.0
    try:
        print(f"x264 drain at {w}x{h}p30 PiP{' with grain' if args.grain else ''}, {args.seconds:g} s recordings, "
              f"{'beside stress-ng --cpu 2' if stress else 'quiet'}; bound DRAIN_SILENT_S = {DRAIN_SILENT_S:g} s")
        for n in range(args.rounds):
            load = _load()
            r = asyncio.run(_round(args.seconds, (w, h)))
            worst = max(worst, r["drain_max"])
            print(f"round {n + 1}: longest silence in Stop's drain {r['drain_max'] * 1000:.0f} ms over "
                  f"{r['answers']:.0f} answers (reference: longest mid-recording {r['recording_max'] * 1000:.0f} ms); "
                  f"the flush whole {r['flush'] * 1000:.0f} ms; the drain {r['drain']:.2f} s, Stop {r['stop']:.2f} s; "
                  f"frames {r['frames']:.0f}, "
                  f"skipped {r['skipped']:.0f}, lost at end: {'yes' if r['lost'] else 'no'}; load {load}", flush=True)
    finally:
        if stress is not None:
            stress.terminate()
            stress.wait()
    print(f"longest drain silence {worst * 1000:.0f} ms; target: bound {DRAIN_SILENT_S:g} s at least 3x it "
          f"({'met' if worst * 3 <= DRAIN_SILENT_S else 'NOT met'}: {DRAIN_SILENT_S / max(worst, 1e-3):.1f}x)")
    os._exit(0)


if __name__ == "__main__":
    main()
