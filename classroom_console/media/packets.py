"""Encoded packets and the bounded queue in front of each output.

The encoder hands every packet to every output; an output that falls behind must neither stall the encoder
nor grow without bound. Losing a packet in the middle of a group of pictures would break every picture up to
the next keyframe, so a queue that is full drops whole GOPs from the next keyframe on, and counts them.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av

HARD_LIMIT_FACTOR = 2.0  # past this many times the limit, even the current GOP's tail is dropped
MAX_PACKETS = 20_000  # a ceiling whatever the timestamps say (about 3 minutes of 30 fps video and AAC)


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One compressed video or audio packet, in its codec's time base; immutable, so outputs may share it."""

    kind: str  # "video" or "audio"
    data: bytes
    pts: int
    dts: int
    duration: int
    time_base: Fraction
    keyframe: bool

    @classmethod
    def of(cls, kind: str, packet: av.Packet) -> EncodedPacket:
        assert packet.pts is not None and packet.dts is not None
        return cls(kind, bytes(packet), packet.pts, packet.dts, packet.duration or 0, packet.time_base,
                   packet.is_keyframe)

    @property
    def starts_gop(self) -> bool:
        return self.kind == "video" and self.keyframe

    @property
    def time_s(self) -> float:
        """Decoding time on the recording's timeline, in seconds."""
        return float(self.dts * self.time_base)

    def ticks(self, offset_s: float) -> int:
        """``offset_s`` in this packet's time base: what is taken off its times where a connection that starts
        mid-recording starts at zero."""
        return round(offset_s / self.time_base) if offset_s else 0

    def to_av(self, stream: Any, offset_s: float = 0.0) -> av.Packet:
        """A PyAV packet for ``stream`` (a new one per output: muxing rewrites a packet's times in place);
        ``offset_s`` is taken off its times (a live connection that starts mid-recording starts at zero)."""
        shift = self.ticks(offset_s)
        packet = av.Packet(self.data)
        packet.pts, packet.dts, packet.duration = self.pts - shift, self.dts - shift, self.duration
        packet.time_base = self.time_base
        packet.is_keyframe = self.keyframe
        packet.stream = stream
        return packet


@dataclass(frozen=True, slots=True)
class QueueCounters:
    dropped_packets: int
    dropped_bytes: int
    dropped_gops: int  # GOPs (or a GOP's tail, when an output stalled outright) lost to falling behind
    queued_packets: int
    queued_bytes: int
    queued_s: float


