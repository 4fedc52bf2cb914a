"""What counts as evidence that a device is this room's, and when the lecturer's word holds (R11 F5-F7, F9, F11).

Real simulated PJLink projectors on loopback (127.0.51.x, port 4352: run in a network namespace of its own), a real
store, ``RoomDevices`` as the window runs it; the power is read from the simulators themselves."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from classroom_console.room import Room
from classroom_console.room_choice import ROOM_SAID_AS, Belonging, belonging, pre_ticked, switched, undecided
from classroom_console.room_devices import RoomDevices
from classroom_console.store import AsyncStore
from devices.discovery import FinderConfig
from devices.model import Availability
from devices.pjlink.values import PowerState
from devices.sim.pjlink_projector import SimulatedProjector
from tests.test_device_impostors import PORT, mac_of, projector, wait_until
from tests.test_discovery_strangers_leave import hearsay_room, uid


def host(n: int) -> str:
    return f"127.0.51.{n}"


def room_devices(room: Room, store: AsyncStore, *, sweep: Sequence[str] = (),
                 search: Sequence[str] = ()) -> RoomDevices:
    config = FinderConfig(search_targets=[(h, PORT) for h in search], sweep=list(sweep), dnssd_types=(),
                          step_timeout=1.0, sweep_cameras=False)
    return RoomDevices(room, config, store=store, poll_interval_s=0.2, discovery_window_s=1.5,
                       rediscover_every_s=600.0)


async def online(room: Room, *uids: str) -> None:
    await wait_until(lambda: all(uid in room.devices and room.devices[uid].availability is Availability.ONLINE
                                 for uid in uids), 30)


async def test_a_swept_range_is_no_evidence_its_devices_are_asked_about_and_the_neighbours_left_alone(
    tmp_path: Path,
) -> None:
    """R11 F5: a room on its own VLAN lists the VLAN's range; the neighbours' projectors are on it too."""
    store = await AsyncStore.open(tmp_path)
    room = Room("f5", log_store=store)
    dev = room_devices(room, store, sweep=["127.0.51.4/30"])
    ours, theirs = f"mac:{mac_of(host(5))}", f"mac:{mac_of(host(6))}"
    try:
        async with projector(host(5), mac_of(host(5)), "OWN", password=None) as own, \
                projector(host(6), mac_of(host(6)), "NEIGHBOUR", password=None) as their:
            await dev.discover_once()
            await online(room, ours, theirs)
            assert {d.uid for d in undecided(room.devices.values())} == {ours, theirs}  # the banner asks
            await dev.choose({ours: True})  # the lecturer ticks its own projector
            assert belonging(room.devices[theirs]) is Belonging.UNDECIDED and not switched(room.devices[theirs])
            await all_on_switches_ours_alone(dev, own, their)
    finally:
        await dev.stop()
        await store.close()


async def test_a_named_address_is_evidence_until_the_room_chose_then_a_newcomer_there_is_asked_about(
    tmp_path: Path,
) -> None:
    """R11 F7: the room's own projector (chosen) moves by DHCP and a neighbour's takes its listed address."""
    store = await AsyncStore.open(tmp_path)
    room = Room("f7", log_store=store)
    dev = room_devices(room, store, sweep=[host(10)], search=[host(11), host(12)])
    ours, theirs = f"mac:{mac_of(host(10))}", f"mac:{mac_of(host(11))}"
    try:
        async with projector(host(10), mac_of(host(10)), "OWN", password=None):
            await dev.discover_once()
            await online(room, ours)
            assert belonging(room.devices[ours]) is Belonging.LIKELY  # named one by one: the room's by evidence
            await dev.choose({ours: True})
        async with projector(host(12), mac_of(host(10)), "OWN", password=None) as own, \
                projector(host(10), mac_of(host(11)), "NEIGHBOUR", password=None) as their:
            await dev.discover_once()
            await online(room, ours, theirs)
            await wait_until(lambda: room.devices[ours].address == host(12))
            newcomer = room.devices[theirs]
            assert newcomer.address == host(10)
            assert belonging(newcomer) is Belonging.UNDECIDED and not switched(newcomer)
            assert pre_ticked(newcomer)  # the named address is still a hint for the chooser
            await all_on_switches_ours_alone(dev, own, their)
    finally:
        await dev.stop()
        await store.close()


async def test_the_word_on_a_device_known_by_its_address_is_void_when_another_answers_there(tmp_path: Path) -> None:
    """R11 F6: class-1 projectors without a MAC or serial have ``addr:`` uids; DHCP swaps two of them over a
    weekend (a restart between): neither word holds, both are asked about again, and neither is switched."""
    store = await AsyncStore.open(tmp_path)
    room = Room("f6", log_store=store)
    dev = room_devices(room, store, sweep=[host(20), host(21)])
    ours, theirs = f"addr:{host(20)}:{PORT}", f"addr:{host(21)}:{PORT}"
    try:
        async with projector(host(20), None, "OWN 204", password=None, pjlink_class=1), \
                projector(host(21), None, "NEIGHBOUR 203", password=None, pjlink_class=1):
            await dev.discover_once()
            await online(room, ours, theirs)
            await wait_until(lambda: room.devices[ours].state.get("power") is not None
                             and room.devices[theirs].state.get("power") is not None)
            await dev.choose({ours: True, theirs: False})
            assert belonging(room.devices[ours]) is Belonging.CHOSEN
            assert room.devices[ours].state[ROOM_SAID_AS]["name"] == "OWN 204"
    finally:
        await dev.stop()
        await room.flush()
        await store.close()

    store = await AsyncStore.open(tmp_path)
    room = Room("f6-again", log_store=store)
    dev = room_devices(room, store, sweep=[host(20), host(21)])
    try:
        await dev.start()
        async with projector(host(21), None, "OWN 204", password=None, pjlink_class=1) as own, \
                projector(host(20), None, "NEIGHBOUR 203", password=None, pjlink_class=1) as their:
            await dev.discover_once()
            await wait_until(lambda: room.devices[ours].name == "NEIGHBOUR 203"
                             and room.devices[theirs].name == "OWN 204")
            await online(room, ours, theirs)
            await wait_until(lambda: all(belonging(room.devices[uid]) is Belonging.UNDECIDED for uid in (ours, theirs)))
            assert not switched(room.devices[ours]) and not switched(room.devices[theirs])
            assert await dev.power_all(True) == []
            await asyncio.sleep(0.5)  # a command sent would have reached the simulator by now (loopback)
            assert own.power_state is PowerState.OFF and their.power_state is PowerState.OFF
    finally:
        await dev.stop()
        await store.close()


async def test_a_refusal_alone_protects_the_refused_device_and_leaves_the_rest_switched(tmp_path: Path) -> None:
    """R11 F9: the lecturer unticks the neighbour's Details and never opens the chooser."""
    store = await AsyncStore.open(tmp_path)
    room = Room("f9", log_store=store)
    dev = room_devices(room, store, search=[host(30), host(31)])
    ours, theirs = f"mac:{mac_of(host(30))}", f"mac:{mac_of(host(31))}"
    try:
        async with projector(host(30), mac_of(host(30)), "OWN", password=None) as own, \
                projector(host(31), mac_of(host(31)), "NEIGHBOUR", password=None) as their:
            await dev.discover_once()
            await online(room, ours, theirs)
            await dev.choose({theirs: False})
            assert belonging(room.devices[ours]) is Belonging.UNDECIDED and switched(room.devices[ours])
            await all_on_switches_ours_alone(dev, own, their)
    finally:
        await dev.stop()
        await store.close()


