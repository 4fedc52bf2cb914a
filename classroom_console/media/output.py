"""What every output of the encoder shares: its own queue, its own thread, its own stats.

An output only ever sees packets through its queue, so a slow disk or a dead network ends in dropped GOPs
counted in that output's stats, never in a stalled encoder or a stalled neighbour. Whether its failure ends the
recording is the encoder's decision (``Encoder.add_output(required=...)``), not the output's.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ._worker import Worker
from .packets import EncodedPacket, PacketQueue

log = logging.getLogger(__name__)

POLL_S = 0.2


class OutputState:
    WAITING = "waiting"  # for the encoder's first packet
    CONNECTING = "connecting"
    LIVE = "live"  # writing (a file is "live" too)
    RECONNECTING = "reconnecting"
    ENDED = "ended"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutputStats:
    """A snapshot for the UI and the CLI; ``reason`` is a code (``disk-full``, ``connection-refused``…)."""

    name: str
    kind: str
    state: str
    reason: str = ""
    packets: int = 0
    bytes: int = 0
    bitrate_bps: float = 0.0
    dropped_packets: int = 0
    dropped_gops: int = 0
    queued_s: float = 0.0
    connects: int = 0
    next_try_s: float | None = None  # until the next connection attempt, while reconnecting
    cpu_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class EncodedStreams(Protocol):
    """The encoder's streams, as templates for an output's own (``add_stream_from_template``)."""

    @property
    def video(self) -> Any: ...

    @property
    def audio(self) -> Any: ...


class OutputOwner(Protocol):
    def output_failed(self, output: Output, reason: str, message: str) -> None: ...

    def output_wants_stop(self, output: Output, reason: str, message: str) -> None: ...


class EventLog(Protocol):
    """Where stream events go: the Room's session log (``Room.log_event``)."""

    def log_event(self, device_uid: str | None, kind: str, payload: dict[str, Any]) -> None: ...


def log_stream(room: EventLog | None, kind: str, output: Output) -> None:
    """``stream-started`` / ``stream-stopped`` in the session log, so the centre sees which lectures went out
    live and for how long. The destination is the output's masked URL: a stream key never reaches the log."""
    if room is None or not output.live:
        return
    stats = output.stats()
    payload: dict[str, Any] = {"destination": str(stats.extra.get("url", stats.name)), "protocol": stats.kind}
    if kind == "stream-stopped":
        payload.update(state=stats.state, reason=stats.reason, reconnects=max(0, stats.connects - 1),
                       dropped=stats.dropped_packets, bytes=stats.bytes, seconds_live=round(output.live_s, 1))
    room.log_event(None, kind, payload)


