"""Raw WebSocket frames from a hostile tablet (E3): pings are messages like the others, against the tablet's
bucket (aiohttp answered 49,600 in 4.2 s and kept the socket), and an unmasked client frame closes the socket
with 1002 (RFC 6455, 5.1; it was taken and the tablet welcomed). Real server, real sockets on loopback."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
from collections.abc import AsyncIterator

import pytest

from classroom_console.events import EventBus
from classroom_console.tablets import ClassSession
from classroom_console.tablets.sim import SimTablet, client_for

BOUND_S = 30.0


def frame(opcode: int, payload: bytes, mask: bool = True) -> bytes:
    n = len(payload)
    head = bytes((0x80 | opcode,))
    bit = 0x80 if mask else 0
    head += bytes((bit | n,)) if n < 126 else bytes((bit | 126,)) + struct.pack("!H", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class Raw:
    """A tablet speaking the protocol by hand."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, source: str) -> Raw:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        async with asyncio.timeout(BOUND_S):
            head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def next_frame(self) -> tuple[int, bytes]:
        """The server's next frame (opcode, payload), or (-1, b"") when it closed the connection."""
        try:
            async with asyncio.timeout(BOUND_S):
                first, second = await self.reader.readexactly(2)
                n = second & 0x7F
                if n == 126:
                    n = struct.unpack("!H", await self.reader.readexactly(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
                return first & 0x0F, await self.reader.readexactly(n)
        except (asyncio.IncompleteReadError, ConnectionError):
            return -1, b""

    async def frames_until_closed(self, limit: int) -> list[tuple[int, bytes]]:
        got: list[tuple[int, bytes]] = []
        while len(got) < limit:
            kind, payload = await self.next_frame()
            if kind == -1:
                return got
            got.append((kind, payload))
        raise AssertionError(f"still open after {limit} frames")

    def close(self) -> None:
        self.writer.close()


@pytest.fixture
async def session() -> AsyncIterator[ClassSession]:
    session = ClassSession(host="127.0.0.1", advertise=False, bus=EventBus())
    await session.start()
    try:
        yield session
    finally:
        await session.stop()


async def test_a_ping_flood_is_counted_against_the_tablet_and_closes_it(session: ClassSession) -> None:
    raw = await Raw.open(session.server.port, "127.0.8.1")
    try:
        raw.writer.write(frame(1, json.dumps({"t": "join", "code": session.code, "name": "Pinger"}).encode()))
        kind, welcome = await raw.next_frame()
        assert kind == 1 and json.loads(welcome)["t"] == "welcome"
        raw.writer.write(frame(9, b"hello"))  # one ping is answered, as a browser's would be
        assert await raw.next_frame() == (0xA, b"hello")
        pings = 2000
        raw.writer.write(b"".join(frame(9, b"x" * 100) for _ in range(pings)))
        got = await raw.frames_until_closed(pings + 10)
        pongs = sum(1 for kind, _ in got if kind == 0xA)
        limits = session.limits
        assert pongs <= limits.message_burst + 5, f"{pongs} pongs"
        assert got[-1][0] == 8 and struct.unpack("!H", got[-1][1][:2])[0] == 1008  # a policy violation
        assert session.server.refused["rate"] >= limits.drops_before_close
    finally:
        raw.close()


async def test_an_unmasked_frame_closes_the_socket_and_the_class_goes_on(session: ClassSession) -> None:
    raw = await Raw.open(session.server.port, "127.0.8.2")
    try:
        raw.writer.write(frame(1, json.dumps({"t": "join", "code": session.code, "name": "Unmasked"}).encode(),
                               mask=False))
        got = await raw.frames_until_closed(5)
        assert got == [(8, struct.pack("!H", 1002))]  # closed with a protocol error, never welcomed
        assert not session.seats
    finally:
        raw.close()
    # masked frames in pieces of every size keep their boundaries: a join split byte by byte, then a long
    # message (a 16-bit length) and a ping in one write, all taken
    raw = await Raw.open(session.server.port, "127.0.8.3")
    try:
        join = frame(1, json.dumps({"t": "join", "code": session.code, "name": "Masked"}).encode())
        for byte in join:
            raw.writer.write(bytes((byte,)))
            await raw.writer.drain()
        kind, welcome = await raw.next_frame()
        assert kind == 1 and json.loads(welcome)["t"] == "welcome"
        raw.writer.write(frame(1, json.dumps({"t": "hand", "up": True, "pad": "y" * 300}).encode())
                         + frame(9, b"still here"))
        frames = [await raw.next_frame() for _ in range(2)]
        assert (0xA, b"still here") in frames
        assert any(kind == 1 and json.loads(payload)["t"] == "hand" for kind, payload in frames)
    finally:
        raw.close()
    async with client_for("127.0.8.4") as http:  # a browser's tablet is not troubled by any of it
        tablet = SimTablet(http, session.join_url, session.code, "Ann")
        try:
            assert (await tablet.join())["t"] == "welcome"
        finally:
            await tablet.close()


async def test_frames_sent_before_the_handshakes_answer_are_refused(session: ClassSession) -> None:
    """They would reach aiohttp's parser before the mask check stands in front of it (and a client must wait)."""
    port = session.server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.8.5", 0))
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
                     + frame(1, json.dumps({"t": "join", "code": session.code, "name": "Early"}).encode(), mask=False))
        async with asyncio.timeout(BOUND_S):
            answer = await reader.read(4096)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
        assert not session.seats
    finally:
        writer.close()
