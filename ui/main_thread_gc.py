"""Python's cycle collector runs in whichever thread happens to allocate. When a cycle holds Qt objects (a widget
and a slot that refers back to it) and the store's writer, a preview or an encoder thread sets the collection off,
the widgets' C++ destructors run off the GUI thread, in the middle of its painting: a crash at a random moment.
So the automatic collector is switched off and the same thresholds are checked on a timer in the Qt thread."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 50  # checked often: at 250 ms a filling window's youngest generation held 10,000 objects, 5-13 ms to collect


def collect_due() -> int:
    """Collect the oldest generation whose count passed its threshold (as the automatic collector would)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [gen for gen in (2, 1, 0) if counts[gen] > thresholds[gen]]
    return gc.collect(due[0]) if due else 0


class MainThreadCollector(QObject):
    """Owns the collection for the application's lifetime; ``stop`` hands it back to Python."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.setObjectName("main-thread-gc")  # named for bench/ui_stall.py's trace
        self._timer.timeout.connect(collect_due)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def freeze_long_lived() -> None:
    """Once the console is up: what exists now (modules, classes, the window, the core) lives as long as the app,
    so later collections skip it (``gc.freeze``). A full collection over those ~100,000 objects held the Qt thread
    for 30-80 ms whenever the oldest generation came due; now it walks only what was made since."""
    gc.freeze()
