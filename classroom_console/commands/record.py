"""``classroom-console record``: record sources into a crash-safe MP4 without a screen, then print the stats."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from classroom_console.cli_text import ntr, tr
from classroom_console.commands.argtypes import number_in, positive_seconds

if TYPE_CHECKING:
    from classroom_console.media import Program, RecordingResult
    from classroom_console.store import AsyncStore

# The media stack (PyAV, numpy, OpenCV) and the store are imported when the command runs: `record --help` and a
# usage error need neither (see docs/architecture.md).
HELP = "record sources (test-pattern, tone, mic, screen, camera URL) into a crash-safe MP4 and print the stats"
EXIT_DISK_FULL = 4  # and a disk that stopped answering: either way the disk, what reached it kept


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("output", type=Path, help=tr("the MP4 file to write"))
    parser.add_argument("--source", action="append", default=[], metavar="SPEC",
                        help=tr("test-pattern[:WxH], tone, mic[:DEVICE], screen[:DISPLAY], camera:URL; repeatable"))
    parser.add_argument("--layout", default="single", help=tr("single, pip[:CORNER[:SCALE]], side-by-side"))
    parser.add_argument("--size", default="1280x720", help=tr("output size, e.g. 1280x720 or 1920x1080"))
    parser.add_argument("--fps", type=int, default=30, choices=[25, 30], help=tr("output frame rate"))
    parser.add_argument("--duration", type=positive_seconds, metavar="S",
                        help=tr("stop after S seconds (default: Ctrl-C)"))
    parser.add_argument("--preset", default="veryfast", choices=[*X264_PRESETS, "auto"], metavar="PRESET",
                        help=tr("x264 preset (default veryfast), or auto: the slowest this PC encodes fast enough"))
    parser.add_argument("--crf", type=number_in(0, 51, integer=True), default=23,
                        help=tr("x264 quality 0-51, lower is better (default 23)"))
    parser.add_argument("--lower-third", metavar="LECTURER|COURSE|DATE", help=tr("caption at the bottom"))
    parser.add_argument("--min-free-mb", type=float, default=DEFAULT_MIN_FREE_MB,
                        help=tr("refuse to start with less free disk than this (default %(default).0f)"))
    parser.add_argument("--tracks", action="store_true",
                        help=tr("also record each video source into a file of its own (OUT.SOURCE.mp4), "
                             "as lecture platforms take presenter and presentation tracks"))
    parser.add_argument("--no-store", action="store_true", help=tr("do not register the recording in the store"))
    parser.add_argument("--json", action="store_true", help=tr("print the result as JSON"))
    parser.add_argument("--fast", action="store_true",
                        help=tr("synthetic sources only: run on a simulated clock, as fast as the encoder goes"))


DEFAULT_MIN_FREE_MB = 512  # media.disk.START_FLOOR_BYTES (tests/test_startup_imports.py keeps the two equal)
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
SOURCE_CHECK_S = 15.0  # a camera or screen that has not shown a picture by then is not going to
SOURCE_WATCH_S = 0.25  # how often a recording's sources are looked at for a change of state


def check_output(path: Path) -> None:
    """The folder must exist (a typo is not a reason to create /nonexistent) and the name must be free to write."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ValueError(tr("the folder {folder} does not exist (or is a file): create it first").format(folder=folder))
    if path.is_dir():
        raise ValueError(tr("{path} is a folder: give a file name, e.g. {example}").format(
            path=path, example=path / "lecture.mp4"))


async def sources_ready(program: Program, within_s: float = SOURCE_CHECK_S) -> list[str]:
    """Started sources that failed to open (each as "name: why"); waits for each to go live or fail."""
    from classroom_console.media import SourceState

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while loop.time() < deadline:
        statuses = [s.status() for s in program.sources]
        if all(st.state in (SourceState.LIVE, SourceState.FAILED, SourceState.LOST) for st in statuses):
            break
        await asyncio.sleep(0.1)
    return [f"{st.name}: {st.message or st.state}" for st in (s.status() for s in program.sources)
            if st.state in (SourceState.FAILED, SourceState.LOST) or st.state is not SourceState.LIVE]


