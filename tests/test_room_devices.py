"""The console's device layer against a simulated room on loopback: found, polled, controlled, logged."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classroom_console import room_devices
from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.discovery_scope import Scope
from classroom_console.events import DeviceChanged, RoomEvent
from classroom_console.room_devices import DeviceCommandError
from classroom_console.settings import load as load_settings
from devices.driver import Command
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.pjlink import PJLinkClient
from devices.pjlink.driver import PJLinkDriver
from devices.pjlink.notifications import NotificationListener
from devices.sim.room import SimRoomConfig
from tests.sim_helpers import demo_core

FIRST_HOST = 20  # 127.0.80.20 on: apart from a demo or `sim room` someone may be running


def room_config(**overrides: object) -> SimRoomConfig:
    options: dict[str, object] = {
        "projectors": 2,
        "boards": 1,
        "warmup_s": 0.4,
        "cooling_s": 0.3,
        "first_host": FIRST_HOST,
    }
    options.update(overrides)
    return SimRoomConfig(**options)  # type: ignore[arg-type]


async def wait_until(predicate: object, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.fixture
async def console(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[ConsoleCore]:
    core = demo_core(tmp_path, getattr(request, "param", None) or room_config())
    await core.start()
    try:
        yield core
    finally:
        await core.stop()


def ours(core: ConsoleCore) -> dict[str, object]:
    return {uid: d for uid, d in core.room.devices.items() if uid.startswith("mac:02:cc:80:00:00:")}


async def test_devices_appear_by_themselves_with_state(console: ConsoleCore) -> None:
    await wait_until(
        lambda: (
            len(ours(console)) == 3
            and all(
                d.availability is Availability.ONLINE and "power" in d.state and {"search", "dnssd"} <= d.found_by
                for d in console.room.devices.values()
            )
        )
    )
    kinds = sorted(str(d.kind) for d in console.room.devices.values())
    assert kinds == ["board", "projector", "projector"]
    projector = next(d for d in console.room.devices.values() if d.kind is DeviceKind.PROJECTOR)
    assert projector.state["power"] == "off" and projector.state["lamp_hours"]
    assert projector.name.startswith("Projector")


async def test_all_on_walks_through_warm_up_and_is_logged(console: ConsoleCore) -> None:
    await wait_until(
        lambda: len(console.room.devices) == 3 and all("power" in d.state for d in console.room.devices.values())
    )
    seen_power: set[str] = set()

    def watch(event: RoomEvent) -> None:
        if isinstance(event, DeviceChanged) and "power" in event.device.state:
            seen_power.add(event.device.state["power"])

    console.room.events.subscribe(watch)
    session = await console.room.start_session("Aliya", "Physics")
    assert console.devices is not None
    failures = await console.devices.power_all(True)
    assert failures == []
    await wait_until(lambda: all(d.state.get("power") == "on" for d in console.room.devices.values()))
    assert "warming" in seen_power and "on" in seen_power
    failures = await console.devices.power_all(False)
    await wait_until(lambda: all(d.state.get("power") == "off" for d in console.room.devices.values()))
    assert "cooling" in seen_power
    await console.room.end_session()
    assert console.store is not None
    events = await console.store.events(session.id)
    commands = [e["payload"]["command"] for e in events if e["kind"] == "command"]
    assert commands.count("power on") == 3 and commands.count("power off") == 3
    assert any(e["kind"] == "state" for e in events)
    uid = next(iter(console.room.devices))
    readings = await console.store.call(lambda s: s.device_readings(uid))
    assert readings and readings[-1]["lamp_hours"]


async def test_known_devices_show_at_once_on_the_next_start(tmp_path: Path) -> None:
    first = ConsoleCore(ConsoleOptions(data_dir=tmp_path, demo=True, scope=Scope.LOOPBACK, sim_room=room_config()))
    await first.start()
    await wait_until(lambda: len(ours(first)) == 3)
    await first.stop()
    second = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    await second.start()
    try:
        assert second.devices is None
        from classroom_console.room_devices import RoomDevices
        from devices.discovery import FinderConfig

        devices = RoomDevices(
            second.room, FinderConfig(search_targets=(), dnssd_types=()), store=second.store, rediscover_every_s=60
        )
        await devices.start()
        remembered = ours(second)
        assert len(remembered) == 3  # before any discovery answered
        assert all(d.availability is Availability.UNKNOWN for d in second.room.devices.values())
        await devices.stop()
    finally:
        await second.stop()


@pytest.mark.parametrize("console", [room_config(projectors=1, boards=0, password="secret")], indirect=True)
async def test_password_is_asked_then_remembered(console: ConsoleCore, tmp_path: Path) -> None:
    # The demo passes its own password; forget it to act like a room whose password nobody typed yet.
    assert console.devices is not None
    console.devices.passwords.clear()
    uid = "mac:02:cc:80:00:00:14"
    console.devices.set_password(uid, "wrong")
    await wait_until(
        lambda: uid in console.room.devices and console.room.devices[uid].availability is Availability.AUTH_FAILED
    )
    await console.set_password(uid, "secret")
    await wait_until(lambda: console.room.devices[uid].availability is Availability.ONLINE)
    assert console.store is not None
    rows = await console.store.call(lambda s: list(s.db.execute("SELECT device_uid FROM device_secrets")))
    assert [r[0] for r in rows] == [uid]


@pytest.mark.parametrize(
    "console", [room_config(projectors=0, boards=0, faults=["slow", "garbage", "silent"])], indirect=True
)
async def test_misbehaving_devices_end_in_clear_states(console: ConsoleCore) -> None:
    started = time.monotonic()
    await wait_until(
        lambda: (
            len(ours_devices(console)) == 3
            and all(d.availability in (Availability.OFFLINE, Availability.FAULT) for d in ours_devices(console))
        ),
        within=30,
    )
    assert time.monotonic() - started < 30
    assert console.devices is not None
    devices = console.devices

    async def refused(uid: str) -> None:
        with pytest.raises(DeviceCommandError, match=r"failed|not reachable"):
            await asyncio.wait_for(devices.command(uid, Command("power", True)), 60)  # the three's 20 s each

    # Each device's command runs out its own timeouts: the three wait side by side, not one after another.
    await asyncio.gather(*(refused(d.uid) for d in ours_devices(console)))


@pytest.mark.parametrize("console", [room_config(projectors=1, boards=0, warmup_s=5.0)], indirect=True)
async def test_a_notification_shows_a_change_before_the_next_poll(console: ConsoleCore) -> None:
    uid = "mac:02:cc:80:00:00:14"
    await wait_until(lambda: uid in console.room.devices and "power" in console.room.devices[uid].state)
    assert console.devices is not None and len(console.devices.notifications) == 1
    (listener,) = console.devices.notifications
    assert isinstance(listener, NotificationListener) and listener.bound == [("127.0.0.1", 4352)]
    for managed in console.devices._managed.values():
        assert isinstance(managed.driver, PJLinkDriver)
        managed.driver.poller.interval_s = 60.0  # from now on only a notification can bring news quickly
    await asyncio.sleep(1.5)  # let the current poll cycle settle into its long sleep
    # Someone else (a remote control, another console) turns the projector on.
    async with PJLinkClient(console.room.devices[uid].address) as other:
        await other.power_on()
    await wait_until(lambda: console.room.devices[uid].state.get("power") == "warming", within=3)


async def test_devices_on_another_segment_are_found_by_address(tmp_path: Path) -> None:
    """Multicast does not cross VLANs: a device that only the sweep can reach is added by address."""
    from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

    hidden = SimulatedProjector(
        SimProjectorConfig(name="Hall 5 projector", host="127.0.81.7", mac="02:cc:81:00:00:07", udp_port=None)
    )
    await hidden.start()  # no search answers (no UDP) and no DNS-SD: invisible to multicast discovery
    core = demo_core(tmp_path, room_config(projectors=0, boards=0, displays=1))
    await core.start()
    try:
        await wait_until(lambda: len(ours_devices(core)) == 1)
        with pytest.raises(ValueError):
            await core.set_manual_addresses(["10.0.0.0/8"])  # far too large a range: refused, not saved
        await core.set_manual_addresses(["127.0.81.7"])
        await wait_until(lambda: any(d.address == "127.0.81.7" for d in core.room.devices.values()), within=10)
        found = next(d for d in core.room.devices.values() if d.address == "127.0.81.7")
        # No UDP, so no MAC: the serial number is its stable identity.
        assert found.found_by == {"sweep"} and found.uid.startswith("serial:") and found.name == "Hall 5 projector"
    finally:
        await core.stop()
        await hidden.stop()
    reloaded = await asyncio.to_thread(load_settings, tmp_path)
    assert reloaded.manual_addresses == ["127.0.81.7"]


@pytest.mark.parametrize("console", [room_config(projectors=2, boards=0, warmup_s=2.0)], indirect=True)
async def test_ending_during_warm_up_turns_the_room_off_once_it_can(console: ConsoleCore) -> None:
    """A projector refuses power-off while warming up (PJLink ERR3): the console sends it again when it may."""
    await wait_until(lambda: len(ours(console)) == 2 and all("power" in d.state for d in ours_devices(console)))
    assert console.devices is not None
    assert await console.devices.power_all(True) == []
    await wait_until(lambda: all(d.state.get("power") == "warming" for d in ours_devices(console)))
    assert await console.devices.power_all(False) == []  # refused for now, but not a failure: deferred
    assert all(d.state.get("will_power") == "off" for d in ours_devices(console))
    await wait_until(lambda: all(d.state.get("power") == "off" for d in ours_devices(console)), within=30)
    assert not any("will_power" in d.state for d in ours_devices(console))


def ours_devices(core: ConsoleCore) -> list[DeviceInfo]:
    """This console's own simulated room (another test run may have a room of its own on loopback)."""
    assert core.sim_room is not None
    hosts = {sim.host for sim in core.sim_room.devices}
    return [d for d in core.room.devices.values() if d.address in hosts]


