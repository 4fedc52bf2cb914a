"""The room's devices on an asyncio loop of their own, in a worker thread: polling is never the window's work.

Why: in the GUI the room's loop runs inside Qt's main thread (qasync), so every poll reply's Python work (reading
the socket, parsing PJLink, the driver's state, the comparisons) was main-thread time, and 100 projectors held
the window up by 50-120 ms. Here the drivers, discovery and device notifications run on the device loop; what they
tell the Room crosses to the room's loop in batches (one wake-up per batch, only each device's latest state, an
unchanged state never, at most ``FLUSH_BUDGET_S`` of it per turn of the loop), and the room's callers (the bridge,
scenes, closing) await ``RoomDevicesThread``'s methods as they awaited ``RoomDevices``' own. The Room, the store,
the session and the event bus stay on the room's loop, so the bus still speaks on one thread.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from classroom_console.device_news import changed_fields
from classroom_console.events import ErrorCode
from classroom_console.room import Room
from classroom_console.room_devices import DeviceCommandError, DeviceStore, RoomDevices
from classroom_console.store.records import Reading
from devices.driver import Command
from devices.model import DeviceInfo

if TYPE_CHECKING:
    from devices.discovery import FinderConfig

log = logging.getLogger(__name__)
T = TypeVar("T")
FLUSH_BUDGET_S = 0.002  # the room's loop applies at most this much of a batch per turn, the rest the next turn (in the
# window, that turn also builds cards, relays changes and paints: their sum is what a user waits for)
WAKE_EVERY_S = 0.016  # the room's loop is woken for the device thread's news at most once a frame
STOP_WITHIN_S = 15.0


class RoomLink:
    """The Room as the device thread sees it: reads go to it in place; every change is queued for the room's loop."""

    def __init__(self, room: Room, loop: asyncio.AbstractEventLoop) -> None:
        self._room = room
        self._loop = loop
        self._lock = threading.Lock()
        self._ops: collections.deque[str | Callable[[], None]] = collections.deque()  # a str: that device's update
        self._due: dict[str, DeviceInfo] = {}
        self._applying: dict[str, DeviceInfo] = {}  # taken from _due, not yet in the room's devices
        self._leaving: set[str] = set()  # removals queued, not yet applied: the room's copy of them is no measure
        self._posted = False
        self._flushed_at = 0.0  # when the room's loop last took a batch (time.monotonic)

    @property
    def devices(self) -> dict[str, DeviceInfo]:
        return self._room.devices

    def update_device(self, device: DeviceInfo) -> None:
        with self._lock:
            shown = None if device.uid in self._leaving else (
                self._due.get(device.uid) or self._applying.get(device.uid) or self._room.devices.get(device.uid))
            if shown is not None and not changed_fields(shown, device):
                return  # nothing new: the room's loop never hears of it
            if device.uid not in self._due:
                self._ops.append(device.uid)
            self._due[device.uid] = device
            self._wake()

    def report_error(self, source: str, message: str, code: str = ErrorCode.OTHER) -> None:
        self._queue(lambda: self._room.report_error(source, message, code))

    def log_event(self, device_uid: str | None, kind: str, payload: dict[str, Any]) -> None:
        self._queue(lambda: self._room.log_event(device_uid, kind, payload))

    def note_reading(self, reading: Reading) -> None:
        self._queue(lambda: self._room.note_reading(reading))

    def remove_device(self, uid: str) -> None:
        """Queued after the device's last update; one taken in again before it is applied is shown again. Its update
        still waiting is dropped with its place in the queue: a later one (taken in again) would have ridden in that
        place, before the removal, and the room dropped a device the thread drives again (R10)."""
        with self._lock:
            self._leaving.add(uid)
            if self._due.pop(uid, None) is not None:
                self._ops.remove(uid)
        self._queue(lambda: self._removed(uid))

    def _removed(self, uid: str) -> None:
        with self._lock:
            self._leaving.discard(uid)
        self._room.remove_device(uid)

    def _queue(self, op: Callable[[], None]) -> None:
        with self._lock:
            self._ops.append(op)
            self._wake()

    def _wake(self) -> None:
        """One wake-up of the room's loop per batch, at most one a frame: what comes meanwhile rides along.

        A lone change goes at once; one within ``WAKE_EVERY_S`` of the last batch waits for that frame's end, on
        the device loop's clock (a waiting batch costs the window's thread nothing; 100 devices polled each second
        woke it about 100 times a second, a change each)."""
        if self._posted:
            return
        self._posted = True
        wait = self._flushed_at + WAKE_EVERY_S - time.monotonic()
        try:
            here = asyncio.get_running_loop()  # the device loop
        except RuntimeError:  # the room's side, from no loop (as stop() may): at once
            here = self._loop
        if wait > 0 and here is not self._loop:
            here.call_later(wait, self._post)
        else:
            self._post()

    def _post(self) -> None:
        self._loop.call_soon_threadsafe(self.flush)

    def flush(self, budget_s: float | None = FLUSH_BUDGET_S) -> None:
        """On the room's loop: apply what is queued, in order, until ``budget_s`` is spent (the rest next turn)."""
        started = time.perf_counter()
        self._flushed_at = time.monotonic()
        while True:
            with self._lock:
                if not self._ops:
                    self._posted = False
                    return
                op = self._ops.popleft()
                device = self._due.pop(op) if isinstance(op, str) else None
                if device is not None:
                    self._applying[device.uid] = device
            try:
                if device is not None:
                    self._room.update_device(device)
                elif callable(op):
                    op()
            except Exception:
                log.exception("applying a device's news to the room failed")
            finally:
                if device is not None:
                    with self._lock:
                        if self._applying.get(device.uid) is device:
                            del self._applying[device.uid]
            if budget_s is not None and time.perf_counter() - started > budget_s:
                self._loop.call_soon(self.flush)  # the window gets its turn before the rest
                return


