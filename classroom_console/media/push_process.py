"""One connection of a live destination, made and fed from a child process (``push_child.py``).

Why a process: FFmpeg's network connects and a stream's end run in PyAV calls that hold Python's GIL, so a slow
or silent server froze the whole console, window and recording included, without a time limit. The parent only
writes framed packets into a pipe (a blocking write releases the GIL), waits for the child's "live" with a
deadline of its own, and kills a child that does not answer in time.

The child runs in a session of its own: Ctrl+C in a terminal signals the whole foreground process group, and a
child that died of it dropped the connection before the parent could send the stream's end. It still ends with
the parent: its parent-death signal is armed before the child's program runs (``parent_death.preexec``), so a
parent killed while the child still starts Python leaves no orphan holding a connection.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .. import parent_death
from .packets import EncodedPacket
from .pipe_writes import write_whole
from .push_child import FRAME

CHILD = Path(__file__).with_name("push_child.py")
START_ALLOWANCE_S = 15.0  # for the child's own start (Python, av) on a busy PC, before its connect is timed
END_GRACE_S = 5.0  # for the child to deliver the end of the stream once its input ends


@dataclass(frozen=True, slots=True)
class ChildError:
    """What the child reported when it could not go on: the stage, and what the parent needs for a reason code."""

    stage: str  # setup, connect, send, close; "gone" when it died without a word; "given-up" by the parent
    errno: int = 0
    type: str = ""
    message: str = ""


def stream_parameters(streams: Any) -> list[dict[str, Any]]:
    """The encoder's two streams as the child rebuilds them (codec parameters and global headers)."""
    video, audio = streams.video.codec_context, streams.audio.codec_context
    return [
        {"kind": "video", "encoder": video.name, "rate": str(streams.video.average_rate or video.framerate),
         "width": video.width, "height": video.height, "pix_fmt": video.pix_fmt,
         "time_base": str(video.time_base), "bit_rate": video.bit_rate or 0, "extradata": _b64(video.extradata)},
        {"kind": "audio", "encoder": audio.name, "sample_rate": audio.sample_rate, "layout": audio.layout.name,
         "time_base": str(audio.time_base), "bit_rate": audio.bit_rate or 0, "extradata": _b64(audio.extradata)},
    ]


def _b64(data: bytes | None) -> str:
    return base64.b64encode(data or b"").decode("ascii")


class PushProcess:
    """Started by ``connect``; ``send`` each packet; ``finish`` or ``kill``. Thread-safe where it matters:
    ``kill`` may come from any thread (an output told to abort), and ends a ``send`` blocked in a full pipe."""

    def __init__(self, url: str, fmt: str, options: dict[str, str], streams: Any) -> None:
        self._proc = subprocess.Popen([sys.executable, "-P", str(CHILD), "--parent", str(os.getpid())],
                                      stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True,
                                      start_new_session=True,  # Ctrl+C in a terminal is the console's to end
                                      preexec_fn=parent_death.preexec())
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._stdin: IO[bytes] = self._proc.stdin
        self._live = threading.Event()
        self._done = threading.Event()  # the child's output ended: it exited or is about to
        self._ended = False
        self._started_at: float | None = None  # when the child said it had started (its imports done)
        self.cpu_s = 0.0  # the child's CPU, as of its last event
        self.error: ChildError | None = None
        self._reader = threading.Thread(target=self._read, args=(self._proc.stdout,), name="push-child-events",
                                        daemon=True)
        self._reader.start()
        config = {"url": url, "format": fmt, "options": options, "streams": stream_parameters(streams)}
        try:
            self._write((json.dumps(config) + "\n").encode())  # the URL (a secret) never appears in ``ps``
        except BaseException:
            self.close()
            raise

    def connect(self, timeout_s: float, give_up: Callable[[], bool] = lambda: False) -> ChildError | None:
        """None once the child is live; else why not. The connect gets ``timeout_s`` from the moment the child
        has started (a child that takes longer is killed: "timeout"); ``give_up`` ends the wait early."""
        latest_start = time.monotonic() + START_ALLOWANCE_S
        while not self._live.is_set() and not self._done.is_set():
            started = min(latest_start, self._started_at or latest_start)
            if give_up():
                self.close()
                return ChildError("given-up", message="no longer wanted")
            if time.monotonic() >= started + timeout_s:
                self.close()
                return ChildError("connect", type="TimeoutError", message=f"no answer within {timeout_s:g} s")
            self._live.wait(0.05)
        if self._live.is_set():
            return None
        self.wait_gone(2.0)
        return self.error or ChildError("gone", message=f"the helper process ended ({self._proc.poll()})")

    def send(self, packet: EncodedPacket, offset_s: float) -> None:
        """``packet`` with ``offset_s`` taken off its times (``EncodedPacket.to_av``'s, on the child's side);
        raises OSError (EPIPE) when the child has gone: the connection broke or was killed."""
        shift = packet.ticks(offset_s)
        tb = packet.time_base
        head = FRAME.pack(b"v" if packet.kind == "video" else b"a", int(packet.keyframe), packet.pts - shift,
                          packet.dts - shift, packet.duration, tb.numerator, tb.denominator, len(packet.data))
        self._write(head + packet.data)

    def _write(self, data: bytes) -> None:
        write_whole(self._stdin.fileno(), data)  # blocks without the GIL while the child's pipe is full

    def finish(self) -> ChildError | None:
        """The end of the stream: the child writes the trailer and closes; None when that was delivered."""
        with contextlib.suppress(OSError):
            self._stdin.close()
        if not self.wait_gone(END_GRACE_S):
            self.kill()
            self.wait_gone(5.0)  # reaped, not left a zombie
            return ChildError("close", type="TimeoutError", message="the end of the stream took too long")
        return None if self._ended else (self.error or ChildError("gone", message="the helper process ended"))

    def wait_gone(self, timeout_s: float) -> bool:
        try:
            self._proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return False
        self._reader.join(timeout_s)
        return True

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self._proc.kill()

    def close(self) -> None:
        """After a failure: the child is gone for good and its pipes are closed."""
        self.kill()
        with contextlib.suppress(OSError):
            self._stdin.close()
        self.wait_gone(5.0)

    def _read(self, pipe: IO[bytes]) -> None:
        try:
            for line in pipe:
                try:
                    said = json.loads(line)
                except ValueError:
                    continue
                event = said.get("event")
                self.cpu_s = float(said.get("cpu_s") or self.cpu_s)
                if event == "started":
                    self._started_at = time.monotonic()
                elif event == "live":
                    self._live.set()
                elif event == "ended":
                    self._ended = True
                elif event == "error":
                    self.error = ChildError(str(said.get("stage", "")), int(said.get("errno") or 0),
                                            str(said.get("type", "")), str(said.get("message", "")))
        finally:
            pipe.close()
            self._done.set()
