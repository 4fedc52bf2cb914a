"""A room's writes to its session log (device rows, readings, session events), gathered and written together.

Why: each device change was two or three store round trips (a task, a future and a wake-up of the window's loop
each; a transaction and its fsync each on the writer thread): 100 devices polled every second made ~200 tasks a
second on the window's thread and as many GIL hand-offs with the writer. Here a change is an entry in a list, and
``WRITE_AFTER_S`` after the first one all of them go to the store in one call and one transaction. Order holds:
one batch at a time, device rows before readings (their foreign key), events in the order they happened, each
stamped when it happened (the wait never shifts its time). A crash loses at most the last ``WRITE_AFTER_S``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

from devices.model import DeviceInfo

from .records import Event, Reading

WRITE_AFTER_S = 0.25
FLUSH_ROUNDS = 1000  # flush() writes at least one batch a round; bounded all the same


class NewsStore(Protocol):
    async def save_news(
        self,
        devices: Sequence[tuple[DeviceInfo, str | None]] = (),
        readings: Sequence[Reading] = (),
        events: Sequence[Event] = (),
    ) -> None: ...


class RoomWrites:
    """Queue-and-return; ``await flush()`` when they must be in the store. A write the store refuses reaches
    ``on_failure`` (once per distinct error a batch), never the caller, who is relaying a device's news."""

    def __init__(
        self, store: NewsStore, on_failure: Callable[[Exception], None], *, after_s: float = WRITE_AFTER_S
    ) -> None:
        self._store = store
        self._on_failure = on_failure
        self._after_s = after_s
        self._devices: dict[str, tuple[DeviceInfo, str | None]] = {}  # a device's latest row only
        self._readings: list[Reading] = []
        self._events: list[Event] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writer: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Writes queued and not yet handed to the store."""
        return len(self._devices) + len(self._readings) + len(self._events)

    def device(self, info: DeviceInfo, room_id: str | None) -> None:
        self._devices[info.uid] = (info, room_id)
        self._due()

    def reading(self, reading: Reading) -> None:
        self._readings.append(reading)
        self._due()

    def event(self, event: Event) -> None:
        self._events.append(event)
        self._due()

    async def flush(self) -> None:
        """Write everything queued so far now; returns once it is in the store (or told as failed)."""
        for _ in range(FLUSH_ROUNDS):
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._writer is not None:
                await asyncio.shield(self._writer)  # the writer tells its own failures; a cancelled flush leaves it
            elif self.waiting:
                self._start()
            else:
                return

    def _due(self) -> None:
        if self._timer is None and self._writer is None:
            self._timer = asyncio.get_running_loop().call_later(self._after_s, self._start)

    def _start(self) -> None:
        self._timer = None
        if self._writer is None and self.waiting:
            self._writer = asyncio.get_running_loop().create_task(self._write(), name="room-writes")

    async def _write(self) -> None:
        devices, readings, events = list(self._devices.values()), self._readings, self._events
        self._devices, self._readings, self._events = {}, [], []
        try:
            try:
                await self._store.save_news(devices, readings, events)
            except Exception:
                await self._one_by_one(devices, readings, events)
        finally:
            self._writer = None
        if self.waiting:
            self._due()  # what came meanwhile waits its own while: one batch at a time keeps the order

    async def _one_by_one(
        self, devices: list[tuple[DeviceInfo, str | None]], readings: list[Reading], events: list[Event]
    ) -> None:
        """One bad write (an event of an unknown session) must not sink its neighbours: each alone."""
        told: set[tuple[type, str]] = set()
        ones = ([((d,), (), ()) for d in devices] + [((), (r,), ()) for r in readings]
                + [((), (), (e,)) for e in events])
        for one in ones:
            try:
                await self._store.save_news(*one)
            except Exception as exc:
                if (type(exc), str(exc)) not in told:  # a full disk says so once, not once a row
                    told.add((type(exc), str(exc)))
                    self._on_failure(exc)
