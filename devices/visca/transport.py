"""The byte pipes under the client: a UDP socket (headed or bare) or a TCP connection (bare, port 5678).

Each delivers what arrives, in order: a datagram, or one FF-terminated message from the TCP stream, or
the ViscaConnectionError that ended it. The client does the protocol; this only moves bytes.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import socket

from devices.tasks import cancel_and_wait
from devices.visca.errors import ViscaConnectionError
from devices.visca.framing import split_messages

Item = bytes | ViscaConnectionError
MAX_TCP_BUFFER = 4096
# Replies nobody asked for: a client waits for at most a few (ACK, completion), so the oldest beyond these are
# dropped. A camera (or anything at its address) sending ACKs unasked grew this by 82,783 items, 258 MB, in 15 s.
MAX_WAITING = 64
log = logging.getLogger(__name__)


class Link:
    """Common surface: ``receive`` to read, ``send`` to write, ``close`` when done.

    A deque and one waiter rather than an asyncio.Queue under asyncio.timeout: the round trip of a
    command is what a joystick feels, and this keeps the client's own share of it small.
    """

    def __init__(self) -> None:
        self._items: collections.deque[Item] = collections.deque(maxlen=MAX_WAITING)
        self._waiter: asyncio.Future[None] | None = None
        self.dropped = 0

    def deliver(self, item: Item) -> None:
        if len(self._items) == MAX_WAITING:
            if not self.dropped:
                log.warning("a VISCA device sends replies nobody asked for; dropping the oldest beyond %d",
                            MAX_WAITING)
            self.dropped += 1
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def receive(self, deadline: float) -> Item | None:
        """The next item, or None once the loop's clock passes ``deadline``."""
        if not self._items:
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            timer = loop.call_at(deadline, _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
            if not self._items:
                return None
        return self._items.popleft()

    def drain(self) -> None:
        """Forget what arrived late for earlier messages (or ICMP errors since)."""
        self._items.clear()

    def send(self, data: bytes) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, link: Link) -> None:
        self.link = link

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        self.link.deliver(data)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable on a connected socket: nobody listens there.
        self.link.deliver(ViscaConnectionError(f"UDP error: {exc!r}"))


class UdpLink(Link):
    """A connected UDP socket, so only the camera's datagrams arrive; optionally on a fixed local port.

    Some cameras answer to port 52381 of the controller whatever it sent from; ``local_port=52381`` binds
    it with SO_REUSEADDR so a simulator (or another controller) on this machine can share it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._transport: asyncio.DatagramTransport | None = None

    async def open(self, host: str, port: int, local_host: str = "", local_port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        try:
            if local_port:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:
                    sock.setblocking(False)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind((local_host, local_port))
                    sock.connect((host, port))
                except BaseException:
                    sock.close()
                    raise
                transport, _ = await loop.create_datagram_endpoint(lambda: _Datagrams(self), sock=sock)
            else:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Datagrams(self), remote_addr=(host, port))
        except OSError as exc:
            raise ViscaConnectionError(f"cannot open UDP to {host}:{port}: {exc!r}") from exc
        self._transport = transport

    def send(self, data: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            raise ViscaConnectionError("not connected")
        self._transport.sendto(data)

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        self.deliver(ViscaConnectionError("closed"))  # an exchange still waiting ends now, not at its deadline


class TcpLink(Link):
    """Bare VISCA on a TCP stream: messages are cut at each FF."""

    def __init__(self) -> None:
        super().__init__()
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None

    async def open(self, host: str, port: int, timeout_s: float) -> None:
        try:
            async with asyncio.timeout(timeout_s):
                reader, writer = await asyncio.open_connection(host, port)
        except (OSError, TimeoutError) as exc:
            raise ViscaConnectionError(f"cannot connect to {host}:{port}: {exc!r}") from exc
        self._writer = writer
        self._reader_task = asyncio.create_task(self._read(reader), name=f"visca-tcp-{host}")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        try:
            while True:
                chunk = await reader.read(1024)
                if not chunk:
                    break
                buffer += chunk
                messages = split_messages(buffer)
                for message in messages:
                    self.deliver(message)
                buffer = buffer[sum(map(len, messages)) :][-MAX_TCP_BUFFER:]
        except OSError as exc:
            self.deliver(ViscaConnectionError(f"TCP read failed: {exc!r}"))
            return
        self.deliver(ViscaConnectionError("camera closed the connection"))

    def send(self, data: bytes) -> None:
        if self._writer is None or self._writer.is_closing():
            raise ViscaConnectionError("not connected")
        self._writer.write(data)

    async def close(self) -> None:
        await cancel_and_wait(self._reader_task)
        self._reader_task = None
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None
        self.deliver(ViscaConnectionError("closed"))
