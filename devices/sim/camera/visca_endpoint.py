"""The simulated camera's VISCA side: VISCA over IP on UDP 52381 (bare VISCA too), optionally TCP 5678.

It behaves as Sony's cameras do: ACK then completion, the completion of a move only once the head has
arrived; inquiries answered at once; syntax errors for what it does not understand, "not executable"
in standby, "buffer full" when both sockets hold moves; RESET of the sequence number; a retransmitted
sequence number answered with "sequence abnormal" (0F 01) rather than run twice. The UDP socket sets
SO_REUSEADDR, so a controller on the same machine that binds 52381 for replies can share the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections.abc import Callable, Coroutine
from typing import Any, Literal

from devices.sim.camera.head import SimulatedHead
from devices.sim.camera.visca_commands import BUFFER_FULL, SOCKETS, SYNTAX, Outcome, execute, inquire
from devices.visca.errors import ViscaParseError
from devices.visca.framing import (
    CONTROL_ACK,
    MESSAGE_TYPE_ERROR,
    RESET,
    SEQUENCE_ERROR,
    PayloadType,
    decode_packet,
    encode_packet,
    looks_headed,
    split_messages,
)
from devices.visca.units import ViscaRanges

log = logging.getLogger(__name__)

ViscaFault = Literal["slow", "silent", "garbage"]
MAX_MOVE_S = 60.0
POLL_S = 0.05
MAX_PEERS = 64
STOP_GRACE_S = 2.0
Send = Callable[[bytes], None]


class ViscaEndpoint:
    """Drives a SimulatedHead from VISCA messages; ``start``/``stop`` own every socket and task."""

    def __init__(self, head: SimulatedHead, host: str, port: int = 52381, *, tcp_port: int | None = None,
                 ranges: ViscaRanges | None = None, fault: ViscaFault | None = None,
                 slow_delay_s: float = 5.0) -> None:
        self.head = head
        self.host = host
        self.ranges = ranges or ViscaRanges()
        self.fault = fault
        self.slow_delay_s = slow_delay_s
        self._port, self._tcp_port = port, tcp_port
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._busy: set[int] = set()
        self._last_sequence: dict[object, int] = {}
        self.received = 0  # messages handled, for tests

    @property
    def port(self) -> int:
        assert self._udp is not None, "start() first"
        return int(self._udp.get_extra_info("sockname")[1])

    @property
    def tcp_port(self) -> int | None:
        return None if self._tcp is None else int(self._tcp.sockets[0].getsockname()[1])

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._port))
        except BaseException:
            sock.close()
            raise
        self._udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(self), sock=sock)
        if self._tcp_port is not None:
            self._tcp = await asyncio.start_server(self._serve_tcp, self.host, self._tcp_port, reuse_address=True)

    async def stop(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
        for writer in list(self._writers):
            writer.close()  # its reader ends; cancelling a connection's own task upsets asyncio's streams
        for task in list(self._tasks):
            if task not in self._connections:
                task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_GRACE_S)
        if self._tcp is not None:
            await self._tcp.wait_closed()
            self._tcp = None
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        self._busy.clear()

    # Wire
    def datagram(self, data: bytes, addr: tuple[str | int, int]) -> None:
        if self.fault == "silent" or self._udp is None:
            return
        udp = self._udp

        def send(reply: bytes) -> None:
            if not udp.is_closing():
                udp.sendto(reply, addr)

        if not looks_headed(data):
            for message in split_messages(data):
                self._message(message, send)
            return
        try:
            packet = decode_packet(data)
        except ViscaParseError:
            return  # not VISCA over IP: a camera ignores it
        seq = packet.sequence

        def send_headed(reply: bytes, kind: PayloadType = PayloadType.REPLY) -> None:
            send(encode_packet(kind, seq, reply))

        if packet.type is PayloadType.CONTROL:
            if packet.payload == RESET:
                self._last_sequence.pop(addr, None)
                self._emit(lambda: send_headed(CONTROL_ACK, PayloadType.CONTROL_REPLY))
            else:
                self._emit(lambda: send_headed(MESSAGE_TYPE_ERROR, PayloadType.CONTROL))
            return
        category = packet.payload[1] if len(packet.payload) > 1 else None
        expected = {PayloadType.COMMAND: 0x01, PayloadType.INQUIRY: 0x09}.get(packet.type)
        if expected is None or (category in (0x01, 0x09) and category != expected):
            self._emit(lambda: send_headed(MESSAGE_TYPE_ERROR, PayloadType.CONTROL))
            return
        if self._last_sequence.get(addr) == seq:
            self._emit(lambda: send_headed(SEQUENCE_ERROR, PayloadType.CONTROL))  # already had it: do not run twice
            return
        if len(self._last_sequence) >= MAX_PEERS:
            self._last_sequence.clear()
        self._last_sequence[addr] = seq
        self._message(packet.payload, send_headed)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._connections.add(task)
        self._writers.add(writer)

        def send(reply: bytes) -> None:
            if not writer.is_closing():
                writer.write(reply)

        buffer = b""
        try:
            while chunk := await reader.read(1024):
                if self.fault == "silent":
                    continue
                buffer += chunk
                messages = split_messages(buffer)
                buffer = buffer[sum(map(len, messages)) :][-64:]
                for message in messages:
                    self._message(message, send)
        except OSError:
            pass
        finally:
            self._tasks.discard(task)
            self._connections.discard(task)
            self._writers.discard(writer)
            writer.close()

    def _emit(self, action: Callable[[], None]) -> None:
        """Send now, or late (slow), or garbled (garbage), as the fault mode says."""
        if self.fault == "slow":
            self._spawn(self._later(self.slow_delay_s, action))
        else:
            action()

    async def _later(self, delay: float, action: Callable[[], None]) -> None:
        await asyncio.sleep(delay)
        action()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # VISCA
    def _message(self, message: bytes, send: Send) -> None:
        self.received += 1
        if self.fault == "garbage":
            noise = bytes(random.randrange(256) for _ in range(random.randint(1, 12)))
            self._emit(lambda: send(noise))
            return
        ok = 4 <= len(message) <= 16 and message[-1] == 0xFF and 0x81 <= message[0] <= 0x87
        y = ((message[0] & 0x0F) + 8 << 4) if ok else 0x90
        if not ok or 0xFF in message[:-1]:
            self._emit(lambda: send(bytes([y, 0x60, SYNTAX, 0xFF])))
            return
        body = message[1:-1]
        free = [s for s in SOCKETS if s not in self._busy]
        if body[0] != 0x09 and not free:
            self._emit(lambda: send(bytes([y, 0x60, BUFFER_FULL, 0xFF])))  # refused before it runs
            return
        outcome = self._inquire(body) if body[0] == 0x09 else self._execute(body)
        if outcome.error is not None:
            error = outcome.error
            self._emit(lambda: send(bytes([y, 0x60 | (0 if error in (SYNTAX, BUFFER_FULL) else 1), error, 0xFF])))
        elif outcome.data is not None:
            data = outcome.data
            self._emit(lambda: send(bytes([y, 0x50, *data, 0xFF])))
        else:
            slot = free[0]
            self._emit(lambda: send(bytes([y, 0x40 | slot, 0xFF])))
            completion = bytes([y, 0x50 | slot, 0xFF])
            if outcome.moving:
                self._busy.add(slot)
                self._spawn(self._complete_on_arrival(slot, outcome.moving, lambda: send(completion)))
            else:
                self._emit(lambda: send(completion))

    async def _complete_on_arrival(self, slot: int, axes: tuple[str, ...], complete: Callable[[], None]) -> None:
        """Completion when these axes have arrived, or when a newer move took them over (bounded)."""
        head = self.head
        generation = head.generation(*axes)
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + MAX_MOVE_S
            # Polled (at most 20 Hz, bounded): the head is shared with ONVIF and moved from other threads.
            while (loop.time() < deadline and head.generation(*axes) == generation  # noqa: ASYNC110
                   and (left := head.remaining_s(*axes)) > 0):
                await asyncio.sleep(min(POLL_S, max(0.002, left)))
        finally:
            self._busy.discard(slot)
        self._emit(complete)

    def _inquire(self, body: bytes) -> Outcome:
        return inquire(self.head, self.ranges, body)

    def _execute(self, body: bytes) -> Outcome:
        return execute(self.head, self.ranges, body)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, endpoint: ViscaEndpoint) -> None:
        self.endpoint = endpoint

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        with contextlib.suppress(Exception):  # one bad datagram must never end the camera
            self.endpoint.datagram(data, addr)
