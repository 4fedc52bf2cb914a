"""What each live destination adds to a recording's CPU: encode once, send many.

In this process's run, a real-time 720p30 recording (test pattern + tone, x264 veryfast) is made alone, then with
one, then two RTMP destinations (a local nginx-rtmp, started here on loopback; its own CPU is not ours and not
counted). The reference is the recording alone, measured in the same rounds, interleaved. Each extra destination
only muxes and sends packets the encoder already made; target (issue 14): under 5% of one core each.

Two figures per destination: the process's CPU beside the recording alone (what a user sees, but on a shared
machine its noise is larger than the difference), and the destination's own thread's CPU time (exact; it leaves
out only the encoder thread's hand-over to its queue, a few microseconds a packet) with its helper process's.

Then glass-to-glass latency (issue 14's targets: RTMP under 1 s, LAN HLS under 3 s): the test pattern burns
its capture clock into each picture; a reader decodes what the receiver serves and reads that clock back from
the pixels (matched against the text the pattern would draw), beside the clock now. RTMP: PyAV playing the
stream from nginx-rtmp. HLS: a player's fetches (playlist every 0.1 s; each new segment fetched and decoded
from the console's own server); its first picture is what a player joining at the live edge shows first.

    python bench/stream.py [--seconds 30] [--rounds 3] [--destinations 2] [--size 1280x720] [--latency-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stream_latency import measure_latency, summary
from classroom_console.media import (
    EncoderSettings,
    Program,
    Recorder,
    RecordingResult,
    TestPattern,
    Tone,
    offload,
    parse_size,
)
from classroom_console.media.output import Output
from classroom_console.media.output_rtmp import RtmpOutput
from tests.test_stream_rtmp import RTMP_MODULE, Nginx


def cpu_seconds() -> float:
    """This process's, and its ended children's: each live destination's connection is a helper process (nginx,
    a child too, is only reaped after the rounds)."""
    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage,
                                                    (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


def one_run(path: Path, size: tuple[int, int], seconds: float, outputs: list[Output]) -> tuple[float, RecordingResult]:
    """CPU-seconds of this process for one real-time recording, sources included."""

    async def scenario() -> RecordingResult:
        program = Program(size, 30)
        for source in (TestPattern(size=size, fps=30), Tone()):
            program.add_source(source)
        program.start()
        recorder = Recorder(program, path, duration_s=seconds, start_floor_bytes=0, outputs=outputs,
                            settings=EncoderSettings(preset="veryfast"))
        try:
            await recorder.start()
            return await recorder.wait()
        finally:
            program.stop()
            await offload(program.join)

    before = cpu_seconds()
    result = asyncio.run(scenario())
    return cpu_seconds() - before, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=3, help="repeat every run; the medians are the figures")
    parser.add_argument("--destinations", type=int, default=2)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--latency-only", action="store_true", help="skip the CPU rounds")
    args = parser.parse_args()
    if shutil.which("nginx") is None or not RTMP_MODULE.exists():
        print("bench/stream.py: needs nginx and libnginx-mod-rtmp (scripts/setup.sh installs them)")
        return 1
    size = parse_size(args.size)
    counts = list(range(args.destinations + 1))
    print(f"{os.cpu_count()} cores; {args.size}p30 test pattern + tone, x264 veryfast; {args.seconds:g} s per run, "
          f"{args.rounds} rounds; CPU-seconds of this process (nginx's own not counted)")
    with tempfile.TemporaryDirectory() as folder:
        server = Nginx(Path(folder) / "nginx")
        server.start()
        try:
            rtmp_s, hls_first_s, hls_last_s, (hls_cpu, rtmp_cpu) = measure_latency(server, size,
                                                                                   max(args.seconds, 15.0))
        finally:
            server.kill()
    print(f"glass-to-glass latency, {args.size} at 30 fps, x264 veryfast (medians, with min-max):")
    print(f"  RTMP via nginx-rtmp, PyAV playing it: {summary(rtmp_s)} (target < 1 s)")
    print(f"  LAN HLS, newest segment's first picture when the playlist lists it: {summary(hls_first_s)} "
          f"(target < 3 s); its last picture: {summary(hls_last_s)}")
    print(f"  each output's own thread: HLS (muxing segments) {hls_cpu:.2f}% of one core, RTMP {rtmp_cpu:.2f}% "
          f"(target < 5% per destination)")
    if args.latency_only:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        server = Nginx(Path(folder) / "nginx")
        server.start()
        try:
            cpu: dict[int, list[float]] = {n: [] for n in counts}
            own: dict[int, list[float]] = {n: [] for n in counts}
            for index in range(args.rounds):
                line = []
                for n in counts:
                    outputs: list[Output] = [RtmpOutput(server.url(f"bench-{index}-{n}-{k}")) for k in range(n)]
                    started = time.monotonic()
                    spent, result = one_run(Path(folder) / f"run-{n}.mp4", size, args.seconds, outputs)
                    cpu[n].append(spent)
                    own[n].append(sum(o.stats().cpu_s for o in outputs))
                    sent = sum(o.stats().bytes for o in outputs) / 2**20
                    drops = sum(o.stats().dropped_packets for o in outputs)
                    line.append(f"{n} dest {spent:5.1f} CPU-s/{time.monotonic() - started:4.1f} s "
                                f"(destinations' threads {own[n][-1]:.2f} CPU-s; skipped "
                                f"{result.stats.skipped_by_encoder}, sent {sent:.1f} MB, dropped {drops})")
                print(f"  round {index + 1}: " + "; ".join(line))
        finally:
            server.kill()
    alone = statistics.median(cpu[0])
    print(f"  recording alone (reference): {alone:.1f} CPU-s = {alone / args.seconds * 100:.1f}% of one core")
    for n in counts[1:]:
        extra = statistics.median((cpu[n][r] - cpu[0][r]) / n for r in range(args.rounds))
        print(f"  with {n} destination(s): {statistics.median(cpu[n]):.1f} CPU-s; per extra destination "
              f"{extra / args.seconds * 100:+.2f}% of one core (target < 5%), ratio to alone "
              f"{statistics.median(cpu[n]) / alone:.3f}; each destination's own thread "
              f"{statistics.median(own[n]) / n / args.seconds * 100:.2f}% of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
