"""One x264 child (x264_apart.py) started before the recording that will need it.

Started with the recording, the child's imports (0.4-1 s, longer on a busy PC) came while the first pictures waited
in the encoder's queue, and a 0.2 s queue skipped the rest: every x264_apart recording lost its first second. The
Studio keeps one child ready from the moment its program runs; a recording takes it, and the next one is started
when that recording ends. Taking is cheap and never blocks; starting and ending are process calls, for a worker.
"""

from __future__ import annotations

import select
import threading

from .x264_apart import Child, end, spawn


class X264Spare:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: Child | None = None
        self._closed = False

    def warm(self) -> None:
        """A child started unless one is waiting (blocking: a process's start); none once ``close``d."""
        with self._lock:
            if self._closed or (self._child is not None and self._child.process.poll() is None):
                return
            dead, self._child = self._child, spawn()
        if dead is not None:
            end(dead)

    def take(self) -> Child | None:
        """The waiting child, now the caller's (None if there is none, or it died: the caller starts its own)."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None and child.process.poll() is not None:
            end(child)
            return None
        return child

    def ready(self) -> bool:
        """A child waits with its imports done (it has said so): a recording taking it loses no picture to it."""
        with self._lock:
            child = self._child
            if child is None or child.process.poll() is not None or child.process.stdout is None:
                return False
            readable, _, _ = select.select([child.process.stdout], [], [], 0)
            return bool(readable)

    def close(self) -> None:
        """Ends the waiting child and starts no other (blocking, bounded: a worker's call)."""
        with self._lock:
            self._closed = True
            child, self._child = self._child, None
        if child is not None:
            end(child)
