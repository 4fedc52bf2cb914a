"""Each video source in a file of its own beside the program file: the same instants, the same sound, the same end.

Lecture platforms take a presenter track and a presentation track and lay them out in their player; these files
are what they ingest, so they must line up frame for frame with each other and with the program file.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from classroom_console.media import (
    Clock,
    EncoderSettings,
    Layout,
    LayoutKind,
    Program,
    Recorder,
    RecordingResult,
    SimulatedClock,
    Source,
    TestPattern,
    Tone,
    offload,
    track_path,
)
from classroom_console.media.probe import av_offsets, flash_times, inspect
from classroom_console.store.paths import DB_FILENAME
from tests.test_record_output import record

FPS = 30


def sources() -> list[Source]:
    return [TestPattern("camera", size=(320, 180), fps=FPS), TestPattern("slides", size=(480, 270), fps=FPS, variant=1),
            Tone()]


def test_each_source_gets_a_file_of_its_own_that_lines_up_with_the_program(tmp_path: Path) -> None:
    result = record(tmp_path / "lecture.mp4", size=(640, 360), duration=6.0, clock=SimulatedClock(),
                    layout=Layout(LayoutKind.PIP), sources=sources(), tracks=True)
    program = inspect(result.path)
    assert [t.source for t in result.tracks] == ["camera", "slides"]
    assert [t.path.name for t in result.tracks] == ["lecture.camera.mp4", "lecture.slides.mp4"]
    program_flashes = flash_times(result.path)
    assert len(program_flashes) == 3
    for track, size in zip(result.tracks, [(320, 180), (480, 270)], strict=True):
        info = inspect(track.path)
        assert (info.video_codec, info.audio_codec, info.audio_rate) == ("h264", "aac", 48_000)
        assert (info.width, info.height) == size, "each file keeps its source's own picture size"
        assert info.fps == FPS and info.frames == program.frames == track.frames == 180
        assert info.duration_s == pytest.approx(program.duration_s)
        assert flash_times(track.path) == program_flashes, "the same instants as the program file"
        offsets = av_offsets(track.path)
        assert len(offsets) == len(program_flashes) and max(abs(o) for o in offsets) <= 0.040, offsets
        assert track.size_bytes == track.path.stat().st_size > 0 and len(track.sha256) == 64
        assert track.skipped == 0


def test_a_source_removed_mid_recording_repeats_its_last_picture_to_the_common_end(tmp_path: Path) -> None:
    def remove_slides(program: Program) -> None:
        deadline = time.monotonic() + 20
        while program.composed < 45 and time.monotonic() < deadline:
            time.sleep(0.005)
        program.remove_source("slides")

    result = record(tmp_path / "lecture.mp4", size=(640, 360), duration=4.0, clock=SimulatedClock(),
                    sources=sources(), tracks=True, during=remove_slides)
    program = inspect(result.path)
    slides = next(t for t in result.tracks if t.source == "slides")
    info = inspect(slides.path)
    assert info.frames == program.frames == 120, "the file runs to the program's end"
    flashes = flash_times(slides.path)
    assert flashes and max(flashes) < 2.0, "no new pictures after the source went"


def test_a_stop_ends_every_file_at_the_same_frame(tmp_path: Path) -> None:
    """Stopped by the technician, not by a duration: the per-source files follow the program file's end."""

    async def scenario() -> RecordingResult:
        program = Program((640, 360), FPS, clock=SimulatedClock())
        for source in sources():
            program.add_source(source)
        program.start()
        recorder = Recorder(program, tmp_path / "lecture.mp4", settings=EncoderSettings(block_when_full=True),
                            start_floor_bytes=0, tracks=True)
        try:
            await recorder.start()
            for _ in range(2000):  # bounded: 20 s at most
                if recorder.stats().frames >= 70:
                    break
                await asyncio.sleep(0.01)
            return await recorder.stop()
        finally:
            program.stop()
            await offload(program.join)

    result = asyncio.run(scenario())
    frames = inspect(result.path).frames
    assert frames >= 70 and result.stop_reason == "stopped"
    for track in result.tracks:
        assert inspect(track.path).frames == track.frames == frames, track


