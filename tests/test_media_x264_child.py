"""The x264_apart child holds x264 and little else (bench/memory.py counts it beside the window): no numpy (12 MB of a
waiting child's 45), no transparent huge pages (x264 rounds its buffers to them: 9 MB at 1080p), the memfd read,
not mapped (mapped, its pages were counted in both processes). Pictures of any width arrive whole, each plane at
the line size of the child's own frame; the window queues pictures to its bound by time counting those the
child's shared memory holds."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from classroom_console.media import EncoderSettings, TestPattern
from classroom_console.media.adaptive import x264_options
from classroom_console.media.encoder import Encoder
from classroom_console.media.x264_apart import SLOTS, RemoteX264, spawn


def _maps(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def _status(pid: int, field: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith(field + ":"))


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255**2 / mse)


def test_pictures_of_an_odd_width_arrive_whole_and_the_child_holds_no_numpy() -> None:
    size = (426, 240)  # PyAV pads its rows here (432 and 216 bytes): the memfd is laid out as the child's frame
    h = size[1]
    pattern = TestPattern("camera", size, 30)
    pictures = [np.array(pattern.render(i / 30, i)) for i in range(12)]
    remote = RemoteX264(size, 30, None, spawn())
    pid = remote._child.process.pid
    try:
        remote.open(x264_options("veryfast", 18, 30))
        packets = []
        for i, picture in enumerate(pictures):
            packets += remote.encode(picture, i, i == 0)
        packets += remote.encode(None)
        maps = _maps(pid)
        assert "numpy" not in maps, "the child imported numpy"
        assert "x264-pictures" not in maps, "the child mapped the pictures' memory (counted in both processes)"
        assert _status(pid, "THP_enabled") == "0", "x264's huge pages are on in the child"
    finally:
        remote.close()
    decoder = av.CodecContext.create("h264", "r")
    decoder.extradata = remote.extradata
    decoded = [f.to_ndarray(format="yuv420p") for p in [*packets, None] for f in decoder.decode(p)]
    assert len(decoded) == len(pictures)
    for got, sent in zip(decoded, pictures, strict=True):
        assert _psnr(got[:h], sent[:h]) > 35, "the luma is not the picture sent"
        assert _psnr(got[h:], sent[h:]) > 35, "the chroma is not the picture sent (a plane misplaced)"


def test_the_queue_bound_counts_the_pictures_in_the_childs_shared_memory() -> None:
    """Not started: nothing takes the queued pictures, so the bound is what stays queued."""
    size, fps = (320, 180), 30
    pattern = TestPattern("camera", size, fps)
    picture = pattern.render(0.0, 0)
    apart = Encoder(size, fps, EncoderSettings(queue_s=0.2, adaptive=True, x264_apart=True))
    within = Encoder(size, fps, EncoderSettings(queue_s=0.2, adaptive=True))
    for encoder in (apart, within):
        for i in range(10):
            encoder.push_video(1000 + i / fps, picture)
    assert within._video_waiting == 6
    assert apart._video_waiting == 6 - SLOTS, "0.2 s of pictures waiting, those in the child's memory counted"
    assert not apart.wants_video()