# What --size, --layout and --source refuse, in the user's words (`stream` says the same); the media layer's
# English with --verbose.
SIZE_REFUSED = "--size: write it like 1280x720 (even, 16x16 to 7680x4320), not {value!r}"
LAYOUT_REFUSED = "--layout: write single, pip[:CORNER[:SCALE]] or side-by-side, not {value!r}"
SOURCE_REFUSED = ("--source {value!r} cannot be used: write test-pattern[:WxH], tone, mic[:DEVICE], screen[:DISPLAY] "
                  "or camera:URL")


def build_program(args: argparse.Namespace) -> Program:
    from classroom_console.cli_reasons import refused_as
    from classroom_console.media import LowerThird, Program, SimulatedClock, make_source, parse_layout, parse_size
    from classroom_console.media.source import AudioSource

    check_output(args.output)
    verbose = getattr(args, "verbose", False)
    with refused_as(tr(SIZE_REFUSED), args.size, verbose):
        size = parse_size(args.size)
    with refused_as(tr(LAYOUT_REFUSED), args.layout, verbose):
        layout = parse_layout(args.layout)
    if args.lower_third:
        lecturer, course, date = ([*args.lower_third.split("|"), "", ""])[:3]
        layout = layout.__class__(layout.kind, layout.main, layout.inset, layout.corner, layout.inset_scale,
                                  LowerThird(lecturer, course, date))
    program = Program(size, args.fps, layout=layout, clock=SimulatedClock() if args.fast else None)
    taken: set[str] = set()
    for spec in args.source or ["test-pattern", "tone"]:
        with refused_as(tr(SOURCE_REFUSED), spec, verbose):
            source = make_source(spec, size=size, fps=args.fps, taken=taken)
        if args.fast and source.name.split("-")[0] not in ("test", "tone"):
            raise ValueError(tr("--fast works only with test-pattern and tone"))
        program.add_source(source)
    if args.fast and args.duration is None:
        raise ValueError(tr("--fast needs --duration"))
    if not any(isinstance(s, AudioSource) for s in program.sources):
        print("classroom-console record: " + tr("no audio source: the file gets a silent track"), file=sys.stderr)
    return program


def source_change_line(name: str, was: str, state: str, why: str) -> str | None:
    """A source's new state in one line (None for changes that need no word: a source starting is no news)."""
    if state == "lost":
        return tr("{name} went away ({why}): the recording goes on with its last picture, trying it again").format(
            name=name, why=why)
    if state == "live" and was in ("lost", "failed"):
        return tr("{name} is back").format(name=name)
    if state == "failed":
        return tr("{name} failed ({why})").format(name=name, why=why)
    return None


async def watch_sources(program: Program, prog: str = "classroom-console record") -> None:
    """One line per source each time its state changes while recording: a camera lost, and back (its retries
    are not news)."""
    seen = {s.name: s.state for s in program.sources}
    while True:
        await asyncio.sleep(SOURCE_WATCH_S)
        for status in (s.status() for s in program.sources):
            was = seen.get(status.name)
            if was == status.state:
                continue
            seen[status.name] = status.state
            line = source_change_line(status.name, str(was), str(status.state), status.message)
            if line is not None:
                print(f"{prog}: {line}", file=sys.stderr, flush=True)


class SourceFailed(Exception):
    """A source that never gave a picture or sound (a camera URL that does not open, no such screen)."""


async def open_store(args: argparse.Namespace, prog: str = "classroom-console record") -> AsyncStore | None:
    """The store to register the recording in (None with --no-store, or when it cannot be opened: said once);
    recordings a crash left open are closed first."""
    from classroom_console.media.recovery import recover_unfinished
    from classroom_console.store import AsyncStore, StoreError

    if args.no_store:
        return None
    try:
        store = await AsyncStore.open(args.data_dir)
    except StoreError as exc:
        from classroom_console.cli_store import store_error_line

        why = store_error_line(exc, args.data_dir, getattr(args, "verbose", False))
        print(f"{prog}: " + tr("not registering the recording: {why}").format(why=why), file=sys.stderr)
        return None
    if not store.tidies_after_crash:
        return store  # a console window holds this folder: an open recording row is its live recording
    for rid in await recover_unfinished(store):
        print(f"{prog}: " + tr("closed interrupted recording {id}").format(id=rid), file=sys.stderr)
    return store