async def test_cards_are_judged_again_when_the_named_addresses_change(tmp_path: Path) -> None:
    """R11 F11: an address taken off the list is no evidence from then on, though the device there is unchanged."""
    store = await AsyncStore.open(tmp_path)
    room = Room("f11", log_store=store)
    dev = room_devices(room, store, sweep=[host(40)])
    ours = f"mac:{mac_of(host(40))}"
    try:
        async with projector(host(40), mac_of(host(40)), "OWN", password=None):
            await dev.discover_once()
            await online(room, ours)
            await wait_until(lambda: belonging(room.devices[ours]) is Belonging.LIKELY)
            await dev.look_at([])
            await wait_until(lambda: belonging(room.devices[ours]) is Belonging.UNDECIDED, 10)
            dev.set_password(ours, "typed for it")  # a password of its own: evidence, on its card at once
            assert belonging(room.devices[ours]) is Belonging.LIKELY
    finally:
        await dev.stop()
        await store.close()


async def test_a_refused_strangers_row_takes_no_place_at_the_start_and_the_rooms_new_projector_gets_it(
    tmp_path: Path,
) -> None:
    """R11 F14: a refused neighbour's row is kept for its word; at the next start it held one of the room's places
    for strangers (here 1), and the room's own new projector, found by broadcast, was not taken in."""
    neighbour, own_new = host(50), host(51)
    await _refused_in_a_first_run(tmp_path, neighbour, own_new)
    store = await AsyncStore.open(tmp_path)
    room = Room("f14-again", log_store=store)
    dev, _ = hearsay_room(room, [neighbour, own_new], store, in_room=1)
    try:
        await dev.start()
        assert dict(dev.finder.registry.hearsay_addresses) == {} and uid(neighbour) not in room.devices
        async with projector(own_new, mac_of(own_new), "OWN new", password=None):
            await dev.discover_once()
            await online(room, uid(own_new))
        async with projector(neighbour, mac_of(neighbour), "Neighbour", password=None):
            await wait_until(lambda: uid(neighbour) not in room.devices or belonging(
                room.devices[uid(neighbour)]) is Belonging.REFUSED)  # heard again: still refused, if shown
    finally:
        await dev.stop()
        await store.close()
    rows = {str(r["uid"]): r["room_choice"] for r in await _rows(tmp_path)}
    assert rows[uid(neighbour)] == 0  # the word is kept


