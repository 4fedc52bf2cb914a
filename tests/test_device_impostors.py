"""A device on the room's LAN that pretends: one copying a projector's MAC, one asking for the room's password.

Real simulated PJLink projectors on loopback (127.0.46.x, the standard port) play the projector and the laptop;
a real Room and store, the console's own RoomDevices. E3's probes: the MAC copy took the projector's card and its
Power button; a laptop answering PJLink was given the room password's digest to guess at offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices
from classroom_console.store import AsyncStore, open_store
from classroom_console.store.migrations import migrate
from classroom_console.store.sqlite_db import Database
from devices.discovery import DeviceFinder, FinderConfig
from devices.driver import ID_CONFLICT, Command, Reason
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.pjlink.outcome import NOT_POLLED
from devices.pjlink.values import PowerState
from devices.sim.pjlink_projector import Fault, SimProjectorConfig, SimulatedProjector

PORT = 4352
PASSWORD = "a-long-room-password-2026"


def mac_of(host: str) -> str:
    return "02:46:00:00:00:" + f"{int(host.rsplit('.', 1)[1]):02x}"


async def wait_until(predicate: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def projector(host: str, mac: str | None, name: str, password: str | None = PASSWORD,
                    fault: Fault | None = None, pjlink_class: int = 2) -> AsyncIterator[SimulatedProjector]:
    sim = SimulatedProjector(SimProjectorConfig(
        name=name, host=host, port=PORT, udp_port=PORT, mac=mac, password=password, warmup_s=0.3, cooling_s=0.3,
        fault=fault, slow_delay_s=0.1, pjlink_class=pjlink_class))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def polled(room: Room, *uids: str) -> bool:
    """Each device's driver has read it once (what discovery's own look saw came without any password)."""
    return all(uid in room.devices and room.devices[uid].state.get("detail") not in (None, NOT_POLLED)
               for uid in uids)


def room_devices(room: Room, hosts: list[str], passwords: dict[str, str], store: AsyncStore | None = None
                 ) -> RoomDevices:
    config = FinderConfig(search_targets=[(h, PORT) for h in hosts], dnssd_types=(), passwords=passwords,
                          step_timeout=2.0)
    return RoomDevices(room, config, store=store, passwords=passwords, poll_interval_s=0.3,
                       discovery_window_s=2.0, rediscover_every_s=600.0)


async def test_a_second_address_claiming_a_projectors_mac_does_not_take_its_card() -> None:
    real_host, fake_host = "127.0.46.16", "127.0.46.18"
    uid = f"mac:{mac_of(real_host)}"
    room = Room("E4")
    devices = room_devices(room, [real_host, fake_host], {uid: PASSWORD})  # the projector's own, saved
    async with projector(real_host, mac_of(real_host), "Projector 1") as real:
        try:
            await devices.discover_once()
            await wait_until(lambda: uid in room.devices and room.devices[uid].availability is Availability.ONLINE)
            async with projector(fake_host, mac_of(real_host), "IMPOSTOR") as fake:  # a laptop copies its MAC
                await devices.discover_once()
                claimant = f"addr:{fake_host}:{PORT}"
                await wait_until(lambda: claimant in room.devices and room.devices[uid].reason == ID_CONFLICT)
                kept, other = room.devices[uid], room.devices[claimant]
                assert (kept.address, kept.name) == (real_host, "Projector 1")  # the card is still the projector's
                assert kept.state["id_conflict"] == f"{fake_host}:{PORT}"
                assert other.reason == ID_CONFLICT and other.state["claims"] == uid
                assert other.state["id_conflict"] == f"{real_host}:{PORT}"
                # Not given the projector's password, and its card offers no box to type one in.
                assert other.availability is Availability.FAULT and other.state["needs_password"] is True
                assert "power" not in other.state  # never read: no password went to it

                await devices.command(uid, Command("power", True))  # the lecturer's Power button
                assert real.power_state in (PowerState.WARMING, PowerState.ON) and fake.power_state is PowerState.OFF

                # The projector is unplugged: now the other address is where its id lives (DHCP moves are real).
                await real.stop()
                await devices.discover_once()
                await wait_until(lambda: room.devices[uid].address == fake_host)
                assert devices.uids() == [uid]  # one card driven there, not the claim's beside it
        finally:
            await devices.stop()


async def test_discover_with_a_password_does_not_send_it_to_a_copy_of_a_projector() -> None:
    """`discover --password` gives it to every device found that asks, but not to an address claiming another's MAC."""
    real_host, fake_host = "127.0.46.66", "127.0.46.68"
    uid, claimant = f"mac:{mac_of(real_host)}", f"addr:{fake_host}:{PORT}"
    finder = DeviceFinder(FinderConfig(search_targets=[(h, PORT) for h in (real_host, fake_host)], dnssd_types=(),
                                       default_password=PASSWORD))
    async with projector(real_host, mac_of(real_host), "Projector 1"):
        first = {d.uid: d for d in await finder.discover(2.0)}
        assert first[uid].availability is Availability.ONLINE
        async with projector(fake_host, mac_of(real_host), "IMPOSTOR"):  # would take the password
            second = {d.uid: d for d in await finder.discover(2.0)}
    assert second[uid].address == real_host
    assert second[claimant].availability is Availability.AUTH_FAILED and second[claimant].reason == ID_CONFLICT


