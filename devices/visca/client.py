"""An asyncio VISCA client for one camera: one command in flight, ACK then completion, retries on loss.

Over UDP a datagram can vanish. As Sony's VISCA-over-IP manuals prescribe, a message that gets no
answer within ``ack_timeout_s`` is sent again under the *same* sequence number; a camera that already
had it answers "sequence abnormal" (0F 01), which means "received" (its completion still follows, or,
once the completion is overdue, "already done"). An inquiry whose reply was lost is simply asked again
under a new number. Every failure is a typed ViscaError with a ``code``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from devices.visca import commands as cmd
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
from devices.visca.replies import Ack, Completion, ErrorReply, nibbles, parse_reply, signed16
from devices.visca.transport import Link, TcpLink, UdpLink
from devices.visca.units import ViscaRanges

log = logging.getLogger(__name__)

_CONTROL = (PayloadType.CONTROL, PayloadType.CONTROL_REPLY)


@dataclass(frozen=True, slots=True)
class Position:
    """Where the head is, normalised (pan/tilt -1..1, zoom 0..1), with the camera's raw values."""

    pan: float
    tilt: float
    zoom: float
    raw_pan: int
    raw_tilt: int
    raw_zoom: int


@dataclass(frozen=True, slots=True)
class Version:
    vendor: int
    model: int
    rom: int
    sockets: int


@dataclass(slots=True)
class _Incoming:
    sequence: int | None
    kind: PayloadType | None
    payload: bytes


