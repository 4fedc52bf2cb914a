"""``discover --json``'s "room" and the window (``RoomDevices.belonging``) judge by one rule (``room_choice.weigh``):
the word, void on a device known by its address alone while another answers there (R11 F6), else the evidence.
``discover`` had a copy of the evidence rule without the void, and its look's write of the row erased what answered
when the word was given, so the window took the word for the next device at that address too.

Real simulated PJLink projectors on loopback (127.0.51.60-63, port 4352: run in a network namespace of its own), a
real store, ``RoomDevices`` as the window runs it and ``discover`` as the command runs it."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from classroom_console.commands.discover import as_json, discover
from classroom_console.room import Room
from classroom_console.room_choice import answer
from classroom_console.room_devices import RoomDevices
from classroom_console.store import AsyncStore
from devices.discovery import FinderConfig
from tests.test_device_impostors import PORT, mac_of, projector, wait_until
from tests.test_room_choice_evidence import online

OWN, NAMED, SEARCHED = "127.0.51.60", "127.0.51.61", "127.0.51.62"
SWEEP = [OWN, NAMED, "127.0.51.62/31"]  # two named one by one, one in a range (no evidence)
BY_ADDRESS = f"addr:{OWN}:{PORT}"  # a class-1 projector: no MAC, no serial
NAMED_UID, SEARCHED_UID = f"mac:{mac_of(NAMED)}", f"mac:{mac_of(SEARCHED)}"


@contextlib.asynccontextmanager
async def window(tmp_path: Path) -> AsyncIterator[tuple[Room, RoomDevices]]:
    """The window's room on the folder's store, its devices found and read; closed and flushed after."""
    store = await AsyncStore.open(tmp_path)
    room = Room("one-rule", log_store=store)
    config = FinderConfig(search_targets=(), sweep=list(SWEEP), dnssd_types=(), step_timeout=1.0, sweep_cameras=False)
    dev = RoomDevices(room, config, store=store, poll_interval_s=0.2, discovery_window_s=1.5,
                      rediscover_every_s=600.0)
    try:
        await dev.start()
        await dev.discover_once()
        await online(room, BY_ADDRESS, NAMED_UID, SEARCHED_UID)
        await wait_until(lambda: all(room.devices[uid].state.get("power") is not None
                                     for uid in (BY_ADDRESS, NAMED_UID, SEARCHED_UID)), 30)
        yield room, dev
    finally:
        await dev.stop()
        await room.flush()
        await store.close()


async def look(tmp_path: Path) -> dict[str, object]:
    """``discover --json --scope loopback --sweep ...``'s "room" for each of the three."""
    args = argparse.Namespace(data_dir=tmp_path, scope="loopback", sweep=list(SWEEP), timeout=2.0, password=None,
                              verbose=False, json=True)
    devices, _sent = await discover(args)
    return {str(d["id"]): d["room"] for d in map(as_json, devices) if d["id"] in (BY_ADDRESS, NAMED_UID, SEARCHED_UID)}


async def window_says(tmp_path: Path) -> dict[str, object]:
    async with window(tmp_path) as (room, _dev):
        return {uid: answer(room.devices[uid]) for uid in (BY_ADDRESS, NAMED_UID, SEARCHED_UID)}


async def test_discover_and_the_window_judge_alike_the_word_on_an_address_void_while_another_answers(
    tmp_path: Path,
) -> None:
    async with projector(NAMED, mac_of(NAMED), "NAMED", password=None), \
            projector(SEARCHED, mac_of(SEARCHED), "SEARCHED", password=None):
        async with projector(OWN, None, "OWN 204", password=None, pjlink_class=1):
            before = {BY_ADDRESS: True, NAMED_UID: True, SEARCHED_UID: None}  # named one by one: evidence
            assert await look(tmp_path) == before
            assert await window_says(tmp_path) == before
            async with window(tmp_path) as (_room, dev):
                await dev.choose({BY_ADDRESS: True, SEARCHED_UID: False})
            chosen = {BY_ADDRESS: True, NAMED_UID: None, SEARCHED_UID: False}  # the room chose: a name is no more
            assert await look(tmp_path) == chosen
            assert await window_says(tmp_path) == chosen
        # DHCP gave OWN 204's address to room 203's class-1 projector: the word is void in both
        async with projector(OWN, None, "NEIGHBOUR 203", password=None, pjlink_class=1):
            swapped = {BY_ADDRESS: None, NAMED_UID: None, SEARCHED_UID: False}
            assert await look(tmp_path) == swapped  # was True: discover kept the word for whoever answered
            assert await window_says(tmp_path) == swapped  # was True: discover's look erased who the word was for
        async with projector(OWN, None, "OWN 204", password=None, pjlink_class=1):  # back: the word holds again
            assert await look(tmp_path) == chosen
            assert await window_says(tmp_path) == chosen