@pytest.mark.parametrize("console", [room_config(projectors=2, boards=1, password="secret")], indirect=True)
async def test_one_room_password_is_tried_on_every_device_that_asks(console: ConsoleCore) -> None:
    """Every device of the room's own (each was given a password here, so the room knows it) that asks."""
    assert console.devices is not None
    await wait_until(lambda: len(ours_devices(console)) == 3, within=30)  # each found before it is made the room's
    console.devices.passwords.clear()  # as in a room where nobody typed a password yet
    for uid in [d.uid for d in ours_devices(console)]:
        console.devices.set_password(uid, "")  # re-connect with none
    await wait_until(lambda: len(ours_devices(console)) == 3 and all(
        d.availability is Availability.AUTH_FAILED for d in ours_devices(console)), within=30)
    assert {d.reason for d in ours_devices(console)} == {"password-needed"}
    first = ours_devices(console)[0].uid
    await console.set_room_password("secret", first)  # typed once, on one card
    await wait_until(lambda: all(d.availability is Availability.ONLINE for d in ours_devices(console)), within=30)
    assert console.store is not None
    rows = await console.store.call(lambda s: list(s.db.execute("SELECT device_uid FROM device_secrets")))
    assert [r[0] for r in rows] == ["room:*"]  # kept once for the room, not once per device


