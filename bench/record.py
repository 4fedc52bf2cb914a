"""Recording cost against plain ffmpeg: 1080p30 and 720p30, two sources in picture-in-picture, H.264 + AAC.

For each size, in this process's run:
  1. ours in real time (monotonic clock, real-time-paced sources): CPU-seconds and the stats;
  2. ours on the simulated clock, as fast as the machine goes: CPU-seconds and the real-time headroom
     (media seconds per wall second);
  3. ffmpeg (the system's binary) encoding our very pictures (composed here, piped in raw I420; their making is
     not counted) and our very sound (the tone's samples, from a raw file) with the same settings: once fed in
     real time, one frame at each frame's instant, as a live recording feeds it; once fed as fast as it takes
     them;
  4. ffmpeg doing the whole job itself: two lavfi testsrc2 sources overlaid picture-in-picture plus the tone
     (different pictures, so a rougher comparison);
  5. ours flat out again with the test patterns replayed (a second of each rendered beforehand), so the
     pattern's own drawing does not count against the recorder; the drawing's cost is measured apart
     (CPU-seconds per second of both patterns) and printed beside it;
  6. ffmpeg doing the same whole job on those very replayed pictures (looped from raw files, scaled and
     overlaid by its filter graph): the same pictures, layout and encoding as 5, so the fairest reference;
  7. ours flat out on ffmpeg's own testsrc2 pictures (drawn by ffmpeg beforehand and replayed into both sources):
     the very pictures 4 encodes, so ours against lavfi's PiP like for like (x264 spends a fifth more on our
     pattern's stripes than on testsrc2);
  8. x264 alone: ffmpeg encoding the replayed second of our composed PiP pictures from a raw file, no sound, into
     nothing: no sources, no compositing, no muxing, so its headroom is the ceiling any recorder with these x264
     settings reaches on this machine under this load (whether 2x quiet is reachable at all).
Every ffmpeg run uses the x264 settings our encoder opens (printed first: preset, crf, threads, lookahead), so
ours and ffmpeg do the same encoding and the difference is the rest.
Headroom targets (issue 17): ours flat out (pattern apart) >= 2x on a quiet machine, and >= ffmpeg's lavfi PiP in
the same run. Print ``uptime``'s load beside the figures; run once plain and once beside ``stress-ng --cpu 2``
(``--stress`` starts it for the run and stops it after).
The sound matters: AAC spends 2.7 times as long on the tone's hum and beeps as on a pure sine (measured:
1.36 against 0.51 CPU-s for 30 s, the same in PyAV and in ffmpeg), a tenth of a 720p recording's cost.
Ratios compare like with like: ours live against ffmpeg live, ours flat out against ffmpeg flat out. The mixed
one (ours live against ffmpeg flat out) is printed too: a live encoder idles between frames and pays for it,
which a flat-out one does not. Every run is repeated (``--rounds``) and the medians printed: on a shared
2-core VM one run's CPU-seconds vary by 20% and more. Targets (issue 4): CPU ratio <= 1.2; headroom >= 1.3x.

    python bench/record.py [--seconds 60] [--rounds 3] [--sizes 1920x1080,1280x720] [--stress]
    quick: python bench/record.py --quick   (= --seconds 10 --rounds 1 --sizes 1920x1080)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom_console.media import (
    EncoderSettings,
    Layout,
    LayoutKind,
    Program,
    Recorder,
    RecordingResult,
    SimulatedClock,
    TestPattern,
    Tone,
    offload,
)
from classroom_console.media.adaptive import x264_options
from classroom_console.media.compose import compose_i420
from classroom_console.media.frames import AUDIO_RATE, Image, i420_buffer
from classroom_console.media.output_file import MOVFLAGS


class Replay(TestPattern):
    """The test pattern, its first ``frames`` pictures drawn beforehand and handed out in a loop: a source that
    costs (almost) nothing, so what is measured is the recorder."""

    def __init__(self, name: str, size: tuple[int, int], fps: float, variant: int = 0, frames: int = 30) -> None:
        super().__init__(name, size, fps, variant=variant)
        self._drawn = [TestPattern.render(self, 1000.5 + i / fps, i).copy() for i in range(frames)]

    def render(self, t: float, index: int) -> Image:
        return self._drawn[index % len(self._drawn)]

    def dump(self, path: Path) -> Path:
        """The drawn pictures as raw I420, for ffmpeg to loop over (``reference_pip_same_pictures``)."""
        with path.open("wb") as f:
            for picture in self._drawn:
                f.write(picture.tobytes())
        return path


class Pictures(Replay):
    """Given pictures (I420) handed out in a loop: ffmpeg's own testsrc2 (``lavfi_pictures``), so ours records the
    very pictures its lavfi PiP encodes; x264 spends a fifth more CPU on our pattern's scrolling stripes than on
    testsrc2 (13.0 against 11.0 CPU-s for 300 pre-composed 1080p PiP frames with the same settings)."""

    def __init__(self, name: str, size: tuple[int, int], fps: float, pictures: list[Image]) -> None:
        super().__init__(name, size, fps, frames=1)
        self._drawn = pictures


def lavfi_pictures(ffmpeg: str, folder: Path, size: tuple[int, int], frames: int = 30) -> list[Image]:
    """The first ``frames`` pictures of ffmpeg's testsrc2 at ``size``, as I420 arrays (what its lavfi PiP draws)."""
    w, h = size
    path = folder / "testsrc2.yuv"
    subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=30",
                    "-frames:v", str(frames), "-f", "rawvideo", "-pix_fmt", "yuv420p", str(path)], check=True)
    data = np.fromfile(path, np.uint8)
    path.unlink()
    return [data[i * w * h * 3 // 2 : (i + 1) * w * h * 3 // 2].reshape(h * 3 // 2, w).copy() for i in range(frames)]


def pattern_cost(size: tuple[int, int], frames: int = 90) -> float:
    """CPU-seconds both test patterns take to draw one second of pictures (30 each), on this thread."""
    camera, board = TestPattern("camera", size, 30), TestPattern("board", size, 30, variant=1)
    cpu = time.thread_time()
    for i in range(frames):
        camera.render(1000.5 + i / 30, i)
        board.render(1000.5 + i / 30, i)
    return (time.thread_time() - cpu) / (frames / 30)


class Ending(SimulatedClock):
    """Simulated time that ends half a second after the recording's last instant (``end``, set once it has begun): a
    paced thread that gets there waits for the program's stop, paced no more. Without it the program raced on
    through virtual instants for nobody while the recorder drained x264 and closed its file (a real-time recording
    ticks 30 times a second meanwhile): 392 pictures composed for a 5 s recording of 150, a core taken from that
    drain. Its threads are not ended there either: the compositor's end gives memory back (``heap.give_back``),
    which is the program's stop's to do, not something to run beside the drain."""

    end = float("inf")

    def sleep_until(self, t: float, stop: threading.Event | None = None) -> bool:
        if t <= self.end or stop is None:
            return super().sleep_until(t, stop)
        self.leave()  # the others go on to the end without it
        try:
            stop.wait(STOP_WAIT_S)
        finally:
            self.join()
        return False


STOP_WAIT_S = 120.0  # a paced thread past the end waits this long at most for the program's stop


def ours(path: Path, size: tuple[int, int], seconds: float, fast: bool, replay: bool = False,
         given: list[Image] | None = None) -> tuple[float, float, RecordingResult, float]:
    """(CPU-seconds, wall seconds, result, clock time of the first frame) for one recording through the real
    pipeline; ``replay``: the patterns drawn beforehand (not counted); ``given``: these pictures for both sources,
    as lavfi's PiP overlays one testsrc2 on another."""
    started = [0.0]
    source = Replay if replay else TestPattern
    pictures: list[TestPattern] = [source("camera", size, 30), source("board", size, 30, variant=1)]
    if given is not None:
        pictures = [Pictures("camera", size, 30, given), Pictures("board", size, 30, given)]

    async def scenario() -> RecordingResult:
        clock = Ending() if fast else None
        program = Program(size, 30, layout=Layout(LayoutKind.PIP), clock=clock)
        for picture in pictures:
            program.add_source(picture)
        program.add_source(Tone())
        program.start()
        recorder = Recorder(program, path, duration_s=seconds, start_floor_bytes=0,
                            settings=EncoderSettings(preset="veryfast", block_when_full=fast))
        try:
            await recorder.start()
            if clock is not None:  # its first instant is now or later (``Ending``)
                clock.end = clock.now() + seconds + 0.5
            result = await recorder.wait()
            started[0] = recorder.started_at or 0.0
            return result
        finally:
            program.stop()
            await offload(program.join)

    cpu, wall = time.process_time(), time.monotonic()
    result = asyncio.run(scenario())
    return time.process_time() - cpu, time.monotonic() - wall, result, started[0]


# The very x264 settings our encoder opens (threads, lookahead, b-pyramid: adaptive.x264_options), so every ffmpeg
# reference below does the same encoding work and the comparison is of everything around it.
X264_OPTIONS = x264_options("veryfast", 23, 30)
X264 = ["-c:v", "libx264", "-preset", X264_OPTIONS["preset"], "-crf", X264_OPTIONS["crf"],
        "-x264-params", X264_OPTIONS["x264-params"]]
AAC = ["-c:a", "aac", "-b:a", "128k", "-ac", "1", "-ar", "48000"]


def _timed(cmd: list[str], feed: object = None) -> tuple[float, float]:
    """(CPU-seconds, wall seconds) of one ffmpeg child; ``feed(stdin)`` writes its input on this thread."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if feed else None)
    if callable(feed) and proc.stdin is not None:
        feed(proc.stdin)
        proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"ffmpeg failed: {' '.join(cmd)}")
    wall = time.monotonic() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def tone_file(folder: Path, seconds: float, start: float) -> list[str]:
    """ffmpeg's input options for the tone of the recording that began at clock time ``start``, sample for
    sample (a raw float file)."""
    path = folder / "tone.f32"
    path.write_bytes(Tone.render(round(start * AUDIO_RATE), round((seconds + 1) * AUDIO_RATE)).tobytes())
    return ["-f", "f32le", "-ar", str(AUDIO_RATE), "-ac", "1", "-i", str(path)]


def reference_same_frames(ffmpeg: str, path: Path, size: tuple[int, int], seconds: float, live: bool,
                          start: float) -> tuple[float, float]:
    """ffmpeg encoding our very pictures (composed here, piped as raw I420) and sound: the encoders' share alone.

    ``start``: the clock time our recording began at, so the pictures are those very instants: where the
    flashes fall against the keyframes changes what a second costs to encode by 15-25%.
    ``live``: each frame is written at its instant (a frame every 1/30 s), as a capture would deliver it."""
    w, h = size
    sound = tone_file(path.parent, seconds, start)
    frames = round(seconds * 30)
    camera, board = TestPattern("camera", size, 30), TestPattern("board", size, 30, variant=1)
    layout = Layout(LayoutKind.PIP)
    picture = i420_buffer(w, h)

    def feed(stdin: object) -> None:
        started = time.monotonic()
        first = round(start * 30)
        for i in range(frames):
            t = (first + i) / 30
            compose_i420(layout, [camera.render(t, first + i), board.render(t, first + i)], w, h, picture)
            if live:
                time.sleep(max(0.0, started + i / 30 - time.monotonic()))
            stdin.write(picture.tobytes())  # type: ignore[attr-defined]

    cmd = [ffmpeg, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w}x{h}", "-r", "30",
           "-i", "-", *sound, "-map", "0:v", "-map", "1:a",
           "-frames:v", str(frames), "-t", str(seconds), *X264, *AAC,
           "-movflags", MOVFLAGS, "-flush_packets", "1", str(path)]
    return _timed(cmd, feed)


def reference_lavfi(ffmpeg: str, path: Path, size: tuple[int, int], seconds: float) -> tuple[float, float]:
    """ffmpeg doing the whole job itself: two testsrc2 sources overlaid picture-in-picture, plus the tone."""
    w, h = size
    iw = round(w * 0.3) // 2 * 2
    ih = round(iw * h / w) // 2 * 2
    margin = round(w * 0.025) // 2 * 2
    frames = round(seconds * 30)
    graph = (f"[1:v]scale={iw}:{ih}[inset];[0:v][inset]overlay={w - iw - margin}:{h - ih - margin},"
             "format=yuv420p[v]")
    cmd = [ffmpeg, "-v", "error", "-y",
           "-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=30",
           "-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=30",
           *tone_file(path.parent, seconds, 0.0),
           "-filter_complex", graph, "-map", "[v]", "-map", "2:a", "-frames:v", str(frames), "-t", str(seconds),
           *X264, *AAC, "-movflags", MOVFLAGS, "-flush_packets", "1", str(path)]
    return _timed(cmd)


def reference_pip_same_pictures(ffmpeg: str, path: Path, size: tuple[int, int], seconds: float) -> tuple[float, float]:
    """ffmpeg doing the whole PiP job (scale + overlay + encode) on the very pictures ours replays: both patterns'
    pre-drawn second looped from raw files (read from the page cache: next to nothing), the same layout, the same
    x264 settings, the tone. The fair reference for ``ours replayed``: same pictures, same encoding, same work."""
    w, h = size
    inset = dict(Layout(LayoutKind.PIP).slots(w, h))[1]
    ix, iy, iw, ih = inset
    raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w}x{h}", "-r", "30", "-stream_loop", "-1"]
    camera = Replay("camera", size, 30).dump(path.parent / "camera.yuv")
    board = Replay("board", size, 30, variant=1).dump(path.parent / "board.yuv")
    graph = f"[1:v]scale={iw}:{ih}[inset];[0:v][inset]overlay={ix}:{iy},format=yuv420p[v]"
    cmd = [ffmpeg, "-v", "error", "-y", *raw, "-i", str(camera), *raw, "-i", str(board),
           *tone_file(path.parent, seconds, 0.0),
           "-filter_complex", graph, "-map", "[v]", "-map", "2:a", "-frames:v", str(round(seconds * 30)),
           "-t", str(seconds), *X264, *AAC, "-movflags", MOVFLAGS, "-flush_packets", "1", str(path)]
    return _timed(cmd)


def x264_alone(ffmpeg: str, folder: Path, size: tuple[int, int], seconds: float) -> tuple[float, float]:
    """ffmpeg's x264 alone on the very PiP pictures ours replays (composed here beforehand, looped from a raw file
    in the page cache): the encoding's own cost and pace, the ceiling of any recorder with these settings."""
    w, h = size
    layout = Layout(LayoutKind.PIP)
    camera, board = Replay("camera", size, 30), Replay("board", size, 30, variant=1)
    picture = i420_buffer(w, h)
    path = folder / "pip.yuv"
    with path.open("wb") as f:
        for i in range(30):
            compose_i420(layout, [camera.render(0.0, i), board.render(0.0, i)], w, h, picture)
            f.write(picture.tobytes())
    cmd = [ffmpeg, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w}x{h}", "-r", "30",
           "-stream_loop", "-1", "-i", str(path), "-frames:v", str(round(seconds * 30)), *X264, "-f", "null", "-"]
    try:
        return _timed(cmd)
    finally:
        path.unlink()


