"""What the media engine holds per source: the test pattern keeps one line of stripes, not a tall picture, and the
compositor lets go of the sources' pictures once pushed (issue 17 item 5: the window's memory recording 1080p PiP)."""

from __future__ import annotations

import time
import tracemalloc

import cv2
import numpy as np

from classroom_console.media import Program, SimulatedClock, TestPattern
from classroom_console.media.frames import i420_planes
from classroom_console.media.synthetic import is_flash

PICTURE_1080P = 1920 * 1080 * 3 // 2


def test_a_1080p_pattern_holds_its_picture_and_little_else() -> None:
    tracemalloc.start()  # numpy reports its arrays' memory to tracemalloc
    try:
        pattern = TestPattern(size=(1920, 1080), fps=30)
        picture = pattern.render(10.5, 315)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert picture.nbytes == PICTURE_1080P
    # the picture, plus a line of stripes a plane: a tall background of every row a frame shows was 3.6 MB more
    assert held < PICTURE_1080P + 256 * 1024, f"{held / 2**20:.1f} MB held"


def test_the_stripes_are_diagonal_and_scroll_two_pixels_a_frame() -> None:
    pattern = TestPattern(size=(320, 180), fps=30)  # stripes 20 px wide (a period of 40), 2 px a frame
    dark, light = (int(cv2.cvtColor(np.full((2, 2, 3), rgb, np.uint8), cv2.COLOR_RGB2YUV_I420)[0, 0])
                   for rgb in ((40, 70, 140), (60, 110, 190)))
    ys, xs = np.mgrid[60:180, 0:320]  # below the burnt-in text
    for index in (0, 1, 7, 19, 20, 33):
        t = 0.5 + index / 30
        assert not is_flash(t)
        luma = i420_planes(pattern.render(t, index))[0][60:]
        offset = index * 2 % 40
        expected = np.where((xs + ys + offset) // 20 % 2 == 0, dark, light)
        assert np.array_equal(luma, expected), f"frame {index}"


def test_before_record_a_source_holds_no_picture_for_the_last_preview_and_none_is_program_sized() -> None:
    """Before Record only the preview's instants are composed; the rest are passed over. The compositor kept each
    source's picture of the last composed instant until it composed again, a picture more a source (3 MB at 1080p),
    and composed the preview at the program's size, a program-sized picture more, to shrink it to 640 px."""
    clock = SimulatedClock()
    size = (320, 180)
    program = Program(size, 30, clock=clock, preview_fps=15, preview_width=160)
    patterns = [TestPattern("camera", size, 30), TestPattern("board", size, 30, variant=1)]
    for pattern in patterns:
        program.add_source(pattern)
    previews: list[np.ndarray] = []
    program_sized: set[int] = set()
    most = 0
    program.on_preview = previews.append
    program.start()
    try:
        until, deadline = clock.now() + 3.0, time.monotonic() + 60
        while clock.now() < until and time.monotonic() < deadline:
            most = max(most, *(len(p._pool) for p in patterns))
            program_sized.add(len(program._pictures))
            time.sleep(0.002)
    finally:
        program.stop()
        assert program.join(10)
    assert len(previews) >= 30 and previews[-1].shape == (90, 160, 3)
    # on the simulated clock the compositor waits to its deadline (0.1 s), so a source holds the 4 pictures of that
    # span and renders a fifth; the old compositor held one more each
    assert most <= 5, f"a source held {most} pictures"
    assert program_sized == {0}, "a picture of the program's size was made for the preview alone"


class _Taker:
    """A sink that takes every picture (as a recording's encoder with room in its queue) and keeps none."""

    def __init__(self) -> None:
        self.pictures = 0

    def push_video(self, t: float, image: np.ndarray) -> None:
        self.pictures += 1

    def push_audio(self, first_sample: int, samples: np.ndarray) -> None:
        pass


def test_after_a_recording_the_preview_alone_keeps_no_program_sized_picture() -> None:
    """The pool of program-sized pictures let go of unused ones only when asked for one; once the preview alone
    composed (at its own size), nobody asked, and a recording's pictures stayed for the window's life (3 MB each at
    1080p: up to 7 after an encoder queue at its bound, bench/memory.py's after-stop figure)."""
    clock = SimulatedClock()
    size = (320, 180)
    program = Program(size, 30, clock=clock, preview_fps=15, preview_width=160)
    program.add_source(TestPattern("camera", size, 30))
    previews: list[np.ndarray] = []
    program.on_preview = previews.append
    taker = _Taker()
    program.start()
    try:
        program.attach(taker)
        deadline = time.monotonic() + 60
        while taker.pictures < 30 and time.monotonic() < deadline:
            time.sleep(0.002)
        assert len(program._pictures) >= 1, "the recording's pictures came from the pool"
        program.detach(taker)
        shown = len(previews)
        while len(previews) < shown + 10 and time.monotonic() < deadline:
            time.sleep(0.002)
        kept = len(program._pictures)
    finally:
        program.stop()
        assert program.join(10)
    assert len(previews) >= shown + 10
    assert kept == 0, f"{kept} program-sized pictures kept for the preview alone"
