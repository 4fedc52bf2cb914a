"""A flood of DNS-SD adverts already running when the console looks (an attacker who floods all the time) spent
the look's budgets on junk: the 1,024 names resolved, then the new strangers asked, so a device known only by
DNS-SD was not found (R8 22:57). Names pointing at a device the room knows are resolved past the budget, and a
stranger that does not answer gives its place in the look back. Real multicast, in a network namespace of its own
(see test_discovery_hostile_adverts.py).
"""

from __future__ import annotations

import asyncio
import json

from tests.test_discovery_hostile_adverts import REAL, TYPE, advert_packet, in_namespace, mdns_socket

MAC = "02:47:00:00:00:05"
OLD = "127.0.0.9"  # where the room last saw the projector; DHCP has moved it to REAL
NAMES = 150


async def flood(names: int, stop: asyncio.Event) -> int:
    """``names`` new names at addresses where nothing listens, sent over and over until ``stop`` (at most 30 s)."""
    sock, sent = mdns_socket(), 0
    try:
        for _ in range(300):
            for i in range(names):
                try:
                    sock.sendto(advert_packet(i), ("224.0.0.251", 5353))
                    sent += 1
                except BlockingIOError:
                    await asyncio.sleep(0.01)
                if i % 50 == 0:
                    await asyncio.sleep(0.005)
            if stop.is_set():
                break
            await asyncio.sleep(0.1)
    finally:
        sock.close()
    return sent


async def look_in_flood(moved: bool) -> None:
    """The child's part: the flood runs, the room looks once, and a second into the look the projector is advertised.

    moved: the room remembers the projector (by its MAC, at its old address) and DNS-SD may resolve only 10 names;
    else the projector is new to the room, every name is resolved and a look may ask only 2 new strangers.
    """
    from classroom_console.room import Room
    from classroom_console.room_devices import RoomDevices
    from devices.discovery import FinderConfig, dnssd
    from devices.model import DeviceInfo, DeviceKind
    from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
    from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

    if moved:
        dnssd.MAX_SERVICES = 10
    sim = SimulatedProjector(SimProjectorConfig(name="Real", host=REAL, mac=MAC, udp_port=None))
    await sim.start()
    room = Room("flood")
    config = FinderConfig(search_targets=(), dnssd_types=[TYPE], dnssd_interfaces=["127.0.0.1"])
    if not moved:
        config.hearsay_per_look = 2
    # a new stranger's place comes back once it has not answered: on a busy machine (two test workers beside
    # stress-ng) that took longer than 6 s of look, and the projector's turn never came
    window = 6.0 if moved else 15.0
    devices = RoomDevices(room, config, poll_interval_s=5.0, discovery_window_s=window, rediscover_every_s=600.0)
    if moved:  # what RoomDevices.start does with the store's row
        devices.finder.registry.remember(DeviceInfo(f"mac:{MAC}", DeviceKind.PROJECTOR, "Real", OLD, 4352, "pjlink"))
    stop = asyncio.Event()
    flooding = asyncio.create_task(flood(NAMES, stop))
    try:
        async with DnssdAdvertiser(["127.0.0.1"], probe=False) as advertiser:
            await asyncio.sleep(1.0)  # the flood is on before the console looks
            look = asyncio.create_task(devices.discover_once())
            await asyncio.sleep(1.0)  # and the junk has the look's first places
            await advertiser.advertise(Advertisement(TYPE, "Real", REAL, sim.tcp_port, {"mac": MAC}))
            await look
    finally:
        stop.set()
        sent = await flooding
        await devices.stop()
        await sim.stop()
    real = room.devices.get(f"mac:{MAC}")
    print(json.dumps({"sent": sent, "devices": len(room.devices), "address": real.address if real else None,
                      "real": str(real.availability) if real else None}))


def test_a_flood_running_before_the_look_does_not_hide_a_moved_projector_known_only_by_dns_sd() -> None:
    outcome = in_namespace("look_in_flood_moved", __name__)
    assert isinstance(outcome["sent"], int) and outcome["sent"] >= NAMES
    assert (outcome["address"], outcome["real"]) == (REAL, "online")


def test_a_flood_of_silent_names_does_not_spend_the_look_on_itself() -> None:
    outcome = in_namespace("look_in_flood_new", __name__)
    assert isinstance(outcome["sent"], int) and outcome["sent"] >= NAMES
    assert (outcome["address"], outcome["real"]) == (REAL, "online")


async def look_in_flood_moved() -> None:
    await look_in_flood(moved=True)


async def look_in_flood_new() -> None:
    await look_in_flood(moved=False)
