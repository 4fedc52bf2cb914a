"""The room's devices on a loop of their own in a worker thread (the GUI's way): the same behaviour as on the room's
loop, with the polling off the room's thread and every room event still on it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classroom_console.console import ConsoleCore
from classroom_console.device_thread import RoomDevicesThread
from classroom_console.events import DeviceChanged, RoomEvent
from classroom_console.room_devices import DeviceCommandError
from devices.driver import Command, Reason
from tests.sim_helpers import demo_core
from tests.test_room_devices import (  # noqa: F401  # the password test runs here again, on the threaded devices
    ours,
    room_config,
    test_password_is_asked_then_remembered,
    wait_until,
)

PROJECTOR = "mac:02:cc:80:00:00:14"  # the first simulated projector (room_config's first host)


def threaded_core(tmp_path: Path, sim: object) -> ConsoleCore:
    core = demo_core(tmp_path, sim)  # type: ignore[arg-type]
    core.options = dataclasses.replace(core.options, device_thread=True)
    return core


@pytest.fixture
async def console(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[ConsoleCore]:
    core = threaded_core(tmp_path, getattr(request, "param", None) or room_config())
    await core.start()
    try:
        yield core
    finally:
        await core.stop()


@pytest.mark.parametrize("console", [room_config(projectors=1, boards=0)], indirect=True)
async def test_polls_run_on_the_device_thread_and_events_on_the_rooms(console: ConsoleCore) -> None:
    devices = console.devices
    assert isinstance(devices, RoomDevicesThread)
    room_thread = threading.get_ident()
    event_threads: set[int] = set()
    poll_threads: set[int] = set()

    def heard(_event: RoomEvent) -> None:
        event_threads.add(threading.get_ident())

    console.room.events.subscribe(heard)
    await wait_until(lambda: PROJECTOR in ours(console) and PROJECTOR in devices.uids(), within=30)
    managed = devices.inner._managed[PROJECTOR]
    polled = managed.driver.on_change

    def spy() -> None:
        poll_threads.add(threading.get_ident())
        polled()  # type: ignore[misc]

    managed.driver.on_change = spy
    # The driver speaks only when something changes, and its first poll (identification's reading, handed over)
    # may be over before the spy is in: a command makes the next change.
    assert await devices.command(PROJECTOR, Command("power", True)) is False  # taken at once
    await wait_until(lambda: bool(poll_threads) and bool(event_threads), within=30)
    assert room_thread not in poll_threads  # the drivers' work is not the room's (the window's) thread's
    assert event_threads == {room_thread}  # the bus speaks on the room's loop only
    assert any(t.name == "room-devices" for t in threading.enumerate())


# A warm-up long enough to be seen under load: the link passes each device's latest state, so one that lasts
# less than the room's loop takes to turn around may be passed over (as the cards coalesce per frame).
@pytest.mark.parametrize("console", [room_config(projectors=1, boards=0, warmup_s=2.0)], indirect=True)
async def test_power_on_crosses_to_the_device_and_back_and_is_logged(console: ConsoleCore) -> None:
    seen_power: list[str] = []

    def watch(event: RoomEvent) -> None:
        if isinstance(event, DeviceChanged) and event.device.uid == PROJECTOR:
            seen_power.append(str(event.device.state.get("power")))

    console.room.events.subscribe(watch)
    await wait_until(lambda: PROJECTOR in console.room.devices
                     and console.room.devices[PROJECTOR].state.get("power") == "off", within=30)
    session = await console.room.start_session("Aliya", "Physics")
    assert console.devices is not None
    assert await console.devices.command(PROJECTOR, Command("power", True)) is False  # taken at once
    await wait_until(lambda: console.room.devices[PROJECTOR].state.get("power") == "on", within=30)
    assert "warming" in seen_power
    await console.room.end_session()
    assert console.store is not None
    events = await console.store.events(session.id)
    assert [e["payload"]["command"] for e in events if e["kind"] == "command"] == ["power on"]
    assert any(e["kind"] == "state" and e["device_uid"] == PROJECTOR for e in events)


async def test_a_refusal_crosses_back_with_its_reason_and_stop_ends_the_thread(tmp_path: Path) -> None:
    core = threaded_core(tmp_path, room_config(projectors=1, boards=0))
    await core.start()
    try:
        await wait_until(lambda: PROJECTOR in ours(core) and core.devices is not None
                         and PROJECTOR in core.devices.uids(), within=30)
        assert core.devices is not None
        uid = PROJECTOR
        with pytest.raises(DeviceCommandError) as refused:
            await core.devices.command(uid, Command("ptz_preset", 1))
        assert refused.value.reason is Reason.UNSUPPORTED
        with pytest.raises(DeviceCommandError) as unknown:
            await core.devices.command("mac:no-such-device", Command("power", True))
        assert unknown.value.reason is Reason.NOT_READY
    finally:
        await core.stop()
    assert not any(t.name == "room-devices" for t in threading.enumerate())


@pytest.mark.parametrize("console", [room_config(projectors=1, boards=0)], indirect=True)
async def test_what_a_call_logged_is_in_the_session_before_the_caller_goes_on(console: ConsoleCore) -> None:
    """A scene's "room off" then "end session": the call's news crosses in batches of a few ms, but every event it
    logged must be in the session before its caller ends that session (else the last commands go unrecorded)."""
    devices = console.devices
    assert isinstance(devices, RoomDevicesThread)
    session = await console.room.start_session("Aliya", "Physics")
    link = devices._link
    assert link is not None

    async def many_commands() -> int:  # on the device thread, as a command to every device logs each one
        for n in range(3000):
            link.log_event(None, "command", {"command": f"power off {n}"})
        return 3000

    assert await devices._call(many_commands()) == 3000
    await console.room.end_session()  # at once, as scenes_session does after power_all
    assert console.store is not None
    events = await console.store.events(session.id)
    assert [e["payload"]["command"] for e in events if e["kind"] == "command"] == [f"power off {n}"
                                                                                  for n in range(3000)]
