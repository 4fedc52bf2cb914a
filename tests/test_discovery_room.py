"""A simulated room of 20 PJLink devices on 127.0.0.11..30, found by each mechanism and by all at once.

Sims listen on ephemeral TCP/UDP ports and advertise a per-run DNS-SD type with per-run MACs, so a
second copy of this suite running at the same time on the same host cannot collide with this one.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import pytest

from devices.discovery import DeviceFinder, FinderConfig
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector
from tests.discovery_helpers import watch_until

RUN = secrets.token_hex(3)
SERVICE = f"_pj{RUN}._tcp.local."  # the finder's type list is extensible; real rooms use _pjlink._tcp
HOSTS = [f"127.0.0.{i}" for i in range(11, 31)]
LOOPBACK = ["127.0.0.1"]


def role_of(i: int) -> str:
    return "board" if i % 4 == 0 else "display" if i % 7 == 0 else "projector"


def mac_of(i: int) -> str:
    return f"02:{RUN[:2]}:{RUN[2:4]}:{RUN[4:6]}:00:{i:02x}"


@dataclass
class Room:
    sims: dict[str, SimulatedProjector]
    adverts: DnssdAdvertiser

    def expected(self) -> dict[str, tuple[str, DeviceKind]]:
        """uid -> (address, kind) for every device in the room."""
        return {f"mac:{sim.mac}": (sim.host, DeviceKind(sim.config.role)) for sim in self.sims.values()}


def advert(sim: SimulatedProjector, **txt: str) -> Advertisement:
    props = {"mac": sim.mac, "role": sim.config.role, "class": str(sim.config.pjlink_class), **txt}
    return Advertisement(SERVICE, sim.config.name, sim.host, sim.tcp_port, props)


async def start_sim(i: int, host: str | None = None, **extra: object) -> SimulatedProjector:
    config = SimProjectorConfig(
        name=f"Hall 3 {role_of(i)} {i}", host=host or f"127.0.0.{i}", port=0, udp_port=0,
        role=role_of(i), mac=mac_of(i), **extra,  # type: ignore[arg-type]
    )
    sim = SimulatedProjector(config)
    await sim.start()
    SIMS[sim.host] = sim
    return sim


async def stop_sim(sim: SimulatedProjector) -> None:
    await sim.stop()
    if SIMS.get(sim.host) is sim:
        del SIMS[sim.host]


@contextlib.asynccontextmanager
async def room(indexes: Sequence[int], advertise: bool = True) -> AsyncIterator[Room]:
    sims: dict[str, SimulatedProjector] = {}
    adverts = DnssdAdvertiser(LOOPBACK)
    try:
        for i in indexes:
            sim = await start_sim(i)
            sims[sim.host] = sim
        if advertise:
            await adverts.advertise_many(advert(sim) for sim in sims.values())
        yield Room(sims, adverts)
    finally:
        await adverts.stop()
        for sim in sims.values():
            await stop_sim(sim)


SIMS: dict[str, SimulatedProjector] = {}  # host -> running sim, for the per-address port maps


def config(
    search: Sequence[str] = (), dnssd: bool = False, sweep: Sequence[str] = (), **kw: object
) -> FinderConfig:
    """Loopback only: explicit unicast search targets, DNS-SD bound to 127.0.0.1, listed sweep."""
    udp = {h: s.udp_port for h, s in SIMS.items() if s.udp_port}
    return FinderConfig(
        search_targets=[(h, udp.get(h, 4352)) for h in search],
        tcp_ports={h: s.tcp_port for h, s in SIMS.items()},
        udp_ports=udp,
        dnssd_types=(SERVICE,) if dnssd else (),
        dnssd_interfaces=LOOPBACK,
        sweep=list(sweep),
        step_timeout=1.0,
        **kw,  # type: ignore[arg-type]
    )


def ours(found: list[DeviceInfo] | dict[str, DeviceInfo]) -> dict[str, DeviceInfo]:
    """Keep devices on our room's addresses (another suite may advertise on loopback too); no duplicates."""
    devices = list(found.values()) if isinstance(found, dict) else found
    mine = [d for d in devices if d.address.startswith("127.0.0.") and 11 <= int(d.address.split(".")[3]) <= 40]
    by_uid = {d.uid: d for d in mine}
    assert len(by_uid) == len(mine), "a device was reported twice"
    return by_uid


def room_found(r: Room, mechanisms: set[str]) -> Callable[[dict[str, DeviceInfo]], bool]:
    """True once every device of the room is in, online, and reported by each of ``mechanisms``."""
    expected = r.expected()

    def done(found: dict[str, DeviceInfo]) -> bool:
        return all(
            uid in found and mechanisms <= found[uid].found_by and found[uid].availability is Availability.ONLINE
            for uid in expected
        )

    return done


def availability_is(uid: str, word: Availability) -> Callable[[dict[str, DeviceInfo]], bool]:
    return lambda found: uid in found and found[uid].availability is word


def assert_room(found: dict[str, DeviceInfo], r: Room, mechanisms: set[str]) -> None:
    expected = r.expected()
    assert set(found) == set(expected)
    for uid, device in found.items():
        address, kind = expected[uid]
        assert (device.address, device.port, device.kind) == (address, r.sims[address].tcp_port, kind), uid
        assert device.found_by == mechanisms, uid
        assert device.availability is Availability.ONLINE
        assert device.protocol == "pjlink" and device.protocol_class == "2"
        assert device.name == r.sims[address].config.name
        assert device.state["serial"] == r.sims[address].serial


