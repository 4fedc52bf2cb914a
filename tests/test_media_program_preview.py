"""The preview callback is set and cleared from other threads (the Studio's tiles come and go) while the
compositor runs: it was read twice, checked then called, and a clear in between failed an assert in the
compositor's thread ("preview callback failed", 2 of 7 ``demo --screenshot`` runs)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from classroom_console.media import Program, TestPattern
from classroom_console.media.frames import Image


def test_a_preview_callback_cleared_mid_frame_fails_nothing(caplog: pytest.LogCaptureFixture) -> None:
    size = (320, 180)
    program = Program(size, 30, preview_fps=30)
    program.add_source(TestPattern(size=size, fps=30))
    shown: list[int] = []

    def show(image: Image) -> None:
        shown.append(image.shape[1])

    stop = threading.Event()

    def flip() -> None:  # a tile shown and hidden as fast as this thread can
        deadline = time.monotonic() + 10
        while not stop.is_set() and time.monotonic() < deadline:
            program.on_preview = show
            time.sleep(0)
            program.on_preview = None
            time.sleep(0)

    flipper = threading.Thread(target=flip, name="preview-flipper")
    with caplog.at_level(logging.ERROR, logger="classroom_console.media.program"):
        program.start()
        flipper.start()
        try:
            deadline = time.monotonic() + 30
            while len(shown) < 40 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            flipper.join(10)
            program.stop()
            assert program.join(10)
    assert len(shown) >= 40, "the preview was hardly ever shown: the race was not tried"
    assert [r.getMessage() for r in caplog.records if "preview" in r.getMessage()] == []
