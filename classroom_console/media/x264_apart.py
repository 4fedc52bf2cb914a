"""x264 in a child process in a session of its own, so that the window's process is not the one its CPU is charged to.

Linux schedules a process's threads as one group against other groups (a session's autogroup; a desktop app's
cgroup): an x264 flat out inside the window's process spends that group's share of the cores, and on a busy PC the
window's main thread then waits for the group's turn (bench/ui_stall.py's busy-in and busy-apart references: the
same GIL-free work a process apart cut the main thread's p99 lateness from 23-48 ms to 4-10 ms at load 10-11).
The encoder thread keeps everything else (queue, keyframes by media time, preset steps, outputs); only the
encoding of the pictures goes out: each I420 picture into memory both share, a message down a pipe, its packets
back as they come.
"""

from __future__ import annotations

import mmap
import os
import pickle
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, overload

import av
import numpy as np

from .frames import Image, i420_planes
from .x264_child import read as _read
from .x264_child import write as _write

SLOTS = 2  # pictures in the child's hands at once: the one it encodes, the next one waiting
# The longest the child may take to answer (a picture's packets, an x264 opened, its imports at the start): many
# times the slowest 1080p picture at the slowest preset on a busy 2-core PC. Past it the child is stopped or stuck
# (SIGSTOP, a frozen cgroup, swapping): it is killed (R10: Stop and the Studio's close waited for it without bound),
# and the encoder goes on in another child (encoder.py, ``_VideoEncoder._restart``).
ANSWER_WITHIN_S = 30.0
# Once Stop is asked (every instant is in the encoder's queue), the child is waited for only while it gives something
# back: silent this long, it is killed and the recording ends with what it gave (encoder.py, ``LostAtEnd``). Stop
# held up to ANSWER_WITHIN_S by a stopped child; a working one answers a picture at a time, the end's flush a packet
# at a time (x264_child.py). bench/x264_drain.py measures the longest pause of a 1080p30 drain beside stress-ng.
DRAIN_SILENT_S = 5.0
LOST_STATUS_WITHIN_S = 1.0  # a lost child's exit status is waited for this long before the loss is worded


class X264Lost(RuntimeError):
    """x264's process ended, or stopped answering and was ended: this child cannot go on. ``reason``: a code the
    encoder logs and the UI words (``ENDED``, ``NOT_ANSWERING``; the encoder adds its own when a new child will not
    do)."""

    ENDED = "ended"  # killed (the OOM killer, kill -9) or exited
    NOT_ANSWERING = "not-answering"  # silent past ``answer_within_s``, then killed

    def __init__(self, message: str, reason: str = ENDED) -> None:
        super().__init__(message)
        self.reason = reason
        # what the child gave back before it was lost, in the same ``encode`` (a flush's first answers): whole
        # packets that belong in the outputs, not with the pictures it still held
        self.packets: list[av.Packet] = []


@dataclass(slots=True)
class Child:
    """A started child and the memory its pictures come in (a memfd it inherited: only messages go down the pipe;
    a 1080p picture down a 64 KB pipe was 48 hand-overs between the processes and 48 GIL turns for the window)."""

    process: subprocess.Popen[bytes]
    pictures: int  # -1 once closed
    _closing: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def close_pictures(self) -> None:
        """The memfd closed once, however often the child is ended: a second ``os.close`` of its number shut
        whatever file or socket another thread had opened under that number meanwhile (R9: every recording's
        encoder ended its child twice)."""
        with self._closing:
            fd, self.pictures = self.pictures, -1
        if fd >= 0:
            os.close(fd)


