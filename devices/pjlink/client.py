"""An asyncio PJLink client that waits for each reply, authenticates, and survives idle drops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from devices.pjlink.connection import Address, Connection, numeric_address, resolve
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


class _Unreachable(Exception):
    """The connect itself failed (refused, no route): the next of the host's addresses is tried."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class PJLinkClient:
    """One projector's TCP session; every call is bounded by ``timeout`` per network step."""

    def __init__(self, host: str, port: int = PORT, password: str | None = None, timeout: float = 3.0) -> None:
        self.host = host
        self.port = port
        self.password = password
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._conn: Connection | None = None
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

    async def _read_lines(self, what: str, count: int = 1, connect_by: float | None = None) -> list[bytes]:
        """``count`` lines within one ``timeout`` (the greeting: once connected, which must be by ``connect_by``)."""
        conn = self._conn
        assert conn is not None
        try:
            lines = await conn.lines(count, self.timeout, connect_by)
        except asyncio.LimitOverrunError:
            raise PJLinkProtocolError(f"{what} from {self.host} is not PJLink (no line end)") from None
        except asyncio.IncompleteReadError as exc:
            if count > 1:
                raise _DeadConnection(f"connection to {self.host} lost mid-{what}: {exc}") from None
            if exc.partial:
                raise PJLinkConnectionError(f"{self.host} closed the connection mid-{what}") from None
            raise _DeadConnection(f"{self.host} closed the connection") from None
        except OSError as exc:
            if not conn.connected:
                raise _Unreachable(exc) from None
            if count > 1:
                raise _DeadConnection(f"connection to {self.host} lost mid-{what}: {exc}") from None
            raise _DeadConnection(f"connection to {self.host} lost: {exc}") from None
        if lines is None:
            if not conn.connected:
                raise PJLinkTimeout(f"cannot reach {self.host}:{self.port} within {self.timeout:g} s")
            raise PJLinkTimeout(f"no {what} from {self.host}:{self.port} within {self.timeout:g} s")
        return lines

    async def _addresses(self, connect_by: float) -> list[Address]:
        """The host's addresses: an IP literal at once, a name from the resolver, within the connect's time."""
        address = numeric_address(self.host, self.port)
        if address is not None:
            return [address]
        try:
            async with asyncio.timeout_at(connect_by):
                return await resolve(self.host, self.port)
        except TimeoutError:
            raise PJLinkTimeout(f"cannot reach {self.host}:{self.port} within {self.timeout:g} s") from None
        except OSError as exc:
            raise PJLinkConnectionError(f"cannot connect to {self.host}:{self.port}: {exc}") from None

    async def _connect(self) -> None:
        """Connect within ``timeout`` (each address in turn, as asyncio would), then read the greeting within
        another; one timer for both."""
        loop = asyncio.get_running_loop()
        connect_by = loop.time() + self.timeout
        failures: list[OSError] = []
        for family, sockaddr in await self._addresses(connect_by):
            try:
                self._conn = Connection(loop, family, _READ_LIMIT)
                self._conn.connect(sockaddr)
                greeting = parse_greeting((await self._read_lines("greeting", connect_by=connect_by))[0])
                if greeting.auth_required and self.password is None:
                    raise PJLinkAuthError(f"{self.host} requires a password")
            except (OSError, _Unreachable) as exc:  # not connected: the next address
                await self.close()
                failures.append(exc.error if isinstance(exc, _Unreachable) else exc)
                continue
            except _DeadConnection as exc:
                await self.close()
                raise PJLinkConnectionError(str(exc)) from None
            except BaseException:  # a refusal, garbage, a timeout or a cancellation: no half-open connection kept
                await self.close()
                raise
            self._auth_random = greeting.auth_random
            return
        why = failures[0] if len(failures) == 1 else OSError(f"Multiple exceptions: {', '.join(map(str, failures))}")
        raise PJLinkConnectionError(f"cannot connect to {self.host}:{self.port}: {why}")

    async def _exchange(self, lines: Sequence[bytes]) -> list[bytes]:
        """Send commands on an open connection in one write and return their reply lines, in order.

        PJLink answers the lines of one connection in order, so several queries cost one round trip, not one
        each (a campus sweep read 1,000 devices' 25 fields each: one write instead of 25 waits per device).
        """
        assert self._conn is not None
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
        self._conn.write(data)
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