@pytest.fixture
async def full_room() -> AsyncIterator[Room]:
    async with room(range(11, 31)) as r:
        yield r


async def test_search_alone_finds_every_device(full_room: Room) -> None:
    found = ours(await watch_until(DeviceFinder(config(search=HOSTS)), room_found(full_room, {"search"})))
    assert_room(found, full_room, {"search"})


async def test_dnssd_alone_finds_every_device(full_room: Room) -> None:
    found = ours(await watch_until(DeviceFinder(config(dnssd=True)), room_found(full_room, {"dnssd"})))
    assert_room(found, full_room, {"dnssd"})
    assert all(d.state["txt"]["role"] == d.kind for d in found.values())


async def test_sweep_alone_finds_every_device_and_asks_for_macs(full_room: Room) -> None:
    sweep = [*HOSTS[:7], "127.0.0.16/28"]  # .11-.17 listed, .17-.30 from the range (overlap swept once)
    found = ours(await watch_until(DeviceFinder(config(sweep=sweep)), room_found(full_room, {"sweep"})))
    assert_room(found, full_room, {"sweep"})


async def test_all_mechanisms_together_give_one_device_each(full_room: Room) -> None:
    finder = DeviceFinder(config(search=HOSTS, dnssd=True, sweep=HOSTS))
    found = ours(await watch_until(finder, room_found(full_room, {"search", "dnssd", "sweep"})))
    assert_room(found, full_room, {"search", "dnssd", "sweep"})
    assert set(ours(list(finder.devices.values()))) == set(found)
    kinds = {d.kind for d in found.values()}
    assert kinds == {DeviceKind.PROJECTOR, DeviceKind.BOARD, DeviceKind.DISPLAY}


async def test_kind_comes_from_product_wording_without_txt(full_room: Room) -> None:
    eight = {uid for uid, (address, _) in full_room.expected().items() if address in HOSTS[:8]}
    found = ours(await watch_until(DeviceFinder(config(sweep=HOSTS[:8])), lambda seen: eight <= seen.keys()))
    for device in found.values():
        assert "txt" not in device.state
        assert device.kind == full_room.expected()[device.uid][1]


async def test_device_that_moves_address_stays_one_device() -> None:
    async with room([11, 12, 13]) as r:
        hosts = [*r.sims, "127.0.0.31"]
        finder = DeviceFinder(config(search=hosts, dnssd=True, sweep=hosts))
        first = ours(await watch_until(finder, room_found(r, {"search", "dnssd", "sweep"})))
        moved = f"mac:{mac_of(11)}"
        assert first[moved].address == "127.0.0.11"

        old = r.sims.pop("127.0.0.11")
        await r.adverts.withdraw(SERVICE, old.config.name)
        old_endpoint = f"{old.host}:{old.tcp_port}"
        await stop_sim(old)
        new = await start_sim(11, host="127.0.0.31")
        r.sims[new.host] = new
        await r.adverts.advertise(advert(new))

        second = ours(await watch_until(finder, lambda seen: moved in seen and seen[moved].address == new.host))
        assert second[moved].address == "127.0.0.31"
        assert second[moved].state["previous_address"] == old_endpoint
        registry = ours(list(finder.devices.values()))
        assert len(registry) == 3 and registry[moved].address == "127.0.0.31"


async def test_password_protected_device_is_found_either_way() -> None:
    sim = await start_sim(33, password="s3cret")
    try:
        plain = config(search=[sim.host], sweep=[sim.host])
        uid = f"mac:{sim.mac}"
        locked = ours(await watch_until(DeviceFinder(plain), availability_is(uid, Availability.AUTH_FAILED)))[uid]
        assert locked.availability is Availability.AUTH_FAILED
        assert locked.state["needs_password"] is True

        keyed = config(search=[sim.host], sweep=[sim.host], passwords={sim.host: "s3cret"})
        opened = ours(await watch_until(DeviceFinder(keyed), availability_is(uid, Availability.ONLINE)))[uid]
        assert opened.availability is Availability.ONLINE
        assert opened.name == sim.config.name and opened.state["needs_password"] is True

        wrong = config(sweep=[sim.host], passwords={sim.host: "nope"})
        wrong_found = await watch_until(DeviceFinder(wrong), lambda seen: uid in seen)
        assert wrong_found[uid].availability is Availability.AUTH_FAILED

        by_uid = config(search=[sim.host], passwords={uid: "s3cret"})  # the MAC comes with the search reply
        by_uid_found = await watch_until(DeviceFinder(by_uid), availability_is(uid, Availability.ONLINE))
        assert by_uid_found[uid].availability is Availability.ONLINE

        finder = DeviceFinder(config(sweep=[sim.host]))  # a sweep hit has no MAC: the registry remembers it
        assert (await watch_until(finder, lambda seen: uid in seen))[uid].availability is Availability.AUTH_FAILED
        finder.config.passwords = {uid: "s3cret"}
        again = await watch_until(finder, availability_is(uid, Availability.ONLINE))
        assert again[uid].availability is Availability.ONLINE
    finally:
        await stop_sim(sim)


async def test_class1_device_is_keyed_by_address_and_silent_hosts_are_skipped() -> None:
    sim = await start_sim(34, pjlink_class=1)
    try:
        uid = f"addr:127.0.0.34:{sim.tcp_port}"
        found = ours(await watch_until(DeviceFinder(config(sweep=[sim.host, "127.0.0.35"])), lambda seen: uid in seen))
        assert list(found) == [uid] and found[uid].protocol_class == "1"
    finally:
        await stop_sim(sim)
