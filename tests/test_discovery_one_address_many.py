"""One address posing as many devices: a laptop listening on many ports, each answering PJLink's greeting with
"I need a password" and each advertised by DNS-SD, made a card of each (R8: 256-299 from one address in one look),
as answering strangers were not bounded. Now an address heard of adds a few endpoints, a look a bounded number of
new strangers, and a device the room remembers at that address is still taken in. Real multicast, so the look runs
in a network namespace of its own (see test_discovery_hostile_adverts.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket

from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices
from devices.discovery import FinderConfig
from devices.model import Availability
from tests.test_device_impostors import PORT, mac_of, projector, wait_until
from tests.test_discovery_hostile_adverts import REAL, TYPE, advert_packet, in_namespace

LAPTOP = "127.1.0.1"
PORTS = range(20000, 20024)  # the laptop's listeners
REMEMBERED = 20023  # one of them the room holds from before (a store row)
OTHERS = [f"127.1.1.{i}" for i in range(1, 13)]  # one listener each: a look's bound, not an address's
PER_LOOK = 8


async def greet(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"PJLINK 1 00112233\r")  # asks for a password: reachable, so not a silent stranger
    try:
        await writer.drain()
    except OSError:
        pass
    writer.close()


async def posing_room() -> None:
    """The child's part: the real projector found in a first look, then a look while the laptop advertises."""
    from classroom_console.room import Room
    from classroom_console.room_devices import RoomDevices
    from devices.discovery import FinderConfig
    from devices.model import DeviceInfo, DeviceKind
    from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
    from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage()[:200])  # type: ignore[method-assign]
    logging.getLogger("devices.discovery.finder").addHandler(handler)
    endpoints = [(LAPTOP, port) for port in PORTS] + [(other, 4352) for other in OTHERS]
    servers = [await asyncio.start_server(greet, host, port) for host, port in endpoints]
    sim = SimulatedProjector(SimProjectorConfig(name="Real", host=REAL, mac="02:47:00:00:00:05"))
    await sim.start()
    room = Room("posing")
    config = FinderConfig(search_targets=(), dnssd_types=[TYPE], dnssd_interfaces=["127.0.0.1"],
                          hearsay_per_look=PER_LOOK)
    devices = RoomDevices(room, config, poll_interval_s=5.0, discovery_window_s=3.0, rediscover_every_s=600.0)
    remembered = f"addr:{LAPTOP}:{REMEMBERED}"
    devices.finder.registry.remember(DeviceInfo(remembered, DeviceKind.PROJECTOR, "Old", LAPTOP, REMEMBERED,
                                                "pjlink"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))

    async def advertise() -> None:
        for _ in range(2):  # twice: a busy machine's zeroconf may miss a datagram
            for i, (host, port) in enumerate(endpoints):
                sock.sendto(advert_packet(i, host, port), ("224.0.0.251", 5353))
                if i % 10 == 0:
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.5)

    try:
        async with DnssdAdvertiser(["127.0.0.1"], probe=False) as advertiser:
            await advertiser.advertise(Advertisement(TYPE, "Real", REAL, sim.tcp_port, {"mac": sim.mac}))
            await devices.discover_once()
            before = sorted(room.devices)
            adverts = asyncio.create_task(advertise())
            await devices.discover_once()
            await adverts
    finally:
        await devices.stop()
        await sim.stop()
        sock.close()
        for server in servers:
            server.close()
    print(json.dumps({
        "before": before,
        "laptop": sorted(uid for uid, d in room.devices.items() if d.address == LAPTOP),
        "others": sum(1 for d in room.devices.values() if d.address in OTHERS),
        "real": str(room.devices[f"mac:{sim.mac}"].availability) if f"mac:{sim.mac}" in room.devices else None,
        "said": [s for s in said if "not asked" in s],
    }))


def test_one_address_on_many_ports_adds_a_few_devices_and_the_remembered_one() -> None:
    outcome = in_namespace("posing_room", __name__)
    assert outcome["before"] == ["mac:02:47:00:00:00:05"]
    assert outcome["real"] == "online"
    laptop = outcome["laptop"]
    assert isinstance(laptop, list) and f"addr:{LAPTOP}:{REMEMBERED}" in laptop  # never dropped
    assert len(laptop) <= 1 + 4  # the remembered one and at most four heard of (old code: 24)
    others = outcome["others"]
    assert isinstance(others, int) and 1 <= others <= PER_LOOK  # new addresses in the look (the laptop's is held)
    said = outcome["said"]
    assert isinstance(said, list) and len(said) == 1 and said[0].startswith("dropped ")  # once, counted


def test_the_simulated_rooms_tablets_on_one_address_are_all_taken_and_a_stranger_four() -> None:
    """``sim room --tablets N`` runs every tablet's agent on one address of its range; a LAN address is bounded."""
    from devices.discovery._hearsay import HearsayBudget
    from devices.discovery._registry import DeviceRegistry, Hints
    from devices.sim.loopback import LOOPBACK_ROOM

    budget = HearsayBudget(DeviceRegistry())
    tablets = str(LOOPBACK_ROOM.network_address + 20)
    assert all(budget.admits(tablets, port, Hints({"dnssd"})) for port in range(7000, 7030))
    taken = [port for port in range(7000, 7030) if budget.admits(LAPTOP, port, Hints({"dnssd"}))]
    assert taken == [7000, 7001, 7002, 7003]
    assert budget.admits(LAPTOP, 7003, Hints({"dnssd"}))  # one it took, heard of again
    assert budget.admits(LAPTOP, 7010, Hints({"sweep"}))  # the lecturer's own sweep is not hearsay
    assert len(budget.refused) == 25