async def test_a_copy_that_goes_away_leaves_the_projector_unflagged() -> None:
    real_host, fake_host = "127.0.46.56", "127.0.46.58"
    uid = f"mac:{mac_of(real_host)}"
    room = Room("E4")
    devices = room_devices(room, [real_host, fake_host], {})
    try:
        async with projector(real_host, mac_of(real_host), "Projector 1", password=None):
            await devices.discover_once()
            async with projector(fake_host, mac_of(real_host), "IMPOSTOR", password=None):
                await devices.discover_once()
                await wait_until(lambda: room.devices[uid].reason == ID_CONFLICT)
            await devices.discover_once()  # a whole look without the copy claiming
            await wait_until(lambda: room.devices[uid].availability is Availability.ONLINE)
            assert room.devices[uid].reason != ID_CONFLICT and "id_conflict" not in room.devices[uid].state
    finally:
        await devices.stop()


async def test_after_a_restart_a_copy_answering_first_does_not_take_the_remembered_projectors_card(
    tmp_path: Path,
) -> None:
    """The room remembers where its projector was; the copy is asked first (the projector is slow to answer)."""
    real_host, fake_host = "127.0.46.46", "127.0.46.48"
    uid = f"mac:{mac_of(real_host)}"
    store = await AsyncStore.open(tmp_path)
    await store.upsert_device(DeviceInfo(uid, DeviceKind.PROJECTOR, "Projector 1", real_host, PORT, "pjlink"))
    room = Room("E4")
    devices = room_devices(room, [real_host, fake_host], {}, store=store)
    try:
        async with projector(real_host, mac_of(real_host), "Projector 1", password=None, fault="slow"), \
                projector(fake_host, mac_of(real_host), "IMPOSTOR", password=None):
            await devices.start()
            claimant = f"addr:{fake_host}:{PORT}"
            await wait_until(lambda: claimant in room.devices and room.devices[uid].reason == ID_CONFLICT)
            assert room.devices[uid].address == real_host
    finally:
        await devices.stop()
        await store.close()


