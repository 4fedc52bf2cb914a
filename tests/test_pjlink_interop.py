"""A third-party PJLink client (pypjlink2, blocking) drives the simulator unchanged, in a thread."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

pypjlink = pytest.importorskip("pypjlink", reason="pypjlink2 is not installed (pip install pypjlink2)")


def drive(host: str, port: int, password: str | None) -> dict[str, Any]:
    """Run pypjlink2's own calls exactly as a user of that library would."""
    with pypjlink.Projector.from_address(host, port, timeout=2) as projector:
        authed = projector.authenticate(password)
        if authed is False:
            return {"auth": False}
        result: dict[str, Any] = {"auth": authed, "power": projector.get_power(),
                                  "name": projector.get_name(), "manufacturer": projector.get_manufacturer(),
                                  "product": projector.get_product_name(), "info": projector.get_other_info(),
                                  "inputs": projector.get_inputs(), "errors": projector.get_errors(),
                                  "lamps": projector.get_lamps()}
        projector.set_power("on")
        return result


async def _in_thread(*args: Any) -> dict[str, Any]:
    executor = ThreadPoolExecutor(max_workers=1)
    try:
        return await asyncio.get_running_loop().run_in_executor(executor, drive, *args)
    finally:
        executor.shutdown(wait=False)


@pytest.mark.parametrize("password", [None, "secret"])
async def test_pypjlink2_talks_to_the_simulator(password: str | None) -> None:
    sim = SimulatedProjector(SimProjectorConfig(port=0, udp_port=None, password=password, lamp_hours=42,
                                                inputs=["11", "31", "52"]))
    await sim.start()
    try:
        result = await asyncio.wait_for(_in_thread(sim.host, sim.tcp_port, password), 10)
        assert result["auth"] in (None, True)
        assert result["power"] == "off" and result["name"] == "Sim Projector"
        assert result["inputs"] == [("RGB", 1), ("DIGITAL", 1), ("NETWORK", 2)]
        assert result["errors"]["lamp"] == "ok" and result["lamps"] == [(42, False)]
        assert sim.power_state.name == "WARMING"
    finally:
        await sim.stop()


async def test_pypjlink2_sees_a_wrong_password() -> None:
    sim = SimulatedProjector(SimProjectorConfig(port=0, udp_port=None, password="right"))
    await sim.start()
    try:
        result = await asyncio.wait_for(_in_thread(sim.host, sim.tcp_port, "wrong"), 10)
        assert result == {"auth": False}  # it read our PJLINK ERRA as a failed login
    finally:
        await sim.stop()
