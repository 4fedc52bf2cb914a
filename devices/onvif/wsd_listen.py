"""Hearing cameras announce themselves (WS-Discovery Hello and Bye) between probes.

A camera that is switched on after the room's last look multicasts a Hello; listening for it adds the
camera at once instead of at the next probe, as the room does with DNS-SD adverts. A Bye says it is going.
"""

from __future__ import annotations

import asyncio
import logging
import math
import socket
import struct
import time
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

from devices.onvif.errors import Garbled
from devices.onvif.wsd_messages import GROUP, MAX_DATAGRAM, PORT, ProbeMatch, parse_announcement

log = logging.getLogger(__name__)

MAX_QUEUED = 256


@dataclass(frozen=True, slots=True)
class Announcement:
    hello: bool  # False: a Bye (then ``device`` carries the endpoint only)
    device: ProbeMatch


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[tuple[bytes, str]]) -> None:
        self.queue = queue

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        if self.queue.qsize() < MAX_QUEUED and len(data) <= MAX_DATAGRAM:
            self.queue.put_nowait((data, str(addr[0])))


def _group_socket(interfaces: Sequence[str], port: int, group: str) -> socket.socket:
    """Bound to the group's port (shared: SO_REUSEADDR), a member on each interface ('' = the OS's choice)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((group, port))
        for interface in dict.fromkeys(interfaces):
            mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(interface or "0.0.0.0"))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    except OSError:
        sock.close()
        raise
    return sock


class AnnouncementListener:
    """Joined to the WS-Discovery group from ``start`` on, so nothing said after it returns is missed."""

    def __init__(self, interfaces: Sequence[str] = ("",), port: int = PORT, group: str = GROUP) -> None:
        self.interfaces, self.port, self.group = interfaces, port, group
        self._queue: asyncio.Queue[tuple[bytes, str]] = asyncio.Queue()
        self._transport: asyncio.DatagramTransport | None = None

    async def start(self) -> None:
        """Join the group; ``OSError`` when it cannot (another program holds the port alone)."""
        loop = asyncio.get_running_loop()
        sock = _group_socket(self.interfaces, self.port, self.group)
        self._transport, _ = await loop.create_datagram_endpoint(lambda: _Receiver(self._queue), sock=sock)

    def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def __aenter__(self) -> AnnouncementListener:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    async def announcements(self, window: float) -> AsyncGenerator[Announcement, None]:
        """Yield each Hello and Bye heard within ``window`` s (``math.inf``: until the caller stops)."""
        deadline = time.monotonic() + window
        while self._transport is not None and (left := deadline - time.monotonic()) > 0:
            try:
                async with asyncio.timeout(None if math.isinf(left) else left):  # not wait_for: devices/tasks.py
                    data, source = await self._queue.get()
            except TimeoutError:
                break
            try:
                hello, device = parse_announcement(data, source)
            except Garbled as exc:
                log.debug("ignoring a WS-Discovery multicast from %s: %s", source, exc)  # Probes land here too
                continue
            yield Announcement(hello, device)