class ViscaClient:
    """One camera. ``connect`` first (it resets the sequence number on headed UDP), ``close`` at the end."""

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
                await self.reset_sequence()
            except BaseException:
                await self.close()
                raise

    async def close(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            await link.close()

    async def __aenter__(self) -> ViscaClient:
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

    # Movement
    async def drive(self, pan_speed: float, tilt_speed: float) -> None:
        """Pan/tilt continuously at signed fractions of the top speed (right and up positive); 0, 0 stops."""
        pan = cmd.Pan.RIGHT if pan_speed > 0 else cmd.Pan.LEFT if pan_speed < 0 else cmd.Pan.STOP
        tilt = cmd.Tilt.UP if tilt_speed > 0 else cmd.Tilt.DOWN if tilt_speed < 0 else cmd.Tilt.STOP
        await self.pan_tilt_drive(pan, tilt, self.ranges.pan_speed(pan_speed), self.ranges.tilt_speed(tilt_speed))

    async def pan_tilt_drive(self, pan: cmd.Pan, tilt: cmd.Tilt, pan_speed: int, tilt_speed: int) -> None:
        await self.command(cmd.pan_tilt_drive(pan, tilt, pan_speed, tilt_speed, self.address))

    async def pan_tilt_stop(self) -> None:
        await self.command(cmd.pan_tilt_stop(self.address))

    async def pan_tilt_to(self, pan: int, tilt: int, pan_speed: int | None = None, tilt_speed: int | None = None,
                          *, wait: bool = True) -> None:
        """Absolute move in the camera's units; returns at completion (the head has arrived) unless not ``wait``."""
        payload = cmd.pan_tilt_absolute(pan, tilt, pan_speed or self.ranges.pan_speed_max,
                                        tilt_speed or self.ranges.tilt_speed_max, self.address)
        await self.command(payload, wait=wait)

    async def move_to(self, pan: float, tilt: float, zoom: float | None = None, speed: float = 1.0,
                      *, wait: bool = True) -> None:
        """Absolute move in normalised units: the zoom (if given) is started first, then the pan/tilt, whose
        completion (usually the later) ``wait`` waits for; one command in flight cannot await both."""
        r = self.ranges
        if zoom is not None:
            await self.zoom_to(r.zoom_to_visca(zoom), wait=False)
        await self.pan_tilt_to(r.pan_to_visca(pan), r.tilt_to_visca(tilt), r.pan_speed(speed), r.tilt_speed(speed),
                               wait=wait)

    async def home(self, *, wait: bool = True) -> None:
        await self.command(cmd.home(self.address), wait=wait)

    async def zoom(self, speed: float) -> None:
        """Zoom continuously at a signed fraction of the top speed (tele positive); 0 stops."""
        if speed == 0:
            await self.zoom_stop()
            return
        step = max(0, min(self.ranges.zoom_speed_max, round(abs(speed) * self.ranges.zoom_speed_max)))
        await self.zoom_tele(step) if speed > 0 else await self.zoom_wide(step)

    async def zoom_tele(self, speed: int | None = None) -> None:
        await self.command(cmd.zoom_tele(speed, self.address))

    async def zoom_wide(self, speed: int | None = None) -> None:
        await self.command(cmd.zoom_wide(speed, self.address))

    async def zoom_stop(self) -> None:
        await self.command(cmd.zoom_stop(self.address))

    async def zoom_to(self, position: int, *, wait: bool = True) -> None:
        await self.command(cmd.zoom_direct(position, self.address), wait=wait)

    async def preset_set(self, number: int) -> None:
        await self.command(cmd.memory(cmd.MemoryAction.SET, number, self.address))

    async def preset_recall(self, number: int, *, wait: bool = True) -> None:
        """Returns once the head has arrived (the camera's completion) unless not ``wait``."""
        await self.command(cmd.memory(cmd.MemoryAction.RECALL, number, self.address), wait=wait)

    async def preset_reset(self, number: int) -> None:
        await self.command(cmd.memory(cmd.MemoryAction.RESET, number, self.address))

    async def power(self, on: bool) -> None:
        await self.command(cmd.power(on, self.address))

    # Inquiries
    async def power_state(self) -> bool:
        """True on, False standby; a camera reporting a power fault (04) raises ViscaError("device-fault")."""
        data = await self.inquire(cmd.power_inquiry(self.address))
        if data == b"\x02":
            return True
        if data == b"\x03":
            return False
        if data == b"\x04":
            raise ViscaError("camera reports a power circuit fault", "device-fault")
        raise ViscaParseError(f"power inquiry answered {data.hex(' ')}")

    async def pan_tilt_position(self) -> tuple[int, int]:
        data = await self.inquire(cmd.pan_tilt_position_inquiry(self.address))
        if len(data) != 8:
            raise ViscaParseError(f"pan/tilt position inquiry answered {data.hex(' ')}")
        return signed16(nibbles(data[:4])), signed16(nibbles(data[4:]))

    async def zoom_position(self) -> int:
        data = await self.inquire(cmd.zoom_position_inquiry(self.address))
        if len(data) != 4:
            raise ViscaParseError(f"zoom position inquiry answered {data.hex(' ')}")
        return nibbles(data)

    async def position(self) -> Position:
        pan, tilt = await self.pan_tilt_position()
        zoom = await self.zoom_position()
        r = self.ranges
        return Position(r.pan_from_visca(pan), r.tilt_from_visca(tilt), r.zoom_from_visca(zoom), pan, tilt, zoom)

    async def version(self) -> Version:
        data = await self.inquire(cmd.version_inquiry(self.address))
        if len(data) != 7:
            raise ViscaParseError(f"version inquiry answered {data.hex(' ')}")
        return Version(int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big"),
                       int.from_bytes(data[4:6], "big"), data[6])

    # The exchange
    async def command(self, payload: bytes, *, wait: bool = True) -> None:
        """Send a command; return at its completion (or at its ACK if not ``wait``)."""
        await self._exchange(PayloadType.COMMAND, payload, wait)

    async def inquire(self, payload: bytes) -> bytes:
        """Send an inquiry; return the data of its reply (between ``y0 50`` and FF)."""
        return await self._exchange(PayloadType.INQUIRY, payload, True)

    async def _exchange(self, kind: PayloadType, payload: bytes, wait: bool) -> bytes:
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
                    if sends > self.retries:
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