def test_strangers_by_hearsay_are_bounded_in_the_room_not_only_a_look_at_a_time() -> None:
    """R8: 300 addresses, one port each, gave 65, 129, 193, 255 devices after four looks: the bound was a look's."""
    from devices.discovery._hearsay import HearsayBudget
    from devices.discovery._registry import DeviceRegistry, Hints

    registry = DeviceRegistry()
    heard = Hints({"dnssd"})
    addresses = iter(f"192.0.2.{n}" for n in range(1, 200))
    admitted = []
    for _look in range(3):
        budget = HearsayBudget(registry, per_look=4, in_room=6)
        admitted.append(sum(budget.admits(next(addresses), 4352, heard) for _ in range(10)))
    assert admitted == [4, 2, 0]
    budget = HearsayBudget(registry, per_look=4, in_room=6)
    assert budget.admits("192.0.2.1", 4352, heard), "one the room took in, heard of again"
    assert budget.admits("198.51.100.7", 4352, Hints({"sweep"})), "the lecturer's own sweep is not hearsay"
    budget.silent(("192.0.2.1", 4352))  # it never answered: its place comes back
    assert budget.admits("192.0.2.250", 4352, heard) and not budget.admits("192.0.2.251", 4352, heard)


def test_a_silent_strangers_place_in_the_room_comes_back_after_a_while_and_no_sooner() -> None:
    """After an attack the room's places stayed spent until the console restarted; now one silent for the age
    (no look heard it, no driver of its answers) is given back, while the room still takes in at most its bound of
    strangers by hearsay in any such while."""
    from devices.discovery._hearsay import HearsayBudget
    from devices.discovery._registry import DeviceRegistry, Hints
    from devices.driver import Identity
    from devices.model import Availability

    registry = DeviceRegistry()
    now = [0.0]
    registry.clock = lambda: now[0]
    answering = {"192.0.2.2"}  # one of the attacker's addresses still answers its driver
    registry.answering = lambda address: address in answering
    heard = Hints({"dnssd"})

    def look(addresses: list[str]) -> list[str]:
        budget = HearsayBudget(registry, per_look=4, in_room=6, age_s=3600.0)
        taken = [a for a in addresses if budget.admits(a, 4352, heard)]
        for address in taken:  # each answers when asked, as the look's identification records it
            registry.record(address, 4352, Identity(Availability.AUTH_FAILED), Hints({"dnssd"}))
        return taken

    attack = [f"192.0.2.{n}" for n in range(1, 7)]
    assert look(attack[:4]) == attack[:4] and look(attack[4:]) == attack[4:]  # the room's six places spent
    now[0] = 3000.0
    assert look(["192.0.2.3"]) == ["192.0.2.3"]  # heard of again and answering: its place is kept longer
    now[0] = 3599.0
    assert look(["198.51.100.1"]) == []  # not yet: the bound is on the rate, not only on a look
    now[0] = 3601.0
    newcomers = [f"198.51.100.{n}" for n in range(1, 10)]
    assert look(newcomers) == newcomers[:4]  # four silent gave their places back (old code: none); a look's bound
    assert look(newcomers[4:]) == []  # the room is full again: two kept theirs, answering or heard lately
    assert set(registry.hearsay_addresses) == {"192.0.2.2", "192.0.2.3", *newcomers[:4]}
    assert look(["192.0.2.1"]) == []  # one given back, heard of again, is a stranger counted again
    now[0] = 3601.0 + 3599.0
    # The one last heard at 3000 gives its place back; the newcomers, taken at 3601, keep theirs a while yet.
    assert look(["203.0.113.1", "203.0.113.2"]) == ["203.0.113.1"]
    now[0] = 3601.0 + 3601.0
    assert look(["203.0.113.2", "192.0.2.1"]) == ["203.0.113.2", "192.0.2.1"]


async def test_the_rooms_drivers_say_which_strangers_are_silent_and_their_places_come_back() -> None:
    """The room's own loop: two projectors heard of by PJLink search fill the room's places; one goes away, and
    once its driver has heard nothing for the age a projector new to the room takes its place, while the one still
    answering keeps its own (after an attack the places stayed spent until the console restarted)."""
    stays, goes, new = "127.0.48.1", "127.0.48.2", "127.0.48.3"
    room = Room("ageing")
    config = FinderConfig(search_targets=[(h, PORT) for h in (stays, goes, new)], dnssd_types=(), step_timeout=2.0,
                          hearsay_per_look=2, hearsay_in_room=2)
    devices = RoomDevices(room, config, poll_interval_s=0.2, discovery_window_s=3.0, rediscover_every_s=600.0)
    devices.finder.listed = frozenset()  # their replies stand for a broadcast search's (loopback has no broadcast)
    now = [0.0]
    devices.finder.registry.clock = lambda: now[0]  # the room's hour, passed at once
    uid = {host: f"mac:{mac_of(host)}" for host in (stays, goes, new)}
    try:
        async with projector(stays, mac_of(stays), "Stays", password=None):
            async with projector(goes, mac_of(goes), "Goes", password=None):
                await devices.discover_once()
                assert {uid[stays], uid[goes]} <= set(room.devices)
            await wait_until(lambda: room.devices[uid[goes]].availability is Availability.OFFLINE)
            async with projector(new, mac_of(new), "New", password=None):
                now[0] += 3601.0  # an hour with nothing heard from the one gone
                await devices.discover_once()
                assert uid[new] in room.devices  # old code: refused, the room's two places spent for good
                assert set(devices.finder.registry.hearsay_addresses) == {stays, new}
    finally:
        await devices.stop()