class RemoteX264:
    """What the encoder thread uses of a libx264 context (``encode``, ``extradata``), with x264 in the child.

    One child for the recording: a preset step ``open``s the next x264 in it (a new process is ~1 s of imports,
    a second of skipped frames at each step). Pictures go in ``SLOTS`` places of shared memory, and ``encode``
    waits for the child only when every place is taken: the child has the next picture while it answers for the
    last, rather than both processes waiting for each other's turn on a busy PC every picture."""

    def __init__(self, size: tuple[int, int], fps: int, nice: int | None, child: Child | None = None,
                 answer_within_s: float = ANSWER_WITHIN_S) -> None:
        """``child``: one ``spawn`` started before (x264_spare.py), else one is started now. ``answer_within_s``:
        how long it may stay silent before it is killed (tests give a short one rather than wait 30 s)."""
        self.size, self.fps, self.nice = size, fps, nice
        self.time_base = Fraction(1, fps)
        self.extradata = b""
        self._child = child if child is not None else spawn()
        process = self._child.process
        assert process.stdin is not None and process.stdout is not None
        self._to, self._from = process.stdin, process.stdout
        self._greeted = False
        # Each plane at the line size of a PyAV frame of this size (the child's ``preadv`` fills one whole): the
        # same as the picture's width where that is a multiple of PyAV's alignment (1920, 1280), wider elsewhere.
        planes = av.VideoFrame(size[0], size[1], "yuv420p").planes
        self._layout = tuple(plane.line_size * plane.height for plane in planes)
        slot_bytes = sum(self._layout)
        os.ftruncate(self._child.pictures, SLOTS * slot_bytes)
        self._map = mmap.mmap(self._child.pictures, SLOTS * slot_bytes)
        flat = np.frombuffer(self._map, np.uint8)
        self._slots: list[tuple[Image, ...]] = []  # each slot's planes, as the picture's (wide) views of the rows
        for slot in range(SLOTS):
            offset, views = slot * slot_bytes, []
            for plane in planes:
                rows = flat[offset:offset + plane.line_size * plane.height].reshape(plane.height, plane.line_size)
                views.append(rows[:, :plane.width])
                offset += plane.line_size * plane.height
            self._slots.append(tuple(views))
        self._sent = 0
        self._waiting = 0  # pictures sent whose packets have not come back
        self.answer_within_s = answer_within_s
        self._asked_at: float | None = None  # when the encoder thread began waiting for the child's answer
        self.answered_at = time.monotonic()  # its last answer: a lost child's silence, up to its replacement
        self._hung = False
        self._closed = threading.Event()
        self._watch = threading.Thread(target=self._watch_answers, name="x264-watch", daemon=True)
        self._watch.start()

    def open(self, options: dict[str, str]) -> None:
        """An x264 with ``options`` in the child; the one it had is freed first (flushed before: ``encode(None)``)."""
        try:
            self._tell(("open", self.size, self.fps, options, self.nice, self._layout))
            if not self._greeted:  # the child's word that its imports are done, said once before anything else
                self._answer()
                self._greeted = True
            self.extradata = self._answer()
        except BaseException:
            self.close()
            raise

    def encode(self, picture: Image | None, pts: int = 0, key: bool = False) -> list[av.Packet]:
        """``picture``: I420; None flushes what x264 holds. The packets that came back meanwhile."""
        packets: list[av.Packet] = []
        try:
            if picture is None:
                while self._waiting:
                    self._packets(packets)
                self._tell(("flush",))
                self._waiting += 1
                self._packets(packets)
                return packets
            if self._waiting == SLOTS:  # the oldest picture's packets: its place is free again
                self._packets(packets)
            slot = self._sent % SLOTS
            for place, plane in zip(self._slots[slot], i420_planes(picture), strict=True):
                np.copyto(place, plane)
            self._tell(("frame", slot, pts, key))
        except X264Lost as lost:  # ``picture`` not taken; what came back before is the caller's to send
            lost.packets = packets
            raise
        self._sent += 1
        self._waiting += 1
        return packets

    def _packets(self, packets: list[av.Packet]) -> None:
        """One answer's packets onto ``packets``: a flush's come a few at a time (``part``), each a sign of life,
        and those in hand stay there if the child is lost before its last."""
        self._waiting -= 1
        while True:
            kind, value = self._answer(parts=True)
            for data, p_pts, p_dts, duration, keyframe in value:
                packet = av.Packet(data)
                packet.pts, packet.dts, packet.duration = p_pts, p_dts, duration
                packet.time_base, packet.is_keyframe = self.time_base, keyframe
                packets.append(packet)
            if kind != "part":
                return

    def _tell(self, message: Any) -> None:
        try:
            _write(self._to, message)
        except (BrokenPipeError, ValueError) as exc:  # ValueError: its pipe already closed (the child ended)
            raise self._lost() from exc

    @overload
    def _answer(self) -> Any: ...

    @overload
    def _answer(self, parts: Literal[True]) -> tuple[str, Any]: ...

    def _answer(self, parts: bool = False) -> Any:
        """The child's next message; with ``parts``, its kind too (``part``: more of the same answer follows). The
        watch thread's clock for a silent child starts again at each one."""
        self._asked_at = time.monotonic()
        try:
            kind, value = _read(self._from)
        except pickle.UnpicklingError as exc:  # its pipe out of step: nothing more of it can be read
            self._child.process.kill()
            raise self._lost() from exc
        except (EOFError, OSError, ValueError) as exc:
            raise self._lost() from exc
        finally:
            self._asked_at = None
        self.answered_at = time.monotonic()
        if kind == "error":
            raise RuntimeError(value)
        return (kind, value) if parts else value

    def _lost(self) -> X264Lost:
        """Worded once the child is reaped: its pipe ends as the kernel kills it, a moment before ``wait`` has its
        status ('exit status None', R11). Bounded: one whose pipe ended while it lives on a while is worded without."""
        if self._hung:
            return X264Lost(f"x264's process did not answer for {self.answer_within_s:g} s and was ended",
                            X264Lost.NOT_ANSWERING)
        try:
            status: int | None = self._child.process.wait(LOST_STATUS_WITHIN_S)  # the encoder thread: nothing waits
        except subprocess.TimeoutExpired:
            status = None
        said = "" if status is None else f" (exit status {status})"
        return X264Lost(f"x264's process ended{said}", X264Lost.ENDED)

    def draining(self, silent_s: float = DRAIN_SILENT_S) -> None:
        """Stop was asked: from now on the child may be silent ``silent_s`` at most (its clock starts again at each
        answer, so a slow drain that moves is waited for whole)."""
        self.answer_within_s = min(self.answer_within_s, silent_s)

    def _watch_answers(self) -> None:
        """A child that stops answering but does not die is killed, so the encoder thread's wait ends (EOF)."""
        while not self._closed.wait(min(0.25, self.answer_within_s / 4)):  # its bound may shorten (``draining``)
            asked = self._asked_at
            if asked is not None and time.monotonic() - asked > self.answer_within_s:
                self._hung = True
                self._child.process.kill()
                return

    def close(self) -> None:
        """Ends the child (what it held unflushed is dropped) and waits for it, bounded."""
        self._closed.set()
        if self._watch is not threading.current_thread():
            self._watch.join()
        end(self._child)
        self._slots = []  # the views of the shared memory go before it is unmapped
        try:
            self._map.close()
        except BufferError:  # a view still held (an exception's traceback from ``encode``): unmapped when it goes
            pass


