"""The simulator speaks PJLink on the wire: greeting, digest, limits, UDP search and notifications."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from devices.pjlink.protocol import auth_digest, parse_greeting, parse_notification
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

STEP = 1.0


@asynccontextmanager
async def sim(**overrides: Any) -> AsyncIterator[SimulatedProjector]:
    settings: dict[str, Any] = {"port": 0, "udp_port": 0, "warmup_s": 0.1, "cooling_s": 0.1}
    settings.update(overrides)
    projector = SimulatedProjector(SimProjectorConfig(**settings))
    await projector.start()
    try:
        yield projector
    finally:
        await projector.stop()


@asynccontextmanager
async def connect(
    projector: SimulatedProjector,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection(projector.host, projector.tcp_port)
    try:
        yield reader, writer
    finally:
        writer.close()


async def line(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r"), STEP)


async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, text: str) -> bytes:
    writer.write(text.encode() + b"\r")
    return await line(reader)


class _Collector(asyncio.DatagramProtocol):
    """Queues every datagram received on a loopback UDP socket."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, tuple[str, int]]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queue.put_nowait((data, addr))

    async def next(self) -> bytes:
        return (await asyncio.wait_for(self.queue.get(), STEP))[0]


@asynccontextmanager
async def udp_listener() -> AsyncIterator[tuple[asyncio.DatagramTransport, _Collector]]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(_Collector, local_addr=("127.0.0.1", 0))
    try:
        yield transport, protocol
    finally:
        transport.close()


async def test_greeting_without_password() -> None:
    async with sim() as projector, connect(projector) as (reader, writer):
        assert await line(reader) == b"PJLINK 0\r"
        assert await ask(reader, writer, "%1POWR ?") == b"%1POWR=0\r"
        assert await ask(reader, writer, "%1CLSS ?") == b"%1CLSS=2\r"


async def test_auth_digest_on_first_command_only_and_random_per_connection() -> None:
    async with sim(password="JBMIAProjectorLink") as projector:
        randoms = []
        for _ in range(2):
            async with connect(projector) as (reader, writer):
                greeting = parse_greeting(await line(reader))
                assert greeting.auth_random is not None and len(greeting.auth_random) == 8
                randoms.append(greeting.auth_random)
                digest = auth_digest(greeting.auth_random, "JBMIAProjectorLink")
                assert await ask(reader, writer, digest + "%1POWR ?") == b"%1POWR=0\r"
                assert await ask(reader, writer, "%1NAME ?") == b"%1NAME=Sim Projector\r"
        assert randoms[0] != randoms[1]
        async with connect(projector) as (reader, writer):
            await line(reader)
            assert await ask(reader, writer, "%1POWR ?") == b"PJLINK ERRA\r"
            assert await asyncio.wait_for(reader.read(), STEP) == b""  # and it hangs up


async def test_error_codes_and_limits_on_the_wire() -> None:
    async with sim(pjlink_class=1) as projector, connect(projector) as (reader, writer):
        await line(reader)
        assert await ask(reader, writer, "%1XXXX ?") == b"%1XXXX=ERR1\r"
        assert await ask(reader, writer, "%2SNUM ?") == b"%2SNUM=ERR1\r"
        assert await ask(reader, writer, "%1POWR 5") == b"%1POWR=ERR2\r"
        assert await ask(reader, writer, "%1INPT 31") == b"%1INPT=ERR3\r"
        assert await ask(reader, writer, "%1NAME " + "x" * 130) == b"%1NAME=ERR2\r"


async def test_roles_identity_and_any_loopback_address() -> None:
    async with sim(host="127.0.0.5", name="Board", role="board", product="Smart 86") as board:
        assert board.host == "127.0.0.5"
        again = SimulatedProjector(SimProjectorConfig(host="127.0.0.5", port=0, name="Board"))
        assert board.mac == again.mac and board.serial == again.serial
        assert int(board.mac[:2], 16) & 0x03 == 0x02  # locally administered unicast
        async with connect(board) as (reader, writer):
            await line(reader)
            reply = await ask(reader, writer, "%1INF2 ?")
            assert b"Interactive Board" in reply and len(reply) <= 136


async def test_lamp_hours_count_while_on() -> None:
    async with sim(lamp_hours=100, lamp_hours_per_second=100.0) as projector:
        async with connect(projector) as (reader, writer):
            await line(reader)
            assert await ask(reader, writer, "%1LAMP ?") == b"%1LAMP=100 0\r"
            assert await ask(reader, writer, "%1POWR 1") == b"%1POWR=OK\r"
            await asyncio.sleep(0.2)
            hours, lit = (await ask(reader, writer, "%1LAMP ?")).decode()[7:-1].split()
            assert int(hours) >= 110 and lit == "1"


async def test_idle_connection_is_dropped() -> None:
    async with sim(idle_timeout_s=0.1) as projector, connect(projector) as (reader, _):
        await line(reader)
        assert await asyncio.wait_for(reader.read(), STEP) == b""


async def test_udp_search_answers_sender_with_mac() -> None:
    async with sim() as projector, udp_listener() as (transport, collector):
        assert projector.udp_port is not None
        transport.sendto(b"%2SRCH\r", (projector.host, projector.udp_port))
        reply = parse_notification(await collector.next())
        assert reply.cmd == "ACKN" and reply.value == projector.mac


async def test_class2_notifications_over_udp() -> None:
    async with udp_listener() as (transport, collector):
        target = transport.get_extra_info("sockname")
        config = SimProjectorConfig(port=0, udp_port=0, warmup_s=0.1, cooling_s=0.1)
        projector = SimulatedProjector(config)
        projector.add_notify_target(target[0], target[1])
        await projector.start()
        try:
            assert await collector.next() == f"%2LKUP={projector.mac}\r".encode()
            async with connect(projector) as (reader, writer):
                await line(reader)
                await ask(reader, writer, "%1POWR 1")
                assert await collector.next() == b"%2POWR=3\r"
                assert await collector.next() == b"%2POWR=1\r"
                await ask(reader, writer, "%1INPT 32")
                assert await collector.next() == b"%2INPT=32\r"
            projector.inject_error("filter", 1)
            assert await collector.next() == b"%2ERST=000010\r"
        finally:
            await projector.stop()


async def test_no_udp_when_disabled_and_stop_closes_connections() -> None:
    async with sim(udp_port=None) as projector:
        assert projector.udp_port is None
        async with connect(projector) as (reader, _):
            await line(reader)
            await projector.stop()
            assert await asyncio.wait_for(reader.read(), STEP) == b""
