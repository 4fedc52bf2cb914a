"""The Room: the one place that knows which devices are here and whether a session runs.

Everything that happens in the room goes through it, so the event bus (for the screen) and the
store (for the centre) always agree.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from typing import Any, Protocol

from classroom_console.device_news import changed_fields, state_event
from classroom_console.events import (
    DeviceChanged,
    DeviceFound,
    DeviceLost,
    DeviceRemoved,
    ErrorCode,
    ErrorRaised,
    EventBus,
    SessionEnded,
    SessionStarted,
)
from classroom_console.store.records import Event, Reading
from classroom_console.store.room_writes import NewsStore, RoomWrites
from devices.model import Availability, DeviceInfo

log = logging.getLogger(__name__)


class SessionLog(NewsStore, Protocol):
    """What the Room needs from the store; the async store satisfies it without blocking the loop."""

    async def start_session(
        self, *, room_id: str | None = None, lecturer: str = "", course: str = "", kind: str = ""
    ) -> str: ...

    async def end_session(self, session_id: str, status: str = "ended") -> None: ...

    async def forget_device(self, uid: str) -> None: ...


@dataclasses.dataclass(slots=True)
class Session:
    id: str
    lecturer: str
    course: str
    kind: str = "active-learning"


class Room:
    def __init__(
        self,
        name: str = "Room",
        log_store: SessionLog | None = None,
        room_id: str | None = None,
        *,
        remember_devices: bool = True,
    ) -> None:
        self.name = name
        self.room_id = room_id
        self.remember_devices = remember_devices  # a one-shot CLI command must not add devices to the list
        self.events = EventBus()
        self.devices: dict[str, DeviceInfo] = {}
        self.session: Session | None = None
        self._store: SessionLog | None = None
        self._writes: RoomWrites | None = None  # device rows, readings and events, written a batch at a time
        self._forgetting: set[asyncio.Task[None]] = set()  # rows of devices that left, being deleted
        if log_store is not None:
            self.attach_store(log_store)

    def attach_store(self, log_store: SessionLog) -> None:
        self._store = log_store
        self._writes = RoomWrites(log_store, self._write_failed)

    @property
    def store(self) -> SessionLog | None:
        """The session log (for parts that log more than device events, such as the tablets' participation)."""
        return self._store

    # -- devices ---------------------------------------------------------------------------
    def update_device(self, device: DeviceInfo) -> None:
        """A device was seen or reported new state: announce it and remember it."""
        old = self.devices.get(device.uid)
        self.devices[device.uid] = device
        if old is None:
            self.events.emit(DeviceFound(device))
        else:
            changed = changed_fields(old, device)
            if not changed:
                return
            self.events.emit(DeviceChanged(device, frozenset(changed)))
            payload = state_event(changed, device)
            if payload is not None:
                self.log_event(device.uid, "state", payload)
        if self._writes is not None and self.remember_devices:
            self._writes.device(dataclasses.replace(device), self.room_id)

    def note_reading(self, reading: Reading) -> None:
        """A device's lamp hours and faults for the centre's maintenance view, written with the room's next batch."""
        if self._writes is not None:
            self._writes.reading(reading)

    def lose_device(self, uid: str) -> None:
        device = self.devices.get(uid)
        if device is None:
            return
        device = dataclasses.replace(device, availability=Availability.OFFLINE)
        self.devices[uid] = device
        self.events.emit(DeviceLost(device))
        self.log_event(uid, "state", {"availability": "offline"})

    def remove_device(self, uid: str) -> None:
        """A stranger that left the room (``RoomDevices``): off the screen, and its row out of the store."""
        device = self.devices.pop(uid, None)
        if device is None:
            return
        self.events.emit(DeviceRemoved(device))
        if self._writes is not None and self.remember_devices:  # kept where a logged session names it: its upload
            # sends the device's row and readings beside its events (``Store.forget_device``)
            task = asyncio.get_running_loop().create_task(self._forget_row(uid), name="room-forget-device")
            self._forgetting.add(task)
            task.add_done_callback(self._forgetting.discard)

    async def _forget_row(self, uid: str) -> None:
        assert self._writes is not None and self._store is not None
        try:
            await self._writes.flush()  # its last row written first, then deleted: none is left behind
            if uid not in self.devices:  # not taken in again meanwhile
                await self._store.forget_device(uid)
        except Exception as exc:
            self._write_failed(exc)

    # -- sessions --------------------------------------------------------------------------
    async def start_session(self, lecturer: str, course: str, kind: str = "active-learning") -> Session:
        if self.session is not None:
            raise RuntimeError(f"session {self.session.id} is already running")
        if self._store is not None:
            session_id = await self._store.start_session(
                room_id=self.room_id, lecturer=lecturer, course=course, kind=kind
            )
        else:
            session_id = str(uuid.uuid4())
        session = Session(session_id, lecturer, course, kind)
        self.session = session
        self.events.emit(SessionStarted(session.id, lecturer, course))
        return session

    def join_session(self, session: Session) -> None:
        """Log into a session another process (the console window) is running, without starting one."""
        self.session = session

    async def end_session(self, status: str = "completed") -> None:
        session, self.session = self.session, None
        if session is None:
            return
        if self._writes is not None:
            await self._writes.flush()  # its last events are in the store before it ends (and may be uploaded)
        if self._store is not None:
            await self._store.end_session(session.id, status)
        self.events.emit(SessionEnded(session.id))

    # -- the log ---------------------------------------------------------------------------
    def log_event(self, device_uid: str | None, kind: str, payload: dict[str, Any]) -> None:
        """Record a command or state change; only while a session runs, as the centre counts sessions."""
        if self._writes is None or self.session is None:
            return
        self._writes.event(Event(self.session.id, device_uid, kind, dict(payload)))  # stamped now

    def report_error(self, source: str, message: str, code: str = ErrorCode.OTHER) -> None:
        log.warning("%s: %s", source, message)
        self.events.emit(ErrorRaised(source, message, code))
        self.log_event(source if source in self.devices else None, "error", {"message": message})

    async def flush(self) -> None:
        """Wait until every store write asked for so far has finished."""
        if self._writes is not None:
            await self._writes.flush()
        if self._forgetting:
            await asyncio.gather(*self._forgetting, return_exceptions=True)

    def _write_failed(self, exc: Exception) -> None:
        """A store write's failure becomes an ErrorRaised, never silence."""
        log.error("store write failed: %s", exc)
        self.events.emit(
            ErrorRaised("store", f"could not save to the session log: {exc}", ErrorCode.STORE_WRITE_FAILED))