def spawn() -> Child:
    """A child ready for ``RemoteX264``: it imports PyAV and numpy (0.4-1 s), then says ``ready`` and waits.
    Blocking (a process's start): not on an event loop."""
    pictures = os.memfd_create("x264-pictures")
    try:
        # -P: "-c" would put the working folder first on the child's path, and a fractions.py there would run
        process = subprocess.Popen([sys.executable, "-S", "-P", "-c", SERVE, str(pictures), *PACKAGES],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True,
                                   pass_fds=(pictures,),
                                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    except BaseException:
        os.close(pictures)
        raise
    return Child(process, pictures)


def end(child: Child) -> None:
    """Closes its pipes (it ends at its stdin's end) and waits for it, bounded; killed if it does not end."""
    process = child.process
    for pipe in (process.stdin, process.stdout):
        try:
            if pipe is not None:
                pipe.close()
        except OSError:
            pass
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    child.close_pictures()


# The child imports x264_child and adaptive's x264 open, not the packages' own imports (OpenCV, the recorder, the
# store: ~1 s more before its first picture, frames skipped at the start of every recording), nor numpy, nor the
# site module (-S: its paths come in PYTHONPATH; the editable install's finder imported pathlib and re, 2.4 MB).
_MEDIA = os.path.dirname(os.path.abspath(__file__))
PACKAGES = ("classroom_console", os.path.dirname(_MEDIA), "classroom_console.media", _MEDIA)
SERVE = """# x264_apart's child
import sys, types
for name, path in zip(sys.argv[2::2], sys.argv[3::2]):
    package = types.ModuleType(name)
    package.__path__ = [path]
    sys.modules[name] = package
import os
from classroom_console.media.x264_child import serve
try:
    serve(int(sys.argv[1]))
except BrokenPipeError:  # the window ended us (a spare closed while it started): nothing to say, nothing to keep
    pass
os._exit(0)  # not Python's exit: its flush of a closed stdout would print a traceback
"""
