"""An asyncio PJLink client that waits for each reply, authenticates, and survives idle drops."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Sequence

from devices.pjlink.errors import (
    PJLinkAuthError,
    PJLinkCommandError,
    PJLinkConnectionError,
    PJLinkParamError,
    PJLinkProtocolError,
    PJLinkTimeout,
    PJLinkUnpipelined,
)
from devices.pjlink.protocol import (
    MAX_MESSAGE,
    PORT,
    QUERY,
    TERMINATOR,
    auth_digest,
    build_command,
    parse_greeting,
    parse_reply,
)
from devices.pjlink.reader import read_state
from devices.pjlink.state import ProjectorState
from devices.pjlink.values import (
    ErrorStatus,
    Input,
    Lamp,
    Mute,
    PowerState,
    decode_bool,
    decode_class,
    decode_errors,
    decode_input,
    decode_inputs,
    decode_int,
    decode_lamps,
    decode_mute,
    decode_power,
    decode_resolution,
    encode_mute,
    parse_input,
)

log = logging.getLogger(__name__)
_READ_LIMIT = 4 * MAX_MESSAGE


class _DeadConnection(PJLinkConnectionError):
    """A kept-alive connection turned out closed before any reply byte: safe to retry once."""


class _Lines(asyncio.Protocol):
    """One connection's bytes cut into CR-ended lines, for one reader at a time.

    In place of asyncio's StreamReader/StreamWriter: a wait here is one future, and every wait on the
    connection shares one timer that moves its deadline forward instead of a timer each (a stream read under
    ``asyncio.timeout`` cost a Timeout, a task-cancel timer and the stream's layers: the client's Python per
    command was 1.2x a raw round trip, issue 17 item 6). Writes need no flow control: a batch is a few KB, far
    below the transport's 64 KiB high-water mark.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.transport: asyncio.Transport | None = None
        self.eof = False
        self.gone = False  # connection_lost has been called
        self.lost: Exception | None = None
        self._buffer = b""
        self._lines: collections.deque[bytes] = collections.deque()
        self._waiter: asyncio.Future[bool] | None = None
        self._wanted = 1
        self._closed: asyncio.Future[None] | None = None
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0  # when the timer fires: qasync's handles have no when()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a TCP connection's transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        start = 0
        while (end := buffer.find(TERMINATOR, start)) >= 0:
            self._lines.append(buffer[start:end + 1])
            start = end + 1
        self._buffer = buffer[start:]
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = self.gone = True
        self.lost = exc
        self._wake()
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done() and (
                len(self._lines) >= self._wanted or self.eof or len(self._buffer) > self.limit):
            waiter.set_result(True)

    @property
    def at_eof(self) -> bool:
        return self.eof and not self._lines and not self._buffer

    async def lines(self, count: int, within_s: float) -> list[bytes] | None:
        """``count`` lines, or None if ``within_s`` passes first; raises as ``StreamReader.readuntil`` would
        (LimitOverrunError, IncompleteReadError, or the error that broke the connection)."""
        while len(self._lines) < count:
            if len(self._buffer) > self.limit:
                raise asyncio.LimitOverrunError("no line end within the limit", len(self._buffer))
            if self.eof:
                if self.lost is not None:
                    raise self.lost
                raise asyncio.IncompleteReadError(self._buffer, None)
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            self._wanted = count
            self._deadline = deadline = loop.time() + within_s
            if self._timer is None or self._timer_at > deadline:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer, self._timer_at = loop.call_at(deadline, self._check, loop), deadline
            try:
                woken = await waiter
            finally:
                self._waiter = None
            if not woken:
                return None
        return [self._lines.popleft() for _ in range(count)]

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        """The shared timer: ends the wait whose deadline has passed, or moves on to the current deadline."""
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return  # nobody waiting: the next wait arms it again
        if loop.time() < self._deadline:
            self._timer, self._timer_at = loop.call_at(self._deadline, self._check, loop), self._deadline
        else:
            waiter.set_result(False)

    async def close(self, wait_s: float) -> None:
        """Close, waiting until the connection is gone: at once when nothing is left to send, else up to wait_s."""
        transport = self.transport
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if transport is None or self._closed is not None:
            return
        self._closed = asyncio.get_running_loop().create_future()
        if self.gone:
            self._closed.set_result(None)
        unsent = transport.get_write_buffer_size()
        transport.close()
        if self._closed.done():
            return
        if not unsent:  # the usual case: closed at the loop's next turn, no timer needed
            await self._closed
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait_s):  # not wait_for: on 3.11 it can swallow a cancellation
                await self._closed


