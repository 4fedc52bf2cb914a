"""One PJLink read over a plain blocking socket: `classroom-console device ADDRESS status` without asyncio.

A single device read once needs no event loop, and loading asyncio (with ssl) was a third of that command's
start-up. The framing, the steps of a read (``reader._reading``) and the words for its outcome
(``outcome.py``) are the asyncio client's own; this module is only the socket. Commands, polling and
notifications stay on the asyncio client (``client.py``), which the console and every other command use.
"""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Sequence

from devices.driver import DriverOptions
from devices.model import DeviceInfo
from devices.pjlink.errors import (
    PJLinkAuthError,
    PJLinkCommandError,
    PJLinkConnectionError,
    PJLinkError,
    PJLinkProtocolError,
    PJLinkTimeout,
    PJLinkUnpipelined,
)
from devices.pjlink.outcome import NOT_POLLED, read_failed, read_succeeded
from devices.pjlink.plain_state import CAPABILITIES, projector_state
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
from devices.pjlink.reader import read_state_blocking
from devices.pjlink.state import ProjectorState

_READ_LIMIT = 4 * MAX_MESSAGE  # as the asyncio client's stream limit
IDENTITY_KEYS = ("mac", "needs_password")  # kept from what was known of the device, as the room does


class _Dead(PJLinkConnectionError):
    """The connection was closed before any reply byte: a kept one may be reopened once."""


class BlockingPJLinkClient:
    """One projector's TCP session on a blocking socket; every step bounded by ``timeout``, the whole read by
    ``budget`` (the poller's: 40 steps)."""

    def __init__(self, host: str, port: int = PORT, password: str | None = None, timeout: float = 3.0,
                 budget: float | None = None) -> None:
        self.host = host
        self.port = port
        self.password = password
        self.timeout = timeout
        self._deadline = time.monotonic() + (budget if budget is not None else 40 * timeout)
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._auth_random: str | None = None
        self.lockstep = False  # one command per write (see PJLinkClient.lockstep)

    def __enter__(self) -> BlockingPJLinkClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        sock, self._sock, self._buffer = self._sock, None, b""
        if sock is not None:
            sock.close()

    def _step(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{self.host} did not finish answering in time")
        return min(self.timeout, left)

    def _connect(self) -> None:
        self.close()
        address: tuple[object, ...] = (self.host, self.port)
        try:
            # getaddrinfo keeps a link-local address's interface (fe80::1%eth0), which a tuple made here would drop
            family, _, _, _, address = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0]
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:  # a name that does not resolve, or no IPv6 on this machine
            raise PJLinkConnectionError(f"cannot connect to {self.host}:{self.port}: [Errno {exc.errno}] "
                                        f"{exc.strerror or exc}") from None
        sock.settimeout(self._step())
        try:
            sock.connect(address)
        except TimeoutError:
            sock.close()
            raise PJLinkTimeout(f"cannot reach {self.host}:{self.port} within {self.timeout:g} s") from None
        except OSError as exc:
            sock.close()
            # Worded as asyncio words it, so the line a user reads is the same on either client.
            raise PJLinkConnectionError(f"cannot connect to {self.host}:{self.port}: [Errno {exc.errno}] "
                                        f"Connect call failed {address}") from None
        self._sock = sock
        try:
            greeting = parse_greeting(self._read_line("greeting"))
        except PJLinkTimeout:
            self.close()
            raise PJLinkTimeout(f"no greeting from {self.host}:{self.port} within {self.timeout:g} s") from None
        except _Dead as exc:
            self.close()
            raise PJLinkConnectionError(str(exc)) from None
        except BaseException:
            self.close()
            raise
        if greeting.auth_required and self.password is None:
            self.close()
            raise PJLinkAuthError(f"{self.host} requires a password")
        self._auth_random = greeting.auth_random

    def _read_line(self, what: str) -> bytes:
        assert self._sock is not None
        while True:
            end = self._buffer.find(TERMINATOR)
            if end >= 0:
                line, self._buffer = self._buffer[:end + 1], self._buffer[end + 1:]
                return line
            if len(self._buffer) > _READ_LIMIT:
                raise PJLinkProtocolError(f"{what} from {self.host} is not PJLink (no line end)")
            try:
                self._sock.settimeout(self._step())
                chunk = self._sock.recv(4096)
            except TimeoutError:
                raise PJLinkTimeout(f"no {what} from {self.host}:{self.port} within {self.timeout:g} s") from None
            except OSError as exc:
                raise _Dead(f"connection to {self.host} lost: {exc}") from None
            if not chunk:
                if self._buffer:
                    raise PJLinkConnectionError(f"{self.host} closed the connection mid-{what}")
                raise _Dead(f"{self.host} closed the connection")
            self._buffer += chunk

    def _exchange(self, lines: Sequence[bytes]) -> list[bytes]:
        """Send the lines in one write and read their replies in order (see ``PJLinkClient._exchange``)."""
        assert self._sock is not None
        if self._auth_random is not None and len(lines) > 1:
            first = self._exchange(lines[:1])  # the digest goes alone: a refusal hangs up on unread lines
            parse_reply(first[0])
            try:
                return first + self._exchange(lines[1:])
            except _Dead as exc:
                raise PJLinkConnectionError(str(exc)) from None
        data = b"".join(lines)
        if self._auth_random is not None:
            data = auth_digest(self._auth_random, self.password or "").encode() + data
            self._auth_random = None
        try:
            self._sock.settimeout(self._step())
            self._sock.sendall(data)
        except TimeoutError:
            raise PJLinkTimeout(f"{self.host} does not accept data") from None
        except OSError as exc:
            raise _Dead(f"connection to {self.host} lost: {exc}") from None
        replies = [self._read_line("reply")]
        try:
            replies += [self._read_line("reply") for _ in range(len(lines) - 1)]
        except _Dead as exc:  # a reply already came: the commands ran, never send them twice
            raise PJLinkConnectionError(f"connection to {self.host} lost mid-reply: {exc}") from None
        except PJLinkTimeout as exc:
            raise PJLinkUnpipelined(str(exc)) from None
        return replies

    def _send(self, lines: Sequence[bytes]) -> list[bytes]:
        reused = self._sock is not None
        if not reused:
            self._connect()
        try:
            return self._exchange(lines)
        except _Dead:
            self.close()
            if not reused:
                raise PJLinkConnectionError(f"{self.host} closed the connection before replying") from None
        self._connect()
        try:
            return self._exchange(lines)
        except _Dead as exc:
            raise PJLinkConnectionError(str(exc)) from None

    def request_many(self, commands: Sequence[tuple[str, str, int]]) -> list[str | PJLinkCommandError]:
        """(cmd, param, class) pipelined on one connection; each result a value or its ERRn (as the asyncio
        client's ``request_many``): anything that breaks the exchange raises for the whole batch."""
        if not commands:
            return []
        lines = [build_command(cmd, param, cls) for cmd, param, cls in commands]
        try:
            raws = None
            if not self.lockstep:
                try:
                    raws = self._send(lines)
                except PJLinkUnpipelined:  # as the asyncio client: queries one at a time to such a device
                    if any(param != QUERY for _cmd, param, _cls in commands):
                        raise
                    self.close()
                    self.lockstep = True
            if raws is None:
                raws = [self._send((line,))[0] for line in lines]
            replies = [parse_reply(raw) for raw in raws]
            for (cmd, _param, _cls), reply in zip(commands, replies, strict=True):
                if reply.cmd != cmd.upper():
                    raise PJLinkProtocolError(f"asked {cmd.upper()}, {self.host} answered {reply.cmd}")
        except (PJLinkError, TimeoutError):
            self.close()
            raise
        return [
            reply.value if reply.error is None else PJLinkCommandError(reply.error, f"%{cls}{cmd.upper()}")
            for (cmd, _param, cls), reply in zip(commands, replies, strict=True)
        ]


