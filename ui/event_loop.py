"""The window's asyncio loop: qasync's, with asyncio's own ready queue for ``call_soon``.

qasync runs every ``call_soon`` callback through a Qt timer of its own (``startTimer(0)``, a ``timerEvent`` into
Python, ``killTimer``) after checking with ``inspect`` that it is no coroutine function, and every
``call_soon_threadsafe`` through a queued Qt signal of its own: 20-25 us of the Qt thread's CPU a callback where
asyncio's own loop takes 2. Polling a room of 100 devices ran about 900 of them a second on the Qt thread (a store
write's result, a task's step, the device thread's news), so that thread spent its time scheduling rather than
showing. Here callbacks wait in a deque as in asyncio, and one Qt timer a turn runs those queued before it started
(the ones they queue run on the next turn, so Qt's own events keep their place); threads add theirs to a locked
list, and only the first of a turn wakes the Qt thread.
"""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import Callable
from contextvars import Context
from typing import Any

import qasync
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from classroom_console.media import kernel_slice


class _Wake(QObject):
    """Crosses from any thread to the Qt thread (a queued connection): "callbacks are waiting"."""

    ring = Signal()


class ConsoleEventLoop(qasync.QEventLoop):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        kernel_slice.shorten()  # this thread runs the window: on a busy PC it waits less for its turn
        self._ready: collections.deque[asyncio.Handle] = collections.deque()
        self._turn_due = False
        self._from_threads: list[asyncio.Handle] = []
        self._from_threads_lock = threading.Lock()
        self._woken = False
        self._wake = _Wake()
        self._wake.ring.connect(self._take_from_threads, Qt.ConnectionType.QueuedConnection)

    def call_soon(self, callback: Callable[..., Any], *args: Any, context: Context | None = None) -> asyncio.Handle:
        handle = asyncio.Handle(callback, args, self, context=context)
        self._ready.append(handle)
        self._turn_soon()
        return handle

    def call_soon_threadsafe(self, callback: Callable[..., Any], *args: Any,
                             context: Context | None = None) -> asyncio.Handle:
        handle = asyncio.Handle(callback, args, self, context=context)
        with self._from_threads_lock:
            self._from_threads.append(handle)
            ring, self._woken = not self._woken, True
        if ring:
            self._wake.ring.emit()
        return handle

    def _take_from_threads(self) -> None:
        with self._from_threads_lock:
            handles, self._from_threads, self._woken = self._from_threads, [], False
        self._ready.extend(handles)
        self._turn_soon()

    def _turn_soon(self) -> None:
        if not self._turn_due and self._ready:
            self._turn_due = True
            self._add_callback(asyncio.Handle(self._turn, (), self), 0)

    def _turn(self) -> None:
        """Runs the callbacks queued before this turn began, in order, as asyncio's ``_run_once`` does.

        A callback may run a nested Qt loop (a modal dialog), whose turns take from the same queue: this one stops
        when the queue is empty, and the next turn is asked for whatever happens."""
        self._turn_due = False
        try:
            for _ in range(len(self._ready)):
                if not self._ready:
                    break
                handle = self._ready.popleft()
                if not handle._cancelled:
                    handle._run()
        finally:
            self._turn_soon()
