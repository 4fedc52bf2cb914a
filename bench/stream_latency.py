"""Glass-to-glass latency of the live outputs, read from the pictures themselves (used by ``bench/stream.py``).

The test pattern draws ``f"{t:012.3f} s"`` (its capture clock, ``time.monotonic``) on each picture. Reading it
back: the white text is separated from the darker stripes, and compared with the text every candidate instant
of the last ten seconds would draw; the best overlap is the picture's time. A picture that matches nothing well
(the flash frames, a damaged picture) is skipped rather than guessed.
"""

from __future__ import annotations

import asyncio
import functools
import io
import re
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import av
import cv2
import numpy as np

from classroom_console.media import Program, TestPattern, Tone, offload
from classroom_console.media.broadcast import Broadcast
from classroom_console.media.hls_server import HlsServer
from classroom_console.media.output_hls import HlsOutput
from classroom_console.media.output_rtmp import RtmpOutput
from tests.test_stream_rtmp import Nginx

FPS = 30
FONT = cv2.FONT_HERSHEY_SIMPLEX
INK_LUMA = 170  # the stripes' luma is at most ~110, the text's 235
MIN_OVERLAP = 0.5


def read_clock(luma: np.ndarray, near: float, window_s: float = 10.0) -> float | None:
    """The capture time drawn on a picture, searched among the frame instants in ``near - window_s .. near``."""
    h = luma.shape[0]
    s = h / 540
    org = (round(20 * s), round(60 * s))
    scale, thickness = 1.4 * s, max(1, round(2 * s))
    (width, height), base = cv2.getTextSize("0000000000.000 s", FONT, scale, thickness)
    y0, y1 = max(0, org[1] - height - 4), org[1] + base + 4
    crop = luma[y0:y1, : org[0] + width + 8] > INK_LUMA
    if crop.mean() > 0.5:  # a flash frame: dark text on white
        return None
    best, best_t = 0.0, None
    canvas = np.zeros(crop.shape, np.uint8)
    for tick in range(round((near - window_s) * FPS), round(near * FPS) + 2):
        t = tick / FPS
        canvas.fill(0)
        cv2.putText(canvas, f"{t:012.3f} s", (org[0], org[1] - y0), FONT, scale, 255, thickness, cv2.LINE_AA)
        mask = canvas > 127
        overlap = float((mask & crop).sum()) / max(1, int((mask | crop).sum()))
        if overlap > best:
            best, best_t = overlap, t
    return best_t if best >= MIN_OVERLAP else None


def luma_of(frame: av.VideoFrame) -> np.ndarray:
    return frame.to_ndarray(format="gray")


def rtmp_latencies(url: str, stop: threading.Event, every: int = 10) -> list[float]:
    """Plays the stream as a low-delay player would and reads every ``every``-th picture's clock."""
    found: list[float] = []
    deadline = time.monotonic() + 20
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            container = av.open(url, options={"fflags": "nobuffer", "flags": "low_delay", "rtmp_live": "live",
                                              "analyzeduration": "500000"}, timeout=(5.0, 5.0))
            break
        except (av.error.FFmpegError, OSError):  # not published yet
            time.sleep(0.2)
    else:
        return found
    try:
        for index, frame in enumerate(container.decode(video=0)):
            if stop.is_set():
                break
            if index % every:
                continue
            now = time.monotonic()
            t = read_clock(luma_of(frame), now)
            if t is not None:
                found.append(now - t)
    except (av.error.FFmpegError, OSError):  # the stream ended
        pass
    finally:
        container.close()
    return found


def segment_pictures(data: bytes, now: float) -> tuple[float | None, float | None]:
    """The clocks of a segment's first and last pictures."""
    with av.open(io.BytesIO(data), "r", format="mpegts") as container:
        frames = [luma_of(f) for f in container.decode(video=0)]
    if not frames:
        return None, None
    return read_clock(frames[0], now), read_clock(frames[-1], now)


async def hls_latencies(base: str, ended: asyncio.Event) -> tuple[list[float], list[float]]:
    first_s: list[float] = []
    last_s: list[float] = []
    seen: set[str] = set()
    async with aiohttp.ClientSession() as http:
        while not ended.is_set():
            async with http.get(base + "index.m3u8") as response:
                names = re.findall(r"^(seg-\d+\.ts)$", await response.text(), re.MULTILINE) if response.ok else []
            if names and names[-1] not in seen:
                now = time.monotonic()  # the moment a polling player learns of the segment
                seen.add(names[-1])
                async with http.get(base + names[-1]) as response:
                    data = await response.read()
                first, last = await offload(functools.partial(segment_pictures, data, now))
                if first is not None:
                    first_s.append(now - first)
                if last is not None:
                    last_s.append(now - last)
            await asyncio.sleep(0.1)
    return first_s, last_s


def measure_latency(server: Nginx, size: tuple[int, int], seconds: float) -> tuple[list[float], ...]:
    """One real-time broadcast to nginx-rtmp and to the console's HLS server, read back by both players."""

    async def scenario() -> tuple[list[float], ...]:
        program = Program(size, FPS)
        for source in (TestPattern(size=size, fps=FPS), Tone()):
            program.add_source(source)
        hls, rtmp = HlsOutput(), RtmpOutput(server.url("latency"))
        http = HlsServer("127.0.0.1", 0, hls)
        await http.start()
        program.start()
        stop, ended = threading.Event(), asyncio.Event()
        try:
            broadcast = Broadcast(program, [rtmp, hls], duration_s=seconds)
            await broadcast.start()
            rtmp_task = asyncio.ensure_future(offload(lambda: rtmp_latencies(rtmp.url, stop)))
            hls_task = asyncio.ensure_future(hls_latencies(f"http://127.0.0.1:{http.port}/live/", ended))
            await broadcast.wait()
            ended.set()
            stop.set()
            first, last = await hls_task
            cpu = [hls.stats().cpu_s / seconds * 100, rtmp.stats().cpu_s / seconds * 100]
            return await rtmp_task, first, last, cpu
        finally:
            program.stop()
            await offload(program.join)
            await http.stop()

    return asyncio.run(scenario())


def summary(values: list[float]) -> str:
    if not values:
        return "no reading"
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f}, n={len(values)})"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        nginx = Nginx(Path(folder) / "nginx")
        nginx.start()
        try:
            rtmp_s, first_s, last_s, _ = measure_latency(nginx, (1280, 720), 15.0)
        finally:
            nginx.kill()
    print(f"RTMP {summary(rtmp_s)}; HLS first picture {summary(first_s)}, last {summary(last_s)}")
