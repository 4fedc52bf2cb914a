"""Python's cycle collector runs in whichever thread happens to allocate. When a cycle holds Qt objects (a widget
and a slot that refers back to it) and the store's writer, a preview or an encoder thread sets the collection off,
the widgets' C++ destructors run off the GUI thread, in the middle of its painting: a crash at a random moment.
So the automatic collector is switched off and the same thresholds are checked on a timer in the Qt thread."""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

CHECK_MS = 50  # checked often: at 250 ms a filling window's youngest generation held 10,000 objects, 5-13 ms to collect


_young_only_until = 0.0  # time.monotonic() before which only generation 0 is collected


def young_only(seconds: float) -> None:
    """For the next ``seconds``: collect generation 0 only. A window making many long-lived widgets (100 device cards
    filling in) moved thousands of objects into generation 1, whose collections then held the Qt thread 5-8 ms
    each, every few hundred ms; they are settled at once by ``settle_young()`` when the work ends. A hold not renewed
    lapses by itself (a window closed mid-fill leaves none behind)."""
    global _young_only_until
    _young_only_until = time.monotonic() + seconds if seconds > 0 else 0.0


def settle_young() -> None:
    """The work that made them is done: the older generations are collected as before, when due. Nothing is frozen
    here: what is alive at that moment is not only the new widgets but whatever else the app is doing (a recording's
    encoder and its outputs, tasks in flight), which a freeze would keep for good once it became cyclic garbage; only
    start-up freezes (``freeze_long_lived``), before any of that exists (review R4)."""
    young_only(0)


def collect_due() -> int:
    """Collect the oldest generation whose count passed its threshold (as the automatic collector would)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [gen for gen in (2, 1, 0) if counts[gen] > thresholds[gen]]
    if due and due[0] > 0 and time.monotonic() < _young_only_until:
        due = [0] if counts[0] > thresholds[0] else []
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