class PJLinkClient:
    """One projector's TCP session; every call is bounded by ``timeout`` per network step."""

    def __init__(self, host: str, port: int = PORT, password: str | None = None, timeout: float = 3.0) -> None:
        self.host = host
        self.port = port
        self.password = password
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._conn: _Lines | None = None
        self._auth_random: str | None = None
        self.lockstep = False  # one command per write: this device answered only the first of several

    async def __aenter__(self) -> PJLinkClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Drop the connection; the next call opens a new one."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close(0.5)

    async def _read_lines(self, what: str, count: int = 1) -> list[bytes]:
        """``count`` lines within one ``timeout``."""
        assert self._conn is not None
        try:
            lines = await self._conn.lines(count, self.timeout)
        except asyncio.LimitOverrunError:
            raise PJLinkProtocolError(f"{what} from {self.host} is not PJLink (no line end)") from None
        except asyncio.IncompleteReadError as exc:
            if count > 1:
                raise _DeadConnection(f"connection to {self.host} lost mid-{what}: {exc}") from None
            if exc.partial:
                raise PJLinkConnectionError(f"{self.host} closed the connection mid-{what}") from None
            raise _DeadConnection(f"{self.host} closed the connection") from None
        except OSError as exc:
            if count > 1:
                raise _DeadConnection(f"connection to {self.host} lost mid-{what}: {exc}") from None
            raise _DeadConnection(f"connection to {self.host} lost: {exc}") from None
        if lines is None:
            raise PJLinkTimeout(f"no {what} from {self.host}:{self.port} within {self.timeout:g} s")
        return lines

    async def _connect(self) -> None:
        """Connect within ``timeout``, then read the greeting within another."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout):
                try:
                    _transport, self._conn = await loop.create_connection(
                        lambda: _Lines(_READ_LIMIT), self.host, self.port)
                except OSError as exc:
                    raise PJLinkConnectionError(f"cannot connect to {self.host}:{self.port}: {exc}") from None
        except TimeoutError:
            raise PJLinkTimeout(f"cannot reach {self.host}:{self.port} within {self.timeout:g} s") from None
        try:
            greeting = parse_greeting((await self._read_lines("greeting"))[0])
            if greeting.auth_required and self.password is None:
                raise PJLinkAuthError(f"{self.host} requires a password")
        except PJLinkTimeout:
            await self.close()
            raise PJLinkTimeout(f"no greeting from {self.host}:{self.port} within {self.timeout:g} s") from None
        except _DeadConnection as exc:
            await self.close()
            raise PJLinkConnectionError(str(exc)) from None
        except BaseException:  # a refusal, garbage, or a cancellation mid-greeting: no half-open connection kept
            await self.close()
            raise
        self._auth_random = greeting.auth_random

    async def _exchange(self, lines: Sequence[bytes]) -> list[bytes]:
        """Send commands on an open connection in one write and return their reply lines, in order.

        PJLink answers the lines of one connection in order, so several queries cost one round trip, not one
        each (a campus sweep read 1,000 devices' 25 fields each: one write instead of 25 waits per device).
        """
        assert self._conn is not None and self._conn.transport is not None
        if self._auth_random is not None and len(lines) > 1:
            # The digest is checked on the first line: a device that refuses it answers ERRA and hangs up, and
            # hanging up on unread lines resets the connection, losing that ERRA. So the first goes alone.
            first = await self._exchange(lines[:1])
            parse_reply(first[0])  # raises on ERRA (or garbage) before the rest is sent
            try:
                return first + await self._exchange(lines[1:])
            except _DeadConnection as exc:
                raise PJLinkConnectionError(str(exc)) from None
        data = b"".join(lines)
        if self._auth_random is not None:
            data = auth_digest(self._auth_random, self.password or "").encode() + data
            self._auth_random = None
        self._conn.transport.write(data)
        replies = await self._read_lines("reply")
        if len(lines) > 1:
            try:
                replies += await self._read_lines("reply", len(lines) - 1)
            except _DeadConnection as exc:  # a reply already came: the commands ran, never send them twice
                raise PJLinkConnectionError(str(exc)) from None
            except PJLinkTimeout as exc:
                raise PJLinkUnpipelined(str(exc)) from None
        return replies

    async def _send(self, lines: Sequence[bytes]) -> list[bytes]:
        reused = self._conn is not None and not self._conn.at_eof
        if not reused:
            await self.close()
            await self._connect()
        try:
            return await self._exchange(lines)
        except _DeadConnection:
            await self.close()
            if not reused:
                raise PJLinkConnectionError(f"{self.host} closed the connection before replying") from None
            log.debug("%s dropped the idle connection; reconnecting once", self.host)
        await self._connect()
        try:
            return await self._exchange(lines)
        except _DeadConnection as exc:
            raise PJLinkConnectionError(str(exc)) from None

    async def request(self, cmd: str, param: str = QUERY, cls: int = 1) -> str:
        """Send one command, wait for its reply, and return the value; ERRn raises PJLinkCommandError."""
        line = build_command(cmd, param, cls)  # the one-command path spares request_many's lists: it is the hot one
        async with self._lock:
            try:
                (raw,) = await self._send((line,))
                reply = parse_reply(raw)
                if reply.cmd != cmd.upper():
                    raise PJLinkProtocolError(f"asked {cmd.upper()}, {self.host} answered {reply.cmd}")
            except (PJLinkProtocolError, PJLinkAuthError, PJLinkConnectionError, asyncio.CancelledError):
                await self.close()
                raise
        if reply.error is not None:
            raise PJLinkCommandError(reply.error, f"%{cls}{cmd.upper()}")
        return reply.value

    async def request_many(self, commands: Sequence[tuple[str, str, int]]) -> list[str | PJLinkCommandError]:
        """Send (cmd, param, class) commands pipelined on one connection; each result is a value or its ERRn.

        Anything that breaks the exchange (garbled reply, auth, connection) raises for the whole batch.
        """
        if not commands:
            return []
        lines = [build_command(cmd, param, cls) for cmd, param, cls in commands]
        async with self._lock:
            try:
                replies = [parse_reply(raw) for raw in await self._send_together(lines, commands)]
                for (cmd, _param, _cls), reply in zip(commands, replies, strict=True):
                    if reply.cmd != cmd.upper():
                        raise PJLinkProtocolError(f"asked {cmd.upper()}, {self.host} answered {reply.cmd}")
            except (PJLinkProtocolError, PJLinkAuthError, PJLinkConnectionError):
                await self.close()
                raise
            except asyncio.CancelledError:
                await self.close()
                raise
        return [
            reply.value if reply.error is None else PJLinkCommandError(reply.error, f"%{cls}{cmd.upper()}")
            for (cmd, _param, cls), reply in zip(commands, replies, strict=True)
        ]

    async def _send_together(self, lines: list[bytes], commands: Sequence[tuple[str, str, int]]) -> list[bytes]:
        """In one write; to a device that answered only the first of them once, queries go one at a time from
        then on (a query asked again changes nothing; a setting is never sent twice)."""
        if not self.lockstep:
            try:
                return await self._send(lines)
            except PJLinkUnpipelined:
                if any(param != QUERY for _cmd, param, _cls in commands):
                    raise
                await self.close()
                log.info("%s answers one command per packet: asking it one at a time", self.host)
                self.lockstep = True
        return [(await self._send((line,)))[0] for line in lines]

    async def query(self, cmd: str, cls: int = 1) -> str:
        return await self.request(cmd, QUERY, cls)

    async def command(self, cmd: str, param: str, cls: int = 1) -> None:
        """Send a setting command; anything but OK is an error."""
        value = await self.request(cmd, param, cls)
        if value != "OK":
            raise PJLinkProtocolError(f"expected OK to {cmd.upper()}, got {value[:40]!r}")

    # Class 1
    async def power(self) -> PowerState:
        return decode_power(await self.query("POWR"))

    async def power_on(self) -> None:
        await self.command("POWR", "1")

    async def power_off(self) -> None:
        await self.command("POWR", "0")

    async def pjlink_class(self) -> int:
        return decode_class(await self.query("CLSS"))

    async def input(self, cls: int = 1) -> Input:
        return decode_input(await self.query("INPT", cls))

    async def set_input(self, source: str | Input) -> None:
        """Accept ``31`` or ``DIGITAL 1``; class 2 inputs (``6x``, ``3A``) go with %2."""
        chosen = parse_input(source)
        await self.command("INPT", chosen.code, 2 if chosen.class2_only else 1)

    async def inputs(self, cls: int = 1) -> tuple[Input, ...]:
        return decode_inputs(await self.query("INST", cls))

    async def mute(self) -> Mute:
        return decode_mute(await self.query("AVMT"))

    async def set_mute(self, video: bool, audio: bool, on: bool) -> None:
        await self.command("AVMT", encode_mute(video, audio, on))

    async def errors(self) -> ErrorStatus:
        return decode_errors(await self.query("ERST"))

    async def lamps(self) -> tuple[Lamp, ...]:
        return decode_lamps(await self.query("LAMP"))

    async def name(self) -> str:
        return await self.query("NAME")

    async def info(self) -> dict[str, str]:
        """Manufacturer (INF1), product (INF2) and other information (INFO)."""
        return {
            "manufacturer": await self.query("INF1"),
            "product": await self.query("INF2"),
            "info": await self.query("INFO"),
        }

    # Class 2
    async def serial_number(self) -> str:
        return await self.query("SNUM", 2)

    async def software_version(self) -> str:
        return await self.query("SVER", 2)

    async def input_name(self, source: str | Input) -> str:
        return await self.request("INNM", QUERY + parse_input(source).code, 2)

    async def input_names(self) -> dict[str, str]:
        return {i.code: await self.input_name(i) for i in await self.inputs(2)}

    async def input_resolution(self) -> tuple[int, int] | None:
        return decode_resolution(await self.query("IRES", 2))

    async def recommended_resolution(self) -> tuple[int, int] | None:
        return decode_resolution(await self.query("RRES", 2))

    async def filter_hours(self) -> int:
        return decode_int(await self.query("FILT", 2), "FILT")

    async def lamp_model(self) -> str:
        return await self.query("RLMP", 2)

    async def filter_model(self) -> str:
        return await self.query("RFIL", 2)

    async def volume(self, target: str, direction: str) -> None:
        """``target`` speaker|mic, ``direction`` up|down."""
        cmds = {"speaker": "SVOL", "mic": "MVOL"}
        steps = {"up": "1", "down": "0"}
        if target not in cmds or direction not in steps:
            raise PJLinkParamError("volume(target='speaker'|'mic', direction='up'|'down')")
        await self.command(cmds[target], steps[direction], 2)

    async def freeze(self, on: bool) -> None:
        await self.command("FREZ", "1" if on else "0", 2)

    async def frozen(self) -> bool:
        return decode_bool(await self.query("FREZ", 2), "FREZ")

    async def read_state(self, previous: ProjectorState | None = None) -> ProjectorState:
        """Ask for everything; with ``previous``, reuse its static fields and ask only what changes."""
        return await read_state(self, previous)
