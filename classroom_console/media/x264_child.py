"""The x264_apart child's side: one x264, fed pictures from the memfd it inherited, its packets back up the pipe.

Kept apart from x264_apart.py, which the window imports, so that the child imports PyAV and nothing else of size:
numpy alone was 12 MB of a waiting child's 45 (bench/memory.py counts the child beside the window). The child reads
each picture from the memfd into one PyAV frame of its own with ``preadv`` (a copy the kernel makes, ~1 ms for 1080p
on this 2-core PC, beside x264's ~40 ms of CPU a picture) rather than mapping the memfd: mapped, its pages were
counted in both processes' memory. x264's transparent huge pages are off (``heap.no_huge_pages``: 9 MB at 1080p).
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import IO, Any

from .pipe_writes import write_whole

_LENGTH = 8


def write(stream: IO[bytes], message: Any) -> None:
    """One message, whole, straight to the pipe's descriptor. Not through ``stream.write``: a buffered writer whose
    process is stopped and continued mid-write (SIGSTOP from a busy PC's tools, a debugger) returns the part the
    kernel took, and the rest was never sent: the other side read the next message's bytes as this one's (an
    'invalid load key' at the first packet of a flush)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()  # nothing of the stream's own buffer after our bytes
    write_whole(stream.fileno(), len(data).to_bytes(_LENGTH, "little") + data)


def read(stream: IO[bytes]) -> Any:
    return pickle.loads(_exactly(stream, int.from_bytes(_exactly(stream, _LENGTH), "little")))


def _exactly(stream: IO[bytes], size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = stream.readinto(view[got:size])  # type: ignore[attr-defined]
        if not n:
            raise EOFError("the other side closed the pipe")
        got += n
    return buffer


def serve(pictures: int) -> None:
    """One x264 at a time, fed down stdin (each picture in ``pictures``' memory), its packets up stdout, until stdin
    closes. ``open`` carries the planes' layout in the memfd: the window writes each plane at the line size of a
    PyAV frame of the picture's size, so that one ``preadv`` fills this process's frame."""
    from .heap import no_huge_pages

    no_huge_pages()  # before x264's first buffer
    import av

    from .adaptive import open_video

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    write(sink, ("ready", None))
    ctx: Any = None
    frame: Any = None
    views: list[memoryview] = []
    slot_bytes = 0
    none, intra = av.video.frame.PictureType.NONE, av.video.frame.PictureType.I
    while True:
        try:
            message = read(source)
        except EOFError:
            return
        try:
            if message[0] == "open":
                _kind, size, fps, options, nice, layout = message
                ctx = None  # the old x264 gone before the new one opens (two at once: ~130 MB more at 1080p)
                frame = av.VideoFrame(size[0], size[1], "yuv420p")
                views = [memoryview(plane).cast("B") for plane in frame.planes]
                if [view.nbytes for view in views] != list(layout):
                    raise ValueError(f"the planes' layout differs: {[v.nbytes for v in views]} here, {layout} sent")
                slot_bytes = sum(layout)
                ctx = open_video(size, fps, options, nice)
                write(sink, ("ok", bytes(ctx.extradata or b"")))
                continue
            if message[0] == "frame":
                _kind, slot, pts, key = message
                if os.preadv(pictures, views, slot * slot_bytes) != slot_bytes:
                    raise OSError("a picture read short from the shared memory")
                frame.pts = pts
                frame.pict_type = intra if key else none
                packets = ctx.encode(frame)  # x264 copies the picture in: the frame takes the next one
            else:  # the end's flush: each packet up the pipe as x264 gives it, so the window sees the drain move
                for packet in ctx.encode_lazy(None):  # (one answer at its end told nothing for seconds on a busy PC)
                    write(sink, ("part", [_packet(packet)]))
                packets = []
            write(sink, ("ok", [_packet(p) for p in packets]))
        except Exception as exc:  # said to the encoder thread, which ends the recording with it
            write(sink, ("error", f"{type(exc).__name__}: {exc}"))


def _packet(packet: Any) -> tuple[bytes, int | None, int | None, int, bool]:
    return bytes(packet), packet.pts, packet.dts, packet.duration or 0, packet.is_keyframe
