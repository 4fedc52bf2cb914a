"""The compositor's clock: when it composes an instant, and what it does when a source's frame does not come."""

from __future__ import annotations

import statistics
import threading
import time

import numpy as np

from classroom_console.media import Program, SimulatedClock, TestPattern
from classroom_console.media.clock import Clock
from classroom_console.media.frames import Image, Samples, VideoFrame, i420_buffer, i420_planes
from classroom_console.media.program import VIDEO_LATENCY_S
from classroom_console.media.source import VideoSource

SIZE = (160, 90)


class Collect:
    """A program sink keeping each frame's instant, its luma at the corner, and when it arrived."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, int, float]] = []

    def push_video(self, t: float, image: Image) -> None:
        self.frames.append((t, int(i420_planes(image)[0][2, 2]), time.monotonic()))

    def push_audio(self, first_sample: int, samples: Samples) -> None:
        pass


class Stalling(VideoSource):
    """Paced frames numbered in their brightness; after ``frames`` of them it goes silent but stays live, like a
    camera whose stream froze without closing."""

    def __init__(self, frames: int) -> None:
        super().__init__("stalling", 30)
        self.frames = frames

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        tick = round(clock.now() * self.fps) + 1
        sent = 0
        while clock.sleep_until(tick / self.fps, stop):
            if sent < self.frames:
                picture = i420_buffer(*SIZE)
                luma, u, v = i420_planes(picture)
                luma.fill(40 + 5 * sent)
                u.fill(128)
                v.fill(128)
                self.publish(VideoFrame(tick / self.fps, picture, tick))
                sent += 1
            tick += 1


def run_until(program: Program, sink: Collect, count: int, limit_s: float = 20.0) -> None:
    program.attach(sink)
    program.start()
    deadline = time.monotonic() + limit_s
    try:
        while len(sink.frames) < count and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        program.stop()
        assert program.join(10)
    assert len(sink.frames) >= count, f"only {len(sink.frames)} frames in {limit_s} s"


def test_the_compositor_goes_as_soon_as_the_frames_of_its_instant_are_in() -> None:
    """Not a fixed wait: each instant is composed when both sources' frames for it are in, well before the
    deadline (VIDEO_LATENCY_S after it), so the pictures are still warm in the cache and the preview is fresh."""
    program = Program(SIZE, 30)
    program.add_source(TestPattern("a", SIZE, 30))
    program.add_source(TestPattern("b", SIZE, 30, variant=1))
    sink = Collect()
    run_until(program, sink, 45)
    delays = [arrived - t for t, _, arrived in sink.frames[5:]]  # the real clock is time.monotonic itself
    assert statistics.median(delays) < VIDEO_LATENCY_S / 2, f"composed {statistics.median(delays) * 1000:.0f} ms late"
    assert min(delays) >= -1e-3, "an instant was composed before it came"


def test_a_stalled_source_is_waited_for_only_to_the_deadline_and_its_last_frame_repeats_counted() -> None:
    program = Program(SIZE, 30, clock=SimulatedClock())
    program.add_source(Stalling(frames=10))
    sink = Collect()
    run_until(program, sink, 40)
    instants = np.array([t for t, _, _ in sink.frames])
    assert np.allclose(np.diff(instants), 1 / 30), "every instant has a frame, none doubled"
    lumas = [luma for _, luma, _ in sink.frames]
    last = 40 + 5 * 9
    stalled = lumas[lumas.index(last):]
    assert len(stalled) >= 25 and set(stalled) == {last}, "after the stall the last frame repeats"
    assert program.late >= len(stalled) - 2, f"{program.late} late counted for {len(stalled)} repeats"
