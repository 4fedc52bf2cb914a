"""One clock for every capture stamp, so audio and video line up by time, not by counting frames."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    def join(self) -> None:
        """A paced thread is about to start (the simulated clock waits for it)."""
        ...

    def leave(self) -> None: ...

    def sleep_until(self, t: float, stop: threading.Event | None = None) -> bool:
        """Wait until ``t``; False when ``stop`` was set first."""
        ...

    def wait_for(self, ready: Callable[[], bool], nudge: threading.Event, earliest: float, deadline: float,
                 stop: threading.Event) -> bool:
        """From ``earliest`` on, wait until ``ready()`` (checked whenever ``nudge`` is set) or ``deadline``;
        False when ``stop`` was set first."""
        ...


class MonotonicClock:
    """The real clock: ``time.monotonic`` seconds; stoppable sleeps."""

    def now(self) -> float:
        return time.monotonic()

    def join(self) -> None:
        pass

    def leave(self) -> None:
        pass

    def sleep_until(self, t: float, stop: threading.Event | None = None) -> bool:
        delay = t - time.monotonic()
        if stop is None:
            if delay > 0:
                time.sleep(delay)
            return True
        if delay <= 0:
            return not stop.is_set()
        return not stop.wait(delay)

    def wait_for(self, ready: Callable[[], bool], nudge: threading.Event, earliest: float, deadline: float,
                 stop: threading.Event) -> bool:
        if not self.sleep_until(earliest, stop):
            return False
        while not stop.is_set():
            nudge.clear()  # before the check: a nudge during it is not lost
            if ready():
                return True
            delay = deadline - time.monotonic()
            if delay <= 0:
                return True
            nudge.wait(min(delay, 0.05))  # bounded, so a stop is seen soon
        return False


SAME_INSTANT_S = 1e-6  # wake-ups closer than this are one instant (tick * period and t + latency differ by rounding)


class SimulatedClock:
    """Virtual time for faster-than-real-time runs of the same threads.

    Every paced thread registers as a participant; time jumps to the earliest wake-up once all of them
    sleep, so the result is the same as a real-time run without waiting for it.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._cond = threading.Condition()
        self._participants = 0
        self._sleepers: list[tuple[float, int]] = []
        self._seq = itertools.count()
        self._woken: dict[int, threading.Event] = {}  # woken and not yet running again
        self._waiting: dict[int, threading.Event] = {}  # each sleeper's own wake-up: one woken, not all of them

    def now(self) -> float:
        return self._now  # a float read is atomic; no lock, so the event loop never waits on one

    def join(self) -> None:
        with self._cond:
            self._participants += 1

    def leave(self) -> None:
        with self._cond:
            self._participants -= 1
            self._advance()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Time stands still inside: its caller counts as a paced thread that is running. A recording attached to
        a program on this clock starts at the instant it was asked for, not as many frames later as the program's
        threads slept through while a busy machine ran the caller's set-up (the sources' flashes and beeps a
        run measures fell elsewhere in the file, or out of it)."""
        self.join()
        try:
            yield
        finally:
            self.leave()

    def sleep_until(self, t: float, stop: threading.Event | None = None) -> bool:
        if stop is not None and stop.is_set():
            return False
        with self._cond:
            if t <= self._now:
                return True
            ticket = next(self._seq)
            wake = self._waiting[ticket] = threading.Event()
            heapq.heappush(self._sleepers, (t, ticket))
            self._advance()
        while not wake.wait(0.05):
            if stop is not None and stop.is_set():
                with self._cond:
                    if not wake.is_set():
                        self._sleepers = [s for s in self._sleepers if s[1] != ticket]
                        heapq.heapify(self._sleepers)
                        del self._waiting[ticket]
                        return False
                break
        with self._cond:
            self._woken.pop(ticket, None)
        return True

    def wait_for(self, ready: Callable[[], bool], nudge: threading.Event, earliest: float, deadline: float,
                 stop: threading.Event) -> bool:
        """Always the whole way to ``deadline``: virtual waiting costs nothing, and it keeps a run reproducible
        (what is ready early depends on thread scheduling)."""
        return self.sleep_until(deadline, stop)

    def _advance(self) -> None:
        """Called with the lock held: once nobody is running, wake every sleeper due at the earliest instant
        together (two cameras' frames of one instant are drawn side by side, as in real time)."""
        if not self._sleepers or len(self._sleepers) + len(self._woken) < self._participants:
            return
        if self._woken:
            return
        t = self._sleepers[0][0]
        self._now = max(self._now, t)
        while self._sleepers and self._sleepers[0][0] <= t + SAME_INSTANT_S:
            _, ticket = heapq.heappop(self._sleepers)
            wake = self._woken[ticket] = self._waiting.pop(ticket)
            wake.set()
