"""DNS-SD browse on loopback: services resolve with their TXT; malformed TXT is dropped, never fatal."""

from __future__ import annotations

import logging
import secrets

import pytest

from devices.discovery import DeviceFinder, FinderConfig
from devices.discovery.dnssd import browse, parse_txt
from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser

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
            found = {s.name: s async for s in browse([PJLINK, OTHER], 1.0, interfaces=LOOPBACK)}
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
        found = {d.uid: d for d in await finder.discover(1.5)}
    ghost = found["mac:02:00:00:00:00:66"]
    assert (ghost.address, ghost.kind, ghost.availability, ghost.name) == (
        "127.0.0.66", "display", "offline", "ghost")


async def test_withdrawn_service_is_no_longer_browsed() -> None:
    async with DnssdAdvertiser(LOOPBACK) as advertiser:
        await advertiser.advertise(Advertisement(PJLINK, "leaving", "127.0.0.67", 4352, {}))
        await advertiser.withdraw(PJLINK, "leaving")
        names = {s.name async for s in browse([PJLINK], 0.5, interfaces=LOOPBACK)}
    assert "leaving" not in names
