"""Shows what students send at most once an interval, however fast it comes.

A class of tablets can send hundreds of messages a second (a hostile one thousands: E3 froze the window for
25 s with hands toggled just under the tablets' rate), and every message is news for the panel. Redrawing on each
one spends the window's loop on pictures nobody sees; a gate draws a lone change at once and, during a burst,
only the latest state once its interval is over.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class FrameGate(QObject):
    """``due()`` asks for ``draw``: at once when the gate is idle, else once at the interval's end."""

    def __init__(self, interval_ms: int, draw: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._draw = draw
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._interval_over)

    def due(self) -> None:
        if self._timer.isActive():
            self._pending = True
            return
        self._draw()
        self._timer.start()

    def active(self) -> bool:
        """Within an interval: a change now would wait for its end."""
        return self._timer.isActive()

    def _interval_over(self) -> None:
        if self._pending:
            self._pending = False
            self._draw()
            self._timer.start()  # the burst may go on: the next draw waits a whole interval again
