"""x264 in a child process in a session of its own, so that the window's process is not the one its CPU is charged to.

Linux schedules a process's threads as one group against other groups (a session's autogroup; a desktop app's
cgroup): an x264 flat out inside the window's process spends that group's share of the cores, and on a busy PC the
window's main thread then waits for the group's turn (bench/ui_stall.py's busy-in and busy-apart references: the
same GIL-free work a process apart cut the main thread's p99 lateness from 23-48 ms to 4-10 ms at load 10-11).
The encoder thread keeps everything else (queue, keyframes by media time, preset steps, outputs); only the
encoding of the pictures goes out: each I420 picture down a pipe, its packets back as they come.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from fractions import Fraction
from typing import IO, TYPE_CHECKING, Any

import av
import numpy as np

if TYPE_CHECKING:
    from .frames import Image

_LENGTH = 8


def _write(stream: IO[bytes], message: Any, payload: memoryview | None = None) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_LENGTH, "little") + data)
    if payload is not None:
        stream.write(payload)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH)
    if len(head) < _LENGTH:
        raise EOFError("the other side closed the pipe")
    return pickle.loads(_exactly(stream, int.from_bytes(head, "little")))


def _exactly(stream: IO[bytes], size: int, into: bytearray | None = None) -> bytearray:
    buffer = into if into is not None else bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = stream.readinto(view[got:size])  # type: ignore[attr-defined]
        if not n:
            raise EOFError("the other side closed the pipe")
        got += n
    return buffer


class RemoteX264:
    """What the encoder thread uses of a libx264 context (``encode``, ``extradata``), with x264 in the child.

    One child for the recording: a preset step ``open``s the next x264 in it (a new process is ~1 s of imports,
    a second of skipped frames at each step)."""

    def __init__(self, size: tuple[int, int], fps: int, nice: int | None,
                 child: subprocess.Popen[bytes] | None = None) -> None:
        """``child``: one ``spawn`` started before (x264_spare.py), else one is started now."""
        self.size, self.fps, self.nice = size, fps, nice
        self.time_base = Fraction(1, fps)
        self.extradata = b""
        self._child = child if child is not None else spawn()
        assert self._child.stdin is not None and self._child.stdout is not None
        self._to, self._from = self._child.stdin, self._child.stdout
        self._greeted = False

    def open(self, options: dict[str, str]) -> None:
        """An x264 with ``options`` in the child; the one it had is freed first."""
        try:
            _write(self._to, ("open", self.size, self.fps, options, self.nice))
            if not self._greeted:  # the child's word that its imports are done, said once before anything else
                self._answer()
                self._greeted = True
            self.extradata = self._answer()
        except BaseException:
            self.close()
            raise

    def encode(self, picture: Image | None, pts: int = 0, key: bool = False) -> list[av.Packet]:
        """``picture``: I420; None flushes what x264 holds."""
        if picture is None:
            _write(self._to, ("flush",))
        else:
            pixels = np.ascontiguousarray(picture)
            _write(self._to, ("frame", pts, key, pixels.shape), memoryview(pixels.data).cast("B"))
        packets = []
        for data, p_pts, p_dts, duration, keyframe in self._answer():
            packet = av.Packet(data)
            packet.pts, packet.dts, packet.duration = p_pts, p_dts, duration
            packet.time_base, packet.is_keyframe = self.time_base, keyframe
            packets.append(packet)
        return packets

    def _answer(self) -> Any:
        kind, value = _read(self._from)
        if kind == "error":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        """Ends the child (what it held unflushed is dropped) and waits for it, bounded."""
        end(self._child)


def spawn() -> subprocess.Popen[bytes]:
    """A child ready for ``RemoteX264``: it imports PyAV and numpy (0.4-1 s), then says ``ready`` and waits.
    Blocking (a process's start): not on an event loop."""
    return subprocess.Popen([sys.executable, "-c", SERVE, *PACKAGES], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def end(child: subprocess.Popen[bytes]) -> None:
    """Closes its pipes (it ends at its stdin's end) and waits for it, bounded; killed if it does not end."""
    for pipe in (child.stdin, child.stdout):
        try:
            if pipe is not None:
                pipe.close()
        except OSError:
            pass
    try:
        child.wait(10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(10)


def _serve() -> None:
    """The child: one x264, fed down stdin, its packets up stdout, until stdin closes."""
    from .adaptive import open_video

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    _write(sink, ("ready", None))
    ctx: Any = None
    picture = bytearray()
    while True:
        try:
            message = _read(source)
        except EOFError:
            return
        try:
            if message[0] == "open":
                _kind, size, fps, options, nice = message
                ctx = None  # the old x264 gone before the new one opens (two at once: ~130 MB more at 1080p)
                ctx = open_video(size, fps, options, nice)
                _write(sink, ("ok", bytes(ctx.extradata or b"")))
                continue
            if message[0] == "frame":
                _kind, pts, key, shape = message
                size = int(np.prod(shape))
                if len(picture) != size:
                    picture = bytearray(size)
                _exactly(source, size, picture)
                frame = av.VideoFrame.from_numpy_buffer(np.frombuffer(picture, np.uint8).reshape(shape),
                                                        format="yuv420p")
                frame.pts = pts
                if key:
                    frame.pict_type = av.video.frame.PictureType.I
                packets = ctx.encode(frame)
            else:
                packets = ctx.encode(None)
            _write(sink, ("ok", [(bytes(p), p.pts, p.dts, p.duration or 0, p.is_keyframe) for p in packets]))
        except Exception as exc:  # said to the encoder thread, which ends the recording with it
            _write(sink, ("error", f"{type(exc).__name__}: {exc}"))


# The child imports this module and adaptive's x264 open, not the packages' own imports (OpenCV, the recorder, the
# store: ~1 s more before its first picture, frames skipped at the start of every recording).
_MEDIA = os.path.dirname(os.path.abspath(__file__))
PACKAGES = ("classroom_console", os.path.dirname(_MEDIA), "classroom_console.media", _MEDIA)
SERVE = """
import sys, types
for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
    package = types.ModuleType(name)
    package.__path__ = [path]
    sys.modules[name] = package
from classroom_console.media.x264_apart import _serve
_serve()
"""
