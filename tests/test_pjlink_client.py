"""The PJLink client against the simulator: every command, every error code, every fault mode."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from devices.pjlink.blocking import BlockingPJLinkClient
from devices.pjlink.client import PJLinkClient
from devices.pjlink.errors import (
    ErrorCode,
    PJLinkAuthError,
    PJLinkCommandError,
    PJLinkConnectionError,
    PJLinkParamError,
    PJLinkProtocolError,
    PJLinkTimeout,
)
from devices.pjlink.reader import read_state, read_state_blocking
from devices.pjlink.values import ErrorLevel, Input, Lamp, Mute, PowerState
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

TIMEOUT = 0.5
MARGIN = 0.5


@asynccontextmanager
async def running(
    password: str | None = None, **overrides: Any
) -> AsyncIterator[tuple[SimulatedProjector, PJLinkClient]]:
    """A started simulator on an ephemeral loopback port and a client for it."""
    settings: dict[str, Any] = {"port": 0, "udp_port": None, "warmup_s": 0.2, "cooling_s": 0.2,
                                "password": password}
    settings.update(overrides)
    client_password = settings.pop("client_password", password)
    sim = SimulatedProjector(SimProjectorConfig(**settings))
    await sim.start()
    client = PJLinkClient(sim.host, sim.tcp_port, password=client_password, timeout=TIMEOUT)
    try:
        yield sim, client
    finally:
        await client.close()
        await sim.stop()


async def wait_power(client: PJLinkClient, wanted: PowerState, limit: float = 2.0) -> None:
    deadline = time.monotonic() + limit
    while await client.power() is not wanted:
        assert time.monotonic() < deadline, f"never reached {wanted}"
        await asyncio.sleep(0.05)


async def powered_on(client: PJLinkClient) -> None:
    await client.power_on()
    await wait_power(client, PowerState.ON)


async def test_power_walk_through_warmup_and_cooling() -> None:
    # Warm-up and cooling last seconds here: the WARMING/COOLING reads and the ERR3s are asked inside them even after
    # a loop stall on a busy machine (0.275 s beside stress-ng outlasted the 0.2 s ones); the ends are polled for.
    async with running(warmup_s=2.0, cooling_s=2.0) as (_, client):
        assert await client.power() is PowerState.OFF
        await client.power_on()
        assert await client.power() is PowerState.WARMING
        await client.power_on()  # already warming: accepted
        with pytest.raises(PJLinkCommandError) as err:
            await client.power_off()  # not while warming up
        assert err.value.code is ErrorCode.UNAVAILABLE and err.value.unavailable
        await wait_power(client, PowerState.ON, limit=2.0 + 10.0)
        await client.power_off()
        assert await client.power() is PowerState.COOLING
        with pytest.raises(PJLinkCommandError) as err:
            await client.power_on()
        assert err.value.code is ErrorCode.UNAVAILABLE
        await wait_power(client, PowerState.OFF, limit=2.0 + 10.0)


async def test_err3_in_standby_is_per_field_not_failure() -> None:
    async with running() as (_, client):
        for call in (client.input, client.mute, client.input_resolution, client.frozen):
            with pytest.raises(PJLinkCommandError) as err:
                await call()
            assert err.value.code is ErrorCode.UNAVAILABLE
        with pytest.raises(PJLinkCommandError, match="ERR3"):
            await client.set_input("31")
        state = await client.read_state()
        assert state.power is PowerState.OFF and not state.fault
        assert {"input", "mute", "input_resolution", "freeze"} <= state.unavailable
        assert state.errors is not None and state.lamps == (Lamp(0, False),)


async def test_err1_err2_err4() -> None:
    async with running() as (sim, client):
        with pytest.raises(PJLinkCommandError) as err:
            await client.query("ABCD")
        assert err.value.code is ErrorCode.UNDEFINED
        with pytest.raises(PJLinkCommandError) as err:
            await client.request("POWR", "7")
        assert err.value.code is ErrorCode.BAD_PARAMETER
        with pytest.raises(PJLinkCommandError) as err:
            await client.query("POWR", cls=2)
        assert err.value.code is ErrorCode.UNDEFINED
        sim.inject_error("lamp", 2)
        with pytest.raises(PJLinkCommandError) as err:
            await client.power_on()
        assert err.value.code is ErrorCode.DEVICE_FAILURE
        errors = await client.errors()
        assert errors.lamp is ErrorLevel.ERROR and (await client.read_state()).fault


async def test_inputs_mute_and_class1_commands() -> None:
    async with running(name="Room 101", manufacturer="Acme", lamp_hours=1200) as (_, client):
        assert await client.name() == "Room 101"
        assert (await client.info())["manufacturer"] == "Acme"
        assert await client.pjlink_class() == 2
        assert [i.code for i in await client.inputs()] == ["11", "12", "31", "32", "33", "51"]
        await powered_on(client)
        await client.set_input("digital 2")
        assert await client.input() == Input("32")
        await client.set_input(Input("11"))
        assert (await client.input()).name == "RGB 1"
        with pytest.raises(PJLinkCommandError, match="ERR2"):
            await client.set_input("35")  # well-formed, not fitted
        with pytest.raises(PJLinkParamError):
            await client.set_input("HDMI")
        await client.set_mute(video=True, audio=False, on=True)
        assert await client.mute() == Mute(True, False)
        await client.set_mute(video=True, audio=True, on=True)
        assert await client.mute() == Mute(True, True)
        await client.set_mute(video=True, audio=True, on=False)
        assert await client.mute() == Mute(False, False)
        lamps = await client.lamps()
        assert lamps[0].on and lamps[0].hours >= 1200


async def test_class2_commands() -> None:
    async with running(serial="SN123", inputs=["11", "31", "3A", "61"]) as (_, client):
        assert await client.serial_number() == "SN123"
        assert await client.software_version() == "1.0.0"
        assert await client.recommended_resolution() == (1920, 1080)
        assert await client.filter_hours() == 0
        assert await client.lamp_model() and await client.filter_model()
        assert [i.code for i in await client.inputs(2)] == ["11", "31", "3A", "61"]
        assert [i.code for i in await client.inputs(1)] == ["11", "31"]
        assert (await client.input_names())["31"] == "HDMI 1"
        await powered_on(client)
        await client.set_input("3A")
        assert await client.input(cls=2) == Input("3A")
        await client.set_input("31")
        assert await client.input_resolution() == (1920, 1080)
        await client.volume("speaker", "up")
        await client.volume("mic", "down")
        with pytest.raises(PJLinkParamError):
            await client.volume("speaker", "loud")
        await client.freeze(True)
        assert await client.frozen() is True
        await client.freeze(False)
        state = await client.read_state()
        assert state.serial_number == "SN123" and state.freeze is False and not state.unavailable


async def test_class1_device_answers_err1_to_class2() -> None:
    async with running(pjlink_class=1) as (_, client):
        assert await client.pjlink_class() == 1
        with pytest.raises(PJLinkCommandError) as err:
            await client.serial_number()
        assert err.value.code is ErrorCode.UNDEFINED
        state = await client.read_state()
        assert state.pjlink_class == 1 and state.serial_number is None and state.power is PowerState.OFF


async def test_password_right_wrong_absent() -> None:
    async with running(password="secret") as (_, client):
        assert await client.power() is PowerState.OFF
        assert await client.name()  # digest only on the first command of the connection
    async with running(password="secret", client_password="wrong") as (_, client):
        with pytest.raises(PJLinkAuthError):
            await client.power()
    async with running(password="secret", client_password=None) as (_, client):
        with pytest.raises(PJLinkAuthError, match="requires a password"):
            await client.power()
    async with running(password="secret", fault="wrong_password") as (_, client):
        with pytest.raises(PJLinkAuthError):
            await client.power()


async def test_commands_run_one_at_a_time() -> None:
    async with running() as (_, client):
        results = await asyncio.gather(*(client.name() for _ in range(10)), client.power(), client.errors())
        assert results[:10] == ["Sim Projector"] * 10 and results[10] is PowerState.OFF


@pytest.mark.parametrize(
    ("fault", "error"),
    [("slow", PJLinkTimeout), ("silent", PJLinkTimeout), ("garbage", PJLinkProtocolError),
     ("drop", PJLinkConnectionError)],
)
async def test_fault_modes_end_in_typed_errors(fault: str, error: type[Exception]) -> None:
    async with running(fault=fault, slow_delay_s=5.0) as (_, client):
        started = time.monotonic()
        with pytest.raises(error):
            await client.power()
        assert time.monotonic() - started < TIMEOUT + MARGIN


async def test_connection_refused_and_unreachable() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    client = PJLinkClient("127.0.0.1", port, timeout=TIMEOUT)
    started = time.monotonic()
    with pytest.raises(PJLinkConnectionError):
        await client.power()
    assert time.monotonic() - started < TIMEOUT + MARGIN


async def test_idle_drop_reconnects_transparently() -> None:
    async with running(password="pw", idle_timeout_s=0.2) as (_, client):
        assert await client.power() is PowerState.OFF
        await asyncio.sleep(0.4)  # the projector drops the idle connection
        assert await client.power() is PowerState.OFF


async def _scripted_server(script: Callable[[int, bytes], bytes | None]) -> tuple[asyncio.Server, list[int]]:
    """A tiny PJLink peer whose answer per (connection number, line) is scripted; None closes."""
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = len(connections)
        connections.append(number)
        writer.write(b"PJLINK 0\r")
        try:
            while line := await reader.readuntil(b"\r"):
                answer = script(number, line)
                if answer is None:
                    return
                writer.write(answer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0), connections


async def test_retries_once_when_kept_connection_died_between_commands() -> None:
    calls: list[tuple[int, bytes]] = []

    def script(conn: int, line: bytes) -> bytes | None:
        calls.append((conn, line))
        return None if conn == 0 and len(calls) == 2 else b"%1POWR=0\r"

    server, connections = await _scripted_server(script)
    client = PJLinkClient("127.0.0.1", server.sockets[0].getsockname()[1], timeout=TIMEOUT)
    try:
        assert await client.power() is PowerState.OFF
        assert await client.power() is PowerState.OFF  # conn 0 died silently; retried on conn 1
        assert connections == [0, 1] and [c for c, _ in calls] == [0, 0, 1]
    finally:
        await client.close()
        server.close()
        await server.wait_closed()


async def test_mismatched_reply_is_a_protocol_error() -> None:
    server, _ = await _scripted_server(lambda conn, line: b"%1INPT=31\r")
    client = PJLinkClient("127.0.0.1", server.sockets[0].getsockname()[1], timeout=TIMEOUT)
    try:
        with pytest.raises(PJLinkProtocolError):
            await client.power()
    finally:
        await client.close()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("password", [None, "secret"])
async def test_a_module_that_reads_one_command_per_packet_is_asked_one_at_a_time(password: str | None) -> None:
    """Real modules that answer the first line of a packet and drop the rest (PROTOCOLS.md's field lesson):
    the pipelined read times out once, then the client asks that device one query at a time, and every field
    is read (with and without the digest, which goes on the first line)."""
    async with running(password, fault="one_per_packet", warmup_s=0.0) as (sim, client):
        await powered_on(client)
        state = await read_state(client)
        assert client.lockstep
        assert state.power is PowerState.ON and state.name == sim.config.name
        assert state.inputs and state.serial_number and state.input is not None
        began = time.monotonic()
        assert (await read_state(client, state)).power is PowerState.ON
        assert time.monotonic() - began < TIMEOUT, "no second wait for replies that never come"

        def read_blocking() -> tuple[str | None, bool]:  # device ADDRESS status's client, off the loop
            with BlockingPJLinkClient(sim.host, sim.tcp_port, password, timeout=TIMEOUT) as blocking:
                return read_state_blocking(blocking).name, blocking.lockstep

        assert await asyncio.to_thread(read_blocking) == (sim.config.name, True)