class PacketQueue:
    """Between the encoder thread and one output's thread; ``put`` never waits unless ``block`` (simulated-clock
    runs, where the encoder may as well wait for the disk) and then only while the consumer is there."""

    def __init__(self, limit_s: float, *, block: bool = False, max_packets: int = MAX_PACKETS,
                 stall_s: float | None = None) -> None:
        self.limit_s = limit_s
        self.block = block
        self.max_packets = max_packets
        # a blocked ``put`` stops waiting for a consumer that has taken nothing for this long (a hung disk's
        # writer), and drops instead as an unblocked one does
        self.stall_s = stall_s
        self.taken_at = time.monotonic()  # when the consumer last took a packet (or had none to take)
        self._items: collections.deque[EncodedPacket] = collections.deque()
        self._cond = threading.Condition()
        self._bytes = 0
        self._times: dict[str, collections.deque[float]] = {}  # each kind's queued times, oldest first
        self._dropping = False
        self._closed = False  # no more packets will come
        self._abandoned = False  # no one will read: everything is dropped, nobody waits
        self.dropped_packets = 0
        self.dropped_bytes = 0
        self.dropped_gops = 0
        # who waits on the condition: a notify only then (one per packet woke nobody most of the time and held
        # the GIL for it, on the encoder's thread)
        self._getters = 0
        self._putters = 0

    # -- the producer's side ------------------------------------------------------------------
    def put(self, packet: EncodedPacket) -> bool:
        """False when the packet was dropped (the output is behind, gone, or still in a dropped GOP)."""
        with self._cond:
            while (self.block and not self._abandoned and self._span(packet) > self.limit_s and self._items
                   and not self._stalled()):
                self._putters += 1
                try:
                    self._cond.wait(0.1)
                finally:
                    self._putters -= 1
            if self._abandoned:
                return self._drop(packet)
            span = self._span(packet)
            if self._dropping:
                if packet.starts_gop and span <= self.limit_s / 2:
                    self._dropping = False  # caught up: the next GOP goes in whole
                else:
                    if packet.starts_gop:
                        self.dropped_gops += 1
                    return self._drop(packet)
            elif span > self.limit_s and packet.starts_gop:
                self._dropping = True
                self.dropped_gops += 1
                return self._drop(packet)
            elif span > self.limit_s * HARD_LIMIT_FACTOR or len(self._items) >= self.max_packets:
                self._dropping = True  # stalled outright: the rest of this GOP goes too
                self.dropped_gops += 1
                return self._drop(packet)
            if not self._items:
                self.taken_at = time.monotonic()  # an idle consumer is not a stalled one
            self._items.append(packet)
            self._bytes += len(packet.data)
            self._times.setdefault(packet.kind, collections.deque()).append(packet.time_s)
            if self._getters:
                self._cond.notify_all()
            return True

    def wait_when_full(self) -> None:
        """From now on ``put`` waits for the consumer instead of dropping: at the end of a recording x264's held
        frames come in one burst (two seconds of media when a busy encoder was skipping), there is nothing left
        to encode meanwhile, and a required output (the file) lost the recording's last seconds to it."""
        with self._cond:
            self.block = True

    def close(self) -> None:
        """No more packets: the consumer drains what is queued, then sees ``drained``."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # -- the consumer's side -------------------------------------------------------------------
    def get(self, timeout: float) -> EncodedPacket | None:
        """The oldest packet, or None after ``timeout`` (or at once when drained)."""
        with self._cond:
            if not self._items and not self._closed and not self._abandoned:
                self._getters += 1
                try:
                    self._cond.wait(timeout)
                finally:
                    self._getters -= 1
            if not self._items:
                return None
            packet = self._items.popleft()
            self.taken_at = time.monotonic()
            self._bytes -= len(packet.data)
            self._times[packet.kind].popleft()
            if self._putters:
                self._cond.notify_all()
            return packet

    def abandon(self) -> None:
        """The consumer is gone (finished or failed): what is queued and all that comes is dropped."""
        with self._cond:
            self._abandoned = True
            for packet in self._items:
                self._count_drop(packet)
            self._items.clear()
            self._times.clear()
            self._bytes = 0
            self._cond.notify_all()

    @property
    def drained(self) -> bool:
        with self._cond:
            return (self._closed or self._abandoned) and not self._items

    def counters(self) -> QueueCounters:
        with self._cond:
            return QueueCounters(self.dropped_packets, self.dropped_bytes, self.dropped_gops, len(self._items),
                                 self._bytes, max(0.0, self._span(None)))

    # -- inside the lock -----------------------------------------------------------------------
    def _stalled(self) -> bool:
        return self.stall_s is not None and time.monotonic() - self.taken_at > self.stall_s

    def _span(self, incoming: EncodedPacket | None) -> float:
        """Seconds of media queued if ``incoming`` joined the queue, each kind on its own: x264's delay puts
        video packets behind the sound in time (two seconds of it when a busy encoder skips frames, each held
        frame standing for several instants), and measured across the kinds that lag alone looked like a stalled
        output, so the file dropped GOPs while its writer kept up."""
        spans = [0.0]
        for kind, times in self._times.items():
            newest = times[-1] if times else None
            if incoming is not None and incoming.kind == kind:
                newest = incoming.time_s if newest is None else max(newest, incoming.time_s)
            if times and newest is not None:
                spans.append(newest - times[0])
        return max(spans)

    def _drop(self, packet: EncodedPacket) -> bool:
        self._count_drop(packet)
        return False

    def _count_drop(self, packet: EncodedPacket) -> None:
        self.dropped_packets += 1
        self.dropped_bytes += len(packet.data)