@pytest.mark.parametrize("console", [room_config(projectors=1, boards=0, warmup_s=5.0)], indirect=True)
async def test_a_flood_of_notices_reads_a_device_a_few_times_and_still_sees_the_last_change(
    console: ConsoleCore,
) -> None:
    """UDP notices can come from anyone at any rate: 400,000 in 20 s made a read task each, a quarter of a core and a
    15 s hang at close (E3). An address is read at most every NOTICE_READ_EVERY_S, and the read owed to the notices
    that came meanwhile still shows the change they announced."""
    uid = "mac:02:cc:80:00:00:14"
    await wait_until(lambda: uid in console.room.devices and "power" in console.room.devices[uid].state)
    assert console.devices is not None
    managed = console.devices._managed[uid]
    assert isinstance(managed.driver, PJLinkDriver)
    managed.driver.poller.interval_s = 60.0  # from now on only a notice can bring news quickly
    reads = 0
    refresh = managed.driver.refresh

    async def counted() -> None:
        nonlocal reads
        reads += 1
        await refresh()

    managed.driver.refresh = counted  # type: ignore[method-assign]  # counts the real reads, which still happen
    counting_from = time.monotonic()
    address = console.room.devices[uid].address
    async with PJLinkClient(address) as other:
        await other.power_on()  # the change the notices announce
    flooder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flooder.bind((address, 0))
    try:
        started = time.monotonic()
        for n in range(3_000):
            flooder.sendto(b"%2POWR=1\r", ("127.0.0.1", 4352))
            if n % 100 == 99:
                await asyncio.sleep(0.01)  # the listener reads them as they come
        flood_s = time.monotonic() - started
    finally:
        flooder.close()
    await wait_until(lambda: console.room.devices[uid].state.get("power") == "warming", within=10)
    read, looked_s = reads, time.monotonic() - counting_from
    # At most one read every NOTICE_READ_EVERY_S over the whole time the reads were counted: the other client's
    # power_on (its own notice reads it), the flood and the wait for its change. On a busy machine the connection
    # before the flood and the wait after it take their time too (8 reads in 1.55 s and in 1.92 s of flood beside
    # stress-ng, where the flood and a second allowed 7).
    allowed = 2 + int(max(flood_s + 1.0, looked_s) / room_devices.NOTICE_READ_EVERY_S)
    assert 1 <= read <= allowed, (read, flood_s, looked_s)
