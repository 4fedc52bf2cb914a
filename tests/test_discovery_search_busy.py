"""A PJLink search hears every reply even while the loop is busy (issue 17 item 6).

asyncio's datagram transport reads one datagram per loop iteration; beside hundreds of identifications a campus
search heard 165 of 1,000 replies before its window closed. Here each loop iteration is held up 20 ms (as by
other work on the loop): reading one reply per iteration, 100 replies would need 2 s of a 1 s window.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest

from devices.discovery import pjlink_search
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

HOSTS = [f"127.0.91.{i}" for i in range(1, 101)]


@pytest.fixture
async def projectors() -> AsyncIterator[list[SimulatedProjector]]:
    sims = [SimulatedProjector(SimProjectorConfig(host=h, port=0, udp_port=0, mac=f"02:5e:00:00:00:{i:02x}"))
            for i, h in enumerate(HOSTS, start=1)]
    await asyncio.gather(*(s.start() for s in sims))
    try:
        yield sims
    finally:
        await asyncio.gather(*(s.stop() for s in sims))


async def _hold_up_each_iteration(stop: asyncio.Event) -> None:
    while not stop.is_set():
        time.sleep(0.02)  # noqa: ASYNC251  # deliberately blocking: the loop's other work
        await asyncio.sleep(0)


async def test_search_hears_every_reply_while_the_loop_is_busy(projectors: list[SimulatedProjector]) -> None:
    targets = [(s.host, s.udp_port or 0) for s in projectors]
    stop = asyncio.Event()
    hog = asyncio.create_task(_hold_up_each_iteration(stop))
    heard: dict[str, str] = {}
    try:
        async with asyncio.timeout(30):
            replies = pjlink_search.search(targets, 1.0, resend=0)
            async with contextlib.aclosing(replies) as found:
                async for reply in found:
                    heard[reply.address] = reply.mac
    finally:
        stop.set()
        await hog
    assert set(heard) == set(HOSTS)
    assert heard[HOSTS[0]] == "02:5e:00:00:00:01"
