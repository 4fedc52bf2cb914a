"""The stall meter sees a main thread held up: its longest stall and its 99th percentile of latency."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from ui.stall_meter import StallMeter


def test_a_held_up_main_thread_is_the_longest_stall(qtbot: QtBot) -> None:
    meter = StallMeter(interval_ms=5)
    meter.start()
    held: list[float] = []

    def hold_up() -> None:
        started = time.perf_counter()
        while time.perf_counter() - started < 0.12:  # busy, as a slow slot would be
            pass
        held.append(time.perf_counter() - started)

    QTimer.singleShot(100, hold_up)
    qtbot.waitUntil(lambda: bool(held) and meter.ticks > 60, timeout=30_000)
    meter.stop()
    assert meter.longest_ms >= 100, meter.longest_ms
    assert len(meter.late_s) == meter.ticks
    assert meter.p99_ms <= meter.longest_ms
    assert meter.percentile_ms(100) == meter.longest_ms
    assert meter.percentile_ms(50) < 100  # one stall among many punctual ticks is not the median


def test_no_ticks_no_figures(qtbot: QtBot) -> None:
    meter = StallMeter()
    assert meter.p99_ms == 0.0 and meter.longest_ms == 0.0
