"""Ctrl+C in the console's terminal, and SIGTERM (a shutdown, a supervisor), close it the orderly way.

Without this the window ignored Ctrl+C, and SIGTERM killed it outright: the session was never ended in the log and a
recording stopped mid-fragment. Now either one closes the console as the window does when told to leave the room on:
the session ends and is logged, the recording finishes its file. The room is left as it is (a signal is no answer to
"turn the room off?"). A second signal restores the default, so a console stuck closing can still be stopped.

Python runs a signal handler only between bytecodes, and Qt's loop waits in C: a light timer lets Python in a few
times a second, so the handler runs within a fraction of a second even when nothing else is happening.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QTimer

SIGNALS = (signal.SIGINT, signal.SIGTERM)
TICK_MS = 250


def quit_on_signals(quit_now: Callable[[], None], owner: QObject) -> Callable[[], None]:
    """Calls ``quit_now`` on the loop's thread at the first SIGINT/SIGTERM; returns the undo (handlers restored)."""
    loop = asyncio.get_running_loop()
    previous = {number: signal.getsignal(number) for number in SIGNALS}
    tick = QTimer(owner)
    tick.timeout.connect(lambda: None)  # only to let the interpreter run pending handlers
    tick.start(TICK_MS)

    def restore() -> None:
        tick.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)

    def heard(_number: int, _frame: FrameType | None) -> None:
        for number in SIGNALS:
            signal.signal(number, signal.SIG_DFL)  # a second one stops it at once
        loop.call_soon_threadsafe(quit_now)  # not from inside whatever the handler interrupted

    for number in SIGNALS:
        signal.signal(number, heard)
    return restore
