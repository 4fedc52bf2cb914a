"""The room's session-log writes gathered into batches (``store/room_writes.py``): none lost, in order, few round trips.

Real Room, real AsyncStore (SQLite on its writer thread). Each device change used to be its own store call (the
device row, the reading, the session event: a task, a future and a loop wake-up each); the counts below fail there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from classroom_console.events import ErrorCode, ErrorRaised, RoomEvent
from classroom_console.room import Room, Session
from classroom_console.store import AsyncStore, Store
from classroom_console.store.records import Reading
from devices.model import Availability, DeviceInfo, DeviceKind

DEVICES = 50
CHANGES = 20


def _device(i: int, tick: int) -> DeviceInfo:
    return DeviceInfo(f"mac:02:00:00:00:71:{i:02x}", DeviceKind.PROJECTOR, f"P{i}", "127.0.0.1", 4352, "pjlink",
                      availability=Availability.ONLINE, state={"power": "on", "lamp_hours": [tick]})


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    original = AsyncStore.call

    async def counted(self: AsyncStore, fn: Callable[[Store], Any]) -> Any:
        calls[0] += 1
        return await original(self, fn)

    monkeypatch.setattr(AsyncStore, "call", counted)
    return calls


async def _until(predicate: Callable[[], Any], within_s: float = 30.0) -> None:
    deadline = time.monotonic() + within_s
    while not await predicate():
        assert time.monotonic() < deadline, "not written within the bound"
        await asyncio.sleep(0.05)


async def test_every_change_is_kept_in_order_with_few_store_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await AsyncStore.open(tmp_path)
    room = Room("Room 1", log_store=store)
    session = await room.start_session("Dr. Nurmatova", "Chemistry")
    calls = _count_calls(monkeypatch)
    try:
        for tick in range(CHANGES):  # as polls come: every device changes, then reports its reading
            for i in range(DEVICES):
                room.update_device(_device(i, tick))
                room.note_reading(Reading(_device(i, tick).uid, "on", (tick,)))
            await asyncio.sleep(0)  # a turn of the loop between polls, as in the window
        await room.flush()
        events = await store.events(session.id)
        readings = await store.call(lambda s: {d: s.device_readings(_device(d, 0).uid) for d in range(DEVICES)})
        known = {row["uid"]: row for row in await store.known_devices()}
    finally:
        await room.end_session()
        await store.close()

    # every state change logged, each device's in the order it happened (the first sight is DeviceFound: no event)
    for i in range(DEVICES):
        uid = _device(i, 0).uid
        ticks = [e["payload"]["state"]["lamp_hours"][0] for e in events if e["device_uid"] == uid]
        assert ticks == list(range(1, CHANGES)), uid
        assert [r["lamp_hours"][0] for r in readings[i]] == list(range(CHANGES))
        assert known[uid]["extra"]["state"]["lamp_hours"] == [CHANGES - 1]  # the latest row, none lost
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert [e["monotonic_ns"] for e in events] == sorted(e["monotonic_ns"] for e in events)
    # 3,000 writes (device rows, readings, events): a handful of store calls, not one (or three) a change
    assert calls[0] <= 30, calls[0]  # (the old code: 1004)


async def test_writes_reach_the_store_without_a_flush(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    room = Room("Room 1", log_store=store)
    try:
        room.update_device(_device(1, 0))
        room.note_reading(Reading(_device(1, 0).uid, "on", (0,)))

        async def written() -> bool:
            return bool(await store.known_devices()) and bool(
                await store.call(lambda s: s.device_readings(_device(1, 0).uid)))

        await _until(written)
    finally:
        await store.close()


async def test_a_bad_write_is_told_once_and_sinks_no_neighbour(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    room = Room("Room 1", log_store=store)
    events: list[RoomEvent] = []
    room.events.subscribe(events.append)
    try:
        good = await room.start_session("A", "B")
        room.log_event(None, "before", {"n": 1})
        room.session = Session("no-such-session", "A", "B")  # its events break the sessions' foreign key
        room.log_event(None, "lost", {"n": 2})
        room.log_event(None, "lost", {"n": 3})
        room.session = good
        room.update_device(_device(2, 0))
        room.log_event(None, "after", {"n": 4})
        await room.flush()
        kinds = [e["kind"] for e in await store.events(good.id)]
        known = [row["uid"] for row in await store.known_devices()]
    finally:
        await room.end_session()
        await store.close()
    assert kinds == ["before", "after"]
    assert known == [_device(2, 0).uid]
    told = [e.code for e in events if isinstance(e, ErrorRaised)]
    assert told == [ErrorCode.STORE_WRITE_FAILED]  # once, not once a row


async def test_a_sessions_last_events_are_stored_before_it_ends(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    room = Room("Room 1", log_store=store)
    try:
        session = await room.start_session("A", "B")
        device = _device(3, 0)
        room.update_device(device)
        room.update_device(dataclasses.replace(device, state={"power": "off"}))
        room.log_event(device.uid, "command", {"command": "power off"})
        await room.end_session()
        events = await store.events(session.id)
        ended = await store.call(lambda s: s.session(session.id))
    finally:
        await store.close()
    assert [e["kind"] for e in events] == ["state", "command"]
    assert ended is not None and all(e["wall_time"] <= ended["ended_at"] for e in events)