class LateCamera(TestPattern):
    """A camera still connecting when Record is pressed: no picture until ``connected`` is set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connected = threading.Event()

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        while not self.connected.is_set():  # on the clock's time, so a simulated clock goes on meanwhile
            if not clock.sleep_until(clock.now() + 1 / FPS, stop):
                return
        super()._capture(stop, clock)


def test_a_source_that_joins_late_gets_its_file_on_the_programs_timeline(tmp_path: Path) -> None:
    camera_source = LateCamera("camera", size=(320, 180), fps=FPS)

    def connect_a_second_in(program: Program) -> None:
        started, deadline = program.composed, time.monotonic() + 20
        while program.composed < started + 30 and time.monotonic() < deadline:
            time.sleep(0.002)
        camera_source.connected.set()

    result = record(tmp_path / "lecture.mp4", size=(320, 180), duration=4.0, clock=SimulatedClock(),
                    sources=[camera_source, TestPattern("slides", size=(320, 180), fps=FPS, variant=1), Tone()],
                    tracks=True, during=connect_a_second_in)
    assert [t.source for t in result.tracks] == ["camera", "slides"]
    program = inspect(result.path)
    camera = next(t for t in result.tracks if t.source == "camera")
    info = inspect(camera.path)
    # MP4 places a stream that starts late to within a third of a millisecond (the muxer's edit list)
    assert info.duration_s == pytest.approx(program.duration_s, abs=0.001), "it ends with the program"
    assert program.frames - 40 <= info.frames <= program.frames - 25, "and starts about a second in"
    program_flashes, camera_flashes = flash_times(result.path), flash_times(camera.path)
    assert camera_flashes and min(camera_flashes) >= 0.8
    assert all(any(abs(c - p) < 0.001 for p in program_flashes) for c in camera_flashes), "on the program's clock"
    offsets = av_offsets(camera.path)
    assert offsets and max(abs(o) for o in offsets) <= 0.040, offsets


def test_a_file_that_cannot_be_made_is_said_and_the_others_go_on(tmp_path: Path) -> None:
    """The camera's file cannot be created (a folder sits at its name): it says why, nothing is counted as
    skipped, and the program file and the other source's file are whole."""
    track_path(tmp_path / "lecture.mp4", "camera").mkdir()
    result = record(tmp_path / "lecture.mp4", size=(320, 180), duration=2.0, clock=SimulatedClock(),
                    sources=sources(), tracks=True)
    camera, slides = result.tracks
    assert camera.message.startswith("the encoder failed") and camera.size_bytes == 0 and camera.frames < 60
    assert result.stats.skipped_by_encoder == 0 and result.stop_reason == "duration"
    assert inspect(result.path).frames == 60 and inspect(slides.path).frames == 60


def test_a_source_larger_than_the_program_is_recorded_at_the_programs_size(tmp_path: Path) -> None:
    """A 4K camera in a 720p program is not worth four encoders' work: its file is shrunk to fit the program."""
    result = record(tmp_path / "lecture.mp4", size=(320, 180), duration=1.0, clock=SimulatedClock(),
                    sources=[TestPattern("camera", size=(640, 480), fps=FPS), Tone()], tracks=True)
    (camera,) = result.tracks
    info = inspect(camera.path)
    assert (info.width, info.height) == (240, 180), "4:3 kept, inside 320x180"
    assert info.frames == 30 and len(flash_times(camera.path)) == 1


def test_without_tracks_only_the_program_file_is_written(tmp_path: Path) -> None:
    result = record(tmp_path / "lecture.mp4", size=(320, 180), duration=1.0, clock=SimulatedClock(),
                    sources=sources(), tracks=False)
    assert result.tracks == ()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lecture.mp4"]


def test_track_names_are_safe_for_any_disk() -> None:
    assert track_path(Path("/r/lecture.mp4"), "camera-2") == Path("/r/lecture.camera-2.mp4")
    assert track_path(Path("/r/lecture.mp4"), "../screen :0") == Path("/r/lecture.screen_0.mp4")
    assert track_path(Path("/r/lecture.mp4"), "///") == Path("/r/lecture.source.mp4")


def test_cli_tracks_are_printed_and_registered_in_the_store(tmp_path: Path) -> None:
    out = tmp_path / "course.mp4"
    done = subprocess.run(
        [sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path / "data"), "record",
         "--source", "test-pattern:320x180", "--source", "test-pattern:320x180", "--source", "tone",
         "--layout", "side-by-side", "--size", "640x360", "--duration", "2", "--fast", "--tracks", "--json",
         "--min-free-mb", "0", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    names = [t["source"] for t in printed["tracks"]]
    assert names == ["test-pattern", "test-pattern-2"]
    for track in printed["tracks"]:
        assert Path(track["path"]) == track_path(out, track["source"])
        assert inspect(Path(track["path"])).frames == 60
    (store,) = (tmp_path / "data").rglob(DB_FILENAME)
    with sqlite3.connect(store) as db:
        (stats,) = db.execute("SELECT stats FROM recordings WHERE id = ?", (printed["recording_id"],)).fetchone()
    registered = json.loads(stats)["tracks"]
    assert [(t["path"], t["sha256"]) for t in registered] == [(t["path"], t["sha256"]) for t in printed["tracks"]]
