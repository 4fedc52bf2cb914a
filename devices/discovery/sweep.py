"""Unicast sweep: multicast does not cross VLANs, so knock on TCP 4352 of listed hosts and ranges."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
import time
from collections import deque
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from dataclasses import dataclass

from devices.pjlink.errors import PJLinkAuthError, PJLinkProtocolError
from devices.pjlink.protocol import parse_greeting as _parse_greeting

log = logging.getLogger(__name__)

PJLINK_PORT = 4352
MAX_RANGE_HOSTS = 1024  # a /22: one building's worth; more is a typo or a scan, not a room
MAX_TOTAL_HOSTS = 4096


class RangeTooLargeError(ValueError):
    """A sweep spec covers more hosts than a classroom network plausibly has."""


@dataclass(frozen=True, slots=True)
class SweepHit:
    """A host that greeted like a PJLink device."""

    address: str
    port: int
    needs_password: bool
    greeting: str


def expand_targets(
    specs: Iterable[str | tuple[str, int]],
    default_port: int = PJLINK_PORT,
    max_range: int = MAX_RANGE_HOSTS,
    max_total: int = MAX_TOTAL_HOSTS,
    ports: Mapping[str, int] | None = None,
) -> list[tuple[str, int]]:
    """Turn "10.0.0.5", "10.0.0.5:4400", "[::1]:4352", "10.0.0.0/24" or (host, port) into endpoints.

    `ports` gives the port of addresses that the spec names without one (bare or in a range).
    """
    out: dict[tuple[str, int], None] = {}
    for spec in specs:
        explicit = isinstance(spec, tuple) or _has_port(spec)
        for host, port in _expand_one(spec, default_port, max_range):
            endpoint = (host, port if explicit or not ports else ports.get(host, port))
            out[endpoint] = None
            if len(out) > max_total:
                raise RangeTooLargeError(f"sweep covers more than {max_total} endpoints; narrow the ranges")
    return list(out)


def _has_port(text: str) -> bool:
    text = text.strip()
    return "/" not in text and ((text.startswith("[") and "]:" in text) or text.count(":") == 1)


def _expand_one(spec: str | tuple[str, int], default_port: int, max_range: int) -> list[tuple[str, int]]:
    if isinstance(spec, tuple):
        host, port = spec
        return [(str(ipaddress.ip_address(host)), _port(port, spec))]
    text = spec.strip()
    if "/" in text:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ValueError(f"bad sweep range {spec!r}: {exc}") from None
        size = net.num_addresses - (2 if net.version == 4 and net.prefixlen < 31 else 0)
        if size > max_range:
            raise RangeTooLargeError(
                f"sweep range {text} has {size} hosts; at most {max_range} per range "
                f"(a /{32 - (max_range - 1).bit_length()} for IPv4): split or narrow it"
            )
        return [(str(ip), default_port) for ip in net.hosts()]
    host, port = _split_host_port(text, default_port)
    try:
        return [(str(ipaddress.ip_address(host)), port)]
    except ValueError:
        raise ValueError(f"bad sweep address {spec!r}: want an IP, IP:port or CIDR range") from None


def _split_host_port(text: str, default_port: int) -> tuple[str, int]:
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, _port(rest[1:], text) if rest.startswith(":") else default_port
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, _port(port, text)
    return text, default_port


def _port(value: object, spec: object) -> int:
    try:
        port = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValueError(f"bad port in sweep spec {spec!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port out of range in sweep spec {spec!r}")
    return port


def parse_greeting(line: bytes) -> bool | None:
    """True if the greeting asks for a password, False if not, None if it is not PJLink."""
    try:
        return _parse_greeting(line).auth_required
    except PJLinkAuthError:  # PJLINK ERRA: it speaks PJLink and wants a password
        return True
    except PJLinkProtocolError:
        return None


async def probe(host: str, port: int = PJLINK_PORT, connect_timeout: float = 1.5) -> SweepHit | None:
    """Read one host's greeting; None for silence, refusal or anything that is not PJLink."""
    try:
        async with asyncio.timeout(connect_timeout):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                line = await reader.readuntil(b"\r")
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    needs_password = parse_greeting(line)
    if needs_password is None:
        log.info("%s:%d answered but not as PJLink: %r", host, port, line[:40])
        return None
    return SweepHit(host, port, needs_password, line.rstrip(b"\r\n").decode("ascii", "replace"))


async def knock(host: str, ports: Sequence[int], timeout_s: float) -> list[int]:
    """Those of ``ports`` on which ``host`` accepts a TCP connection within ``timeout_s``, each closed again at once.

    Bare non-blocking sockets on the loop, all at once, each outcome read as an errno: refusal and silence, what
    most of a swept range gives, raise nothing, so no exception or traceback is made for the cycle collector.
    """
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socks: dict[int, socket.socket] = {}
    accepted: set[int] = set()
    pending: set[int] = set()
    settled: asyncio.Future[None] = loop.create_future()

    def answered(port: int) -> None:
        loop.remove_writer(socks[port].fileno())
        pending.discard(port)
        if socks[port].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            accepted.add(port)
        if not pending:
            _settle(settled)

    try:
        for port in dict.fromkeys(ports):
            sock = socks[port] = socket.socket(family, socket.SOCK_STREAM)
            sock.setblocking(False)
            err = sock.connect_ex((host, port))
            if err in (errno.EINPROGRESS, errno.EAGAIN):
                pending.add(port)
                loop.add_writer(sock.fileno(), answered, port)
            elif err == 0:
                accepted.add(port)
        if pending:
            timer = loop.call_later(timeout_s, _settle, settled)
            try:
                await settled
            finally:
                timer.cancel()
        return [port for port in ports if port in accepted]
    finally:
        # Whatever ended the knock (the wait, or socket() failing mid-way: EMFILE in a big sweep), no writer is left
        # in the loop's selector for a closed socket: its fd number, handed out again, would be refused there.
        for port in pending:
            loop.remove_writer(socks[port].fileno())
        for sock in socks.values():
            sock.close()


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _RateLimit:
    """Spaces connection attempts so a sweep never floods a flaky switch."""

    def __init__(self, per_second: float) -> None:
        self._gap = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self._gap


async def scan(
    targets: Sequence[tuple[str, int]],
    *,
    concurrency: int = 32,
    rate: float = 200.0,
    connect_timeout: float = 1.5,
) -> AsyncGenerator[SweepHit, None]:
    """Probe every endpoint (at most `concurrency` at once, `rate` new connections a second)."""
    pending = deque(targets)
    hits: asyncio.Queue[SweepHit | None] = asyncio.Queue()
    limit = _RateLimit(rate)

    async def worker() -> None:
        try:
            while pending:
                host, port = pending.popleft()
                await limit.wait()
                hit = await probe(host, port, connect_timeout)
                if hit is not None:
                    hits.put_nowait(hit)
        finally:
            hits.put_nowait(None)

    workers = [asyncio.create_task(worker()) for _ in range(min(max(1, concurrency), len(pending)))]
    running = len(workers)
    try:
        while running:
            hit = await hits.get()
            if hit is None:
                running -= 1
            else:
                yield hit
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