class Output:
    """Subclasses write packets in ``_serve`` on the output's thread; everything else here is thread-safe."""

    kind = "output"
    live = False  # a live output needs a keyframe at least every LIVE_MAX_GOP_S
    max_gop_s: float | None = None  # a live output that needs keyframes closer than that (HLS segments)

    def __init__(self, name: str, *, queue_s: float, block: bool = False, give_up_s: float | None = None) -> None:
        self.name = name
        # A required output that takes nothing for ``give_up_s`` once told the end is given up (``stalled``)
        self.give_up_s = give_up_s
        self.queue = PacketQueue(queue_s, block=block, stall_s=give_up_s)
        self._ended_at: float | None = None
        self._state = OutputState.WAITING
        self._live_since: float | None = None
        self._live_s = 0.0
        self.reason = ""
        self.message = ""  # a sentence for logs; the UI goes by ``reason``
        self.packets = 0
        self.bytes = 0
        self.connects = 0
        self.discarded = 0  # packets the output itself let go (no connection, or before its first keyframe)
        self.cpu_s = 0.0  # this output's own thread's CPU time: what it costs beside the encoder
        self.helper_cpu_s = 0.0  # and its helper processes' (a live destination's connections), once each ends
        self.owner: OutputOwner | None = None
        self._streams: EncodedStreams | None = None
        self._streams_ready = threading.Event()
        self._rate = _Rate()
        self._worker = Worker(f"output-{self.kind}-{name}", self._run)

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        """Every change of state passes here, so the time spent live is counted (the session log's figure)."""
        now = time.monotonic()
        if self._live_since is not None:
            self._live_s += now - self._live_since
        self._live_since = now if value == OutputState.LIVE else None
        self._state = value

    @property
    def live_s(self) -> float:
        """Seconds spent live (connected and sending), over every connection."""
        since = self._live_since
        return self._live_s + (time.monotonic() - since if since is not None else 0.0)

    # -- the encoder's side ---------------------------------------------------------------------
    def start(self) -> None:
        self._worker.start()

    def begin(self, streams: EncodedStreams) -> None:
        """The encoder's codecs are open: the output may open its container (on its own thread)."""
        self._streams = streams
        self._streams_ready.set()

    def deliver(self, packet: EncodedPacket) -> bool:
        return self.queue.put(packet)

    def end(self) -> None:
        """No more packets: the output writes what is queued and closes."""
        self._ended_at = time.monotonic()
        self.queue.close()
        self._streams_ready.set()

    def abort(self) -> None:
        """Stop now, dropping what is queued (an output that did not finish in its grace)."""
        self._worker.stop()
        self.queue.abandon()
        self._streams_ready.set()

    def join(self, timeout: float | None = None) -> bool:
        return self._worker.join(timeout)

    def stalled(self) -> bool:
        """Told the end, still running, and nothing taken for ``give_up_s`` (since the end, or since the last packet
        it took): its thread is stuck in a write (a disk that stopped answering) or in the close after it."""
        if self.give_up_s is None or self._ended_at is None or not self.alive:
            return False
        return time.monotonic() - max(self._ended_at, self.queue.taken_at) > self.give_up_s

    def give_up(self) -> None:
        """A stalled output is failed as not answering; its thread is left to its write (a daemon)."""
        self._fail("not-answering", f"{self.name} took nothing for {self.give_up_s:g} s")

    @property
    def alive(self) -> bool:
        return self._worker.alive

    def stats(self) -> OutputStats:
        q = self.queue.counters()
        return OutputStats(self.name, self.kind, self.state, self.reason, self.packets, self.bytes,
                           self._rate.bps(), q.dropped_packets + self.discarded, q.dropped_gops, q.queued_s,
                           self.connects, self._next_try_s(), self.cpu_s + self.helper_cpu_s, self._extra())

    # -- for subclasses -------------------------------------------------------------------------
    def _serve(self, stop: threading.Event, streams: EncodedStreams) -> None:
        raise NotImplementedError

    def _next_try_s(self) -> float | None:
        return None

    def _extra(self) -> dict[str, Any]:
        return {}

    def _wrote(self, packet: EncodedPacket) -> None:
        self.packets += 1
        self.bytes += len(packet.data)
        self._rate.add(len(packet.data))
        self.cpu_s = time.thread_time()

    def _fail(self, reason: str, message: str) -> None:
        """Ends this output for good: its queue is dropped from now on and its owner is told (once: a write that
        returns with an error after the output was given up adds nothing)."""
        if self.state == OutputState.FAILED:
            return
        self.state, self.reason, self.message = OutputState.FAILED, reason, message
        log.warning("output %s (%s): %s", self.name, reason, message)
        self.queue.abandon()
        if self.owner is not None:
            self.owner.output_failed(self, reason, message)

    def _next_packet(self, stop: threading.Event) -> EncodedPacket | None:
        """The next packet, or None once the queue is drained or the output is told to stop."""
        while not stop.is_set():
            packet = self.queue.get(POLL_S)
            if packet is not None:
                return packet
            if self.queue.drained:
                return None
        return None

    # -- the output's thread ---------------------------------------------------------------------
    def _run(self, stop: threading.Event) -> None:
        try:
            while not self._streams_ready.wait(POLL_S):
                if stop.is_set():
                    return
            if self._streams is not None and not stop.is_set():
                self._serve(stop, self._streams)
            if self.state != OutputState.FAILED:
                self.state = OutputState.ENDED
        except Exception as exc:  # a bug or an unforeseen library error: this output ends, the others go on
            log.exception("output %s failed", self.name)
            self._fail("error", str(exc))
        finally:
            self.queue.abandon()
            self.cpu_s = time.thread_time()
            self._streams = None  # the encoder's codecs (x264's frames: ~150 MB at 1080p) die with the encoder


class _Rate:
    """Bytes per second over the last few seconds of real time (what a viewer's connection sees)."""

    WINDOW_S = 3.0

    def __init__(self) -> None:
        self._marks: list[tuple[float, int]] = []
        self._first: float | None = None
        self._lock = threading.Lock()

    def add(self, size: int) -> None:
        now = time.monotonic()
        with self._lock:
            if self._first is None:
                self._first = now
            self._marks.append((now, size))
            if self._marks[0][0] < now - 2 * self.WINDOW_S:
                self._marks = [m for m in self._marks if m[0] >= now - self.WINDOW_S]

    def bps(self) -> float:
        now = time.monotonic()
        with self._lock:
            recent = [size for t, size in self._marks if t >= now - self.WINDOW_S]
            span = min(self.WINDOW_S, now - self._first) if self._first is not None else 0.0
        return sum(recent) * 8 / span if span >= 0.5 else 0.0  # no figure from the first half second


async def end_outputs(outputs: Sequence[Output], grace_s: float, abort_wait_s: float = 2.0) -> None:
    """Wait (off the loop's back) for outputs that were told the end; one still sending after ``grace_s`` is
    aborted, and one stuck in a network write even then is left to its daemon thread and logged."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    while any(o.alive for o in outputs) and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    for output in outputs:
        if output.alive:
            log.warning("output %s did not finish within %.0f s; stopped", output.name, grace_s)
            output.abort()
    deadline = loop.time() + abort_wait_s
    while any(o.alive for o in outputs) and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    for output in outputs:
        if output.alive:
            log.warning("output %s is stuck in a write; left behind", output.name)
