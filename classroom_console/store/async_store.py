"""The asyncio face of the store: one writer thread owns the connection; the loop never touches SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from classroom_console.thread_results import settle_from_thread
from devices.model import DeviceInfo

from .database import Store, open_store
from .disk_errors import disk_error
from .errors import StoreClosedError, StoreUnavailableError
from .folder_lock import FolderLock
from .problem import StoreProblem, problem_of
from .records import Event, Reading
from .reserve import release_reserve

T = TypeVar("T")
MAX_EVENT_BATCH = 500


@dataclass(slots=True)
class _Call:
    fn: Callable[[Store], Any]
    future: asyncio.Future[Any]


@dataclass(slots=True)
class _AddEvent:
    event: Event
    future: asyncio.Future[int]


_Job = _Call | _AddEvent | None  # None stops the writer once everything before it is done


class AsyncStore:
    """Await-able store calls, FIFO; events queued together are committed in one transaction."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        # SimpleQueue.put never blocks and takes no Python-level lock, so the loop can't stall on it.
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Future[None] = loop.create_future()
        self._closing = False
        self.notice: str | None = None  # what the user must be told about the log, in English for the log
        self.problem: StoreProblem | None = None  # the same for the user's own words; also the last disk failure
        # Whether this process is the folder's first console: only it closes what a crash left open.
        self.tidies_after_crash = False
        self._folder_lock: FolderLock | None = None

    @classmethod
    async def open(
        cls, data_dir: str | os.PathLike[str] | None = None, *, synchronous: str = "FULL"
    ) -> AsyncStore:
        """Start the writer thread and open (and migrate, or recover) the file on it."""
        store = cls(asyncio.get_running_loop())
        opened: asyncio.Future[StoreProblem | None] = store._loop.create_future()
        store._thread = threading.Thread(
            target=store._run, args=(data_dir, synchronous, opened), name="store-writer", daemon=True
        )
        store._thread.start()
        try:
            store.problem = await opened
            store.notice = store.problem.detail if store.problem is not None else None
        except BaseException:
            await store._join()
            raise
        return store

    # the writer thread

    def _post(
        self, future: asyncio.Future[Any], result: Any = None, error: BaseException | None = None
    ) -> None:
        settle_from_thread(self._loop, future, result, error)

    def _run(
        self, data_dir: str | os.PathLike[str] | None, synchronous: str, opened: asyncio.Future[Any]
    ) -> None:
        try:
            try:
                store = open_store(data_dir, synchronous=synchronous)
            except BaseException as exc:
                self._post(opened, error=exc)
                return
            self._folder_lock = FolderLock(store.path.parent)
            try:
                self.tidies_after_crash = self._folder_lock.try_acquire()
            except OSError:  # a lock file that cannot be made: behave as the only console, as before
                self.tidies_after_crash = True
            self._post(opened, store.problem)
            try:
                self._serve(store)
            finally:
                store.close()
                self._folder_lock.release()
        finally:
            self._post(self._stopped)

    def _serve(self, store: Store) -> None:
        job = self._jobs.get()
        while job is not None:
            if isinstance(job, _Call):
                self._settle(job.future, store, job.fn)
                job = self._jobs.get()
                continue
            batch = [job]
            job = self._next_nowait()
            while isinstance(job, _AddEvent) and len(batch) < MAX_EVENT_BATCH:
                batch.append(job)
                job = self._next_nowait()
            self._write_events(store, batch)
            if job is _EMPTY:
                job = self._jobs.get()

    def _settle(self, future: asyncio.Future[Any], store: Store, fn: Callable[[Store], Any]) -> None:
        """Run ``fn``; on a full disk, give up the reserve and try once more before telling the caller."""
        try:
            self._post(future, fn(store))
            return
        except Exception as exc:
            told = _told(exc, store)
        if isinstance(told, StoreUnavailableError) and told.reason == "disk_full" and release_reserve(store.path):
            try:
                self._post(future, fn(store))
                return
            except Exception as again:
                told = _told(again, store)
        if isinstance(told, StoreUnavailableError):
            self.problem = problem_of(told, store.path) or self.problem  # one reference: the loop reads it whole
        self._post(future, error=told)

    def _next_nowait(self) -> Any:
        try:
            return self._jobs.get_nowait()
        except queue.Empty:
            return _EMPTY

    def _write_events(self, store: Store, batch: list[_AddEvent]) -> None:
        try:
            ids = store.add_events([j.event for j in batch])
        except Exception:
            # One bad event (say an unknown session id) must not sink its neighbours: retry one by one.
            for j in batch:
                self._settle(j.future, store, functools.partial(_add_one, event=j.event))
            return
        for j, row_id in zip(batch, ids, strict=True):
            self._post(j.future, row_id)

    # the loop side

    def _submit(self, job: _Call | _AddEvent) -> None:
        if self._closing:
            raise StoreClosedError("the store is closed")
        self._jobs.put(job)

    async def call(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` on the writer thread, in order with every other call."""
        future: asyncio.Future[T] = self._loop.create_future()
        self._submit(_Call(fn, future))
        return await future

    async def add_event(
        self,
        session_id: str | None,
        device_uid: str | None,
        kind: str,
        payload: Mapping[str, Any] | None = None,
    ) -> int:
        """Stamped now, on the loop, so queueing delay never shifts the event's time."""
        future: asyncio.Future[int] = self._loop.create_future()
        self._submit(_AddEvent(Event(session_id, device_uid, kind, dict(payload or {})), future))
        return await future

    async def upsert_device(self, info: DeviceInfo, room_id: str | None = None) -> None:
        await self.call(lambda s: s.upsert_device(info, room_id))

    async def save_news(
        self,
        devices: Sequence[tuple[DeviceInfo, str | None]] = (),
        readings: Sequence[Reading] = (),
        events: Sequence[Event] = (),
    ) -> None:
        """A room's gathered writes in one call and one transaction (``room_writes.RoomWrites``)."""
        await self.call(functools.partial(Store.save_news, devices=devices, readings=readings, events=events))

    async def forget_device(self, uid: str) -> None:
        await self.call(lambda s: s.forget_device(uid))

    async def choose_device(self, info: DeviceInfo, choice: bool | None) -> None:
        await self.call(lambda s: s.choose_device(info, choice))

    async def set_room_choice(self, uid: str, choice: bool | None) -> bool:
        return await self.call(lambda s: s.set_room_choice(uid, choice))

    async def known_devices(self) -> list[dict[str, Any]]:
        return await self.call(Store.known_devices)

    async def room_words(self, seen: int | None) -> tuple[int, dict[str, bool] | None]:
        return await self.call(lambda s: s.room_words(seen))

    async def record_device_reading(
        self,
        device_uid: str,
        *,
        power: str | None = None,
        lamp_hours: Sequence[int] = (),
        error_status: Mapping[str, str] | None = None,
    ) -> int:
        return await self.call(
            lambda s: s.record_device_reading(
                device_uid, power=power, lamp_hours=lamp_hours, error_status=error_status
            )
        )

    async def start_session(
        self, *, room_id: str | None = None, lecturer: str = "", course: str = "", kind: str = ""
    ) -> str:
        return await self.call(
            lambda s: s.start_session(room_id=room_id, lecturer=lecturer, course=course, kind=kind)
        )

    async def end_session(self, session_id: str, status: str = "ended") -> None:
        await self.call(lambda s: s.end_session(session_id, status))

    async def running_session(self) -> dict[str, Any] | None:
        return await self.call(lambda s: s.running_session())

    async def events(self, session_id: str | None) -> list[dict[str, Any]]:
        return await self.call(lambda s: s.events(session_id))

    async def add_recording(
        self, session_id: str | None, path: str, *, layout: str = "", sources: Sequence[str] = ()
    ) -> str:
        return await self.call(lambda s: s.add_recording(session_id, path, layout=layout, sources=sources))

    async def add_marker(
        self, recording_id: str, at_s: float, label: str, session_id: str | None = None
    ) -> int:
        return await self.call(lambda s: s.add_marker(recording_id, at_s, label, session_id))

    async def enqueue_upload(self, item_kind: str, item_id: str) -> int:
        return await self.call(lambda s: s.enqueue_upload(item_kind, item_id))

    async def close(self) -> None:
        """Finish every queued write, close the connection and join the thread."""
        if not self._closing:
            self._closing = True
            self._jobs.put(None)
        await self._join()

    async def _join(self) -> None:
        """Wait for the thread without a blocking join: it signals, then we poll it out."""
        thread = self._thread
        if thread is None:
            return
        await asyncio.shield(self._stopped)
        # The thread has posted its last word; these few polls cover its exit without a blocking join.
        while thread.is_alive():  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        thread.join(timeout=0)


_EMPTY: Any = object()


def _add_one(store: Store, event: Event) -> int:
    return store.add_events([event])[0]


def _told(exc: Exception, store: Store) -> Exception:
    """A full disk or a read-only folder reaches the caller as StoreUnavailableError (one line, a reason code)."""
    told = disk_error(exc, store.path)
    if told is None:
        return exc
    if store.db.conn.in_transaction:
        with contextlib.suppress(Exception):  # the connection may be past saving; the next call will say so
            store.db.conn.rollback()  # a failed write must not leave a half transaction for the next call
    told.__cause__ = exc
    return told
