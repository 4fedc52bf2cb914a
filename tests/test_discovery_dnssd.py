"""DNS-SD browse on loopback: services resolve with their TXT; malformed TXT is dropped, never fatal."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable

import pytest

from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices
from devices.discovery import DeviceFinder, FinderConfig
from devices.discovery.dnssd import parse_txt
from devices.model import Availability
from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector
from tests.discovery_helpers import BOUND_S, browse_until, watch_until

RUN = secrets.token_hex(3)  # per-run types: a parallel copy of this suite cannot clash on names
PJLINK = f"_pj{RUN}._tcp.local."
OTHER = f"_cb{RUN}._tcp.local."  # the type list is extensible: a second, made-up type
LOOPBACK = ["127.0.0.1"]


def test_parse_txt_keeps_good_pairs_and_drops_bad_ones(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "devices.discovery.dnssd"):
        txt = parse_txt({
            b"MAC": b"02:AA:00:00:00:01", b"mac": b"02:bb:00:00:00:02", b"role": b"toaster",
            b"class": b"2", b"flag": None, b"bad": b"\xff\xfe", b"\xff": b"x", b"": b"empty-key",
        })
    assert txt == {"mac": "02:aa:00:00:00:01", "class": "2", "flag": ""}
    assert any("role='toaster'" in r.message for r in caplog.records)
    assert any("undecodable" in r.message for r in caplog.records)
    assert parse_txt({b"mac": b"not a mac", b"role": b"Board"}) == {"role": "board"}


async def test_browse_resolves_services_of_every_type_and_survives_bad_txt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ads = [
        Advertisement(PJLINK, "good", "127.0.0.61", 4352, {"mac": "02:00:00:00:00:61", "role": "board"}),
        Advertisement(PJLINK, "bad values", "127.0.0.62", 4400,
                      {"mac": "zz", "role": "toaster", "class": "9", "x": b"\xff\xfe"}),
        Advertisement(PJLINK, "overrun", "127.0.0.63", 4352, b"\x30mac=02:00:00:00:00:63"),
        Advertisement(PJLINK, "junk", "127.0.0.64", 4352, b"\x05\xff\xfe\x00=\x01\x03=ab\x00"),
        Advertisement(OTHER, "other", "127.0.0.65", 8080, {"role": "display"}),
    ]
    with caplog.at_level(logging.WARNING, "devices.discovery.dnssd"):
        async with DnssdAdvertiser(LOOPBACK) as advertiser:
            await advertiser.advertise_many(ads)
            found = await browse_until([PJLINK, OTHER], {a.name for a in ads}, LOOPBACK)
    assert {n: (s.address, s.port) for n, s in found.items() if s.address.startswith("127.0.0.6")} == {
        "good": ("127.0.0.61", 4352), "bad values": ("127.0.0.62", 4400), "overrun": ("127.0.0.63", 4352),
        "junk": ("127.0.0.64", 4352), "other": ("127.0.0.65", 8080),
    }
    assert found["good"].txt == {"mac": "02:00:00:00:00:61", "role": "board"}
    assert found["bad values"].txt == {}
    assert dict(found["junk"].txt).keys() <= {"", "ab"}  # whatever zeroconf salvages, nothing crashes
    assert found["other"].service_type == OTHER and found["other"].txt == {"role": "display"}
    assert sum("malformed TXT" in r.message or "undecodable" in r.message for r in caplog.records) >= 4


async def test_advertised_device_that_is_not_reachable_is_reported_offline() -> None:
    ad = Advertisement(PJLINK, "ghost", "127.0.0.66", 4352, {"mac": "02:00:00:00:00:66", "role": "display"})
    async with DnssdAdvertiser(LOOPBACK) as advertiser:
        await advertiser.advertise(ad)
        finder = DeviceFinder(FinderConfig(
            search_targets=(), dnssd_types=(PJLINK,), dnssd_interfaces=LOOPBACK, step_timeout=0.5))
        uid = "mac:02:00:00:00:00:66"
        found = await watch_until(finder, lambda seen: uid in seen and seen[uid].availability == "offline")
    ghost = found[uid]
    assert (ghost.address, ghost.kind, ghost.availability, ghost.name) == (
        "127.0.0.66", "display", "offline", "ghost")


async def test_withdrawn_service_is_no_longer_browsed() -> None:
    async with DnssdAdvertiser(LOOPBACK) as advertiser:
        await advertiser.advertise(Advertisement(PJLINK, "leaving", "127.0.0.67", 4352, {}))
        await advertiser.withdraw(PJLINK, "leaving")
        await advertiser.advertise(Advertisement(PJLINK, "staying", "127.0.0.68", 4352, {}))
        names = set(await browse_until([PJLINK], {"staying"}, LOOPBACK))  # the browse did see the network
    assert "staying" in names and "leaving" not in names


async def test_the_room_adds_a_device_whose_advert_comes_after_the_discovery_window() -> None:
    """A projector switched on after the console looked is added when it announces itself, not a minute later."""
    sim = SimulatedProjector(SimProjectorConfig(
        name="Late projector", host="127.0.0.69", port=0, udp_port=0, mac="02:00:00:00:00:69"))
    await sim.start()
    room = Room("Test room")
    config = FinderConfig(search_targets=(), dnssd_types=(PJLINK,), dnssd_interfaces=LOOPBACK, step_timeout=1.0)
    devices = RoomDevices(room, config, discovery_window_s=0.5, rediscover_every_s=600, poll_interval_s=0.5)
    try:
        async with DnssdAdvertiser(LOOPBACK) as advertiser:
            await devices.start()
            await wait_until(lambda: not devices.discovering, "the first look to end")
            assert "mac:02:00:00:00:00:69" not in room.devices
            await advertiser.advertise(
                Advertisement(PJLINK, "Late projector", sim.host, sim.tcp_port, {"mac": sim.mac, "role": "projector"}))
            await wait_until(
                lambda: room.devices.get("mac:02:00:00:00:00:69") is not None
                and room.devices["mac:02:00:00:00:00:69"].availability is Availability.ONLINE,
                "the late projector to be added",
            )
    finally:
        await devices.stop()
        await sim.stop()


async def wait_until(predicate: Callable[[], bool], what: str, within: float = BOUND_S) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
