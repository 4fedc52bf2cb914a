"""PJLink class 2 search: ask a subnet (or single hosts) who speaks PJLink, over UDP 4352."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import re
import socket
import time
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass

import ifaddr  # a zeroconf dependency; stdlib has no portable netmask query

log = logging.getLogger(__name__)

PJLINK_PORT = 4352
SRCH = b"%2SRCH\r"
MAX_DATAGRAM = 136  # PJLink caps a message at 136 bytes; anything longer is not a reply
RECEIVE_BUFFER = 4 * 1024 * 1024
MAX_REPLIES = 4096  # a garbage flood cannot grow memory without bound
_ACKN = re.compile(rb"%2ACKN=((?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2})\r?\n?")


@dataclass(frozen=True, slots=True)
class SearchReply:
    """One device that answered a search; the address is the UDP source, never the payload."""

    address: str
    mac: str


def parse_ackn(data: bytes) -> str | None:
    """Return the lowercase MAC from a `%2ACKN=` reply, or None when the datagram is not one."""
    if len(data) > MAX_DATAGRAM:
        return None
    match = _ACKN.fullmatch(data)
    return match.group(1).decode("ascii").lower() if match else None


def directed_broadcasts(port: int = PJLINK_PORT) -> list[tuple[str, int]]:
    """Directed broadcast of every non-loopback IPv4 subnet on this host, for real-network search."""
    targets: set[tuple[str, int]] = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not isinstance(ip.ip, str):
                continue
            net = ipaddress.IPv4Network(f"{ip.ip}/{ip.network_prefix}", strict=False)
            if net.is_loopback or net.is_link_local or net.prefixlen >= 31:
                continue
            targets.add((str(net.broadcast_address), port))
    return sorted(targets)


class _Collector(asyncio.DatagramProtocol):
    """Queues datagrams; the queue is bounded so the loop never buffers a flood."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[bytes, str]] = asyncio.Queue(MAX_REPLIES)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if not self.queue.full():
            self.queue.put_nowait((data, str(addr[0])))

    def error_received(self, exc: Exception) -> None:
        log.debug("search socket error: %s", exc)  # e.g. ICMP port unreachable from a unicast target


async def search(
    targets: Sequence[tuple[str, int]],
    window: float = 2.0,
    *,
    resend: int = 1,
    broadcast: bool = False,
    reply_port: int | None = None,
) -> AsyncGenerator[SearchReply, None]:
    """Send `%2SRCH` to each target and yield each (address, MAC) once, for `window` seconds.

    `resend` extra rounds (spread over the first half of the window) cover lost datagrams.
    `broadcast` must be set to send to directed broadcasts (never needed on loopback).
    `reply_port` also listens there, for devices that answer to the controller's port 4352.
    """
    loop = asyncio.get_running_loop()
    collector = _Collector()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: collector, local_addr=("0.0.0.0", 0), allow_broadcast=broadcast
    )
    _widen_receive_buffer(transport)
    extra = None
    if reply_port is not None:
        try:
            extra, _ = await loop.create_datagram_endpoint(
                lambda: collector, local_addr=("0.0.0.0", reply_port), reuse_port=True
            )
        except OSError as exc:
            log.info("cannot listen for search replies on UDP %d: %s", reply_port, exc)
    seen: set[tuple[str, str]] = set()
    deadline = time.monotonic() + window
    rounds = max(0, resend) + 1
    gap = window / 2 / rounds
    next_send, sent = time.monotonic(), 0
    try:
        while (now := time.monotonic()) < deadline:
            if sent < rounds and now >= next_send:
                _send_round(transport, targets)
                sent, next_send = sent + 1, now + gap
            wait = min(deadline, next_send if sent < rounds else deadline) - now
            try:
                async with asyncio.timeout(max(wait, 0.001)):  # not wait_for: see devices/tasks.py
                    data, address = await collector.queue.get()
            except TimeoutError:
                continue
            mac = parse_ackn(data)
            if mac is None:
                log.warning("ignoring malformed search reply from %s: %r", address, data[:64])
            elif (address, mac) not in seen:
                seen.add((address, mac))
                yield SearchReply(address, mac)
    finally:
        transport.close()
        if extra is not None:
            extra.close()


async def search_one(host: str, port: int = PJLINK_PORT, window: float = 0.6) -> str | None:
    """MAC of one host by unicast search (class 2 only, no password needed), or None."""
    async with contextlib.aclosing(search([(host, port)], window, resend=1)) as replies:
        async for reply in replies:
            if reply.address == host:
                return reply.mac
    return None


def _widen_receive_buffer(transport: asyncio.DatagramTransport) -> None:
    """A subnet answers a search all at once: 1,000 replies overflowed the default buffer and a third were lost.

    The kernel caps the request at net.core.rmem_max (4 MB here); each small datagram costs ~1 KB of buffer.
    """
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)


def _send_round(transport: asyncio.DatagramTransport, targets: Iterable[tuple[str, int]]) -> None:
    for target in targets:
        try:
            transport.sendto(SRCH, target)
        except OSError as exc:
            log.info("search to %s:%d failed: %s", target[0], target[1], exc)

