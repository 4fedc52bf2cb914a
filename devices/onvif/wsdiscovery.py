"""WS-Discovery Probe: find ONVIF cameras by multicast on each chosen interface, and by unicast to listed hosts.

Multicast does not cross routers or VLANs, so listed addresses are probed directly as well. Answers come
back to the probing socket; each device is yielded once, by its endpoint reference, as soon as it answers.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections.abc import AsyncGenerator, Sequence

from devices.onvif.errors import Garbled
from devices.onvif.wsd_messages import (
    CAMERA_TYPES,
    GROUP,
    MAX_DATAGRAM,
    PORT,
    ProbeMatch,
    new_message_id,
    parse_probe_matches,
    probe_message,
)

log = logging.getLogger(__name__)

MAX_DEVICES = 1024  # per probe: a hostile network cannot grow our list without bound
MAX_QUEUED = 256  # datagrams waiting to be parsed; more are dropped
RESEND_AT_S = (0.0, 0.3, 1.0)  # UDP is lossy: the Probe is repeated, as the spec's UDP repeat advises
MULTICAST_TTL = 1

Datagram = tuple[bytes, str]


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, queue: asyncio.Queue[Datagram]) -> None:
        self.queue = queue

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        if self.queue.qsize() < MAX_QUEUED and len(data) <= MAX_DATAGRAM:
            self.queue.put_nowait((data, str(addr[0])))

    def error_received(self, exc: Exception) -> None:
        log.debug("WS-Discovery socket error: %s", exc)


def _socket(interface: str) -> socket.socket:
    """A UDP socket on ``interface`` ('' for the OS's choice), its multicast pinned there."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.bind((interface or "0.0.0.0", 0))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, MULTICAST_TTL)
        if interface:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))
    except OSError:
        sock.close()
        raise
    return sock


async def probe(
    window: float = 2.0,
    *,
    interfaces: Sequence[str] = ("",),
    targets: Sequence[str] = (),
    multicast: bool = True,
    port: int = PORT,
    types: Sequence[str] = CAMERA_TYPES,
) -> AsyncGenerator[ProbeMatch, None]:
    """Yield each device that answers a Probe for any of ``types`` within ``window`` s, once per endpoint.

    ``interfaces``: local IPv4 addresses to probe from ('' = the OS's default; tests pass ``["127.0.0.1"]``).
    ``targets``: IPv4 addresses also probed by unicast on ``port``. Hostile or foreign answers are logged and dropped.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Datagram] = asyncio.Queue()
    transports: list[asyncio.DatagramTransport] = []
    ids = {t: new_message_id() for t in types}  # one Probe per type: a device must match all types of one
    seen: set[str] = set()
    start = time.monotonic()
    try:
        for interface in dict.fromkeys(interfaces):
            try:
                transport, _ = await loop.create_datagram_endpoint(lambda: _Receiver(queue), sock=_socket(interface))
            except OSError as exc:
                log.warning("cannot probe WS-Discovery from %r: %s", interface, exc)
                continue
            transports.append(transport)
        if not transports:
            return
        destinations = ([(GROUP, port)] if multicast else []) + [(host, port) for host in _addresses(targets)]
        pending = list(RESEND_AT_S)
        while (left := start + window - time.monotonic()) > 0:
            if pending and time.monotonic() - start >= pending[0]:
                pending.pop(0)
                _send(transports, destinations, ids)
            wake = min(left, start + pending[0] - time.monotonic()) if pending else left
            try:
                async with asyncio.timeout(max(wake, 0.0)):  # not wait_for: see devices/tasks.py
                    data, source = await queue.get()
            except TimeoutError:
                continue
            try:
                matches = parse_probe_matches(data, ids.values(), source)
            except Garbled as exc:
                log.info("ignoring a WS-Discovery answer from %s: %s", source, exc)
                continue
            for match in matches:
                if match.endpoint not in seen and len(seen) < MAX_DEVICES:
                    seen.add(match.endpoint)
                    yield match
    finally:
        for transport in transports:
            transport.close()


def _addresses(targets: Sequence[str]) -> list[str]:
    """IPv4 literals only: a name would be resolved by a blocking lookup inside sendto."""
    good = []
    for target in targets:
        try:
            good.append(str(ipaddress.IPv4Address(target)))
        except ValueError:
            log.warning("not probing %r by WS-Discovery: not an IPv4 address", target)
    return good


def _send(transports: list[asyncio.DatagramTransport], destinations: list[tuple[str, int]],
          ids: dict[str, str]) -> None:
    for transport in transports:
        for destination in destinations:
            for types, message_id in ids.items():
                try:
                    transport.sendto(probe_message(message_id, types), destination)
                except OSError as exc:  # no route from this interface: the others may still reach it
                    log.debug("WS-Discovery probe to %s failed: %s", destination, exc)