async def test_a_projector_moved_by_dhcp_keeps_its_card_though_a_class_1_display_took_its_old_address(
    tmp_path: Path,
) -> None:
    """The old address answers, but as a class 1 device with no MAC: another device, not a rival."""
    old_host, new_host = "127.0.46.76", "127.0.46.78"
    uid = f"mac:{mac_of(old_host)}"
    store = await AsyncStore.open(tmp_path)
    await store.upsert_device(DeviceInfo(uid, DeviceKind.PROJECTOR, "Projector 1", old_host, PORT, "pjlink", "2"))
    room = Room("E4")
    devices = room_devices(room, [old_host, new_host], {}, store=store)
    try:
        async with projector(old_host, None, "Display", password=None, pjlink_class=1), \
                projector(new_host, mac_of(old_host), "Projector 1", password=None):
            await devices.start()
            await wait_until(lambda: room.devices[uid].address == new_host and polled(room, uid))
            assert "id_conflict" not in room.devices[uid].state and room.devices[uid].reason != ID_CONFLICT
    finally:
        await devices.stop()
        await store.close()


async def test_the_room_password_is_offered_only_to_the_rooms_own_devices(tmp_path: Path) -> None:
    own_host, laptop_host = "127.0.46.26", "127.0.46.27"
    own, laptop = f"mac:{mac_of(own_host)}", f"mac:{mac_of(laptop_host)}"
    store = await AsyncStore.open(tmp_path)
    # The room's projector, remembered from its setup (the store's row, marked as the room's).
    await store.upsert_device(DeviceInfo(own, DeviceKind.PROJECTOR, "Projector 1", own_host, PORT, "pjlink",
                                         state={"room_known": True}))
    room = Room("E4")
    devices = room_devices(room, [own_host, laptop_host], {"*": PASSWORD}, store=store)
    try:
        async with projector(own_host, mac_of(own_host), "Projector 1"), \
                projector(laptop_host, mac_of(laptop_host), "Laptop"):  # would take the room's password
            await devices.start()
            await wait_until(lambda: polled(room, own, laptop))
            assert room.devices[own].availability is Availability.ONLINE
            assert room.devices[laptop].availability is Availability.AUTH_FAILED  # never sent the room's digest
            assert room.devices[laptop].reason == Reason.PASSWORD_NEEDED  # "needs a password" on its card
            assert "room_known" not in room.devices[laptop].state

            devices.set_room_password(PASSWORD, also=[laptop])  # the lecturer confirms it, typing it on its card
            await wait_until(lambda: room.devices[laptop].availability is Availability.ONLINE)
            assert room.devices[laptop].state["room_known"] is True  # kept with its row for the next start
    finally:
        await devices.stop()
        await store.close()


async def test_typing_the_room_password_sends_it_to_the_rooms_own_devices_not_to_a_stranger_asking(
        tmp_path: Path) -> None:
    """R8: the card's dialog sent the room password to every device asking at that moment, so a laptop answering as
    many "projectors" as it liked got a digest each. Now a stranger is sent it only when the lecturer ticks it."""
    own_host, laptop_host = "127.0.46.28", "127.0.46.29"
    own, laptop = f"mac:{mac_of(own_host)}", f"mac:{mac_of(laptop_host)}"
    store = await AsyncStore.open(tmp_path)
    await store.upsert_device(DeviceInfo(own, DeviceKind.PROJECTOR, "Projector 1", own_host, PORT, "pjlink",
                                         state={"room_known": True}))
    room = Room("E4")
    devices = room_devices(room, [own_host, laptop_host], {}, store=store)  # no password typed yet
    try:
        async with projector(own_host, mac_of(own_host), "Projector 1"), \
                projector(laptop_host, mac_of(laptop_host), "Laptop"):
            await devices.start()
            await wait_until(lambda: polled(room, own, laptop) and all(
                room.devices[uid].availability is Availability.AUTH_FAILED for uid in (own, laptop)))
            laptops_driver = devices._managed[laptop].driver
            devices.set_room_password(PASSWORD)  # typed on another card, strangers' box left unticked
            assert devices._managed.get(laptop) is not None and devices._managed[laptop].driver is laptops_driver
            await wait_until(lambda: room.devices[own].availability is Availability.ONLINE)
            assert room.devices[laptop].availability is Availability.AUTH_FAILED
            assert devices._managed[laptop].driver is laptops_driver, "never reconnected with the room's password"
    finally:
        await devices.stop()
        await store.close()


