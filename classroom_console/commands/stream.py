"""``classroom-console stream``: push the program live to RTMP destinations and/or serve it as LAN HLS,
optionally recording it too, and print each destination's health once a second (stream keys masked)."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classroom_console.cli_text import tr
from classroom_console.commands.argtypes import number_in
from classroom_console.commands.record import X264_PRESETS
from classroom_console.commands.stream_words import (
    address_problem,
    failure_line,
    final_lines,
    health_line,
    recording_stopped,
    stop_words,
)

if TYPE_CHECKING:
    from classroom_console.media import Program, RecordingResult
    from classroom_console.media.hls_dnssd import HlsAdvertiser
    from classroom_console.media.hls_server import HlsServer
    from classroom_console.media.output import Output, OutputStats

# The media stack, the HLS server and DNS-SD are imported when the command runs (see docs/architecture.md).
HELP = ("stream sources live to RTMP destinations and/or the room's LAN (HLS), recording them too if asked, "
        "printing each destination's health")
PROG = "classroom-console stream"
EXIT_BAD_INPUT = 2
EXIT_DESTINATION_FAILED = 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", default=[], metavar="SPEC",
                        help=tr("test-pattern[:WxH], tone, mic[:DEVICE], screen[:DISPLAY], camera:URL; repeatable "
                             "(default: test-pattern and tone)"))
    parser.add_argument("--to", action="append", default=[], metavar="URL",
                        help=tr("rtmp://HOST[:PORT]/APP/KEY or srt://HOST:PORT[?streamid=…] (where FFmpeg has SRT); "
                        "repeatable: one encoding, sent to each"))
    parser.add_argument("--hls-port", type=number_in(1, 65535, integer=True), metavar="P",
                        help=tr("also serve the stream as HLS at http://THIS-PC:P/live/index.m3u8 (a player page at "
                             "/live/), announced over DNS-SD"))
    parser.add_argument("--hls-host", default="0.0.0.0", metavar="ADDR",
                        help=tr("the address the HLS server listens on (default: every interface)"))
    parser.add_argument("--record", type=Path, metavar="OUT.mp4", help=tr("also record into this crash-safe MP4"))
    parser.add_argument("--no-store", action="store_true", help=tr("do not register the recording in the store"))
    parser.add_argument("--layout", default="single", help=tr("single, pip[:CORNER[:SCALE]], side-by-side"))
    parser.add_argument("--size", default="1280x720", help=tr("output size, e.g. 1280x720"))
    parser.add_argument("--fps", type=int, default=30, choices=[25, 30], help=tr("output frame rate"))
    parser.add_argument("--duration", type=float, metavar="S", help=tr("stop after S seconds (default: Ctrl-C)"))
    parser.add_argument("--preset", default="veryfast", choices=X264_PRESETS, metavar="PRESET",
                        help=tr("x264 preset (default veryfast)"))
    parser.add_argument("--crf", type=int, default=23, help=tr("x264 quality, lower is better (default 23)"))
    parser.add_argument("--json", action="store_true", help=tr("print health and the final stats as JSON lines"))


def build(args: argparse.Namespace) -> tuple[Program, list[Output]]:
    """Everything that can be wrong with the input is found here, before any thread starts (ValueError)."""
    from classroom_console.cli_reasons import refused_as
    from classroom_console.commands.record import LAYOUT_REFUSED, SIZE_REFUSED, SOURCE_REFUSED, check_output
    from classroom_console.media import Program, make_source, parse_layout, parse_size
    from classroom_console.media.output_hls import HlsOutput
    from classroom_console.media.output_rtmp import RtmpOutput
    from classroom_console.media.output_srt import SrtOutput, srt_available

    if not args.to and args.hls_port is None:
        raise ValueError(tr("give at least one destination: --to rtmp://HOST/APP/KEY or --hls-port P"))
    if args.duration is not None and args.duration <= 0:
        raise ValueError(tr("--duration must be positive"))
    for url in args.to:
        problem = address_problem(url)
        if problem:
            raise ValueError(problem)
        if url.startswith("srt://") and not srt_available():
            raise ValueError(tr(
                "this build's FFmpeg has no SRT (PyPI's PyAV wheels lack it): use an rtmp:// destination"))
    if args.record is not None:
        check_output(args.record)
    outputs: list[Output] = [SrtOutput(url) if url.startswith("srt://") else RtmpOutput(url) for url in args.to]
    if args.hls_port is not None:
        outputs.append(HlsOutput())
    verbose = _verbose(args)
    with refused_as(tr(SIZE_REFUSED), args.size, verbose):
        size = parse_size(args.size)
    with refused_as(tr(LAYOUT_REFUSED), args.layout, verbose):
        program = Program(size, args.fps, layout=parse_layout(args.layout))
    taken: set[str] = set()
    for spec in args.source or ["test-pattern", "tone"]:
        with refused_as(tr(SOURCE_REFUSED), spec, verbose):
            program.add_source(make_source(spec, size=size, fps=args.fps, taken=taken))
    return program, outputs


def report(args: argparse.Namespace, record: dict[str, Any]) -> None:
    from classroom_console.media.output import OutputStats

    print(json.dumps(record) if args.json else "\n".join(
        health_line(record["elapsed_s"], OutputStats(**d), _verbose(args)) for d in record["destinations"]),
          flush=True)


def _verbose(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "verbose", False))


async def serve_hls(args: argparse.Namespace, outputs: list[Output]) -> tuple[HlsServer, HlsAdvertiser] | None:
    """The LAN server and its DNS-SD advert, before the stream starts (a port in use is said before any
    encoding); with --json the URL goes to stderr, so that stdout stays JSON lines."""
    from classroom_console.media.hls_dnssd import HlsAdvertiser
    from classroom_console.media.hls_server import HlsServer
    from classroom_console.media.output_hls import HlsOutput

    hls = next((o for o in outputs if isinstance(o, HlsOutput)), None)
    if hls is None:
        return None
    server = HlsServer(args.hls_host, int(args.hls_port), hls)
    try:
        await server.start()
    except OSError as exc:
        from classroom_console.cli_reasons import bind_problem

        raise OSError(tr("cannot serve HLS on {host}:{port}: {why}").format(
            host=args.hls_host, port=args.hls_port, why=bind_problem(exc, _verbose(args)))) from exc
    hls.path = server.viewer_url()
    advertiser = HlsAdvertiser(server.port, server.playlist_path)
    await advertiser.start()
    print(tr("HLS: {url} (player page: {page}/)").format(url=hls.path, page=hls.path.rsplit("/", 1)[0]),
          file=sys.stderr if args.json else sys.stdout,
          flush=True)
    return server, advertiser


async def stream(args: argparse.Namespace, program: Program,
                 outputs: list[Output]) -> tuple[list[OutputStats], RecordingResult | None]:
    from classroom_console.commands.record import open_store, watch_sources
    from classroom_console.media import EncoderSettings, Recorder, RecordingResult, offload
    from classroom_console.media.broadcast import Broadcast

    settings = EncoderSettings(preset=args.preset, crf=args.crf)
    job: Recorder | Broadcast
    hls = await serve_hls(args, outputs)
    store = await open_store(args, PROG) if args.record is not None else None
    if args.record is not None:
        job = Recorder(program, args.record, settings=settings, store=store, duration_s=args.duration,
                       outputs=outputs)
    else:
        job = Broadcast(program, outputs, settings=settings, duration_s=args.duration)
    loop = asyncio.get_running_loop()
    program.start()
    try:
        await job.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(job.stop()))
        waiter = asyncio.ensure_future(job.wait())
        watcher = asyncio.ensure_future(watch_sources(program, PROG))
        try:
            while not waiter.done():
                finished, _ = await asyncio.wait({waiter}, timeout=1.0)
                if not finished:
                    report(args, {"elapsed_s": round(job.elapsed_s, 2),
                                  "destinations": [s.as_dict() for s in job.output_stats()]})
        finally:
            watcher.cancel()
        result = waiter.result()
        return job.output_stats(), result if isinstance(result, RecordingResult) else None
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        program.stop()
        await offload(program.join, "stream-join")
        if store is not None:
            await store.close()
        if hls is not None:
            for part in reversed(hls):
                await part.stop()


def run(args: argparse.Namespace) -> int:
    from classroom_console.media import StopReason
    from classroom_console.media.output import OutputState

    try:
        program, outputs = build(args)
    except ValueError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        final, result = asyncio.run(stream(args, program, outputs))
    except (ValueError, RuntimeError, OSError) as exc:  # a recording that cannot start (no disk space, no folder)
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    live = [s for s in final if s.kind != "file"]
    if args.json:
        print(json.dumps({"final": True, "destinations": [s.as_dict() for s in live],
                          "recording": None if result is None else {
                              "path": str(result.path), "duration_s": result.duration_s,
                              "stop_reason": result.stop_reason, "stats": result.stats.as_dict()}}))
    else:
        for stats in live:
            print("\n".join(final_lines(stats, _verbose(args))))
        if result is not None:
            print(tr("recorded {path} ({reason})").format(path=result.path, reason=stop_words(result.stop_reason)))
            print("\n".join(result.stats.lines()))
    failed = [s for s in live if s.state == OutputState.FAILED]
    for stats in failed:
        print(failure_line(stats, _verbose(args)), file=sys.stderr)
    if result is not None and result.stop_reason in (StopReason.DISK_FULL, StopReason.ERROR):
        print(f"{PROG}: " + recording_stopped(result.stop_reason, result.message, _verbose(args)), file=sys.stderr)
        return 1
    return EXIT_DESTINATION_FAILED if failed else 0
