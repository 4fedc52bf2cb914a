"""Ctrl+C in the console's terminal, and SIGTERM (a shutdown, a supervisor), close it the orderly way.

Without this the window ignored Ctrl+C, and SIGTERM killed it outright: the session was never ended in the log and a
recording stopped mid-fragment. Now either one closes the console as the window does when told to leave the room on:
the session ends and is logged, the recording finishes its file. The room is left as it is (a signal is no answer to
"turn the room off?"). A second signal restores the default, so a console stuck closing can still be stopped.

Python runs a signal handler only between bytecodes, and Qt's loop waits in C: a light timer lets Python in a few
times a second, and that timer, not the handler, calls ``quit_now``. The handler only notes the signal: it runs on the
main thread at whatever point it interrupted, and anything that takes a lock there (``call_soon_threadsafe`` takes the
window loop's) could wait for the very code it interrupted, for ever.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QTimer

SIGNALS = (signal.SIGINT, signal.SIGTERM)
TICK_MS = 250


def quit_on_signals(quit_now: Callable[[], None], owner: QObject) -> Callable[[], None]:
    """Calls ``quit_now`` on the Qt thread, from a timer, after the first SIGINT/SIGTERM; returns the undo."""
    previous = {number: signal.getsignal(number) for number in SIGNALS}
    heard_one: list[int] = []  # appending takes no lock of ours
    tick = QTimer(owner)

    def check() -> None:  # the interpreter runs pending handlers as this starts; then it looks
        if heard_one:
            tick.stop()
            quit_now()

    tick.timeout.connect(check)
    tick.start(TICK_MS)

    def restore() -> None:
        tick.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)

    def heard(number: int, _frame: FrameType | None) -> None:
        for each in SIGNALS:
            signal.signal(each, signal.SIG_DFL)  # a second one stops it at once
        heard_one.append(number)

    for number in SIGNALS:
        signal.signal(number, heard)
    return restore
