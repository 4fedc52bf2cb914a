"""One x264 child (x264_apart.py) started before the recording that will need it.

Started with the recording, the child's imports (0.4-1 s, longer on a busy PC) came while the first pictures waited
in the encoder's queue, and a 0.2 s queue skipped the rest: every x264_apart recording lost its first second. The
Studio keeps one child ready from the moment its program runs; a recording takes it, and the next one is started
when that recording ends. Taking is cheap and never blocks; starting and ending are process calls, for a worker.

A waiting child that dies (killed, the kernel's out-of-memory killer) is replaced at once by a thread that watches
it (a pidfd: it reaps nothing), so the next recording still finds one ready; a few deaths in a row with no recording
between them (a child that cannot start) stop the replacing, and a recording then starts its own.
"""

from __future__ import annotations

import logging
import os
import select
import threading

from .x264_apart import Child, end, spawn

log = logging.getLogger(__name__)

RESTARTS = 3  # waiting children replaced in a row, no recording between them
WATCH_S = 0.5  # how soon a watcher sees that its child was taken or the spare closed (and ends)


class X264Spare:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: Child | None = None
        self._closed = False
        self._restarts = 0

    def warm(self) -> None:
        """A child started unless one is waiting (blocking: a process's start); none once ``close``d."""
        with self._lock:
            if self._closed or (self._child is not None and self._child.process.poll() is None):
                return
            dead, child = self._child, spawn()
            self._child = child
        threading.Thread(target=self._watch, args=(child,), name="x264-spare-watch", daemon=True).start()
        if dead is not None:
            end(dead)

    def _waiting(self, child: Child) -> bool:
        with self._lock:
            return self._child is child and not self._closed

    def _watch(self, child: Child) -> None:
        """While ``child`` waits as the spare: if it dies, another is started (``RESTARTS`` in a row at most)."""
        try:
            pidfd = os.pidfd_open(child.process.pid)
        except ProcessLookupError:  # gone already
            pidfd = -1
        except OSError:  # no pidfds here (Linux before 5.3): a recording starts its own child, as before
            return
        try:
            while pidfd >= 0 and self._waiting(child):
                if select.select([pidfd], [], [], WATCH_S)[0]:
                    break
        finally:
            if pidfd >= 0:
                os.close(pidfd)
        with self._lock:
            if self._child is not child or self._closed or self._restarts >= RESTARTS:
                return
            self._restarts += 1
        log.warning("the waiting x264 child ended (%s): another is started", child.process.poll())
        self.warm()

    def take(self) -> Child | None:
        """The waiting child, now the caller's (None if there is none, or it died: the caller starts its own)."""
        with self._lock:
            child, self._child = self._child, None
            self._restarts = 0  # a recording came: the children start
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
