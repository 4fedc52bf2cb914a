"""A named thread with a stop flag, so every media thread starts, stops and joins the same way."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Worker:
    """Runs ``body(stop)`` on its own thread; an exception is kept for the owner, never lost."""

    def __init__(self, name: str, body: Callable[[threading.Event], None]) -> None:
        self.name = name
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self._body = body
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._done_callbacks: list[Callable[[], None]] = []

    def on_done(self, callback: Callable[[], None]) -> None:
        """Called on the worker thread as it ends (after ``body`` returns or raises)."""
        self._done_callbacks.append(callback)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread.ident is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def alive_check(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            self._body(self.stop_event)
        except BaseException as exc:
            log.exception("%s failed", self.name)
            self.error = exc
        finally:
            for callback in self._done_callbacks:
                try:
                    callback()
                except Exception:
                    log.exception("%s: done callback failed", self.name)
