"""Stop's drain of x264's own process (x264_apart, the window's Studio) is bounded by progress, not by a fixed time.

A child stopped (SIGSTOP, a frozen cgroup) as Stop drained it held Stop for ``ANSWER_WITHIN_S`` (30 s) before it was
killed, and a child stopped just before Stop was then even replaced to encode the end. Now, once Stop is asked, the
child is waited for only while it gives something back: silent for ``x264_drain_silent_s`` it is killed, the
recording keeps every packet it gave (the file decodes whole) and ends as a stop with ``lost_at_end`` saying what is
missing. A slow drain that moves (a packet at a time, x264_child.py) is waited for however long it takes in all.
Real x264 children stopped and continued by signals, real PyAV, FFmpeg's own decoder."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from classroom_console.media.adaptive import x264_options
from classroom_console.media.encoder import LostReason, StopReason, _VideoEncoder
from classroom_console.media.recorder import RecordingResult
from classroom_console.media.studio import Studio
from classroom_console.media.x264_apart import DRAIN_SILENT_S, RemoteX264, X264Lost
from tests.test_media_x264_apart import _helpers
from tests.test_media_x264_restart import FPS, _ffmpeg_errors, _in_a_session, _kind, _more_frames, _times


def _cpu_s(pid: int) -> float:
    """The CPU time a process has used, all its threads (the kernel's count, in ticks of 10 ms)."""
    with open(f"/proc/{pid}/stat") as stat:  # the fields after the name: user and system time are the 12th, 13th
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Stop's whole time past the drain's bound: the file's last packets, its hash and chapters, the next spare's start
# (generous: CI runs this on a slower machine beside other work)
STOP_MARGIN_S = 12.0


@pytest.mark.parametrize("when", ["before-stop", "as-it-flushes"])
async def test_a_child_that_stops_answering_in_stops_drain_is_ended_within_the_drains_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """``before-stop``: stopped mid-recording and Stop pressed at once, the encoder thread already waiting for it (its
    bound was 30 s, and the next child then encoded the end); ``as-it-flushes``: stopped where x264's last pictures
    are asked for. Either way Stop ends within the drain's bound, as a stop, the file whole to its last packet."""
    stopped: list[int] = []
    if when == "as-it-flushes":
        flush = _VideoEncoder.flush

        def stopped_then_flushed(video: _VideoEncoder) -> None:
            assert isinstance(video.ctx, RemoteX264)
            pid = video.ctx._child.process.pid
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
            flush(video)

        monkeypatch.setattr(_VideoEncoder, "flush", stopped_then_flushed)

    async def record(studio: Studio) -> tuple[RecordingResult, float]:
        await studio.start_recording()
        await _more_frames(studio, 2 * FPS)
        if when == "before-stop":
            (child,) = _helpers()
            os.kill(child, signal.SIGSTOP)
            stopped.append(child)
        asked = time.monotonic()
        result = await studio.stop_recording()
        return result, time.monotonic() - asked

    (result, took), events = await _in_a_session(tmp_path, record)
    assert stopped, "no child was stopped: nothing tested"
    assert took < DRAIN_SILENT_S + STOP_MARGIN_S, f"Stop took {took:.1f} s"
    assert result.stop_reason == StopReason.STOPPED and result.lost_reason == "", result
    lost = result.lost_at_end
    assert lost is not None and lost.reason == LostReason.NOT_ANSWERING and lost.pictures > 0, lost
    assert lost.seconds == pytest.approx(lost.pictures / FPS, abs=1e-3)
    assert _ffmpeg_errors(result.path) == ""
    assert len(_times(result.path)) == result.stats.frames > FPS, "frames count what the file has"
    assert result.stats.skipped_by_encoder >= lost.pictures
    (logged,) = _kind(events, "recording-stopped")
    assert logged["stop_reason"] == StopReason.STOPPED
    assert logged["lost_at_end"] == {"reason": LostReason.NOT_ANSWERING, "pictures": lost.pictures,
                                     "seconds": lost.seconds}
    assert _kind(events, "encoder-restarted") == [], "no other child is started for the end"


def test_a_slow_drain_that_moves_is_waited_for_past_the_bound() -> None:
    """Each of x264's last pictures comes back as it is encoded: a child stopped and continued by turns (a busy PC's
    scheduler, exaggerated) drains for longer than its silence bound in all, but never goes silent that long, so it
    is not killed and every picture is in its packets. With the flush one answer at its end, the whole flush was
    silence and a child slower than the bound in all was killed with its pictures.

    The child gives the flush back in parts (``answers``): with the flush one answer, this fails whatever the
    machine. The turns follow the child's answers and its own CPU time, not the clock: stopped ``pause_s`` before
    each answer, and again after each ``turn_cpu_s`` of CPU spent without one, so the drain's length is the answers'
    count times the pause and its longest silence a few turns, whatever the machine's speed or load (timed turns let
    CI's faster machine drain within the bound, nothing tested; at load 15 one answer took more turns than the
    bound allowed, killed for the test's own pauses). x264's frame threads give packets back in bursts: up to
    ~0.5 s of CPU here between two answers, two turns."""
    bound_s, pause_s, turn_cpu_s = 4.5, 0.9, 0.35
    size, pictures = (1920, 1080), 12
    x264 = RemoteX264(size, FPS, None, answer_within_s=bound_s)
    try:
        x264.open(x264_options("veryfast", 23, FPS, lookahead_thread=False, lookahead_cap=5))
        rng = np.random.default_rng(7)
        packets = []
        for pts in range(pictures):  # grain: x264 predicts none of it, so each picture costs it time
            picture = rng.integers(0, 256, (size[1] * 3 // 2, size[0]), np.uint8)
            packets += x264.encode(picture, pts, pts == 0)
        pid = x264._child.process.pid
        done = threading.Event()
        answers = 0
        answer = x264._answer

        def counted(*args: Any, **kwargs: Any) -> Any:  # the real answer, counted
            nonlocal answers
            answers += 1
            return answer(*args, **kwargs)

        x264._answer = counted  # type: ignore[method-assign]

        def by_turns() -> None:  # stopped pause_s, then run to its next answer (turn_cpu_s at most), until drained
            give_up = time.monotonic() + 60 * bound_s
            while not done.is_set() and time.monotonic() < give_up:
                os.kill(pid, signal.SIGSTOP)
                done.wait(pause_s)
                seen, ran_from = x264.answered_at, _cpu_s(pid)
                os.kill(pid, signal.SIGCONT)
                while (x264.answered_at == seen and _cpu_s(pid) - ran_from < turn_cpu_s
                       and time.monotonic() < give_up and not done.wait(0.002)):
                    pass

        turns = threading.Thread(target=by_turns, name="by-turns")
        started = time.monotonic()
        turns.start()
        try:
            packets += x264.encode(None)
        except X264Lost as lost:
            pytest.fail(f"a drain that moved was killed: {lost}")
        finally:
            took = time.monotonic() - started
            done.set()
            turns.join()
            os.kill(pid, signal.SIGCONT)
        assert answers >= 3, f"the flush came back in {answers} answer(s): its silence is the whole flush's"
        assert took > bound_s, f"the drain took {took:.1f} s, within the bound: nothing tested"
        assert len(packets) == pictures, f"{len(packets)} packets for {pictures} pictures"
        decoder = av.CodecContext.create("h264", "r")
        decoder.extradata = x264.extradata
        decoded = sum(len(decoder.decode(packet)) for packet in packets) + len(decoder.decode(None))
        assert decoded == pictures
    finally:
        x264.close()
