"""An instant nobody takes is not composed: with no sink only the preview's instants are (the Studio before Record
composed 30 pictures a second for a preview that shows 15), and with neither, none (a headless recording's start)."""

from __future__ import annotations

import time

from classroom_console.media import Program, SimulatedClock, TestPattern
from classroom_console.media.frames import Image

SIZE = (320, 180)


def run_until(program: Program, clock: SimulatedClock, until: float) -> None:
    deadline = time.monotonic() + 60
    while clock.now() < until and time.monotonic() < deadline:
        time.sleep(0.01)
    assert clock.now() >= until, "the simulated clock did not get there"


def test_with_no_sink_only_the_previews_instants_are_composed() -> None:
    clock = SimulatedClock()
    program = Program(SIZE, 30, clock=clock, preview_fps=10)
    program.add_source(TestPattern("camera", SIZE, 30))
    previews: list[Image] = []
    program.start()
    try:
        run_until(program, clock, clock.now() + 2.0)
        assert program.composed == 0, "nobody takes them: no sink, no preview"
        program.on_preview = previews.append
        shown_from = clock.now()  # the simulated clock races on between polls: the span is read, not assumed
        run_until(program, clock, shown_from + 2.0)
    finally:
        program.stop()
        assert program.join(10)
    span = clock.now() - shown_from
    # at most the preview's 10 a second over that span (the compositor runs up to half a second behind the clock),
    # never the program's 30
    assert 5 <= len(previews) <= span * 10 + 2, (len(previews), span)
    assert program.composed == len(previews), f"{program.composed} composed for {len(previews)} previews"