@pytest.mark.parametrize(("before_mark", "last", "state", "known"), [
    # Rows from before the mark, judged once at the store's upgrade (migrations v14):
    (True, Availability.ONLINE, {"needs_password": True}, True),  # got in with a password the room gave it
    (True, Availability.AUTH_FAILED, {"needs_password": True}, False),  # a stranger that asked and was refused
    (True, Availability.ONLINE, {}, False),  # an open device, seen once: no password was ever given to it
    (True, Availability.OFFLINE, {"needs_password": True}, False),  # a stranger that asked, was refused, went away
    # R9's two-phase stranger: read while it asked for no password, then asking, then silent. Its row is the one a
    # room upgraded while its projector was off the network would hold: the row alone cannot tell them apart.
    (True, Availability.OFFLINE, {"needs_password": True, "power": "off", "lamp_hours": [812]}, False),
    # After the mark a row proves nothing by itself: R9's stranger asked at the look and was open to the polls.
    (False, Availability.ONLINE, {"needs_password": True}, False),
    (False, Availability.OFFLINE, {"needs_password": True, "room_known": True}, True),  # the room's, marked
])
async def test_a_remembered_device_is_the_rooms_own_if_it_got_in_with_the_rooms_password(
    tmp_path: Path, before_mark: bool, last: Availability, state: dict[str, object], known: bool
) -> None:
    host = "127.0.46.36"
    uid = f"mac:{mac_of(host)}"
    info = DeviceInfo(uid, DeviceKind.PROJECTOR, "P", host, PORT, "pjlink", availability=last, state=state)
    if before_mark:
        await asyncio.to_thread(_row_from_before_the_mark, tmp_path, info)
    store = await AsyncStore.open(tmp_path)
    if not before_mark:
        await store.upsert_device(info)
    room = Room("E4")
    devices = room_devices(room, [host], {"*": PASSWORD}, store=store)
    try:
        async with projector(host, mac_of(host), "P"):
            await devices.start()
            await wait_until(lambda: polled(room, uid))
            expected = Availability.ONLINE if known else Availability.AUTH_FAILED
            assert room.devices[uid].availability is expected
    finally:
        await devices.stop()
        await store.close()


def _row_from_before_the_mark(data: Path, info: DeviceInfo, secret: str | None = None) -> None:
    """The device's row as the console before the room's mark wrote it (store v13)."""
    db = Database(sqlite3.connect(data / "console.db"))
    try:
        assert migrate(db, data / "console.db", target=13) == 13
        extra = {"availability": str(info.availability), "found_by": [], "state": info.state}
        db.execute("INSERT INTO devices (uid, kind, name, last_address, last_port, protocol, first_seen, last_seen, "
                   "extra) VALUES (?, ?, ?, ?, ?, ?, '2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z', ?)",
                   (info.uid, str(info.kind), info.name, info.address, info.port, info.protocol, json.dumps(extra)))
        if secret is not None:
            db.execute("INSERT INTO device_secrets (device_uid, password, updated_at) "
                       "VALUES (?, ?, '2026-11-01T09:00:00Z')", (info.uid, secret))
        db.conn.commit()
    finally:
        db.close()


def test_a_device_with_a_password_of_its_own_from_before_the_mark_is_the_rooms(tmp_path: Path) -> None:
    """Typed on its card before the mark: the lecturer's own device, whatever it was last seen as."""
    info = DeviceInfo("mac:02:46:00:00:00:99", DeviceKind.PROJECTOR, "P", "10.0.0.9", PORT, "pjlink",
                      availability=Availability.OFFLINE, state={"needs_password": True})
    _row_from_before_the_mark(tmp_path, info, secret="its-own")
    store = open_store(tmp_path)
    try:
        (row,) = store.known_devices()
        assert row["extra"]["state"]["room_known"] is True
    finally:
        store.close()
