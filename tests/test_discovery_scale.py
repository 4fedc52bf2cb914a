"""A campus-sized look finds every device: a few hundred simulated projectors on loopback, none missed.

No timing is asserted (bench/discovery.py measures speed); the test waits, within a generous bound, for the
whole room, so a lost search reply, an identification queue that drops work or a read cut short fails it.
"""

from __future__ import annotations

import asyncio
import ipaddress

from classroom_console.room_devices import poll_once
from devices.discovery import DeviceFinder, FinderConfig
from devices.model import Availability
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector
from tests.discovery_helpers import watch_until

ROOM = 300
NET = ipaddress.IPv4Network("127.0.96.0/23")  # apart from the bench's 127.0.88.0/22 and the other tests
BOUND_S = 120.0


def _mac(i: int) -> str:
    return f"02:5c:a1:e0:{i // 256:02x}:{i % 256:02x}"


async def test_a_room_of_three_hundred_devices_is_found_and_read_completely() -> None:
    hosts = [str(h) for h in list(NET.hosts())[:ROOM]]
    sims = [
        SimulatedProjector(SimProjectorConfig(name=f"Hall {i}", host=host, mac=_mac(i), idle_timeout_s=120))
        for i, host in enumerate(hosts)
    ]
    await asyncio.gather(*(sim.start() for sim in sims))
    try:
        finder = DeviceFinder(FinderConfig(
            search_targets=[(h, 4352) for h in hosts], sweep=hosts, dnssd_types=(), sweep_cameras=False,
        ))
        wanted = {f"mac:{_mac(i)}" for i in range(ROOM)}
        found = await watch_until(
            finder,
            lambda seen: all(uid in seen and seen[uid].availability is Availability.ONLINE for uid in wanted),
            within=BOUND_S,
        )
        missing = wanted - {uid for uid, info in found.items() if info.availability is Availability.ONLINE}
        assert not missing, f"{len(missing)} of {ROOM} not found online, e.g. {sorted(missing)[:3]}"
        assert {found[uid].name for uid in wanted} == {f"Hall {i}" for i in range(ROOM)}

        limit = asyncio.Semaphore(64)

        async def read(uid: str) -> bool:
            async with limit:
                device = await poll_once(found[uid], None, timeout_s=30)
            return device.availability is Availability.ONLINE and "power" in device.state

        read_ok = await asyncio.gather(*(read(uid) for uid in sorted(wanted)))
        assert all(read_ok), f"{read_ok.count(False)} of {ROOM} devices could not be read"
    finally:
        await asyncio.gather(*(sim.stop() for sim in sims))
