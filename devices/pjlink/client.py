"""An asyncio PJLink client that waits for each reply, authenticates, and survives idle drops."""

from __future__ import annotations

import asyncio
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


class PJLinkClient:
    """One projector's TCP session; every call is bounded by ``timeout`` per network step."""

    def __init__(self, host: str, port: int = PORT, password: str | None = None, timeout: float = 3.0) -> None:
        self.host = host
        self.port = port
        self.password = password
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._auth_random: str | None = None

    async def __aenter__(self) -> PJLinkClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Drop the connection; the next call opens a new one."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            unsent = writer.transport.get_write_buffer_size()
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                if not unsent:  # the usual case: closed at the loop's next turn, no timer needed (~30 us each)
                    await writer.wait_closed()
                    return
                async with asyncio.timeout(0.5):  # not wait_for: on 3.11 it can swallow a cancellation
                    await writer.wait_closed()

    async def _read_line(self, what: str, timed: bool = True) -> bytes:
        """One line; ``timed=False`` when the caller's own timeout already bounds it."""
        assert self._reader is not None
        try:
            if not timed:
                return await self._reader.readuntil(TERMINATOR)
            # asyncio.timeout, not wait_for: on 3.11 wait_for wraps every read in a new task.
            async with asyncio.timeout(self.timeout):
                return await self._reader.readuntil(TERMINATOR)
        except TimeoutError:
            raise PJLinkTimeout(f"no {what} from {self.host}:{self.port} within {self.timeout:g} s") from None
        except asyncio.LimitOverrunError:
            raise PJLinkProtocolError(f"{what} from {self.host} is not PJLink (no line end)") from None
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise PJLinkConnectionError(f"{self.host} closed the connection mid-{what}") from None
            raise _DeadConnection(f"{self.host} closed the connection") from None
        except OSError as exc:
            raise _DeadConnection(f"connection to {self.host} lost: {exc}") from None

    async def _connect(self) -> None:
        """Connect and read the greeting, each within ``timeout``, under one timer (a timer each cost more than
        the Python of a whole command: ~30 us apiece)."""
        loop = asyncio.get_running_loop()
        connected = 0.0
        try:
            async with asyncio.timeout(self.timeout) as step:
                try:
                    self._reader, self._writer = await asyncio.open_connection(
                        self.host, self.port, limit=_READ_LIMIT)
                except OSError as exc:
                    raise PJLinkConnectionError(f"cannot connect to {self.host}:{self.port}: {exc}") from None
                connected = loop.time()
                step.reschedule(connected + self.timeout)  # the greeting gets a whole step of its own
                greeting = parse_greeting(await self._read_line("greeting", timed=False))
            if greeting.auth_required and self.password is None:
                raise PJLinkAuthError(f"{self.host} requires a password")
        except TimeoutError:
            if not connected:
                raise PJLinkTimeout(f"cannot reach {self.host}:{self.port} within {self.timeout:g} s") from None
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
        assert self._writer is not None
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
        try:
            self._writer.write(data)
            if self._writer.transport.get_write_buffer_size():  # the usual case sent it all at once: no wait
                async with asyncio.timeout(self.timeout):
                    await self._writer.drain()
        except TimeoutError:
            raise PJLinkTimeout(f"{self.host} does not accept data") from None
        except OSError as exc:
            raise _DeadConnection(f"connection to {self.host} lost: {exc}") from None
        replies = [await self._read_line("reply")]
        if len(lines) > 1:
            try:
                replies += await self._read_more(len(lines) - 1)
            except _DeadConnection as exc:  # a reply already came: the commands ran, never send them twice
                raise PJLinkConnectionError(str(exc)) from None
        return replies

    async def _read_more(self, count: int) -> list[bytes]:
        """The rest of a batch's replies under one timeout (one per line cost more than the reading)."""
        assert self._reader is not None
        try:
            async with asyncio.timeout(self.timeout):
                return [await self._reader.readuntil(TERMINATOR) for _ in range(count)]
        except TimeoutError:
            raise PJLinkTimeout(f"no reply from {self.host}:{self.port} within {self.timeout:g} s") from None
        except asyncio.LimitOverrunError:
            raise PJLinkProtocolError(f"reply from {self.host} is not PJLink (no line end)") from None
        except (asyncio.IncompleteReadError, OSError) as exc:
            raise _DeadConnection(f"connection to {self.host} lost mid-reply: {exc}") from None

    async def _send(self, lines: Sequence[bytes]) -> list[bytes]:
        reused = self._writer is not None and self._reader is not None and not self._reader.at_eof()
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
                replies = [parse_reply(raw) for raw in await self._send(lines)]
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
