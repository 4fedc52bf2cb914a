"""What a recording contains: the asked duration (within a frame), fps, codecs, size; layout switches cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import math
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest

from classroom_console.media import (
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
    VideoFrame,
    VideoSource,
    offload,
)
from classroom_console.media.clock import Clock
from classroom_console.media.encoder import Encoder
from classroom_console.media.frames import BufferPool, i420_planes
from classroom_console.media.output_file import FileOutput
from classroom_console.media.probe import inspect, media_seconds
from tests.media_helpers import output_test_settings


def record(path: Path, *, size: tuple[int, int] = (320, 180), fps: int = 30, duration: float = 2.0,
           clock: Clock | None = None, layout: Layout | None = None, sources: list[Source] | None = None,
           during: object = None, settings: EncoderSettings | None = None, start_floor: int = 0,
           tracks: bool = False) -> RecordingResult:
    """One recording through the real pipeline; ``during(program)`` runs on a thread while it records."""

    async def scenario() -> RecordingResult:
        program = Program(size, fps, clock=clock, layout=layout)
        for source in sources or [TestPattern(size=size, fps=fps), Tone()]:
            program.add_source(source)
        # On the simulated clock the file starts at the program's first instant, however busy the machine
        held = clock.held() if isinstance(clock, SimulatedClock) else contextlib.nullcontext()
        try:
            with held:
                program.start()
                recorder = Recorder(program, path, duration_s=duration, start_floor_bytes=start_floor, tracks=tracks,
                                    settings=settings or EncoderSettings(block_when_full=isinstance(clock,
                                                                                                    SimulatedClock)))
                await recorder.start()
            if callable(during):
                await offload(lambda: during(program))
            return await recorder.wait()
        finally:
            program.stop()
            await offload(program.join)

    return asyncio.run(scenario())


@pytest.mark.parametrize(("fps", "duration"), [(30, 3.0), (25, 2.0)])
def test_real_time_recording_has_the_asked_duration_fps_codecs_and_size(
    tmp_path: Path, fps: int, duration: float
) -> None:
    started = time.monotonic()
    # The output's queue (as the other real-time tests here): the exact frame count below is of the file's
    # timing, not of the encoder keeping up on a busy machine (test_record_adaptive's subject).
    result = record(tmp_path / "out.mp4", size=(320, 180), fps=fps, duration=duration, settings=output_test_settings())
    took = time.monotonic() - started
    info = inspect(result.path)
    assert (info.video_codec, info.audio_codec, info.audio_rate) == ("h264", "aac", 48_000)
    assert (info.width, info.height, info.fps) == (320, 180, fps)
    assert abs(info.duration_s - duration) <= 1 / fps
    assert info.frames == round(duration * fps)
    assert result.duration_s == pytest.approx(media_seconds(result.path))  # the length a player shows
    assert result.stop_reason == "duration" and result.duration_s == pytest.approx(duration)
    assert result.size_bytes == result.path.stat().st_size > 0 and len(result.sha256) == 64
    assert took >= duration, "real time, not faster"
    # A busy machine may make a source late (counted, its last picture repeated) but the file keeps every
    # instant: the exact frame count above is what a user relies on. How fast it ran is bench/record.py's.
    assert took < duration + 60, "it finished"


def test_cli_records_720p_pip_and_prints_the_stats(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    done = subprocess.run(
        [sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path / "data"), "record",
         "--source", "test-pattern", "--source", "test-pattern", "--source", "tone", "--layout", "pip",
         "--duration", "2", "--size", "1280x720", "--fps", "30", "--fast", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    for word in ("dropped at capture", "late at compositing", "skipped by encoder", "encoder fps", "bitrate",
                 "free disk", "sha256"):
        assert word in done.stdout
    info = inspect(out)
    assert (info.width, info.height, info.frames) == (1280, 720, 60)


def test_cli_stops_in_order_on_ctrl_c_and_finalises_the_file(tmp_path: Path) -> None:
    out = tmp_path / "interrupted.mp4"
    proc = subprocess.Popen(  # a long --duration: Ctrl-C must still end it now
        [sys.executable, "-m", "classroom_console", "record", "--no-store", "--min-free-mb", "1", "--size", "320x180",
         "--duration", "600", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not out.exists():
        assert time.monotonic() < deadline and proc.poll() is None, "the recorder did not start"
        time.sleep(0.02)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "(stopped)" in stdout and "skipped by encoder" in stdout
    info = inspect(out)
    assert 1.5 < info.duration_s < 3.0 and info.audio_codec == "aac"


def test_cli_refuses_bad_arguments_plainly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "classroom_console", "record", "--source", "hologram", str(tmp_path / "x.mp4")],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2 and "cannot be used" in done.stderr


class Solid(VideoSource):
    """A paced plain colour: easy to tell apart after H.264."""

    def __init__(self, name: str, rgb: tuple[int, int, int], size: tuple[int, int], fps: float = 30) -> None:
        super().__init__(name, fps)
        self.image = np.empty((size[1], size[0], 3), np.uint8)
        self.image[:] = rgb

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        tick = math.ceil(clock.now() * self.fps)
        while clock.sleep_until(tick / self.fps, stop):
            self.publish(VideoFrame(tick / self.fps, self.image, tick))
            tick += 1


def layout_of(image: np.ndarray) -> str:
    """pip: green only in the bottom-right inset; side by side: the right half green (letterboxed)."""
    h, w = image.shape[:2]

    def green(y: int, x: int) -> bool:
        r, g, _ = (int(v) for v in image[y, x])
        return g > 150 and r < 60

    if green(h // 2, w - 30) and not green(h // 2, 30):
        return "side-by-side"
    if green(h - 20, w - 30) and not green(h // 2, w - 30):
        return "pip"
    return "other"


def test_layout_switch_mid_recording_lands_between_two_frames(tmp_path: Path) -> None:
    size = (320, 180)
    sources: list[Source] = [Solid("a", (200, 0, 0), size), Solid("b", (0, 200, 0), size), Tone()]
    switched = threading.Event()

    def switch(program: Program) -> None:
        time.sleep(1.0)
        program.set_layout(Layout(LayoutKind.SIDE_BY_SIDE))
        switched.set()

    result = record(tmp_path / "switch.mp4", size=size, duration=2.0, layout=Layout(LayoutKind.PIP),
                    sources=sources, during=switch, settings=output_test_settings())  # of the switch, not of speed
    assert switched.is_set()
    kinds: list[str] = []
    pts: list[int] = []
    with av.open(str(result.path)) as container:
        for frame in container.decode(video=0):
            kinds.append(layout_of(frame.to_ndarray(format="rgb24")))
            assert frame.pts is not None
            pts.append(frame.pts)
    changes = [i for i in range(1, len(kinds)) if kinds[i] != kinds[i - 1]]
    assert kinds[0] == "pip" and kinds[-1] == "side-by-side", kinds
    assert len(changes) == 1, f"one clean switch, not {kinds}"
    assert len(kinds) == 60 and np.all(np.diff(sorted(pts)) == np.diff(sorted(pts))[0]), "no frame lost or doubled"
    # a busy machine (another test worker beside) may compose a frame or two late anyway; a switch that held the
    # compositor up would make a run of them (0.2 s: 6)
    assert result.stats.late_at_compositing < 6


def test_the_encoder_reads_each_pooled_picture_before_the_pool_hands_it_out_again(tmp_path: Path) -> None:
    """The encoder wraps the program's I420 buffers without copying them: a buffer refilled too early would show
    up as a frame with the wrong brightness. A pool of two buffers and a blocking queue make reuse immediate."""
    size, frames = (64, 48), 40
    pool = BufferPool((size[1] * 3 // 2, size[0]), limit=2)
    settings = EncoderSettings(block_when_full=True, queue_s=0.1)
    sink = Encoder(size, 30, settings, duration_s=frames / 30)
    sink.add_output(FileOutput(tmp_path / "pool.mp4", settings), required=True)
    sink.start()
    for i in range(frames + 1):
        picture = pool.get()
        luma, u, v = i420_planes(picture)
        luma.fill(16 + (i * 37) % 200)
        u.fill(128)
        v.fill(128)
        sink.push_video(i / 30, picture)
        del picture, luma, u, v
    sink.push_audio(0, np.zeros(round(frames / 30 * 48_000) + 960, np.float32))
    assert sink.join(30) and sink.error is None
    with av.open(str(tmp_path / "pool.mp4")) as container:
        means = [float(frame.to_ndarray(format="gray").mean()) for frame in container.decode(video=0)]
    assert len(means) == frames
    for i, mean in enumerate(means):
        expected = (16 + (i * 37) % 200 - 16) * 255 / 219  # limited-range luma back to full-range grey
        assert abs(mean - expected) < 6, f"frame {i}: {mean:.1f}, expected {expected:.1f}"
