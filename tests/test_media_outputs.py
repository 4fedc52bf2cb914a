"""Encode once, send many: each output behind its own queue, none able to stall the encoder or another.

The encoder and the file are the real ones; the other destinations are small real outputs of the test's own (a
slow one, one that breaks), since what is under test is what the encoder and the queues do about them.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from classroom_console.media import EncoderSettings, Program, Recorder, RecordingResult, TestPattern, Tone, offload
from classroom_console.media.encoder import LIVE_MAX_GOP_S, Encoder
from classroom_console.media.frames import i420_buffer
from classroom_console.media.output import EncodedStreams, Output, OutputState
from classroom_console.media.output_file import FileOutput
from classroom_console.media.packets import EncodedPacket, PacketQueue
from classroom_console.media.probe import inspect
from tests.media_helpers import output_test_settings

FPS = 30


class Destination(Output):
    """Takes every packet it is given, stalls at packet ``stall_at`` (a network that hiccups) until its queue
    has dropped a GOP (at most ``stall_s``), and breaks after ``fail_after``."""

    kind = "test"

    def __init__(self, name: str, *, live: bool = False, stall_at: int = -1, stall_s: float = 0.0,
                 fail_after: int | None = None, queue_s: float = 1.5) -> None:
        super().__init__(name, queue_s=queue_s)
        self.live = live
        self.stall_at, self.stall_s = stall_at, stall_s
        self.fail_after = fail_after
        self.got: list[EncodedPacket] = []

    def _serve(self, stop: threading.Event, streams: EncodedStreams) -> None:
        self.state = OutputState.LIVE
        while (packet := self._next_packet(stop)) is not None:
            if self.fail_after is not None and len(self.got) >= self.fail_after:
                raise ConnectionResetError("the destination went away")
            if len(self.got) == self.stall_at:  # the destination's own hiccup, not a wait of the test's
                deadline = time.monotonic() + self.stall_s
                while self.queue.counters().dropped_gops == 0 and time.monotonic() < deadline:
                    stop.wait(0.05)
            self.got.append(packet)
            self._wrote(packet)


def video(pts: int, keyframe: bool, size: int = 1000) -> EncodedPacket:
    return EncodedPacket("video", bytes(size), pts, pts, 1, Fraction(1, FPS), keyframe)


def gops(packets: list[EncodedPacket]) -> list[list[int]]:
    """The video pts, split at each keyframe."""
    out: list[list[int]] = []
    for packet in packets:
        if packet.kind != "video":
            continue
        if packet.keyframe or not out:
            out.append([])
        out[-1].append(packet.pts)
    return out


def test_a_queue_that_falls_behind_drops_whole_gops_from_the_next_keyframe_on() -> None:
    queue = PacketQueue(1.0)
    taken: list[EncodedPacket] = []
    for pts in range(10 * FPS):  # 10 s of video, a keyframe each second; the consumer reads one in three
        queue.put(video(pts, pts % FPS == 0))
        if pts % 3 == 0 and (packet := queue.get(0)) is not None:
            taken.append(packet)
    while (packet := queue.get(0)) is not None:
        taken.append(packet)
    counters = queue.counters()
    assert counters.dropped_gops >= 3 and counters.dropped_packets == 10 * FPS - len(taken)
    assert counters.dropped_packets % FPS == 0, "only whole GOPs are dropped"
    for gop in gops(taken):
        assert gop[0] % FPS == 0 and gop == list(range(gop[0], gop[0] + FPS)), "every GOP kept is whole"


def test_a_stalled_consumer_never_makes_the_producer_wait_and_memory_stays_bounded() -> None:
    queue = PacketQueue(1.0)
    started = time.monotonic()
    for pts in range(60 * FPS):  # a minute of 4-second GOPs into a queue nobody reads
        queue.put(video(pts, pts % (4 * FPS) == 0, size=10_000))
    assert time.monotonic() - started < 2.0
    counters = queue.counters()
    assert counters.queued_s <= 2.0 and counters.queued_packets <= 2 * FPS + 1
    assert counters.dropped_packets == 60 * FPS - counters.queued_packets
    kept = []
    while (packet := queue.get(0)) is not None:
        kept.append(packet)
    assert kept[0].keyframe and kept[0].pts == 0, "the head of the GOP that was in when it stalled"


def test_an_abandoned_queue_drops_everything_at_once() -> None:
    queue = PacketQueue(1.0, block=True)
    queue.put(video(0, True))
    queue.abandon()
    assert queue.put(video(1, False)) is False and queue.drained
    assert queue.counters().dropped_packets == 2


def record_to(path: Path, outputs: list[Output], duration: float) -> RecordingResult:
    async def scenario() -> RecordingResult:
        program = Program((320, 180), FPS)
        for source in (TestPattern(size=(320, 180), fps=FPS), Tone()):
            program.add_source(source)
        program.start()
        recorder = Recorder(program, path, duration_s=duration, start_floor_bytes=0, outputs=outputs,
                            settings=output_test_settings())
        try:
            await recorder.start()
            return await recorder.wait()
        finally:
            program.stop()
            await offload(program.join)

    return asyncio.run(scenario())


def test_a_slow_destination_loses_whole_gops_and_the_file_loses_nothing(tmp_path: Path) -> None:
    slow = Destination("slow", stall_at=50, stall_s=5.0)  # longer than its queue holds
    quick = Destination("quick")
    result = record_to(tmp_path / "out.mp4", [slow, quick], 6.0)
    info = inspect(result.path)
    assert result.stop_reason == "duration" and info.frames == 180
    assert result.stats.skipped_by_encoder == 0 and result.stats.dropped_at_file == 0, "nobody waited for it"
    assert quick.stats().dropped_packets == 0 and len(gops(quick.got)) == 6
    stats = slow.stats()
    assert stats.state == OutputState.ENDED and stats.dropped_gops >= 1 and stats.dropped_packets > 0, stats
    received = gops(slow.got)
    assert all(len(gop) == FPS for gop in received), "what it got, it got in whole GOPs"
    assert 3 <= len(received) < 6, "it caught up and got the later GOPs again"


def test_a_destination_that_breaks_is_reported_and_the_recording_goes_on(tmp_path: Path) -> None:
    broken = Destination("broken", fail_after=40)
    result = record_to(tmp_path / "out.mp4", [broken], 2.0)
    assert result.stop_reason == "duration" and inspect(result.path).frames == 60
    stats = broken.stats()
    assert (stats.state, stats.reason, stats.packets) == (OutputState.FAILED, "error", 40)
    assert stats.dropped_packets > 0


def encode(path: Path, settings: EncoderSettings, outputs: list[Output], seconds: float) -> Encoder:
    """Pictures pushed as fast as the encoder takes them (no clock), then the end."""
    size = (64, 48)
    encoder = Encoder(size, FPS, settings, duration_s=seconds)
    encoder.add_output(FileOutput(path, settings), required=True)
    for output in outputs:
        encoder.add_output(output)
    encoder.start()
    picture = i420_buffer(*size)
    for i in range(round(seconds * FPS) + 1):
        encoder.push_video(i / FPS, picture)
    encoder.push_audio(0, np.zeros(round(seconds * 48_000) + 1600, np.float32))
    assert encoder.join(30)
    return encoder


def keyframe_gaps(packets: list[EncodedPacket]) -> set[float]:
    times = [float(p.pts * p.time_base) for p in packets if p.starts_gop]
    return {round(b - a, 3) for a, b in itertools.pairwise(times)}


def test_a_live_output_gets_a_keyframe_at_least_every_two_seconds(tmp_path: Path) -> None:
    settings = EncoderSettings(gop_s=5.0, block_when_full=True)
    archive = Destination("archive")
    encode(tmp_path / "long-gop.mp4", settings, [archive], 12.0)
    assert keyframe_gaps(archive.got) == {5.0}, "without a live output, the settings' GOP"
    live = Destination("live", live=True)
    encoder = encode(tmp_path / "live.mp4", settings, [live], 12.0)
    assert encoder.gop_s == LIVE_MAX_GOP_S and keyframe_gaps(live.got) == {2.0}


def test_a_live_output_cannot_join_an_encoder_whose_keyframes_are_too_far_apart(tmp_path: Path) -> None:
    settings = EncoderSettings(gop_s=5.0, block_when_full=True)
    encoder = Encoder((64, 48), FPS, settings, duration_s=1.0)
    encoder.add_output(FileOutput(tmp_path / "x.mp4", settings), required=True)
    encoder.start()
    try:
        with pytest.raises(ValueError, match="keyframe at least every 2 s"):
            encoder.add_output(Destination("late", live=True))
    finally:
        encoder.abort()
        assert encoder.join(30)
