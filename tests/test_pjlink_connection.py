"""The PJLink client's own connection (devices/pjlink/connection.py): connecting, its failures and their words,
names through the resolver, and writes the kernel does not take at once. Real sockets on loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from devices.pjlink.client import PJLinkClient
from devices.pjlink.connection import Address, Connection, numeric_address
from devices.pjlink.errors import PJLinkConnectionError, PJLinkTimeout
from devices.pjlink.values import PowerState
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

TIMEOUT = 0.5
MARGIN = 1.0  # generous: a loaded machine is slow to wake a timer


class FullBacklog:
    """A loopback port that completes no other connect: its one-place queue is taken and not accepted."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(0)
        self.port = self.server.getsockname()[1]
        self.held = [socket.create_connection(("127.0.0.1", self.port), timeout=5)]

    def accept_one(self) -> None:
        """Free the queue's place: a connect pending now completes when the kernel resends its SYN (~1 s)."""
        self.server.setblocking(False)
        self.held.append(self.server.accept()[0])

    def close(self) -> None:
        for sock in [*self.held, self.server]:
            sock.close()


@contextmanager
def full_backlog() -> Iterator[FullBacklog]:
    backlog = FullBacklog()
    try:
        yield backlog
    finally:
        backlog.close()


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port nobody listens on (bound, not listening, so no other test takes it meanwhile)."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()


def test_ip_literals_need_no_resolver() -> None:
    assert numeric_address("127.0.0.1", 4352) == (socket.AF_INET, ("127.0.0.1", 4352))
    assert numeric_address("::1", 4352) == (socket.AF_INET6, ("::1", 4352, 0, 0))
    assert numeric_address("fe80::1%lo", 4352) is None  # a scope: getaddrinfo turns it into an interface index
    assert numeric_address("projector.local", 4352) is None
    assert numeric_address("127.0.0.1\x00", 4352) is None


async def test_refused_connect_is_a_connection_error_naming_the_address() -> None:
    with refused_port() as port:
        started = time.monotonic()
        with pytest.raises(PJLinkConnectionError,
                           match=rf"cannot connect to 127\.0\.0\.1:{port}: .*Connect call failed"):
            await PJLinkClient("127.0.0.1", port, timeout=TIMEOUT).power()
        assert time.monotonic() - started < TIMEOUT + MARGIN


async def test_a_connect_that_never_completes_times_out_as_unreachable() -> None:
    with full_backlog() as backlog:
        port = backlog.port
        client = PJLinkClient("127.0.0.1", port, timeout=TIMEOUT)
        started = time.monotonic()
        with pytest.raises(PJLinkTimeout, match=rf"cannot reach 127\.0\.0\.1:{port} within 0\.5 s"):
            await client.power()
        assert TIMEOUT * 0.9 <= time.monotonic() - started < TIMEOUT + MARGIN
        await client.close()


async def test_the_greeting_gets_its_whole_timeout_after_a_slow_connect() -> None:
    """The connect completes only when the kernel resends the SYN (~1 s; the queue is freed at 0.2 s) and the
    device never greets: the greeting still gets its whole timeout from then (one timer serves both steps)."""
    timeout = 1.5
    with full_backlog() as backlog:
        client = PJLinkClient("127.0.0.1", backlog.port, timeout=timeout)
        asyncio.get_running_loop().call_later(0.2, backlog.accept_one)
        started = time.monotonic()
        with pytest.raises(PJLinkTimeout, match="no greeting"):
            await client.power()
        elapsed = time.monotonic() - started
        await client.close()
    assert elapsed > 0.9 + timeout, f"the greeting's wait was counted from the connect's start: {elapsed:.2f} s"


async def test_a_name_is_resolved() -> None:
    """``localhost`` goes through getaddrinfo (on the loop's executor), not the IP-literal fast path."""
    sim = SimulatedProjector(SimProjectorConfig(port=0, udp_port=None, host="127.0.0.1"))
    await sim.start()
    try:
        async with PJLinkClient("localhost", sim.tcp_port, timeout=TIMEOUT) as client:
            assert await client.power() is PowerState.OFF
            assert await client.name() == sim.config.name  # the same connection, kept
    finally:
        await sim.stop()


class _TwoAddresses(PJLinkClient):
    """A name the resolver gives two addresses for, the first refusing (as ``localhost`` may be ::1 first)."""

    def __init__(self, addresses: list[Address]) -> None:
        super().__init__("two.example", 4352, timeout=TIMEOUT)
        self.addresses = addresses

    async def _addresses(self, connect_by: float) -> list[Address]:
        return self.addresses


async def test_each_address_of_a_name_is_tried_in_turn() -> None:
    with refused_port() as dead:
        sim = SimulatedProjector(SimProjectorConfig(port=0, udp_port=None))
        await sim.start()
        try:
            good = (socket.AF_INET, ("127.0.0.1", sim.tcp_port))
            async with _TwoAddresses([(socket.AF_INET, ("127.0.0.1", dead)), good]) as client:
                assert await client.power() is PowerState.OFF
        finally:
            await sim.stop()
        with pytest.raises(PJLinkConnectionError, match=r"cannot connect to two\.example:4352: Multiple exceptions"):
            await _TwoAddresses([(socket.AF_INET, ("127.0.0.1", dead))] * 2).power()


async def test_what_the_kernel_does_not_take_at_once_is_sent_before_the_close() -> None:
    """A peer that reads late: a write larger than the socket's buffer is kept, sent as it drains, and the close
    waits for it; every byte arrives, in order."""
    received = bytearray()
    done = asyncio.Event()

    async def late_reader(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"PJLINK 0\r")
        await asyncio.sleep(0.2)  # the client's write finds the buffers full meanwhile
        received.extend(await reader.read())
        writer.close()
        done.set()

    server = await asyncio.start_server(late_reader, "127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    conn = Connection(loop, socket.AF_INET, 1024)
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    try:
        conn.connect(server.sockets[0].getsockname())
        async with asyncio.timeout(30):
            assert await conn.lines(1, 30, loop.time() + 30) == [b"PJLINK 0\r"]
            payload = bytes(range(256)) * 8192  # 2 MiB: far more than the buffers hold
            conn.write(payload)
            assert conn._unsent, "the kernel took 2 MiB at once: nothing was left to keep"
            await conn.close(30)
            await done.wait()
        assert bytes(received) == payload
    finally:
        conn.close_now()
        server.close()
        await server.wait_closed()
