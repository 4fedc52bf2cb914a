"""The poller turns device answers and failures into one availability word and prompt commands."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import pytest

from devices.model import Availability
from devices.pjlink.client import PJLinkClient
from devices.pjlink.errors import PJLinkCommandError, PJLinkTimeout
from devices.pjlink.poller import PJLinkPoller
from devices.pjlink.state import ProjectorState
from devices.pjlink.values import Input, PowerState
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

TIMEOUT = 0.5


async def start_sim(**overrides: Any) -> SimulatedProjector:
    settings: dict[str, Any] = {"port": 0, "udp_port": None, "warmup_s": 0.1, "cooling_s": 0.1}
    settings.update(overrides)
    projector = SimulatedProjector(SimProjectorConfig(**settings))
    await projector.start()
    return projector


async def until(predicate: Any, limit: float = 3.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, "condition never met"
        await asyncio.sleep(0.02)


async def test_polls_reports_changes_and_runs_commands() -> None:
    # Cooling lasts seconds, so that the ERR3 below is asked while it still cools even after a loop stall on a busy
    # machine (0.275 s was seen beside stress-ng; a 0.1 s cooling let power_on succeed); nothing waits it out.
    projector = await start_sim(password="pw", cooling_s=10.0)
    seen: list[ProjectorState] = []
    poller = PJLinkPoller(PJLinkClient(projector.host, projector.tcp_port, "pw", TIMEOUT),
                          interval_s=0.05, on_change=seen.append)
    try:
        await poller.start()
        await until(lambda: poller.availability is Availability.ONLINE)
        assert poller.state is not None and poller.state.power is PowerState.OFF
        assert poller.detail == "off" and seen
        await poller.power_on()
        await until(lambda: poller.state is not None and poller.state.power is PowerState.ON)
        await poller.set_input("DIGITAL 2")
        await until(lambda: poller.state is not None and poller.state.input == Input("32"))
        assert poller.detail == "on, HDMI 2"
        projector.inject_error("lamp", 2)
        await until(lambda: poller.availability is Availability.FAULT)
        assert "lamp error" in poller.detail
        with pytest.raises(PJLinkCommandError, match="ERR4"):
            await poller.power_on()
        projector.inject_error("lamp", 0)
        await poller.power_off()
        with pytest.raises(PJLinkCommandError, match="ERR3"):
            await poller.power_on()  # still cooling: 'not now', and the device stays online
        await until(lambda: poller.availability is Availability.ONLINE
                    and poller.state is not None and poller.state.power is PowerState.COOLING)
    finally:
        await poller.stop()
        await projector.stop()


async def test_offline_and_back() -> None:
    projector = await start_sim()
    port = projector.tcp_port
    poller = PJLinkPoller(PJLinkClient(projector.host, port, timeout=TIMEOUT), interval_s=0.05)
    try:
        await poller.start()
        await until(lambda: poller.availability is Availability.ONLINE)
        await projector.stop()
        await until(lambda: poller.availability is Availability.OFFLINE)
        assert poller.state is not None  # last known state is kept
        projector = await start_sim(port=port)
        await until(lambda: poller.availability is Availability.ONLINE)
    finally:
        await poller.stop()
        await projector.stop()


async def test_wrong_password_is_auth_failed() -> None:
    projector = await start_sim(password="right")
    poller = PJLinkPoller(PJLinkClient(projector.host, projector.tcp_port, "wrong", TIMEOUT))
    try:
        assert await poller.refresh() is None
        assert poller.availability is Availability.AUTH_FAILED and "authentication" in poller.detail
    finally:
        await poller.stop()
        await projector.stop()


async def test_garbage_is_a_fault_with_a_reason() -> None:
    projector = await start_sim(fault="garbage")
    poller = PJLinkPoller(PJLinkClient(projector.host, projector.tcp_port, timeout=TIMEOUT))
    try:
        await poller.refresh()
        assert poller.availability is Availability.FAULT and "unexpected reply" in poller.detail
    finally:
        await poller.stop()
        await projector.stop()


async def test_command_on_a_silent_device_fails_promptly() -> None:
    projector = await start_sim(fault="slow", slow_delay_s=10.0)
    poller = PJLinkPoller(PJLinkClient(projector.host, projector.tcp_port, timeout=TIMEOUT),
                          command_timeout_s=0.8)
    try:
        started = time.monotonic()
        with pytest.raises(PJLinkTimeout):
            await poller.power_on()
        assert time.monotonic() - started < 0.8 + 0.5
        assert poller.availability is Availability.OFFLINE
    finally:
        await poller.stop()
        await projector.stop()


async def test_callback_errors_do_not_stop_polling() -> None:
    projector = await start_sim()
    calls: list[int] = []

    def broken(_: ProjectorState) -> None:
        calls.append(1)
        raise RuntimeError("ui bug")

    poller = PJLinkPoller(PJLinkClient(projector.host, projector.tcp_port, timeout=TIMEOUT), on_change=broken)
    try:
        await poller.refresh()
        assert calls and poller.availability is Availability.ONLINE
    finally:
        await poller.stop()
        await projector.stop()


async def test_stop_always_stops_whenever_it_lands() -> None:
    """Stopped at many different moments of a busy poll (python 3.11's wait_for could swallow a cancel that
    landed as a read finished, and the poller then polled on forever: a console that never quit)."""
    projector = await start_sim()
    rng = random.Random(11)
    try:
        for _ in range(40):  # bounded: 40 start/stop cycles, each stop within 3 s
            poller = PJLinkPoller(PJLinkClient(projector.host, projector.tcp_port, timeout=TIMEOUT), interval_s=0.0)
            await poller.start()
            await asyncio.sleep(rng.uniform(0.0, 0.03))
            async with asyncio.timeout(3):
                await poller.stop()
            assert poller._task is None
    finally:
        await projector.stop()


async def test_a_control_character_in_the_projector_s_info_is_a_space_not_a_fault() -> None:
    """Real firmware fills its model and "other information" lines with tabs and stray bytes; such a projector is
    read and well, its text shown with a space. In a state reply the same byte stays garbage."""
    projector = await start_sim(info="Lamp\tmodel X2\x01", product="LX-100\x07")
    poller = PJLinkPoller(PJLinkClient(projector.host, projector.tcp_port, None, TIMEOUT), interval_s=0.05)
    try:
        await poller.start()
        await until(lambda: poller.availability is Availability.ONLINE and poller.state is not None
                    and bool(poller.state.info), limit=10.0)
        assert poller.state is not None
        assert (poller.state.info, poller.state.product) == ("Lamp model X2", "LX-100"), poller.state
    finally:
        await poller.stop()
        await projector.stop()
