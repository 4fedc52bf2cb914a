"""A live destination's network side, in a process of its own (``push_process.PushProcess`` starts it).

FFmpeg's RTMP and SRT connects (TCP, handshake, publish) and a stream's end (trailer, unpublish) run inside PyAV
calls that hold Python's GIL. A server that accepted the connection and then answered slowly, or never, froze
every thread of the console for as long as it took, with no time limit: the window, the compositor, the encoder,
so the recording lost seconds. Here those calls can only freeze this process, which the parent times and kills.

Protocol, on the pipes: the parent writes one JSON line (destination, format, muxer options, each stream's
codec parameters), then framed packets (``FRAME`` header, then the bytes) until it closes stdin. This process
answers JSON lines: ``{"event": "started"}`` once it has its configuration, ``{"event": "live"}`` once
connected, ``{"event": "error", ...}`` when it cannot go on (with the stage, errno and exception type, from which
the parent takes a reason code), ``{"event": "ended"}`` once the end of the stream was delivered.

Run as a script by path (``python -P push_child.py``), so it imports nothing of the console: av and the
standard library only (and ``parent_death.py``, loaded by its path).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import struct
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av

# kind ("v"/"a"), keyframe, pts, dts, duration, time base numerator and denominator, payload size
FRAME = struct.Struct("<cBqqqIII")


def tell(event: str, **fields: Any) -> None:
    """One event for the parent, with this process's CPU so far (the destination's cost, in its stats)."""
    sys.stdout.write(json.dumps({"event": event, "cpu_s": round(time.process_time(), 4), **fields}) + "\n")
    sys.stdout.flush()


def failed(stage: str, exc: BaseException) -> None:
    tell("error", stage=stage, errno=getattr(exc, "errno", None) or 0, type=type(exc).__name__,
         message=str(exc)[:300])


def read_exactly(pipe: BinaryIO, size: int) -> bytes | None:
    """``size`` bytes, or None at the end of the input (a frame cut short counts as the end)."""
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = pipe.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def templates(streams: list[dict[str, Any]]) -> list[Any]:
    """Unopened streams of the parent encoder's codecs, for ``add_stream_from_template`` (no encoder opens)."""
    holder = av.open("templates", "w", format="null")
    return [holder.add_stream(spec["encoder"]) for spec in streams]


def describe(stream: Any, spec: dict[str, Any]) -> None:
    """The parent encoder's parameters on a muxer's stream: ``start_encoding`` copies them into the container."""
    ctx = stream.codec_context
    if spec["kind"] == "video":
        ctx.width, ctx.height, ctx.pix_fmt = spec["width"], spec["height"], spec["pix_fmt"]
        ctx.framerate = Fraction(spec["rate"])
    else:
        ctx.sample_rate, ctx.layout = spec["sample_rate"], spec["layout"]
    ctx.time_base = Fraction(spec["time_base"])
    ctx.bit_rate = spec["bit_rate"]
    ctx.extradata = base64.b64decode(spec["extradata"])


def has_srt() -> bool:
    """A caller to a closed port: it fails with a connection error when SRT is there, "Protocol not found" when not."""
    try:
        container = av.open("srt://127.0.0.1:9?mode=caller&connect_timeout=1", "w", format="mpegts", timeout=0.5)
        try:
            stream = container.add_stream("mpeg2video", rate=25)
            stream.width = stream.height = 16
            container.start_encoding()
        finally:
            container.close()
    except av.error.ProtocolNotFoundError:
        return False
    except Exception:
        return True
    return True


def die_with_parent(parent: int) -> None:
    """Ended by the kernel when the console goes, even killed -9 mid-connect: FFmpeg's connect holds this process's
    GIL and never reads the pipe that would tell it (Linux; elsewhere the pipe's end still ends a sending child).
    The console's ``parent_death``, loaded by its path: this process imports nothing of the console's package."""
    path = Path(__file__).resolve().parent.parent / "parent_death.py"
    spec = importlib.util.spec_from_file_location("parent_death", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.die_with(parent)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--parent":
        die_with_parent(int(sys.argv[2]))
        del sys.argv[1:3]
    if sys.argv[1:] == ["--has-srt"]:
        print("yes" if has_srt() else "no")
        return 0
    stdin = sys.stdin.buffer
    try:
        config = json.loads(stdin.readline())
        sources = templates(config["streams"])
    except Exception as exc:  # the parent's bug, not the network's
        failed("setup", exc)
        return 2
    tell("started")  # the parent times the connect from here, not from a busy PC's slow process start
    try:
        container = av.open(config["url"], "w", format=config["format"], options=config.get("options", {}))
        outputs = [container.add_stream_from_template(source) for source in sources]
        for output, spec in zip(outputs, config["streams"], strict=True):
            describe(output, spec)
        container.start_encoding()  # connect, handshake, publish
    except Exception as exc:
        failed("connect", exc)
        return 1
    tell("live")
    by_kind = {b"v": outputs[0], b"a": outputs[1]}
    try:
        while (head := read_exactly(stdin, FRAME.size)) is not None:
            kind, keyframe, pts, dts, duration, num, den, size = FRAME.unpack(head)
            data = read_exactly(stdin, size)
            if data is None:
                break
            packet = av.Packet(data)
            packet.pts, packet.dts, packet.duration = pts, dts, duration
            packet.time_base = Fraction(num, den)
            packet.is_keyframe = bool(keyframe)
            packet.stream = by_kind[kind]
            container.mux(packet)
    except Exception as exc:
        failed("send", exc)
        return 1
    try:
        container.close()  # the end of the stream, told to the server
    except Exception as exc:
        failed("close", exc)
        return 1
    tell("ended")
    return 0


if __name__ == "__main__":
    sys.exit(main())
