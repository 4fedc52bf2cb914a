"""A simulated projector stops silently with controllers still connected (issue 17 item 6).

Stopped mid-bench, the simulator printed 167 CancelledError tracebacks (a task per connection, cancelled). It
now answers from a Protocol: stopping closes the connections, with nothing logged and every client told.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging

import pytest

from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector


async def test_stopping_with_open_connections_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sim = SimulatedProjector(SimProjectorConfig(host="127.0.0.1", port=0, udp_port=None, fault="slow",
                                                slow_delay_s=30.0))
    plain = SimulatedProjector(SimProjectorConfig(host="127.0.0.1", port=0, udp_port=None))
    await sim.start()
    await plain.start()
    clients = []
    async with asyncio.timeout(30):
        for server in (sim, plain):
            for _ in range(20):
                reader, writer = await asyncio.open_connection("127.0.0.1", server.tcp_port)
                assert (await reader.readuntil(b"\r")).startswith(b"PJLINK 0")
                writer.write(b"%1POWR ?\r")  # the slow one holds its reply: a reply pending at the stop
                await writer.drain()
                clients.append((reader, writer))
        await sim.stop()
        await plain.stop()
        for reader, writer in clients:
            with contextlib.suppress(ConnectionResetError):
                await reader.read()  # every connection is closed by the stop, not left hanging
            writer.close()
    for _ in range(10):  # callbacks the closes scheduled (connection_lost) run, and dropped tasks are collected:
        await asyncio.sleep(0)  # whatever the loop would log about the closed connections, it has logged now
    gc.collect()
    await asyncio.sleep(0)
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]
