"""The Room announces devices and sessions as typed events and logs them to a real store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.events import (
    DeviceChanged,
    DeviceFound,
    DeviceLost,
    ErrorRaised,
    EventBus,
    RoomEvent,
    SessionEnded,
    SessionStarted,
)
from classroom_console.room import Room
from classroom_console.store import open_store
from devices.model import Availability, DeviceInfo, DeviceKind


def projector(uid: str = "mac:00:11:22:33:44:55", address: str = "127.0.0.5", **state: object) -> DeviceInfo:
    return DeviceInfo(
        uid=uid,
        kind=DeviceKind.PROJECTOR,
        name="Front projector",
        address=address,
        port=4352,
        protocol="pjlink",
        protocol_class="2",
        availability=Availability.ONLINE,
        state=dict(state),
    )


async def test_device_found_changed_lost_in_order() -> None:
    room = Room("R1")
    seen: list[RoomEvent] = []
    room.events.subscribe(seen.append)
    room.update_device(projector(power="off"))
    room.update_device(projector(power="off"))  # nothing changed: no event
    room.update_device(projector(power="on"))
    room.lose_device("mac:00:11:22:33:44:55")
    assert [type(e) for e in seen] == [DeviceFound, DeviceChanged, DeviceLost]
    changed = seen[1]
    assert isinstance(changed, DeviceChanged) and changed.changed == frozenset({"state"})
    assert room.devices["mac:00:11:22:33:44:55"].availability is Availability.OFFLINE


async def test_async_iterator_receives_events() -> None:
    bus = EventBus()
    received: list[RoomEvent] = []

    async def consume() -> None:
        async for event in bus.stream():
            received.append(event)
            if len(received) == 2:
                return

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    bus.emit(ErrorRaised("x", "first"))
    bus.emit(ErrorRaised("x", "second"))
    await asyncio.wait_for(task, 2)
    assert [e.message for e in received if isinstance(e, ErrorRaised)] == ["first", "second"]


async def test_failing_listener_does_not_silence_others() -> None:
    bus = EventBus()
    got: list[RoomEvent] = []

    def broken(_event: RoomEvent) -> None:
        raise ValueError("bad subscriber")

    bus.subscribe(broken)
    bus.subscribe(got.append)
    bus.emit(ErrorRaised("x", "still delivered"))
    assert len(got) == 1


async def test_session_and_device_events_reach_the_store(tmp_path: Path) -> None:
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, room_name="Room 101", discover=False))
    await core.start()
    events: list[RoomEvent] = []
    core.room.events.subscribe(events.append)
    core.room.update_device(projector(power="off"))
    session = await core.room.start_session("Aliya Nurlanovna", "Physics 1")
    core.room.update_device(projector(power="warm-up"))
    core.room.log_event("mac:00:11:22:33:44:55", "command", {"command": "power on"})
    await core.room.end_session()
    summary = await core.usage()
    await core.stop()

    assert [type(e) for e in events] == [DeviceFound, SessionStarted, DeviceChanged, SessionEnded]
    assert summary.sessions == 1 and summary.devices == 1 and summary.events == 2
    await asyncio.to_thread(_check_saved, tmp_path, session.id)


def _check_saved(data_dir: Path, session_id: str) -> None:
    """Reopen the file as a new process would, outside the loop."""
    store = open_store(data_dir)
    try:
        row = store.session(session_id)
        assert row is not None and row["lecturer"] == "Aliya Nurlanovna" and row["ended_at"]
        kinds = [e["kind"] for e in store.events(session_id)]
        assert kinds == ["state", "command"]
        assert [d["uid"] for d in store.known_devices()] == ["mac:00:11:22:33:44:55"]
    finally:
        store.close()


async def test_events_outside_a_session_are_not_logged(tmp_path: Path) -> None:
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    await core.start()
    core.room.update_device(projector(power="off"))
    core.room.update_device(projector(power="on"))
    await core.room.flush()
    summary = await core.usage()
    await core.stop()
    assert summary.events == 0 and summary.devices == 1


async def test_second_session_while_running_is_refused() -> None:
    room = Room()
    await room.start_session("A", "B")
    with pytest.raises(RuntimeError, match="already running"):
        await room.start_session("C", "D")


def test_the_demo_keeps_its_own_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    real = ConsoleCore(ConsoleOptions(discover=False))
    demo = ConsoleCore(ConsoleOptions(demo=True, discover=False))
    assert demo.db_path.parent == real.db_path.parent / "demo"
    explicit = ConsoleCore(ConsoleOptions(demo=True, data_dir=tmp_path / "mine"))
    assert explicit.db_path.parent == tmp_path / "mine"
