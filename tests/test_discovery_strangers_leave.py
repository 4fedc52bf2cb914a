"""Strangers taken in by hearsay leave the room with their place: the room's places age (an address silent for an hour
gives its place back), and R9 found only the place came back: the stranger's card, its driver polling the dead
address, its record and its store row stayed, so an attacker whose addresses answer once and go silent added the
room's bound of cards and pollers every hour (probe: 2, 4, 6, 8 with a bound of 2). Real simulated projectors on
loopback (127.0.49.x), found by PJLink search replies standing for a broadcast's; the room's hour passes on a clock.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices
from classroom_console.store import AsyncStore
from devices.discovery import FinderConfig
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
