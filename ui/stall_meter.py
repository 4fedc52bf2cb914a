"""Measures how long the Qt main thread went without running its event loop: what a user feels as a freeze."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer


class StallMeter(QObject):
    """A precise timer that should fire every ``interval_ms``; the worst lateness is the longest stall.

    Every tick's lateness is kept too (a few thousand floats for a bench's seconds), so a bench can print the
    99th percentile of the event loop's latency beside the single worst stall.
    """

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_s = interval_ms / 1000
        self.longest_s = 0.0
        self.ticks = 0
        self.late_s: list[float] = []
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.setObjectName("stall-meter")
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.longest_s, self.ticks = 0.0, 0
        self.late_s = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = max(0.0, now - self._last - self.interval_s)
        self.longest_s = max(self.longest_s, late)
        self.late_s.append(late)
        self._last = now
        self.ticks += 1

    @property
    def longest_ms(self) -> float:
        return self.longest_s * 1000

    def percentile_ms(self, q: float) -> float:
        """The ``q``-th percentile (0-100) of the ticks' lateness, nearest rank; 0 before any tick."""
        if not self.late_s:
            return 0.0
        ranked = sorted(self.late_s)
        return ranked[min(len(ranked) - 1, max(0, round(q / 100 * len(ranked)) - 1))] * 1000

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)