class StoreLink:
    """The store as the device thread sees it: its calls run on the room's loop, where its futures live."""

    def __init__(self, store: DeviceStore, loop: asyncio.AbstractEventLoop) -> None:
        self._store = store
        self._loop = loop

    async def known_devices(self) -> list[dict[str, Any]]:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._store.known_devices(), self._loop))

    async def choose_device(self, info: DeviceInfo, choice: bool | None) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._store.choose_device(info, choice), self._loop))

    async def room_words(self, seen: int | None) -> tuple[int, dict[str, bool] | None]:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._store.room_words(seen), self._loop))


class RoomDevicesThread(RoomDevices):
    """``RoomDevices`` whose work runs on a loop in a thread of its own; same methods, awaited from the room's loop.

    It forwards every public method to a ``RoomDevices`` made with the ``RoomLink``/``StoreLink`` (so it does not
    run ``RoomDevices.__init__`` itself); ``inner`` is that one, for tests that look inside.
    """

    def __init__(  # RoomDevices.__init__ is the inner one's: this one only carries calls across
        self,
        room: Room,
        finder_config: FinderConfig | None,
        *,
        store: DeviceStore | None = None,
        **options: Any,
    ) -> None:
        self.room = room
        self._room = room
        self.loop: asyncio.AbstractEventLoop  # made in start(); runs in self._thread
        self._room_loop: asyncio.AbstractEventLoop | None = None
        self._link: RoomLink | None = None
        self._store = store
        self._finder_config = finder_config
        self._options = options
        self._thread: threading.Thread | None = None
        self._inner: RoomDevices | None = None

    def __getattr__(self, name: str) -> Any:
        """Anything else (``passwords``, ``notifications``) is the inner one's: read, not called across."""
        if name.startswith("__") or self.__dict__.get("_inner") is None:
            raise AttributeError(name)
        return getattr(self.__dict__["_inner"], name)

    @property
    def inner(self) -> RoomDevices:
        if self._inner is None:
            raise RuntimeError("the device thread has not started")
        return self._inner

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        room_loop = asyncio.get_running_loop()
        self._room_loop = room_loop
        self._link = RoomLink(self._room, room_loop)
        store = StoreLink(self._store, room_loop) if self._store is not None else None
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="room-devices", daemon=True)
        self._thread.start()

        async def make_and_start() -> None:
            assert self._link is not None
            # Made on the device loop's thread: the finder's and the listeners' parts belong to that loop.
            self._inner = RoomDevices(self._link, self._finder_config, store=store, **self._options)
            await self._inner.start()

        try:
            await self._call(make_and_start())
        except BaseException:
            await self.stop()
            raise

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            try:
                pending = asyncio.all_tasks(self.loop)
                for task in pending:
                    task.cancel()
                if pending:
                    self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
                self.loop.run_until_complete(self.loop.shutdown_default_executor())
            finally:
                self.loop.close()

    async def stop(self) -> None:
        thread = self._thread
        if thread is None:
            return
        if self._inner is not None:
            try:
                async with asyncio.timeout(STOP_WITHIN_S):
                    await self._call(self._inner.stop())
            except Exception:
                log.exception("stopping the room's devices failed")
        self._thread = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(thread.join, STOP_WITHIN_S)
        if self._link is not None:
            self._link.flush(None)  # the last news (a device lost, an error) still reaches the room

    async def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Runs ``coro`` on the device loop; awaited here (cancelling this cancels it there)."""
        if self._thread is None:
            coro.close()
            raise RuntimeError("the device thread is not running")
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return await asyncio.wrap_future(future)
        finally:
            if self._link is not None:  # what the call logged is in the room before its caller goes on
                self._link.flush(None)

    def _soon(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._thread is not None:
            self.loop.call_soon_threadsafe(fn, *args)

    # -- what the room's side calls ---------------------------------------------------------
    @property
    def discovering(self) -> bool:
        return self._inner is not None and self._inner.discovering

    async def discover_once(self) -> None:
        await self._call(self.inner.discover_once())

    async def look_at(self, sweep: list[str]) -> None:
        await self._call(self.inner.look_at(sweep))

    async def adopt(self, info: DeviceInfo) -> None:
        await self._call(self.inner.adopt(info))

    def uids(self) -> list[str]:
        return self.inner.uids()

    async def refresh(self, uid: str) -> None:
        await self._call(self.inner.refresh(uid))

    async def command(self, uid: str, command: Command, chosen: bool = True) -> bool:
        """As ``RoomDevices.command``; a refusal is the same ``DeviceCommandError``, raised here."""
        return await self._call(self.inner.command(uid, command, chosen))

    async def settle(self, within_s: float) -> bool:
        return await self._call(self.inner.settle(within_s))

    async def power_all(self, on: bool) -> list[DeviceCommandError]:
        return await self._call(self.inner.power_all(on))

    async def choose(self, choices: Mapping[str, bool | None],
                     was: Mapping[str, bool | None] | None = None) -> None:
        await self._call(self.inner.choose(dict(choices), None if was is None else dict(was)))

    def set_room_password(self, password: str, also: Sequence[str] = ()) -> None:
        self._soon(self.inner.set_room_password, password, list(also))

    def set_password(self, uid: str, password: str) -> None:
        self._soon(self.inner.set_password, uid, password)
