"""The console uploads on its own: a centre set up once, then every session that ends reaches it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.events import RoomEvent, SyncProgressed
from classroom_console.store import AsyncStore
from classroom_console.sync.room import save_settings
from tests.test_sync_support import add_token, running_centre


def centre_sessions(data: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "centre.db") as conn:
        return conn.execute("SELECT room_id, id FROM sessions").fetchall()


async def test_an_ended_session_reaches_the_centre_by_itself(tmp_path: Path) -> None:
    async with running_centre(tmp_path / "centre") as centre:
        token = await add_token(centre, "Room 101")
        store = await AsyncStore.open(tmp_path / "room")
        await save_settings(store, centre.url, token, delete_uploaded_media=False)
        await store.close()

        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path / "room", discover=False))
        heard: list[RoomEvent] = []
        core.room.events.subscribe(heard.append)
        await core.start()
        try:
            assert core.sync is not None and core.sync.configured
            session = await core.room.start_session("Aliya", "Physics")
            await core.room.end_session()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                found = await asyncio.to_thread(centre_sessions, tmp_path / "centre")
                if found:
                    break
                await asyncio.sleep(0.1)
        finally:
            await core.stop()
    assert found == [("Room 101", session.id)]
    assert any(isinstance(e, SyncProgressed) for e in heard)


async def test_without_a_centre_nothing_runs(tmp_path: Path) -> None:
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    await core.start()
    try:
        assert core.sync is not None and not core.sync.configured
        await core.room.start_session("A", "B")
        await core.room.end_session()
    finally:
        await core.stop()
