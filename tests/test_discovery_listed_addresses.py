"""Addresses the lecturer listed are the lecturer's word, not hearsay: a campus look is not cut to a stranger's bound.

The bounds on what adverts and search replies may add (devices/discovery/_hearsay.py: 64 new addresses a look, 128 in
the room) made a 1,000-projector look of listed addresses find 64 by their search replies and wait for the sweep to
reach the rest at its polite rate: 1.07 s became 5.3 s (bench/discovery.py --sizes 1000). A reply from an address the
lecturer listed (a unicast search target, a sweep host) is admitted as the sweep's own find would be; a stranger
beside them is still bounded. Simulated projectors on loopback, each on an address of its own.
"""

from __future__ import annotations

import asyncio

import pytest

from devices.discovery import DeviceFinder, FinderConfig
from devices.discovery._hearsay import HearsayBudget
from devices.discovery._registry import DeviceRegistry, Hints
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

LISTED = [f"127.3.0.{n}" for n in range(1, 25)]
PER_LOOK = 4


async def test_search_replies_from_listed_addresses_are_all_taken_beyond_a_looks_bound() -> None:
    sims = [SimulatedProjector(SimProjectorConfig(name=f"P{n}", host=host, mac=f"02:3a:00:00:00:{n:02x}"))
            for n, host in enumerate(LISTED, start=1)]
    await asyncio.gather(*(sim.start() for sim in sims))
    try:
        config = FinderConfig(search_targets=[(host, 4352) for host in LISTED], dnssd_types=(),
                              hearsay_per_look=PER_LOOK, hearsay_in_room=PER_LOOK)
        finder = DeviceFinder(config)
        found: set[str] = set()
        async for info in finder.watch(20.0):  # bounded: the look ends by itself after 20 s at most
            found.add(info.address)
            if len(found) == len(LISTED):
                break
    finally:
        await asyncio.gather(*(sim.stop() for sim in sims))
    assert found == set(LISTED)  # old code: PER_LOOK of them, the rest refused as strangers


@pytest.mark.parametrize("heard_by", ["search", "dnssd"])
def test_a_listed_address_is_not_counted_against_strangers_and_a_stranger_still_is(heard_by: str) -> None:
    registry = DeviceRegistry()
    listed = frozenset(f"10.9.0.{n}" for n in range(1, 40))
    budget = HearsayBudget(registry, per_look=2, in_room=2, listed=listed)
    heard = Hints({heard_by})
    assert all(budget.admits(address, 4352, heard) for address in sorted(listed))
    assert budget.admits("192.0.2.1", 4352, heard) and budget.admits("192.0.2.2", 4352, heard)
    assert not budget.admits("192.0.2.3", 4352, heard)  # strangers keep their bound
    ports = [port for port in range(5000, 5010) if budget.admits("10.9.0.1", port, heard)]
    assert len(ports) == 3  # a listed address keeps the bound on endpoints: 4352 and three more