@dataclass
class Round:
    """One round's figures: (CPU-seconds, wall seconds) of each run."""

    ours_live: tuple[float, float]
    ffmpeg_live: tuple[float, float]
    ours_flat: tuple[float, float]
    ffmpeg_flat: tuple[float, float]
    lavfi: tuple[float, float]
    replayed: tuple[float, float]  # ours flat out, the patterns drawn beforehand
    pip_same: tuple[float, float]  # ffmpeg's PiP of the very pictures ours replays
    on_lavfi: tuple[float, float]  # ours flat out on lavfi's own pictures (testsrc2, replayed)
    alone: tuple[float, float]  # ffmpeg's x264 alone on ours's replayed PiP pictures (the ceiling)
    stats: str


def one_round(ffmpeg: str, folder: Path, size: tuple[int, int], seconds: float) -> Round:
    """Every run once; each ffmpeg run right after ours and on the same instants (the same pictures)."""
    cpu, wall, result, start = ours(folder / "ours.mp4", size, seconds, fast=False)
    reference = reference_same_frames(ffmpeg, folder / "live.mp4", size, seconds, True, start)
    fast_cpu, fast_wall, _, fast_start = ours(folder / "fast.mp4", size, seconds, fast=True)
    flat = reference_same_frames(ffmpeg, folder / "ffmpeg.mp4", size, seconds, False, fast_start)
    lavfi = reference_lavfi(ffmpeg, folder / "lavfi.mp4", size, seconds)
    replay_cpu, replay_wall, _, _ = ours(folder / "replay.mp4", size, seconds, fast=True, replay=True)
    pip_same = reference_pip_same_pictures(ffmpeg, folder / "pip.mp4", size, seconds)
    on_cpu, on_wall, _, _ = ours(folder / "on_lavfi.mp4", size, seconds, fast=True,
                                 given=lavfi_pictures(ffmpeg, folder, size))
    alone = x264_alone(ffmpeg, folder, size, seconds)
    s = result.stats
    stats = (f"{s.frames} frames; dropped {s.dropped_at_capture}, late {s.late_at_compositing}, "
             f"skipped {s.skipped_by_encoder}; {s.bitrate_kbps:.0f} kbit/s")
    return Round((cpu, wall), reference, (fast_cpu, fast_wall), flat, lavfi, (replay_cpu, replay_wall), pip_same,
                 (on_cpu, on_wall), alone, stats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=3, help="repeat every run; the medians are the figures")
    parser.add_argument("--sizes", default="1920x1080,1280x720")
    parser.add_argument("--stress", action="store_true", help="run beside stress-ng --cpu 2 (started and stopped here)")
    parser.add_argument("--quick", action="store_true", help="10 s, one round, 1080p alone (about 2 minutes)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.sizes = 10.0, 1, "1920x1080"
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("bench/record.py: the reference needs the ffmpeg binary (Debian: apt-get install ffmpeg)")
        return 1
    stress = None
    if args.stress:
        if shutil.which("stress-ng") is None:
            print("bench/record.py: --stress needs stress-ng (apt-get install stress-ng)")
            return 1
        stress = subprocess.Popen(["stress-ng", "--cpu", "2", "--timeout", "1800", "--quiet"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(1.0)
    try:
        return run(args, ffmpeg, stress is not None)
    finally:
        if stress is not None:
            os.killpg(stress.pid, signal.SIGTERM)
            stress.wait(10)


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def run(args: argparse.Namespace, ffmpeg: str, stressed: bool) -> int:
    print(f"{os.cpu_count()} cores; {args.seconds:g} s per run, {args.rounds} rounds; "
          f"AAC 128k mono 48 kHz; {'beside stress-ng --cpu 2' if stressed else 'no stress-ng'}, {load()}")
    print(f"x264 for ours and every ffmpeg reference alike: {' '.join(X264[2:])}")
    with tempfile.TemporaryDirectory() as folder:
        for text in args.sizes.split(","):
            w, h = (int(x) for x in text.split("x"))
            print(f"\n{w}x{h}p30, two sources in pip + tone (CPU-s / wall s per run)")
            rounds: list[Round] = []
            for index in range(args.rounds):
                r = one_round(ffmpeg, Path(folder), (w, h), args.seconds)
                rounds.append(r)
                print(f"  round {index + 1}: ours live {r.ours_live[0]:5.1f}/{r.ours_live[1]:4.1f}, "
                      f"ffmpeg live {r.ffmpeg_live[0]:5.1f}/{r.ffmpeg_live[1]:4.1f}, "
                      f"ours flat {r.ours_flat[0]:5.1f}/{r.ours_flat[1]:4.1f}, "
                      f"ffmpeg flat {r.ffmpeg_flat[0]:5.1f}/{r.ffmpeg_flat[1]:4.1f}, "
                      f"lavfi {r.lavfi[0]:5.1f}/{r.lavfi[1]:4.1f}, ours replayed {r.replayed[0]:5.1f}/"
                      f"{r.replayed[1]:4.1f}, ffmpeg pip of those pictures {r.pip_same[0]:5.1f}/{r.pip_same[1]:4.1f}"
                      f", ours on lavfi's pictures {r.on_lavfi[0]:5.1f}/{r.on_lavfi[1]:4.1f}"
                      f", x264 alone {r.alone[0]:5.1f}/{r.alone[1]:4.1f}"
                      f"; ours live: {r.stats} ({load()})")

            def median(pick: Callable[[Round], float], rounds: list[Round] = rounds) -> float:
                return statistics.median(pick(r) for r in rounds)

            live = median(lambda r: r.ours_live[0] / r.ffmpeg_live[0])
            flat = median(lambda r: r.ours_flat[0] / r.ffmpeg_flat[0])
            mixed = median(lambda r: r.ours_live[0] / r.ffmpeg_flat[0])
            lavfi = median(lambda r: r.ours_live[0] / r.lavfi[0])
            headroom = median(lambda r: args.seconds / r.ours_flat[1])
            print(f"  medians: ours live {median(lambda r: r.ours_live[0]):.1f} CPU-s, ffmpeg live "
                  f"{median(lambda r: r.ffmpeg_live[0]):.1f} CPU-s (the same frames, fed in real time)")
            print(f"  CPU ratio ours/ffmpeg, live: {live:.2f} (target <= 1.2); flat out: {flat:.2f}")
            print(f"  mixed, ours live/ffmpeg flat out: {mixed:.2f}; ours live/ffmpeg lavfi pip: {lavfi:.2f}")
            lavfi_headroom = median(lambda r: args.seconds / r.lavfi[1])
            replayed = median(lambda r: args.seconds / r.replayed[1])
            against = median(lambda r: r.lavfi[1] / r.replayed[1])
            drawing = pattern_cost((w, h))
            print(f"  the test patterns' own drawing: {drawing:.2f} CPU-s per second of both (not the recorder's)")
            print(f"  real-time headroom, ours flat out: {replayed:.2f}x with the patterns drawn beforehand, "
                  f"{headroom:.2f}x drawing them; ffmpeg lavfi PiP: {lavfi_headroom:.2f}x ({load()})")
            pip_headroom = median(lambda r: args.seconds / r.pip_same[1])
            against_same = median(lambda r: r.pip_same[1] / r.replayed[1])
            cpu_same = median(lambda r: r.replayed[0] / r.pip_same[0])
            print(f"  ffmpeg PiP of the very pictures ours replays: {pip_headroom:.2f}x; ours/that headroom "
                  f"{against_same:.2f}, CPU ours/that {cpu_same:.2f}")
            print(f"  ours/lavfi headroom on our pattern: {against:.2f} (lavfi encodes testsrc2, cheaper for x264)")
            on_lavfi = median(lambda r: args.seconds / r.on_lavfi[1])
            same = median(lambda r: r.lavfi[1] / r.on_lavfi[1])
            print(f"  on lavfi's own pictures (testsrc2 replayed into ours): ours flat out {on_lavfi:.2f}x, "
                  f"CPU ours/lavfi {median(lambda r: r.on_lavfi[0] / r.lavfi[0]):.2f}; ours/lavfi headroom {same:.2f}")
            alone = median(lambda r: args.seconds / r.alone[1])
            print(f"  x264 alone on our PiP pictures (ffmpeg; no sources, compositing, sound, muxing): {alone:.2f}x, "
                  f"{median(lambda r: r.alone[0]) / args.seconds:.2f} CPU-s per second: the ceiling of any recorder "
                  f"with these x264 settings here")
            verdict = "ok" if min(same, against_same) >= 1.0 and (stressed or replayed >= 2.0) else "UNDER TARGET"
            print(f"  VERDICT headroom, the same pictures: ours/lavfi PiP {same:.2f} on testsrc2, ours/ffmpeg PiP "
                  f"{against_same:.2f} on our pattern (target >= 1.0 under the same load); on our pattern against "
                  f"lavfi's testsrc2 {against:.2f}; ours flat out {replayed:.2f}x "
                  f"(target >= 2x quiet{', not judged beside stress-ng' if stressed else ''}; x264 alone {alone:.2f}x) "
                  f"{verdict} ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