async def _refused_then_both_answer(tmp_path: Path, in_room: int) -> tuple[Room, RoomDevices, AsyncStore]:
    """A neighbour refused in a first run; a second run whose one look hears it and the room's own new projector
    (found by broadcast, each a stranger by hearsay) with ``in_room`` places for strangers. Returned running."""
    neighbour, own_new = host(52), host(53)
    await _refused_in_a_first_run(tmp_path, neighbour, own_new)
    store = await AsyncStore.open(tmp_path)
    room = Room("f14-2", log_store=store)
    dev, _ = hearsay_room(room, [neighbour, own_new], store, in_room=in_room)
    dev.finder.config = dataclasses.replace(dev.finder.config, hearsay_per_look=4)  # the room's places bind
    await dev.start()
    return room, dev, store


async def test_a_refused_neighbour_answering_the_same_look_leaves_the_last_place_to_the_rooms_new_projector(
    tmp_path: Path,
) -> None:
    """R11 F14's residual: one stranger's place left, a refused neighbour and the room's own new projector answer
    one look; the refused one is admitted after the others, so the room's projector takes the place (old code:
    first come, first served, the neighbour's card and not ours, R11's probe d6_refused_hold_places.py)."""
    neighbour, own_new = host(52), host(53)
    room, dev, store = await _refused_then_both_answer(tmp_path, in_room=1)
    try:
        async with projector(neighbour, mac_of(neighbour), "Neighbour", password=None), \
                projector(own_new, mac_of(own_new), "OWN new", password=None):
            await dev.discover_once()
            await online(room, uid(own_new))
            assert uid(neighbour) not in room.devices  # no place left for it: its word alone is kept
            assert set(dev.finder.registry.hearsay_addresses) == {own_new}
    finally:
        await dev.stop()
        await store.close()


async def test_a_refused_neighbour_still_gets_a_place_left_after_the_others(tmp_path: Path) -> None:
    """Admitted later, not refused: with a place for each, the refused neighbour's card is shown too, judged
    refused (dimmed and left alone by scenes), beside the room's new projector."""
    neighbour, own_new = host(52), host(53)
    room, dev, store = await _refused_then_both_answer(tmp_path, in_room=2)
    try:
        async with projector(neighbour, mac_of(neighbour), "Neighbour", password=None), \
                projector(own_new, mac_of(own_new), "OWN new", password=None):
            await dev.discover_once()
            await online(room, uid(own_new))
            await online(room, uid(neighbour))
            assert belonging(room.devices[uid(neighbour)]) is Belonging.REFUSED
    finally:
        await dev.stop()
        await store.close()


async def _rows(folder: Path) -> list[dict[str, object]]:
    store = await AsyncStore.open(folder)
    try:
        return await store.known_devices()
    finally:
        await store.close()


async def _refused_in_a_first_run(tmp_path: Path, neighbour: str, own_new: str) -> None:
    """A first run: the neighbour, a stranger by hearsay, found and refused by the lecturer; its word in the store."""
    store = await AsyncStore.open(tmp_path)
    room = Room("first-run", log_store=store)
    dev, _ = hearsay_room(room, [neighbour, own_new], store, in_room=1)
    try:
        async with projector(neighbour, mac_of(neighbour), "Neighbour", password=None):
            await dev.discover_once()
            await wait_until(lambda: uid(neighbour) in room.devices)
            await dev.choose({uid(neighbour): False})
        await room.flush()
    finally:
        await dev.stop()
        await store.close()


async def all_on_switches_ours_alone(dev: RoomDevices, own: SimulatedProjector, their: SimulatedProjector) -> None:
    """All on: the room's own projector comes on, the neighbour's stays off."""
    assert await dev.power_all(True) == []  # returns once every command sent was answered
    await wait_until(lambda: own.power_state in (PowerState.WARMING, PowerState.ON))
    assert their.power_state is PowerState.OFF
