"""Identification reads a PJLink device in full and its driver's first poll takes that reading (issue 17 item 6).

Discovery then costs one connection per device, not two; real simulated projectors count the connections.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from devices.driver import DriverOptions
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.pjlink import recent
from devices.pjlink.driver import PJLinkDriver
from devices.pjlink.identify import identify
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector


@asynccontextmanager
async def projector(password: str | None = None) -> AsyncIterator[SimulatedProjector]:
    config = SimProjectorConfig(host="127.0.0.1", port=0, udp_port=None, password=password, idle_timeout_s=60)
    async with SimulatedProjector(config) as sim:
        yield sim


def info_of(sim: SimulatedProjector) -> DeviceInfo:
    return DeviceInfo("addr:test", DeviceKind.PROJECTOR, "P", "127.0.0.1", sim.tcp_port, "pjlink")


async def first_poll(sim: SimulatedProjector, password: str | None = None) -> PJLinkDriver:
    driver = PJLinkDriver(info_of(sim), DriverOptions(password=password, timeout_s=5.0))
    await driver.refresh()
    return driver


async def test_the_first_poll_takes_the_reading_identification_made() -> None:
    async with projector() as sim:
        ident = await identify("127.0.0.1", sim.tcp_port, None, 5.0)
        assert ident.availability is Availability.ONLINE and ident.serial
        assert sim.connections_accepted == 1
        driver = await first_poll(sim)
        try:
            assert driver.availability is Availability.ONLINE
            assert driver.state()["serial_number"] == ident.serial and "power" in driver.state()
            assert sim.connections_accepted == 1  # read once, by identification
            await driver.refresh()  # any later poll asks the device
            assert sim.connections_accepted == 2
        finally:
            await driver.stop()


async def test_a_reading_is_taken_once_only_fresh_and_only_with_the_same_password(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with projector(password="secret") as sim:
        await identify("127.0.0.1", sim.tcp_port, "secret", 5.0)
        other = await first_poll(sim, "guess")  # another password: never handed what "secret" read
        await other.stop()
        assert other.availability is Availability.AUTH_FAILED and sim.connections_accepted == 2
        taken = await first_poll(sim, "secret")
        await taken.stop()
        again = await first_poll(sim, "secret")  # taken once: this one reads
        await again.stop()
        assert sim.connections_accepted == 3
        monkeypatch.setattr(recent, "FRESH_S", 0.0)
        await identify("127.0.0.1", sim.tcp_port, "secret", 5.0)
        stale = await first_poll(sim, "secret")
        await stale.stop()
        assert stale.availability is Availability.ONLINE and sim.connections_accepted == 5
