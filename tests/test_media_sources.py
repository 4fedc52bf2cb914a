"""Sources: the test pattern and tone mark the same instants; pacing, clocks, the mixer, cameras, specs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from classroom_console.media import Clock, SimulatedClock, SourceState, TestPattern, Tone, make_source
from classroom_console.media.camera import Camera
from classroom_console.media.clock import MonotonicClock
from classroom_console.media.frames import AUDIO_RATE, AudioBlock, is_i420, parse_size, picture_size, to_rgb
from classroom_console.media.mixer import AudioMixer
from classroom_console.media.source import AudioSource
from classroom_console.media.synthetic import FLASH_S, SYNC_PERIOD_S, TONE_BLOCK, is_flash


def wait_until(predicate: Callable[[], object], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_pattern_flashes_white_only_at_sync_instants() -> None:
    pattern = TestPattern(size=(320, 180), fps=30)
    flash = pattern.render(4.0, 120)
    assert is_i420(flash) and picture_size(flash) == (320, 180)  # the encoder's layout, as a decoder gives it
    assert to_rgb(flash).mean() > 240  # the flash: white but for the burnt-in text
    assert to_rgb(pattern.render(4.0 + FLASH_S + 0.01, 124)).mean() < 180
    first, later = pattern.render(5.0, 150), pattern.render(5.0 + 1 / 30, 151)
    assert not np.array_equal(first, later), "the pattern moves and the clock text changes"


def test_tone_beeps_exactly_when_the_pattern_flashes() -> None:
    start = round(6.0 * AUDIO_RATE) - 480
    samples = Tone.render(start, 960)
    loud = np.flatnonzero(np.abs(samples) > 0.25)
    assert loud.size and (start + loud[0]) / AUDIO_RATE == pytest.approx(6.0, abs=0.5 / 1000)
    assert is_flash(6.0) and not is_flash(6.0 - 1 / 30) and is_flash(6.0 + SYNC_PERIOD_S)


def test_sources_on_a_simulated_clock_run_faster_than_real_time() -> None:
    clock = SimulatedClock()
    pattern, tone = TestPattern(size=(160, 90), fps=30), Tone()
    started = time.monotonic()
    pattern.start(clock)
    tone.start(clock)
    wait_until(lambda: pattern.captured >= 90)
    pattern.stop()
    tone.stop()
    assert pattern.join(2) and tone.join(2)
    assert time.monotonic() - started < 2.5  # three seconds of virtual time
    frame = pattern.frame_at(clock.now())
    assert frame is not None and pattern.dropped == 0 and pattern.state is SourceState.STOPPED
    blocks = tone.take()
    stamps = [b.stamp for b in blocks]
    assert np.allclose(np.diff(stamps), TONE_BLOCK / AUDIO_RATE)


def test_pattern_is_paced_in_real_time_on_the_monotonic_clock() -> None:
    pattern = TestPattern(size=(160, 90), fps=30)
    started = time.monotonic()
    pattern.start(MonotonicClock())
    time.sleep(1.0)
    pattern.stop()
    elapsed = time.monotonic() - started  # every instant published lies in it: stop() ends the pattern's sleeps
    assert pattern.join(2)
    # Paced by the clock: 30 instants a second, each captured or (on a busy machine, late) counted as dropped, never
    # more than the clock allows in the time it ran (measured: a busy machine oversleeps the second). How many are
    # dropped is the machine's load, not a defect.
    allowed = 30 * elapsed + 2
    assert pattern.captured <= allowed
    assert 25 <= pattern.captured + pattern.dropped <= allowed


class _Feed(AudioSource):
    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        stop.wait()


def test_mixer_lays_jittery_blocks_end_to_end_and_resyncs_after_a_gap() -> None:
    a, b = _Feed("a"), _Feed("b")
    mixer = AudioMixer()
    mixer.begin(10.0)
    ones = np.full(960, 0.25, np.float32)
    for i in range(5):  # 2 ms of jitter on each stamp: laid end to end regardless
        a.publish(AudioBlock(10.0 + i * 0.02 + (0.002 if i % 2 else 0.0), ones))
    b.publish(AudioBlock(10.0, ones))
    mixer.collect([a, b])
    first, mixed = mixer.pull(10.1) or (0, np.zeros(0, np.float32))
    assert first == 480_000 and len(mixed) == 4800
    assert mixed[:960] == pytest.approx(0.5) and mixed[960:] == pytest.approx(0.25)
    a.publish(AudioBlock(10.5, ones))  # 0.4 s late: a gap of silence, then the block at its stamp
    mixer.collect([a])
    _, mixed = mixer.pull(10.52) or (0, np.zeros(0, np.float32))
    assert mixer.resyncs == 1
    assert mixed[: 19_200 - 960].max() == 0 and mixed[-960:] == pytest.approx(0.25)


def test_camera_reads_a_url_and_says_when_it_ends(tmp_path: Path) -> None:
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 25, (160, 120))
    for i in range(10):
        writer.write(np.full((120, 160, 3), i * 20, np.uint8))
    writer.release()
    camera = Camera("cam", str(clip))
    camera.start(MonotonicClock())
    wait_until(lambda: camera.captured >= 10 and camera.state is SourceState.LOST)
    frame = camera.frame_at(time.monotonic())
    camera.stop()
    assert camera.join(5)
    assert frame is not None and picture_size(frame.image) == (160, 120)
    assert camera.fps == 25
    assert "stopped sending" in camera.message


def test_camera_that_cannot_open_is_failed_with_a_reason() -> None:
    camera = Camera("cam", "/nonexistent/stream.mjpg")
    camera.start(MonotonicClock())
    wait_until(lambda: camera.state is SourceState.FAILED)
    camera.stop()
    assert camera.join(5)
    assert "cannot open" in camera.message


def test_sources_from_text() -> None:
    taken: set[str] = set()
    one = make_source("test-pattern", size=(640, 360), fps=30, taken=taken)
    two = make_source("test-pattern:320x180", size=(640, 360), fps=30, taken=taken)
    assert (one.name, two.name) == ("test-pattern", "test-pattern-2")
    assert isinstance(two, TestPattern) and two.size == (320, 180)
    assert isinstance(make_source("rtsp://10.0.0.5/live", size=(640, 360), fps=30), Camera)
    prefixed = make_source("camera:http://127.0.80.9:8080/stream.mjpg", size=(640, 360), fps=30)
    assert isinstance(prefixed, Camera) and prefixed.url == "http://127.0.80.9:8080/stream.mjpg"
    for bad in ("projector", "camera"):
        with pytest.raises(ValueError):
            make_source(bad, size=(640, 360), fps=30)
    assert parse_size("1920x1080") == (1920, 1080)
    with pytest.raises(ValueError):
        parse_size("1279x720")


def test_buffer_pool_reuses_only_buffers_nobody_holds() -> None:
    from classroom_console.media.frames import BufferPool

    pool = BufferPool((4, 4, 3), limit=2)
    first = pool.get()
    second = pool.get()
    assert second is not first, "a held buffer is never handed out again"
    view = first[1:]
    del first
    third = pool.get()
    assert third is not view.base and third is not second, "a view keeps its buffer in use; past the limit: a new one"
    del view, second
    assert pool.get() is not third  # a free pooled buffer comes back
    pattern = TestPattern(size=(64, 36), fps=30)
    frames = [pattern.render(5.0 + i / 30, 150 + i) for i in range(3)]
    assert len({id(f) for f in frames}) == 3 and not np.array_equal(frames[0], frames[1])