async def record(args: argparse.Namespace, program: Program) -> RecordingResult:
    from classroom_console.media import EncoderSettings, Recorder, offload
    from classroom_console.media.calibrate import choose_preset

    store = await open_store(args)
    preset = args.preset
    if preset == "auto":
        preset, speeds = await offload(lambda: choose_preset(program.size, program.fps), "record-calibrate")
        measured = ", ".join(f"{name} {speed:.1f}x" for name, speed in speeds.items())
        print("classroom-console record: " + tr("preset {preset} (encoding speed {measured})").format(
            preset=preset, measured=measured), file=sys.stderr)
    # auto also reacts while recording: skipped frames (a busy PC) step it to a faster preset at a keyframe
    settings = EncoderSettings(preset=preset, crf=args.crf, block_when_full=args.fast, adaptive=args.preset == "auto")
    recorder = Recorder(program, args.output, settings=settings, store=store, duration_s=args.duration,
                        start_floor_bytes=round(args.min_free_mb * 2**20), tracks=args.tracks)
    recorder.preset_listeners.append(lambda change: print("classroom-console record: " + tr(
        "{skipped} frames skipped: preset {old} -> {new} from {at:.1f} s").format(
        skipped=change.skipped, old=change.old, new=change.new, at=change.at_s), file=sys.stderr, flush=True))
    loop = asyncio.get_running_loop()
    program.start()
    try:
        if not args.fast:
            broken = await sources_ready(program)
            if broken:  # a recording of nothing is a failure, not a blank file
                raise SourceFailed("; ".join(broken))
        await recorder.start()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(recorder.stop()))
        watcher = asyncio.ensure_future(watch_sources(program))
        try:
            return await recorder.wait()
        finally:
            watcher.cancel()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        program.stop()
        await offload(program.join, "record-join")
        if store is not None:
            await store.close()


def run(args: argparse.Namespace) -> int:
    from classroom_console.media import DiskFullError, StopReason

    try:
        program = build_program(args)
    except ValueError as exc:
        print(f"classroom-console record: {exc}", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(record(args, program))
    except DiskFullError as exc:
        words = tr("only {free} MB free in {folder}; a recording needs at least {floor} MB")
        print("classroom-console record: " + words.format(
            free=f"{exc.free / 2**20:.0f}", folder=exc.folder, floor=f"{exc.floor / 2**20:.0f}"), file=sys.stderr)
        return 1
    except SourceFailed as exc:  # each source's own words: they name the camera (its URL, the password masked)
        print("classroom-console record: " + tr("nothing recorded: a source did not start ({why})").format(why=exc),
              file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"path": str(result.path), "recording_id": result.recording_id,
                          "duration_s": result.duration_s, "size_bytes": result.size_bytes,
                          "sha256": result.sha256, "stop_reason": result.stop_reason,
                          "stats": result.stats.as_dict(),
                          "tracks": [track.as_record() for track in result.tracks]}, indent=2))
    else:
        from classroom_console.commands.stream_words import stop_words

        print(tr("recorded {path} ({reason})").format(path=result.path, reason=stop_words(result.stop_reason)))
        print("\n".join(result.stats.lines()))
        print(f"sha256              {result.sha256}")
        for track in result.tracks:
            print(tr("track {source} {path}").format(source=f"{track.source:<13}", path=track.path) + " (" + ntr(
                "{n} frame, {mb} MB", "{n} frames, {mb} MB", track.frames).format(
                mb=f"{track.size_bytes / 2**20:.1f}") + ")")
    if result.message:
        from classroom_console.commands.stream_words import recording_stopped

        print("classroom-console record: " + recording_stopped(result.stop_reason, result.message,
                                                               getattr(args, "verbose", False)), file=sys.stderr)
    if result.stop_reason in (StopReason.DISK_FULL, StopReason.DISK_HUNG):
        return EXIT_DISK_FULL
    return 1 if result.stop_reason == StopReason.ERROR else 0
