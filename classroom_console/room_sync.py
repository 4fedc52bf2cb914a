"""The room's background upload to the centre: started when a centre is set up, woken when work ends.

Progress is announced as a room event, so the status bar hears it like any other news of the room.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from classroom_console.events import RecordingStopped, RoomEvent, SessionEnded, SyncProgressed
from classroom_console.room import Room
from classroom_console.store import AsyncStore
from classroom_console.sync.engine import SyncConfig, SyncEngine, SyncResult
from classroom_console.sync.progress import SyncProgress
from classroom_console.sync.room import load_settings, sync_now

log = logging.getLogger(__name__)


class RoomSync:
    def __init__(self, room: Room, store: AsyncStore) -> None:
        self.room = room
        self.store = store
        self.engine: SyncEngine | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe = room.events.subscribe(self._on_room_event)

    @property
    def configured(self) -> bool:
        return self.engine is not None

    async def start(self) -> None:
        """Run in the background if a centre is set up; otherwise wait to be told (``restart``)."""
        settings = await load_settings(self.store)
        if not settings.get("centre_url") or not settings.get("token"):
            return
        config = SyncConfig(
            settings["centre_url"],
            settings["token"],
            delete_uploaded_media=settings.get("delete_uploaded_media") == "1",
        )
        self.engine = SyncEngine(self.store, config)
        self.engine.subscribe(self._announce)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.engine.run_forever(self._stop), name="room-sync")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                async with asyncio.timeout(10):  # not wait_for: see devices/tasks.py
                    await self._task
            self._task = None
        if self.engine is not None:
            await self.engine.close()
            self.engine = None

    async def restart(self) -> None:
        """New settings: stop the old engine, start with what is saved now."""
        await self.stop()
        await self.start()

    async def send_now(self) -> SyncResult:
        """One pass right now, announced like the background one; the background pauses meanwhile."""
        await self.stop()
        try:
            return await sync_now(self.store, self._announce)
        finally:
            await self.start()

    def close(self) -> None:
        self._unsubscribe()

    def _announce(self, progress: SyncProgress) -> None:
        self.room.events.emit(SyncProgressed(progress))

    def _on_room_event(self, event: RoomEvent) -> None:
        if isinstance(event, (SessionEnded, RecordingStopped)) and self.engine is not None:
            self.engine.kick()
