"""Typed room events and the bus that carries them, so headless code and the UI hear the same story."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devices.model import DeviceInfo

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class ErrorCode:
    """What went wrong, as the UI words it; the detail stays in the event's message."""

    DISCOVERY_FAILED = "discovery-failed"
    STORE_UNAVAILABLE = "store-unavailable"  # opened read-only, moved aside, or not at all
    STORE_WRITE_FAILED = "store-write-failed"
    RECORDING_STOPPED = "recording-stopped"  # by a full disk or an error
    DEVICE_COMMAND_FAILED = "device-command-failed"
    OTHER = "error"


@dataclass(frozen=True, slots=True)
class RoomEvent:
    at: datetime = field(default_factory=_now, kw_only=True)


@dataclass(frozen=True, slots=True)
class DeviceFound(RoomEvent):
    device: DeviceInfo


@dataclass(frozen=True, slots=True)
class DeviceChanged(RoomEvent):
    device: DeviceInfo
    changed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DeviceLost(RoomEvent):
    device: DeviceInfo


@dataclass(frozen=True, slots=True)
class DeviceRemoved(RoomEvent):
    """A stranger the room took in by hearsay left it (silent for the age of its place): its card goes too."""

    device: DeviceInfo


@dataclass(frozen=True, slots=True)
class SessionStarted(RoomEvent):
    session_id: str
    lecturer: str
    course: str


@dataclass(frozen=True, slots=True)
class SessionEnded(RoomEvent):
    session_id: str


@dataclass(frozen=True, slots=True)
class RecordingStarted(RoomEvent):
    recording_id: str
    path: str


@dataclass(frozen=True, slots=True)
class RecordingStopped(RoomEvent):
    recording_id: str
    path: str


@dataclass(frozen=True, slots=True)
class ErrorRaised(RoomEvent):
    """Something the user must be told about; ``source`` names who (a device uid, "store", ...).

    ``code`` (an ``ErrorCode``) is what the UI words in the user's language; ``message`` is the technical
    detail, in English, for the log and a Details view.
    """

    source: str
    message: str
    code: str = "error"


@dataclass(frozen=True, slots=True)
class RoomRenamed(RoomEvent):
    """The room's name as people call it changed (its id, which the log and the centre key on, does not)."""

    name: str


@dataclass(frozen=True, slots=True)
class SyncProgressed(RoomEvent):
    """Upload to the centre moved on; ``progress`` is a ``classroom_console.sync.progress.SyncProgress``."""

    progress: Any


@dataclass(frozen=True, slots=True)
class SceneStep(RoomEvent):
    """One part of applying a scene moved on (``classroom_console.scenes_apply``).

    ``target`` is a device uid or "recording", "streaming", "tablets"; ``step`` is "power", "warm-up",
    "input", "blank", "preset", "recording", "streaming" or "tablets"; ``status`` is "working", "waiting",
    "done", "failed" or "skipped"; ``reason`` a code the UI words (a device ``Reason`` or a scene's own).
    """

    scene: str
    target: str
    name: str
    step: str
    status: str
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SceneApplied(RoomEvent):
    """A scene finished applying; ``failed`` holds the SceneStep of every part that did not follow."""

    scene: str
    failed: tuple[SceneStep, ...] = ()


Listener = Callable[[RoomEvent], None]


class EventBus:
    """Fan-out of room events to callbacks and async iterators.

    A listener that raises is logged and kept; one bad subscriber must not silence the room.
    """

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._queues: set[asyncio.Queue[RoomEvent]] = set()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: RoomEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %r", listener, event)
        for queue in self._queues:
            queue.put_nowait(event)

    async def stream(self) -> AsyncIterator[RoomEvent]:
        """Events from now on, for ``async for``; stops when the consumer stops iterating."""
        queue: asyncio.Queue[RoomEvent] = asyncio.Queue()
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)
