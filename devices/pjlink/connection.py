"""One PJLink TCP connection on the loop's reader and writer callbacks, its bytes cut into CR-ended lines.

Not an asyncio transport and protocol: ``loop.create_connection`` waits for the connect, then takes three more
loop turns to make the transport and call ``connection_made`` before a byte can be read, and a command's reply
then wakes a transport, a protocol and a waiter. Here the socket connects without blocking, the writer callback
that says it connected starts reading at once, and the greeting's arrival wakes the one waiter: a fresh command
(connect, greeting, one query) takes about half the loop turns and Python of an asyncio streams round trip
(bench/discovery.py prints both; issue 17 item 6). Every wait on a connection shares one timer whose deadline
moves forward instead of a timer each. Same socket options as asyncio's TCP transports (TCP_NODELAY).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import errno
import socket

from devices.pjlink.protocol import TERMINATOR

_RECV_SIZE = 16384  # a full read's 25 replies are ~1 KB; more than that is read at the loop's next turn
_IN_PROGRESS = (0, errno.EINPROGRESS, errno.EINTR, errno.EWOULDBLOCK)

Address = tuple[int, tuple[str, int] | tuple[str, int, int, int]]  # (family, sockaddr)


def numeric_address(host: str, port: int) -> Address | None:
    """The address of an IP literal without asking a resolver (a thread), as asyncio's own fast path does;
    None for a name or a scoped IPv6 address (``fe80::1%eth0``), which getaddrinfo must read."""
    try:
        socket.inet_pton(socket.AF_INET, host)
        return socket.AF_INET, (host, port)
    except (OSError, ValueError, TypeError):
        pass
    if "%" not in host:
        with contextlib.suppress(OSError, ValueError, TypeError):
            socket.inet_pton(socket.AF_INET6, host)
            return socket.AF_INET6, (host, port, 0, 0)
    return None


async def resolve(host: str, port: int) -> list[Address]:
    """Every address of ``host`` to try in turn (getaddrinfo on the loop's executor for a name)."""
    address = numeric_address(host, port)
    if address is not None:
        return [address]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [(family, sockaddr) for family, _type, _proto, _name, sockaddr in infos]  # type: ignore[misc]


class Connection:
    """A connecting or connected TCP socket read into lines for one reader at a time.

    ``lines`` raises as ``StreamReader.readuntil`` would (LimitOverrunError, IncompleteReadError, or the OSError
    that broke the connection), so the client words failures as before. Writes are a few KB at most: the kernel
    takes them whole, and what it does not is kept and sent when the socket can take it.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, family: int, limit: int) -> None:
        self.loop = loop
        self.limit = limit
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.fd = self.sock.fileno()
        self.connected = False
        self.eof = False  # nothing more will come: the peer's FIN, a reset, or a failed connect
        self.lost: OSError | None = None
        self._buffer = b""
        self._lines: collections.deque[bytes] = collections.deque()
        self._unsent = b""
        self._reading = self._writing = False
        self._waiter: asyncio.Future[bool] | None = None
        self._flushed: asyncio.Future[None] | None = None
        self._wanted = 1
        self._step = 0.0  # the timeout of the wait in progress: the greeting's starts when the connect ends
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0  # when the timer fires: qasync's handles have no when()

    def connect(self, sockaddr: tuple[str, int] | tuple[str, int, int, int]) -> None:
        """Start connecting; the first ``lines`` waits for the connect (and its error) before reading."""
        sock = self.sock
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            code = sock.connect_ex(sockaddr)
        except OSError:
            self.close_now()
            raise
        if code not in _IN_PROGRESS:
            self.close_now()
            raise OSError(code, f"Connect call failed {sockaddr}")
        if code == 0:
            self._connected()
        else:
            self._writing = True
            self.loop.add_writer(self.fd, self._connect_done, sockaddr)

    def _connect_done(self, sockaddr: object) -> None:
        self.loop.remove_writer(self.fd)
        self._writing = False
        code = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code:
            self._lose(OSError(code, f"Connect call failed {sockaddr}"))
        else:
            self._connected()
            self._deadline = self.loop.time() + self._step  # the greeting gets its whole timeout from now

    def _connected(self) -> None:
        self.connected = self._reading = True
        self.loop.add_reader(self.fd, self._readable)

    def _readable(self) -> None:
        try:
            data = self.sock.recv(_RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._lose(exc)
            return
        if not data:
            self._lose(None)
            return
        buffer = self._buffer + data if self._buffer else data
        start = 0
        while (end := buffer.find(TERMINATOR, start)) >= 0:
            self._lines.append(buffer[start:end + 1])
            start = end + 1
        self._buffer = buffer[start:] if start else buffer
        waiter = self._waiter
        if waiter is not None and not waiter.done() and (len(self._lines) >= self._wanted
                                                        or len(self._buffer) > self.limit):
            self._waiter = None
            waiter.set_result(True)

    def _lose(self, exc: OSError | None) -> None:
        """Nothing more will be read: stop watching the socket and wake the reader."""
        self.eof = True
        self.lost = exc
        self._stop_watching()
        if self._flushed is not None and not self._flushed.done():
            self._flushed.set_result(None)
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    def _stop_watching(self) -> None:
        if self._reading:
            self._reading = False
            self.loop.remove_reader(self.fd)
        if self._writing:
            self._writing = False
            self.loop.remove_writer(self.fd)

    @property
    def at_eof(self) -> bool:
        return self.eof and not self._lines and not self._buffer

    def write(self, data: bytes) -> None:
        if self.eof and self.lost is not None:
            return  # broken: the read that follows says how
        if not self._unsent:
            try:
                sent = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self._lose(exc)
                return
            if sent == len(data):
                return
            data = data[sent:]
            self._writing = True
            self.loop.add_writer(self.fd, self._writable)
        self._unsent += data

    def _writable(self) -> None:
        try:
            sent = self.sock.send(self._unsent)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._unsent = b""
            self._lose(exc)
            return
        self._unsent = self._unsent[sent:]
        if not self._unsent:
            self._writing = False
            self.loop.remove_writer(self.fd)
            if self._flushed is not None and not self._flushed.done():
                self._flushed.set_result(None)

    async def lines(self, count: int, within_s: float, connect_by: float | None = None) -> list[bytes] | None:
        """``count`` lines, or None if ``within_s`` passes first. While still connecting, the wait lasts until
        ``connect_by`` and then ``within_s`` from the moment it connected."""
        while len(self._lines) < count:
            if len(self._buffer) > self.limit:
                raise asyncio.LimitOverrunError("no line end within the limit", len(self._buffer))
            if self.eof:
                if self.lost is not None:
                    raise self.lost
                raise asyncio.IncompleteReadError(self._buffer, None)
            loop = self.loop
            waiter = self._waiter = loop.create_future()
            self._wanted = count
            self._step = within_s
            deadline = self._deadline = (
                connect_by if connect_by is not None and not self.connected else loop.time() + within_s)
            if self._timer is None or self._timer_at > deadline:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer, self._timer_at = loop.call_at(deadline, self._check), deadline
            try:
                woken = await waiter
            finally:
                self._waiter = None
            if not woken:
                return None
        lines = self._lines
        return [lines.popleft() for _ in range(count)]

    def _check(self) -> None:
        """The shared timer: ends the wait whose deadline has passed, or moves on to the current deadline."""
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return  # nobody waiting: the next wait arms it again
        if self.loop.time() < self._deadline:
            self._timer, self._timer_at = self.loop.call_at(self._deadline, self._check), self._deadline
        else:
            self._waiter = None
            waiter.set_result(False)

    def close_now(self) -> None:
        """Stop watching and close the socket; anything not yet handed to the kernel is dropped."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._stop_watching()
        self.sock.close()

    async def close(self, wait_s: float) -> None:
        """Close; what the kernel has not taken yet gets up to ``wait_s`` to go first."""
        try:
            if self._unsent and not self.eof and self.sock.fileno() >= 0:
                self._flushed = self.loop.create_future()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):  # not wait_for: on 3.11 it can swallow a cancellation
                        await self._flushed
        finally:
            self.close_now()
