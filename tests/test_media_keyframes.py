"""Keyframes by media time: a busy encoder that skips pictures still puts one at each ``gop_s`` of the timeline.

x264 counts *encoded* pictures, so an encoder that kept every other picture made GOPs of twice the asked second:
LAN HLS segments ran past their target (which then changed mid-stream, against RFC 8216 4.3.3.1) and the file's
fragments and the live pushes' keyframes were no longer bounded in time. The encoder, the MP4 file and the HLS
segmenter are the real ones; the file is read back by Debian's ffprobe.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from classroom_console.media import EncoderSettings, TestPattern
from classroom_console.media.encoder import Encoder
from classroom_console.media.frames import AUDIO_RATE
from classroom_console.media.output_file import FileOutput
from classroom_console.media.output_hls import HlsOutput

FPS, SIZE, GOP_S = 30, (320, 180), 1.0
EVERY_OTHER_S = 4.0  # first the encoder keeps every other picture, then an irregular pattern with bursts
SECONDS = 8.0
T0 = 1000.0


class EveryPlaylist(HlsOutput):
    """Keeps every version of the playlist it publishes (a player may read any of them)."""

    def __init__(self) -> None:
        super().__init__(window=6, keep=100)
        self.versions: list[str] = []

    def _publish(self, segment: object, *, ended: bool = False) -> None:
        super()._publish(segment, ended=ended)  # type: ignore[arg-type]
        if self.snapshot.playlist is not None:
            self.versions.append(self.snapshot.playlist.decode())


@dataclass
class Run:
    path: Path
    hls: EveryPlaylist
    encoded: int
    skipped: int


def kept_pictures() -> list[int]:
    """Which instants reach the encoder: every other one, then about half at random with bursts of 4-9 lost."""
    rng = random.Random(17)
    kept = [i for i in range(round(EVERY_OTHER_S * FPS)) if i % 2 == 0]
    i = round(EVERY_OTHER_S * FPS)
    while i < SECONDS * FPS:
        if rng.random() < 0.1:
            i += rng.randint(4, 9)
        elif rng.random() < 0.6:
            kept.append(i)
        i += 1
    return kept


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    path = tmp_path_factory.mktemp("keyframes") / "busy.mp4"
    settings = EncoderSettings(gop_s=GOP_S, block_when_full=True)  # no skips but the test's: the same every run
    encoder = Encoder(SIZE, FPS, settings)
    encoder.add_output(FileOutput(path, settings), required=True)
    hls = EveryPlaylist()
    encoder.add_output(hls, required=True)
    encoder.start()
    pattern = TestPattern("camera", SIZE, FPS)
    kept = set(kept_pictures())
    block = AUDIO_RATE // FPS
    for i in range(round(SECONDS * FPS)):
        t = T0 + i / FPS
        encoder.push_video(t, pattern.render(t, i) if i in kept else None)  # None: a skip, counted as the encoder's
        tone = 0.2 * np.sin(2 * np.pi * 440 * (np.arange(block) + i * block) / AUDIO_RATE)
        encoder.push_audio(round(t * AUDIO_RATE), tone.astype(np.float32))
    encoder.abort()
    assert encoder.join(60) and hls.join(30)
    assert encoder.stop_reason != "error", encoder.message
    return Run(path, hls, encoder.counters.frames, encoder.counters.skipped)


def ffprobe(*args: str) -> dict[str, Any]:
    out = subprocess.run(["/usr/bin/ffprobe", "-v", "error", "-of", "json", *args], capture_output=True, text=True,
                         timeout=60, check=True)
    assert not out.stderr.strip(), out.stderr
    return json.loads(out.stdout)


def test_a_busy_encoders_keyframes_fall_on_each_second_of_media_time(run: Run) -> None:
    """Each second's first picture is a keyframe, and there is no other: every GOP lies within one second."""
    assert run.skipped > run.encoded / 2
    streams = ffprobe("-count_frames", "-show_entries", "stream=codec_type,nb_read_frames", str(run.path))["streams"]
    assert sorted(s["codec_type"] for s in streams) == ["audio", "video"]
    video = next(s for s in streams if s["codec_type"] == "video")
    assert int(video["nb_read_frames"]) == run.encoded, "every picture decodes, end to end"
    packets = ffprobe("-select_streams", "v", "-show_entries", "packet=pts_time,dts_time,flags",
                      str(run.path))["packets"]
    dts = [float(p["dts_time"]) for p in packets]
    assert all(b > a for a, b in itertools.pairwise(dts)), "decode times rise"
    times = sorted(float(p["pts_time"]) for p in packets)
    keys = sorted(float(p["pts_time"]) for p in packets if "K" in p["flags"])
    start = times[0]
    second = [math.floor((t - start) / GOP_S + 1e-6) for t in times]
    firsts = [t for i, t in enumerate(times) if i == 0 or second[i] != second[i - 1]]
    assert keys == firsts, "a keyframe on each second's first picture, and none between"
    spacing = [b - a for a, b in itertools.pairwise(keys)]
    steady = [s for k, s in zip(keys, spacing, strict=False) if k - start < EVERY_OTHER_S - GOP_S]
    assert steady and max(steady) <= GOP_S + 1 / FPS + 1e-3, f"every other picture kept: {steady}"


def test_the_hls_target_duration_never_changes_and_no_segment_passes_it(run: Run) -> None:
    versions = run.hls.versions
    targets = {int(re.search(r"#EXT-X-TARGETDURATION:(\d+)", v).group(1)) for v in versions}  # type: ignore[union-attr]
    assert targets == {1}, f"the target changed mid-stream: {targets}"
    assert len(versions) >= SECONDS / GOP_S - 1, "a segment each second"
    durations = [float(d) for v in versions for d in re.findall(r"#EXTINF:([\d.]+),", v)]
    assert durations and all(round(d) <= 1 for d in durations), max(durations)
    assert max(durations) <= GOP_S + 1e-3
