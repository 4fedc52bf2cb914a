"""One conversation with a VISCA camera: connect, number the messages, await ACK and completion, retry.

Over UDP a datagram can vanish. As Sony's VISCA-over-IP manuals prescribe, a message that gets no
answer within ``ack_timeout_s`` is sent again under the *same* sequence number; a camera that already
had it answers "sequence abnormal" (0F 01), which means "received" (its completion still follows, or,
once the completion is overdue, "already done"). An inquiry whose reply was lost is simply asked again
under a new number. One message is in flight at a time, as cameras expect. Every failure is a typed
ViscaError with a ``code``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from devices.visca.commands import power_inquiry
from devices.visca.errors import (
    ViscaConnectionError,
    ViscaError,
    ViscaParseError,
    ViscaSequenceError,
    ViscaTimeout,
)
from devices.visca.framing import (
    CONTROL_ACK,
    DEFAULT_PORTS,
    MESSAGE_TYPE_ERROR,
    RESET,
    SEQUENCE_ERROR,
    SEQUENCE_MODULO,
    Framing,
    PayloadType,
    decode_packet,
    encode_packet,
    split_messages,
)
from devices.visca.replies import Ack, Completion, ErrorReply, parse_reply
from devices.visca.transport import Link, TcpLink, UdpLink
from devices.visca.units import ViscaRanges

log = logging.getLogger(__name__)

_CONTROL = (PayloadType.CONTROL, PayloadType.CONTROL_REPLY)


@dataclass(slots=True)
class _Incoming:
    sequence: int | None
    kind: PayloadType | None
    payload: bytes


class ViscaSession:
    """The transport and the exchange; ``ViscaClient`` adds the commands. ``connect`` first, ``close`` at the end."""

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        framing: Framing = Framing.IP,
        address: int = 1,
        ranges: ViscaRanges | None = None,
        ack_timeout_s: float = 0.5,
        completion_timeout_s: float = 10.0,
        retries: int = 2,
        local_host: str = "",
        local_port: int = 0,
    ) -> None:
        self.host = host
        self.framing = Framing(framing)
        self.port = DEFAULT_PORTS[self.framing] if port is None else port
        self.address = address
        self.ranges = ranges or ViscaRanges()
        self.ack_timeout_s = ack_timeout_s
        self.completion_timeout_s = completion_timeout_s
        self.retries = retries
        self._local = (local_host, local_port)
        self._link: Link | None = None
        self._lock = asyncio.Lock()
        self._sequence = 0
        self.retransmissions = 0  # counted for tests and the Details view

    # Connection
    @property
    def connected(self) -> bool:
        return self._link is not None

    async def connect(self) -> None:
        if self._link is not None:
            return
        if self.framing is Framing.RAW_TCP:
            tcp = TcpLink()
            await tcp.open(self.host, self.port, self.ack_timeout_s * (self.retries + 1))
            self._link = tcp
            return
        udp = UdpLink()
        await udp.open(self.host, self.port, *self._local)
        self._link = udp
        if self.framing is Framing.IP:
            try:
                await self._reset_or_probe()
            except BaseException:
                await self.close()
                raise

    async def _reset_or_probe(self) -> None:
        """RESET; a camera that ignores control messages but answers one inquiry is still a camera."""
        try:
            await self.reset_sequence()
        except ViscaTimeout as no_reset:
            try:
                await self._exchange(PayloadType.INQUIRY, power_inquiry(self.address), True, retries=0)
            except ViscaError:
                raise no_reset from None
            log.info("VISCA camera %s:%d ignores RESET but answers; numbering from %d", self.host, self.port,
                     self._sequence)

    async def close(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            await link.close()

    async def __aenter__(self) -> ViscaSession:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def reset_sequence(self) -> None:
        """Control command RESET: the camera forgets the last sequence number; ours restarts at 1."""
        async with self._lock:
            link = self._require_link()
            wire = encode_packet(PayloadType.CONTROL, 0, RESET)
            loop = asyncio.get_running_loop()
            for attempt in range(self.retries + 1):
                if attempt:
                    self.retransmissions += 1
                link.send(wire)
                deadline = loop.time() + self.ack_timeout_s
                while (item := await self._next(deadline)) is not None:
                    for message in self._decode(item):
                        if message.kind in _CONTROL and message.payload == CONTROL_ACK:
                            self._sequence = 1
                            return
            raise ViscaTimeout(f"no reply to RESET from {self.host}:{self.port}", "no-ack")

    # The exchange
    async def command(self, payload: bytes, *, wait: bool = True) -> None:
        """Send a command; return at its completion (or at its ACK if not ``wait``)."""
        await self._exchange(PayloadType.COMMAND, payload, wait)

    async def inquire(self, payload: bytes) -> bytes:
        """Send an inquiry; return the data of its reply (between ``y0 50`` and FF)."""
        return await self._exchange(PayloadType.INQUIRY, payload, True)

    async def _exchange(self, kind: PayloadType, payload: bytes, wait: bool, retries: int | None = None) -> bytes:
        retries = self.retries if retries is None else retries
        async with self._lock:
            link = self._require_link()
            link.drain()
            loop = asyncio.get_running_loop()
            sequence = self._next_sequence()
            wire = self._frame(kind, sequence, payload)
            sends, accepted, overdue, ack_socket = 1, False, False, None
            link.send(wire)
            deadline = loop.time() + self.ack_timeout_s
            while True:
                item = await self._next(deadline)
                if item is None:
                    if sends > retries:
                        raise ViscaTimeout(f"{payload.hex(' ')} to {self.host}:{self.port}: no "
                                           f"{'completion' if accepted else 'ACK'} after {sends} sends",
                                           "no-completion" if accepted else "no-ack")
                    sends += 1
                    if self.framing is not Framing.RAW_TCP:  # TCP does not lose; a resend would run it twice
                        self.retransmissions += 1
                        link.send(wire)
                    overdue = accepted
                    deadline = loop.time() + self.ack_timeout_s
                    continue
                for message in self._decode(item):
                    if message.sequence is not None and message.sequence != sequence:
                        continue  # an answer to an earlier message
                    if message.kind in _CONTROL:
                        if message.payload == MESSAGE_TYPE_ERROR:
                            raise ViscaSequenceError(f"camera refused message type of {payload.hex(' ')}",
                                                     "message-type")
                        if message.payload != SEQUENCE_ERROR:
                            continue
                        # The camera already had this sequence number: our resend crossed its answer.
                        if kind is PayloadType.INQUIRY:
                            sequence = self._next_sequence()
                            wire = self._frame(kind, sequence, payload)
                            link.send(wire)
                        elif overdue or not wait:
                            return b""
                        else:
                            accepted = True
                        deadline = loop.time() + (self.completion_timeout_s if accepted else self.ack_timeout_s)
                        continue
                    reply = parse_reply(message.payload)
                    if isinstance(reply, ErrorReply):
                        raise reply.exception()
                    if isinstance(reply, Ack):
                        if not wait:
                            return b""
                        accepted, ack_socket = True, reply.socket
                        deadline = loop.time() + self.completion_timeout_s
                    elif isinstance(reply, Completion) and not _stale(message, reply, kind, ack_socket):
                        return reply.data

    def _frame(self, kind: PayloadType, sequence: int, payload: bytes) -> bytes:
        return encode_packet(kind, sequence, payload) if self.framing is Framing.IP else payload

    def _decode(self, item: bytes) -> list[_Incoming]:
        if self.framing is Framing.IP:
            packet = decode_packet(item)
            return [_Incoming(packet.sequence, packet.type, packet.payload)]
        messages = split_messages(item)
        if not messages:
            raise ViscaParseError(f"no VISCA message in {item[:32].hex(' ')}")
        return [_Incoming(None, None, message) for message in messages]

    async def _next(self, deadline: float) -> bytes | None:
        """The next thing the camera sent, None at the deadline; a connection failure raises."""
        item = await self._require_link().receive(deadline)
        if isinstance(item, ViscaConnectionError):
            raise item
        return item

    def _next_sequence(self) -> int:
        sequence = self._sequence
        self._sequence = (self._sequence + 1) % SEQUENCE_MODULO
        return sequence

    def _require_link(self) -> Link:
        if self._link is None:
            raise ViscaConnectionError("not connected: call connect() first")
        return self._link


def _stale(message: _Incoming, reply: Completion, kind: PayloadType, ack_socket: int | None) -> bool:
    """Bare framings carry no sequence number: a completion from another socket belongs to an earlier command."""
    if message.sequence is not None:
        return False
    if kind is PayloadType.INQUIRY:
        return reply.socket != 0
    return ack_socket is not None and reply.socket != ack_socket

