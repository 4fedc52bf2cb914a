"""Live push to an RTMP server (a lecture platform's ingest, nginx-rtmp in the room): FLV over RTMP.

A room's network comes and goes. The connection is retried with growing, jittered waits (so a dozen rooms that
lost the same uplink do not all knock at once), and nothing here ever touches the recording: while the server is
away this output's packets are dropped and counted, and each connection starts at a keyframe, at time zero.
"""

from __future__ import annotations

import errno
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from .output import EncodedStreams, Output, OutputState
from .packets import EncodedPacket
from .push_process import ChildError, PushProcess

LIVE_QUEUE_S = 3.0  # a network that stalls longer than this costs the viewers GOPs, never the recording
STABLE_S = 10.0  # a connection that lasted this long was a good one: the waits start short again
DEFAULT_PORT = 1935
HELD_AUDIO = 200  # AAC packets (4 s) kept while a connection waits for its first keyframe


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits of ``first_s``, doubling up to ``max_s``, each shortened by up to ``jitter`` of itself."""

    first_s: float = 1.0
    max_s: float = 30.0
    jitter: float = 0.5

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        full = min(self.max_s, self.first_s * 2 ** min(attempt, 30))
        return full * (1 - self.jitter * draw())


def mask_url(url: str) -> str:
    """The stream key is the URL's last path segment, a secret: ``rtmp://h/live/****`` (a password or a query
    string goes too). The application (the first segment) is never the key: a URL without a key shows as it
    is, so it does not look as if it had one."""
    parts = urlsplit(url)
    segments = parts.path.rstrip("/").split("/")
    if len(segments) > 2 and segments[-1]:
        segments[-1] = "****"
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, "/".join(segments), "", ""))


def reason_of(exc: BaseException) -> str:
    """A code for the UI to word: why the connection could not be made or was lost."""
    if isinstance(exc, socket.gaierror):
        return "name-not-resolved"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, EOFError):  # the server closed the connection under a write
        return "connection-lost"
    return _ERRNO_REASONS.get(getattr(exc, "errno", None) or 0, "error")


def reason_of_child(error: ChildError) -> str:
    """The same code, from what the connection's process reported (an exception's type name and errno)."""
    if error.type in ("TimeoutError", "timeout"):
        return "timeout"
    if error.type == "EOFError":
        return "connection-lost"
    return _ERRNO_REASONS.get(error.errno, "connection-lost" if error.stage in ("send", "gone") else "error")


_ERRNO_REASONS = {
    errno.ECONNREFUSED: "connection-refused",
    errno.ETIMEDOUT: "timeout",
    errno.EHOSTUNREACH: "unreachable",
    errno.ENETUNREACH: "unreachable",
    errno.EPIPE: "connection-lost",
    errno.ECONNRESET: "connection-lost",
    errno.ECONNABORTED: "connection-lost",
    errno.EIO: "connection-lost",
}


class RtmpOutput(Output):
    kind = "rtmp"
    live = True

    def __init__(self, url: str, *, name: str | None = None, queue_s: float = LIVE_QUEUE_S,
                 backoff: Backoff | None = None, connect_timeout_s: float = 5.0) -> None:
        parts = self._check(url)
        super().__init__(name or mask_url(url), queue_s=queue_s)
        self.url = url
        self.backoff = backoff or Backoff()
        self.connect_timeout_s = connect_timeout_s
        self.attempts = 0  # connection attempts that failed, in a row
        self._next_try_at: float | None = None
        self._address = (parts.hostname, parts.port or DEFAULT_PORT)
        self._push: PushProcess | None = None  # the connection's process, while there is one

    @staticmethod
    def _check(url: str) -> SplitResult:
        parts = urlsplit(url)
        if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname:
            raise ValueError(f"not an RTMP URL (rtmp://HOST[:PORT]/APP/KEY): {mask_url(url)}")
        app = parts.path.strip("/")
        if not app:
            raise ValueError(f"no application and stream key after the server (rtmp://HOST[:PORT]/APP/KEY): "
                             f"{mask_url(url)}")
        if "/" not in app:
            raise ValueError(f"no stream key after /{app} (rtmp://HOST[:PORT]/{app}/KEY): {mask_url(url)}")
        return parts

    def _next_try_s(self) -> float | None:
        at = self._next_try_at
        return max(0.0, at - time.monotonic()) if at is not None and self.state == OutputState.RECONNECTING else None

    def _extra(self) -> dict[str, Any]:
        return {"url": mask_url(self.url), "attempts": self.attempts, "discarded": self.discarded}

    def abort(self) -> None:
        push = self._push
        if push is not None:
            push.kill()  # a write blocked in a full pipe ends with the process
        super().abort()

    # -- the output's thread ---------------------------------------------------------------------
    def _serve(self, stop: threading.Event, streams: EncodedStreams) -> None:
        self.state = OutputState.CONNECTING
        while not stop.is_set() and not self.queue.drained:
            try:
                push = self._connect(streams, lambda: stop.is_set() or self.queue.drained)
            except _Refused as exc:
                self._retry_later(exc.reason, stop)
                continue
            self.connects += 1
            self.state, self.reason, self._next_try_at = OutputState.LIVE, "", None
            began = time.monotonic()
            try:
                self._send(stop, push)
            except OSError:
                self._done_with(push)
                if time.monotonic() - began >= STABLE_S:
                    self.attempts = 0
                self._retry_later(reason_of_child(push.error or ChildError("gone")), stop)
                continue
            except BaseException:
                self._done_with(push)  # a bug of ours: the output fails (Output._run), its process goes with it
                raise
            error = self._done_with(push, finish=True)
            if error is not None:
                self._fail(reason_of_child(error), f"the end of the stream was not delivered: {error.message}")
            return
        if self.state != OutputState.LIVE and self.reason:
            self.state = OutputState.FAILED  # the recording ended while this destination was away

    def _done_with(self, push: PushProcess, *, finish: bool = False) -> ChildError | None:
        """The connection's process ends: after delivering the end of the stream (``finish``) or at once; its
        CPU is counted in this output's."""
        error = None
        if finish:
            error = push.finish()
        else:
            push.close()
        self._push = None
        self.helper_cpu_s += push.cpu_s
        return error

    def _resolve(self) -> None:
        """The server's name, looked up before the connection's process starts: FFmpeg says only "input/output
        error" for a name that is not found. A lookup opens no connection."""
        try:
            socket.getaddrinfo(self._address[0], self._address[1], type=socket.SOCK_STREAM)
        except OSError as exc:
            raise _Refused(reason_of(exc)) from exc

    def _knock(self) -> str:
        """Why FFmpeg's connect failed, when what it said is vague: a plain TCP connect, only AFTER the failed
        attempt (a receiver that takes one client, ``ffmpeg -listen 1``, took a knock first as its client and
        closed). "rejected" when the server is there: it did not take this application or key."""
        try:
            socket.create_connection(self._address, timeout=self.connect_timeout_s).close()
        except OSError as exc:
            return reason_of(exc)
        return "rejected"

    def _destination(self) -> tuple[str, str, dict[str, str]]:
        """The URL, the muxer and its options the connection's process opens."""
        return self.url, "flv", {"flvflags": "no_duration_filesize"}

    def _connect(self, streams: EncodedStreams, give_up: Callable[[], bool]) -> PushProcess:
        """FFmpeg's own connect is the first to reach the server, bounded by ``connect_timeout_s`` (the process is
        timed and killed: "timeout"), so a silent network costs that, never the system's two minutes."""
        self._resolve()
        url, fmt, options = self._destination()
        try:
            push = PushProcess(url, fmt, options, streams)
        except OSError as exc:  # no process could be started (out of memory, too many processes)
            raise _Refused(reason_of(exc)) from exc
        self._push = push
        error = push.connect(self.connect_timeout_s, give_up)
        if error is None:
            return push
        self._done_with(push)
        if error.stage == "given-up":  # the recording ended (or the output was stopped) while connecting
            raise _Refused(self.reason or "timeout")
        reason = reason_of_child(error)
        raise _Refused(self._knock() if reason in ("error", "connection-lost") else reason)

    def _send(self, stop: threading.Event, push: PushProcess) -> None:
        """Until the queue is drained (the recording ended) or the output is stopped; raises OSError when the
        connection breaks. The connection's time zero is its first keyframe."""
        origin: float | None = None
        held: list[EncodedPacket] = []  # sound that overtook the first keyframe (the video encoder's delay)
        while (packet := self._next_packet(stop)) is not None:
            if origin is None:
                if packet.starts_gop:
                    origin = packet.time_s
                elif packet.kind == "audio" and len(held) < HELD_AUDIO:
                    held.append(packet)
                    continue
                else:
                    self.discarded += 1
                    continue
            for each in (*held, packet):
                if each.time_s < origin:  # from before the first picture
                    self.discarded += 1
                    continue
                push.send(each, origin)
                self._wrote(each)
            held.clear()

    def _retry_later(self, reason: str, stop: threading.Event) -> None:
        """Packets meanwhile are dropped (counted): they would be stale by the time the server is back."""
        delay = self.backoff.delay(self.attempts)
        self.attempts += 1
        self.state, self.reason = OutputState.RECONNECTING, reason
        self._next_try_at = time.monotonic() + delay
        while not stop.is_set() and time.monotonic() < self._next_try_at:
            if self._discard(self.queue.get(0.05)) and self.queue.drained:
                return

    def _discard(self, packet: EncodedPacket | None) -> bool:
        """True when there was nothing to discard."""
        if packet is None:
            return True
        self.discarded += 1
        return False


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
