"""Connections before they are requests: a cap per client address and a deadline for each request head.

Shared by every HTTP server the console runs where others connect: the centre, the students' tablets and the
Studio's LAN stream (a slowloris on the tablets' page held every real student out and ran the console out of file
descriptors, E3).

aiohttp has no header timeout: a connection that never finishes its head was held for an hour. This
wraps aiohttp's protocol: each address may hold ``connections_per_client`` connections (more are told
429 and closed at once), and a head must be complete ``header_timeout_s`` after the connection opened
or the next request's first byte arrived. The app's first middleware says when a request has begun
(``request_started``), which stops the clock; bodies have their own timeouts (``bodies.paced``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

log = logging.getLogger(__name__)
_TOO_MANY_BODY = b'{"error": "too many connections from this address at once", "reason": "too_many_connections"}'
_TOO_MANY = (
    b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 5\r\n"
    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(_TOO_MANY_BODY), _TOO_MANY_BODY)
)


def _peer(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "?"


class GuardLimits(Protocol):
    @property
    def connections_per_client(self) -> int: ...  # 0: no cap

    @property
    def header_timeout_s(self) -> float: ...


class ConnectionGuard:
    """Counts connections per address; makes the protocol for each new one."""

    def __init__(self, limits: GuardLimits, make_handler: Callable[[], asyncio.Protocol]) -> None:
        self.limits = limits
        self.make_handler = make_handler
        self.open: Counter[str] = Counter()
        self._warned: set[str] = set()

    def __call__(self) -> asyncio.Protocol:
        return GuardedProtocol(self)

    def admit(self, address: str) -> bool:
        cap = self.limits.connections_per_client
        if cap > 0 and self.open[address] >= cap:
            if address not in self._warned:
                self._warned.add(address)
                log.warning("%s holds %d connections, the most one address may; refusing more", address, cap)
            return False
        self.open[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]
            self._warned.discard(address)


class GuardedProtocol(asyncio.Protocol):
    """aiohttp's request handler, with the address counted and the request head on a clock."""

    def __init__(self, guard: ConnectionGuard) -> None:
        self.guard = guard
        self.inner: asyncio.Protocol | None = None
        self.transport: asyncio.Transport | None = None
        self.address = "?"
        self.busy = False
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.address = _peer(transport)
        if not self.guard.admit(self.address):
            transport.write(_TOO_MANY)
            transport.close()
            return
        self.transport = transport
        self.inner = self.guard.make_handler()
        self._arm()
        self.inner.connection_made(transport)

    def _arm(self) -> None:
        if self._timer is None and self.transport is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.guard.limits.header_timeout_s, self._head_too_slow)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _head_too_slow(self) -> None:
        self._timer = None
        if not self.busy and self.transport is not None and not self.transport.is_closing():
            log.info("closed a connection from %s: no complete request within %g s",
                     self.address, self.guard.limits.header_timeout_s)
            self.transport.close()

    def request_started(self) -> None:
        self.busy = True
        self._disarm()

    def request_ended(self) -> None:
        self.busy = False

    def data_received(self, data: bytes) -> None:
        if self.inner is None:
            return
        if not self.busy:
            self._arm()  # the first bytes of a request: its head is now on the clock
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.inner is None:
            return
        self.guard.release(self.address)
        inner, self.inner, self.transport = self.inner, None, None
        inner.connection_lost(exc)


async def listen(runner: web.AppRunner, limits: GuardLimits, host: str, port: int, **options: Any) -> asyncio.Server:
    """Serve a set-up runner's app behind a guard (its app lists ``head_clock`` first); the runner is cleaned up
    when the address cannot be bound. ``options`` go to ``loop.create_server`` (ssl, backlog, ...)."""
    assert runner.server is not None, "runner.setup() first"
    options.setdefault("backlog", 1024)
    try:
        return await asyncio.get_running_loop().create_server(
            ConnectionGuard(limits, runner.server), host, port, reuse_address=True, **options)
    except BaseException:
        await runner.cleanup()
        raise


def bound_port(listener: asyncio.Server) -> int:
    return int(listener.sockets[0].getsockname()[1])


def _guarded(request: web.Request) -> GuardedProtocol | None:
    transport = request.transport
    protocol: Any = transport.get_protocol() if transport is not None else None
    return protocol if isinstance(protocol, GuardedProtocol) else None


@web.middleware
async def head_clock(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """The outermost middleware: a request whose head was parsed is no longer on the head clock."""
    guarded = _guarded(request)
    if guarded is not None:
        guarded.request_started()
    try:
        return await handler(request)
    finally:
        if guarded is not None:
            guarded.request_ended()


async def close_listening(listener: asyncio.Server | None, runner: web.AppRunner | None) -> None:
    """No new connection, the requests on their way answered (the runner's shutdown timeout), then closed."""
    if listener is not None:
        listener.close()
    if runner is not None:
        await runner.cleanup()
    if listener is not None:
        await listener.wait_closed()