def as_adopted(info: DeviceInfo) -> DeviceInfo:
    """The device as the room shows it once its driver is adopted, before the first read (the ``old`` against
    which that read's changes are logged in a running session)."""
    return dataclasses.replace(info, state={**info.state, "detail": NOT_POLLED}, found_by=set(info.found_by),
                               capabilities=frozenset(str(c) for c in CAPABILITIES))


def read_once(info: DeviceInfo, options: DriverOptions) -> DeviceInfo:
    """The device as one full read finds it: what the room shows after a driver's first poll (availability,
    reason code, detail, the plain state), never raising for the device's own failures."""
    state: ProjectorState | None = None
    reason: str
    client = BlockingPJLinkClient(info.address, info.port, options.password, options.timeout_s,
                                  budget=max(3 * options.timeout_s + 1.0, 40 * options.timeout_s))
    try:
        with client:
            state = read_state_blocking(client)
        availability, detail, reason = read_succeeded(state)
    except (PJLinkError, TimeoutError) as exc:
        outcome = read_failed(exc, options.password is not None)
        if outcome is None:
            availability, detail, reason = info.availability, NOT_POLLED, info.reason
        else:
            availability, detail, reason = outcome
    if state is not None:
        new_state = {k: info.state[k] for k in IDENTITY_KEYS if k in info.state}
        new_state.update(projector_state(state))
    else:
        new_state = dict(info.state)
    new_state["detail"] = detail
    return dataclasses.replace(
        info, name=(state.name if state is not None else "") or info.name, availability=availability,
        reason=str(reason), state=new_state, found_by=set(info.found_by),
        capabilities=frozenset(str(c) for c in CAPABILITIES),
    )
