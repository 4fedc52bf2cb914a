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
_RECEIVE_SIZE = 2048  # more than any reply; a longer datagram is cut, and then too long to be one
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


class _Receiver:
    """Reads every datagram already waiting on its socket each time the loop says it is readable.

    asyncio's datagram transport reads one datagram per loop iteration: with hundreds of identifications sharing
    the loop, 1,000 replies took longer to read than the search listens, and a campus search heard 165 of them.
    Queued ones are bounded, so the loop never buffers a flood.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.queue: asyncio.Queue[tuple[bytes, str]] = asyncio.Queue(MAX_REPLIES)

    def readable(self) -> None:
        for _ in range(MAX_REPLIES):  # bounded: a flood waits for the next wake-up rather than holding the loop
            try:
                data, addr = self.sock.recvfrom(_RECEIVE_SIZE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. ICMP port unreachable from a unicast target
                log.debug("search socket error: %s", exc)
                return
            if not self.queue.full():
                self.queue.put_nowait((data, str(addr[0])))


def _udp_socket(port: int, *, broadcast: bool = False, reuse_port: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        if broadcast:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        if reuse_port and hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        _widen_receive_buffer(sock)
        sock.bind(("0.0.0.0", port))
    except OSError:
        sock.close()
        raise
    return sock


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
    sock = _udp_socket(0, broadcast=broadcast)
    receiver = _Receiver(sock)
    sockets = [sock]
    loop.add_reader(sock, receiver.readable)
    if reply_port is not None:
        try:
            extra = _udp_socket(reply_port, reuse_port=True)
        except OSError as exc:
            log.info("cannot listen for search replies on UDP %d: %s", reply_port, exc)
        else:
            sockets.append(extra)
            extra_receiver = _Receiver(extra)
            extra_receiver.queue = receiver.queue  # one stream of replies, whichever port they came to
            loop.add_reader(extra, extra_receiver.readable)
    seen: set[tuple[str, str]] = set()
    deadline = time.monotonic() + window
    rounds = max(0, resend) + 1
    gap = window / 2 / rounds
    next_send, sent = time.monotonic(), 0
    try:
        while (now := time.monotonic()) < deadline:
            if sent < rounds and now >= next_send:
                _send_round(sock, targets)
                sent, next_send = sent + 1, now + gap
            wait = min(deadline, next_send if sent < rounds else deadline) - now
            try:
                async with asyncio.timeout(max(wait, 0.001)):  # not wait_for: see devices/tasks.py
                    batch = [await receiver.queue.get()]
            except TimeoutError:
                continue
            while not receiver.queue.empty():  # everything already read, without a wait (and a timer) each
                batch.append(receiver.queue.get_nowait())
            for data, address in batch:
                mac = parse_ackn(data)
                if mac is None:
                    log.warning("ignoring malformed search reply from %s: %r", address, data[:64])
                elif (address, mac) not in seen:
                    seen.add((address, mac))
                    yield SearchReply(address, mac)
    finally:
        for each in sockets:
            loop.remove_reader(each)
            each.close()


async def search_one(host: str, port: int = PJLINK_PORT, window: float = 0.6) -> str | None:
    """MAC of one host by unicast search (class 2 only, no password needed), or None."""
    async with contextlib.aclosing(search([(host, port)], window, resend=1)) as replies:
        async for reply in replies:
            if reply.address == host:
                return reply.mac
    return None


def _widen_receive_buffer(sock: socket.socket) -> None:
    """A subnet answers a search all at once: 1,000 replies overflowed the default buffer and a third were lost.

    The kernel caps the request at net.core.rmem_max (4 MB here); each small datagram costs ~1 KB of buffer.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)


def _send_round(sock: socket.socket, targets: Iterable[tuple[str, int]]) -> None:
    for target in targets:
        try:
            sock.sendto(SRCH, target)
        except (BlockingIOError, InterruptedError):
            log.debug("search to %s:%d deferred to the next round (send buffer full)", target[0], target[1])
        except OSError as exc:
            log.info("search to %s:%d failed: %s", target[0], target[1], exc)

