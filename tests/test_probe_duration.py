"""`probe.media_seconds` agrees with ffprobe, the reference users check a file with, on files whose skipped frames
leave B-frames far apart (it read up to 0.4 s long: a reordered picture's decode-order gap added to its presentation
time). Real x264 with B-frames, muxed as the recorder muxes (fragmented MP4), and Debian's ffprobe."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from classroom_console.media.output_file import MOVFLAGS
from classroom_console.media.probe import media_seconds

FPS = 30


def skipping_file(path: Path, seed: int, frames: int = 45) -> None:
    """A picture every frame, some instants skipped as a busy encoder skips them; x264 'slower' with 3 B-frames."""
    chance = random.Random(seed)
    out = av.open(str(path), "w", options={"movflags": MOVFLAGS})
    stream = out.add_stream("libx264", rate=FPS, options={"preset": "slower", "bframes": "3", "g": "30"})
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    stream.codec_context.time_base = Fraction(1, FPS)
    pts = 0
    for n in range(frames):
        if n and chance.random() < 0.3:
            pts += chance.randint(1, 6)
        frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), n * 37 % 255, np.uint8), format="rgb24")
        frame.pts, frame.time_base = pts, Fraction(1, FPS)
        for packet in stream.encode(frame):
            out.mux(packet)
        pts += 1
    for packet in stream.encode():
        out.mux(packet)
    out.close()


def ffprobe_seconds(path: Path) -> float:
    done = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                          capture_output=True, text=True, timeout=60, check=True)
    return float(json.loads(done.stdout)["format"]["duration"])


def test_a_file_with_skips_and_b_frames_reads_as_ffprobe_reads_it(tmp_path: Path) -> None:
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe (Debian's ffmpeg package) is the reference here and is not installed")
    apart = 0
    for seed in (1, 3, 4, 6, 7, 9):  # seeds whose skips leave B-frames apart (the old reading was off on each)
        path = tmp_path / f"skips-{seed}.mp4"
        skipping_file(path, seed)
        ours, theirs = media_seconds(path), ffprobe_seconds(path)
        assert ours == pytest.approx(theirs, abs=0.5e-3), (seed, ours, theirs)
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            ends = [p.pts + (p.duration or 0) for p in container.demux(stream) if p.pts is not None]
            by_presentation = max(ends) * float(stream.time_base or 0)
        apart += abs(by_presentation - theirs) > 1.5 / FPS
    assert apart >= 3, "these files no longer make the case: pick seeds whose B-frames skips leave apart"
