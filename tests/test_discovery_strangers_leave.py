"""Strangers taken in by hearsay leave the room with their place: the room's places age (an address silent for an hour
gives its place back), and R9 found only the place came back: the stranger's card, its driver polling the dead
address, its record and its store row stayed, so an attacker whose addresses answer once and go silent added the
room's bound of cards and pollers every hour (probe: 2, 4, 6, 8 with a bound of 2). Real simulated projectors on
loopback (127.0.49.x), found by PJLink search replies standing for a broadcast's; the room's hour passes on a clock.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices
from classroom_console.store import AsyncStore
from devices.discovery import FinderConfig
from devices.driver import Command
from devices.model import Availability
from tests.test_device_impostors import PASSWORD, PORT, mac_of, projector, wait_until

HOUR = 3601.0


def hearsay_room(room: Room, hosts: list[str], store: AsyncStore | None = None, in_room: int = 2,
                 passwords: dict[str, str] | None = None) -> tuple[RoomDevices, list[float]]:
    """The room's own RoomDevices, its places for strangers few, its clock in the test's hand."""
    config = FinderConfig(search_targets=[(h, PORT) for h in hosts], dnssd_types=(), step_timeout=1.0,
                          hearsay_per_look=in_room, hearsay_in_room=in_room)
    devices = RoomDevices(room, config, store=store, passwords=passwords, poll_interval_s=0.2,
                          discovery_window_s=1.5, rediscover_every_s=600.0)
    devices.finder.listed = frozenset()  # their replies stand for a broadcast search's (loopback has no broadcast)
    now = [0.0]
    devices.finder.registry.clock = lambda: now[0]
    return devices, now


def uid(host: str) -> str:
    return f"mac:{mac_of(host)}"


async def visit(devices: RoomDevices, room: Room, hosts: list[str]) -> None:
    """These projectors answer one look, then go: their drivers find them gone."""
    async with contextlib.AsyncExitStack() as stack:
        for host in hosts:
            await stack.enter_async_context(projector(host, mac_of(host), f"P{host}", password=None))
        await devices.discover_once()
        assert {uid(h) for h in hosts} <= set(room.devices)
    await wait_until(lambda: all(room.devices[uid(h)].availability is Availability.OFFLINE for h in hosts))


async def test_strangers_whose_place_ages_out_leave_the_room_cards_drivers_and_rows(tmp_path: Path) -> None:
    """R9's probe: each hour two strangers answer one look and go silent; the room holds at most its two places'
    worth of strangers, in cards, drivers, records and store rows (old code: 2, 4, 6, 8 cards and drivers)."""
    hosts = [f"127.0.49.{n}" for n in range(10, 18)]
    store = await AsyncStore.open(tmp_path)
    room = Room("ageing", log_store=store)
    devices, now = hearsay_room(room, hosts, store)
    seen = []
    try:
        for hour in range(4):
            pair = hosts[2 * hour: 2 * hour + 2]
            await visit(devices, room, pair)
            seen.append((len(room.devices), len(devices.uids()), len(devices.finder.registry.snapshot())))
            now[0] += HOUR
        assert seen == [(2, 2, 2)] * 4
        assert set(room.devices) == {uid(h) for h in hosts[6:]}  # the last hour's; the others left
        await room.flush()
        assert {row["uid"] for row in await store.known_devices()} == {uid(h) for h in hosts[6:]}
    finally:
        await devices.stop()
        await store.close()


async def test_the_rooms_own_stay_when_their_place_ages_out_and_take_no_strangers_place() -> None:
    """A stranger given a password of its own (by its address, or the room's ticked for it on its card) is the
    room's: it keeps its card and driver when its place is given back, and heard of again it takes no place."""
    own_by_address, ticked, stranger, newcomer = (f"127.0.49.{n}" for n in (20, 21, 22, 23))
    room = Room("ageing")
    devices, now = hearsay_room(room, [own_by_address, ticked, stranger, newcomer], in_room=3,
                                passwords={own_by_address: PASSWORD})
    try:
        await visit(devices, room, [own_by_address, ticked, stranger])
        devices.set_room_password(PASSWORD, also=[uid(ticked)])
        await wait_until(lambda: uid(ticked) in devices.uids())
        now[0] += HOUR
        await visit(devices, room, [newcomer])
        assert set(room.devices) == {uid(own_by_address), uid(ticked), uid(newcomer)}
        assert set(devices.uids()) == set(room.devices)
        registry = devices.finder.registry
        assert set(registry.hearsay_addresses) == {newcomer}  # the room's own no longer count as strangers
        assert not {own_by_address, ticked} & registry.hearsay_given_back
        assert registry.get(uid(stranger)) is None
    finally:
        await devices.stop()


async def test_a_stranger_taken_in_again_before_its_leaving_reaches_the_room_is_shown_again() -> None:
    """From the device thread a leaving and the stranger's return, heard of again at once, cross in one batch:
    the return was measured against the room's copy, still there, and dropped as no news, so it left for good."""
    from classroom_console.device_thread import RoomLink
    from devices.model import DeviceInfo, DeviceKind

    room = Room("link")
    link = RoomLink(room, asyncio.get_running_loop())
    device = DeviceInfo("mac:02:49:00:00:00:01", DeviceKind.PROJECTOR, "Back", "127.0.49.30", PORT, "pjlink")
    room.update_device(device)
    link.remove_device(device.uid)
    link.update_device(device)
    await wait_until(lambda: not link._ops)
    assert device.uid in room.devices


def test_only_those_found_by_hearsay_alone_leave_with_a_place() -> None:
    """An address taken in by an advert and later found by the lecturer's sweep too is not a stranger's: its
    device stays, and heard of again by hearsay it takes no place."""
    from devices.discovery._hearsay import HearsayBudget
    from devices.discovery._registry import DeviceRegistry, Hints
    from devices.driver import Identity

    registry = DeviceRegistry()
    now = [0.0]
    registry.clock = lambda: now[0]
    registry.answering = lambda _address: False
    left: list[tuple[str, list[str]]] = []
    registry.given_back = lambda address, uids: left.append((address, uids))
    budget = HearsayBudget(registry, per_look=2, in_room=2)
    stranger, swept = "192.0.2.1", "192.0.2.2"
    assert budget.admits(stranger, PORT, Hints({"dnssd"})) and budget.admits(swept, PORT, Hints({"dnssd"}))
    gone = registry.record(stranger, PORT, Identity(Availability.AUTH_FAILED), Hints({"dnssd"}))
    stays = registry.record(swept, PORT, Identity(Availability.AUTH_FAILED), Hints({"dnssd", "sweep"}))
    now[0] += HOUR
    assert HearsayBudget(registry, per_look=2, in_room=2).admits("192.0.2.3", PORT, Hints({"dnssd"}))
    assert sorted(left) == [(stranger, [gone.uid]), (swept, [])]
    assert registry.hearsay_given_back == {stranger}
    assert HearsayBudget(registry, per_look=2, in_room=1).admits(swept, PORT, Hints({"dnssd"}))  # no place asked
    assert registry.get(stays.uid) is not None


async def test_a_stranger_leaving_as_the_room_stops_has_its_driver_stopped() -> None:
    """Its driver is stopped on a task of its own; the room stopping meanwhile cancelled that task, unstarted or part
    way, and the driver was never stopped through (its poller's task left behind, its connection open)."""
    host = "127.0.49.40"
    room = Room("leaving")
    devices, _now = hearsay_room(room, [host])
    try:
        await visit(devices, room, [host])
        driver = devices._managed[uid(host)].driver
        devices._strangers_left(host, [uid(host)])
    finally:
        await devices.stop()
    assert driver.poller._task is None  # type: ignore[attr-defined]


async def test_a_device_the_lecturer_used_stays_when_its_place_ages_out(tmp_path: Path) -> None:
    """R9's probe (stop 30): the room's own open projector, found by broadcast search like its neighbours and never
    marked the room's, off for an hour was evicted (card, driver and row) and, with the building's projectors
    holding every place, never found again. Sent a command from its card, it is the room's: it stays, row and all,
    and takes no stranger's place. A scene walking every card makes no device the room's."""
    used, walked, newcomer = (f"127.0.49.{n}" for n in (50, 51, 52))
    store = await AsyncStore.open(tmp_path)
    room = Room("used", log_store=store)
    devices, now = hearsay_room(room, [used, walked, newcomer], store, in_room=2)
    try:
        async with contextlib.AsyncExitStack() as stack:
            for host in (used, walked):
                await stack.enter_async_context(projector(host, mac_of(host), f"P{host}", password=None))
            await devices.discover_once()
            await wait_until(lambda: all(uid(h) in devices.uids() for h in (used, walked)))
            await asyncio.wait_for(devices.command(uid(used), Command("power", True)), 60)  # its card's button
            await asyncio.wait_for(devices.command(uid(walked), Command("power", True), chosen=False), 60)
        await wait_until(lambda: all(room.devices[uid(h)].availability is Availability.OFFLINE for h in (used, walked)))
        now[0] += HOUR
        await visit(devices, room, [newcomer])
        assert set(room.devices) == {uid(used), uid(newcomer)}
        assert set(devices.uids()) == set(room.devices)
        registry = devices.finder.registry
        assert set(registry.hearsay_addresses) == {newcomer}
        await room.flush()
        assert uid(used) in {row["uid"] for row in await store.known_devices()}
    finally:
        await devices.stop()
        await store.close()


async def test_a_deferred_power_command_of_a_scene_makes_no_device_the_rooms() -> None:
    """R10's probe: the session's end turned every projector off mid warm-up (power_all, not chosen); the device
    refused, and the command kept for after the warm-up was re-sent as if the lecturer had chosen the device, so a
    neighbour's projector became the room's for good."""
    from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

    stranger, newcomer = "127.0.49.60", "127.0.49.61"
    room = Room("deferred")
    devices, now = hearsay_room(room, [stranger, newcomer], in_room=1)
    sim = SimulatedProjector(SimProjectorConfig(name="Neighbour", host=stranger, port=PORT, udp_port=PORT,
                                                mac=mac_of(stranger), password=None, warmup_s=2.0, cooling_s=0.3))
    try:
        await sim.start()
        try:
            await devices.discover_once()
            await wait_until(lambda: uid(stranger) in room.devices
                             and room.devices[uid(stranger)].availability is Availability.ONLINE)
            assert await devices.power_all(True) == []  # a scene, the session's start
            assert await devices.power_all(False) == []  # the session's end, mid warm-up: kept for after it
            assert devices._managed[uid(stranger)].deferred is not None
            assert await devices.settle(30)
        finally:
            await sim.stop()
        await wait_until(lambda: room.devices[uid(stranger)].availability is Availability.OFFLINE)
        now[0] += HOUR
        await visit(devices, room, [newcomer])
        assert set(room.devices) == {uid(newcomer)}
    finally:
        await devices.stop()


async def test_a_device_heard_answering_over_an_hour_stays_when_its_place_ages_out() -> None:
    """A real projector, the room's or a neighbour's, heard through a lecture and then off for an hour: the places
    age to recycle an attack's addresses that answer once and go, not to churn real devices (R10: the room's own,
    switched by scenes alone, was evicted). One heard at a single look leaves."""
    heard, once, newcomer = "127.0.49.62", "127.0.49.63", "127.0.49.64"
    room = Room("heard")
    devices, now = hearsay_room(room, [heard, once, newcomer], in_room=2)
    try:
        async with projector(heard, mac_of(heard), "Heard", password=None):
            async with projector(once, mac_of(once), "Once", password=None):
                await devices.discover_once()
                await wait_until(lambda: all(room.devices.get(uid(h)) is not None and room.devices[uid(h)]
                                             .availability is Availability.ONLINE for h in (heard, once)))
            now[0] += 2 * HOUR  # the lecture: it keeps answering, and the room's next look hears it
            await devices.discover_once()
            assert devices.finder.registry.hearsay_addresses[heard] == now[0]
        await wait_until(lambda: all(room.devices[uid(h)].availability is Availability.OFFLINE for h in (heard, once)))
        now[0] += HOUR
        await visit(devices, room, [newcomer])
        assert set(room.devices) == {uid(heard), uid(newcomer)}
    finally:
        await devices.stop()


async def test_a_stranger_leaving_between_two_of_its_updates_is_shown_again() -> None:
    """R10's probe: its last poll waiting, then its leaving, then its return, heard of again at once, in one batch:
    the return rode in the waiting poll's place, before the leaving, and the room dropped a device driven again."""
    import dataclasses

    from classroom_console.device_thread import RoomLink
    from devices.model import DeviceInfo, DeviceKind

    room = Room("link")
    link = RoomLink(room, asyncio.get_running_loop())
    device = DeviceInfo("mac:02:49:00:00:00:07", DeviceKind.PROJECTOR, "Back", "127.0.49.7", PORT, "pjlink")
    room.update_device(device)
    link.update_device(dataclasses.replace(device, availability=Availability.OFFLINE))
    link.remove_device(device.uid)
    link.update_device(dataclasses.replace(device, availability=Availability.ONLINE))
    await wait_until(lambda: not link._ops)
    assert room.devices[device.uid].availability is Availability.ONLINE
