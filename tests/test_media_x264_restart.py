"""x264's own process lost mid-recording (x264_apart, the window's Studio): killed (kill -9, the OOM killer) or
silent past its bound (SIGSTOP, a frozen cgroup) it ended the recording as ``encoder-lost``, so a 90-minute lecture
stopped for good because a helper process died. Now another child takes over from the next picture, an IDR, in the
same file: one MP4 that FFmpeg decodes without an error, covering the whole recording with the lost pictures as a
gap in its time, and an ``encoder-restarted`` session event. The third loss within five minutes still ends it as
``encoder-lost``. Real x264 children, real PyAV, FFmpeg's own decoder."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import av
import pytest

from classroom_console.media.encoder import LOSSES_TO_END, LostReason, StopReason, _VideoEncoder
from classroom_console.media.output import OutputState
from classroom_console.media.output_hls import HlsOutput
from classroom_console.media.output_rtmp import RtmpOutput
from classroom_console.media.recorder import RecordingResult
from classroom_console.media.studio import Studio
from classroom_console.media.x264_apart import RemoteX264
from classroom_console.room import Room
from classroom_console.store import AsyncStore
from tests.test_media_x264_apart import _helpers
from tests.test_stream_rtmp import Nginx, nginx

__all__ = ["nginx"]  # the fixture, shared with test_stream_rtmp

SIZE, FPS = (320, 180), 30
SILENT_S = 2.0  # the stopped child's bound here (the window's is 30 s)


async def _until(predicate: Callable[[], bool], within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _frames(studio: Studio) -> int:
    stats = studio.stats()
    return stats.frames if stats is not None else 0


def _restarts(studio: Studio) -> int:
    return len(studio.recorder.encoder_restarts) if studio.recorder is not None else 0


async def _more_frames(studio: Studio, count: int) -> None:
    """Until the recording has ``count`` more pictures than now (from the child encoding now)."""
    frames = _frames(studio)
    await _until(lambda: _frames(studio) >= frames + count)


async def _restarted(studio: Studio, times: int) -> None:
    sink = studio.recorder._sink if studio.recorder is not None else None
    assert sink is not None
    await _until(lambda: _restarts(studio) == times or sink.done.is_set())
    assert not sink.done.is_set(), f"loss {times} ended the recording: {sink.stop_reason}: {sink.message}"


def _times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        return sorted(float(frame.time) for frame in container.decode(video=0))


def _kind(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [event["payload"] for event in events if event["kind"] == kind]


def _last_time(path: Path) -> float:
    """The last picture's time in a file a server may still be writing (0: none yet)."""
    try:
        times = _times(path)
    except (av.error.FFmpegError, OSError):
        return 0.0
    return times[-1] if times else 0.0


def _ffmpeg_errors(path: Path) -> str:
    """What Debian's FFmpeg says decoding the whole file, stopping at the first error (empty: none)."""
    done = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"],
                          capture_output=True, text=True, timeout=120)
    return done.stderr.strip() or ("" if done.returncode == 0 else f"exit status {done.returncode}")


async def _in_a_session(tmp_path: Path, body: Callable[[Studio], Awaitable[Any]],
                        **settings: Any) -> tuple[Any, list[dict[str, Any]]]:
    """``body``'s answer with a Studio recording in a session, and that session's events."""
    store = await AsyncStore.open(tmp_path / "data")
    try:
        room = Room("Studio", log_store=store)
        session = await room.start_session("A. Lecturer", "Media 1", kind="recording")
        studio = Studio(room, None, tmp_path, size=SIZE, fps=FPS, start_floor_bytes=0)
        studio.settings = dataclasses.replace(studio.settings, x264_apart=True, **settings)
        try:
            await studio.add_source("test-pattern")
            await _until(studio._x264_spare.ready)
            answer = await body(studio)
        finally:
            await studio.close()
            await room.end_session()
            await room.flush()
        events = await store.events(session.id)
    finally:
        await store.close()
    assert not _helpers(), "no child left once the Studio is closed"
    return answer, events


async def _lose_the_child(studio: Studio, how: str) -> int:
    """Loses the recording's child now; its pid."""
    (child,) = _helpers()
    os.kill(child, signal.SIGKILL if how == "killed" else signal.SIGSTOP)
    return child


@pytest.mark.parametrize("how", ["killed", "stopped"])
async def test_a_lost_child_is_replaced_and_the_recording_goes_on_in_one_file(tmp_path: Path, how: str) -> None:
    """The file and a live output (the LAN's HLS) both go on."""
    hls = HlsOutput()

    async def record(studio: Studio) -> tuple[RecordingResult, float, float]:
        await studio.start_recording(outputs=[hls])
        await _more_frames(studio, 2 * FPS)
        lost = await _lose_the_child(studio, how)
        lost_at = studio.elapsed_s
        await _restarted(studio, 1)
        segments = hls.segments_made
        await _more_frames(studio, 2 * FPS)  # the new child's two seconds
        assert lost not in _helpers() and len(_helpers()) == 1, "one child at a time"
        assert hls.segments_made > segments and hls.stats().state == OutputState.LIVE, hls.stats()
        newest = hls.snapshot.segments[f"seg-{hls.segments_made - 1}.ts"]
        (tmp_path / "newest.ts").write_bytes(newest)
        assert _ffmpeg_errors(tmp_path / "newest.ts") == "" and _times(tmp_path / "newest.ts")
        elapsed = studio.elapsed_s
        return await studio.stop_recording(), lost_at, elapsed

    (result, lost_at, elapsed), events = await _in_a_session(tmp_path, record, x264_answer_within_s=SILENT_S)
    assert result.stop_reason == StopReason.STOPPED, result
    assert _ffmpeg_errors(result.path) == ""
    times = _times(result.path)
    assert len(times) == result.stats.frames
    assert times[-1] >= elapsed - 0.5, f"the file ends at {times[-1]:.2f} s of a {elapsed:.2f} s recording"
    gaps = [(a, b) for a, b in itertools.pairwise(times) if b - a > 1.5 / FPS]
    assert gaps and gaps[0][0] >= lost_at - 1.0, f"the lost pictures are a gap in time where it was lost: {gaps}"
    reason = LostReason.ENDED if how == "killed" else LostReason.NOT_ANSWERING
    (restart,) = _kind(events, "encoder-restarted")
    assert restart["reason"] == reason and restart["recording_id"] == result.recording_id
    assert restart["at_s"] >= lost_at - 1.0
    # about what is missing: the stopped one's silence (SILENT_S) and the next one's start (0.1-1 s)
    assert (SILENT_S if how == "stopped" else 0.1) < restart["gap_s"] < SILENT_S + 10, restart
    assert [e["stop_reason"] for e in _kind(events, "recording-stopped")] == [StopReason.STOPPED]


async def test_the_third_child_lost_within_minutes_ends_the_recording_as_encoder_lost(tmp_path: Path) -> None:
    """A child that cannot live is not started over and over: the third loss ends it as before, the file kept."""
    async def record(studio: Studio) -> RecordingResult | None:
        await studio.start_recording()
        for loss in range(1, LOSSES_TO_END):
            await _more_frames(studio, FPS)
            await _lose_the_child(studio, "killed")
            await _restarted(studio, loss)
        await _more_frames(studio, FPS)
        await _lose_the_child(studio, "killed")
        return await asyncio.wait_for(studio.wait_recording(), 60)

    result, events = await _in_a_session(tmp_path, record)
    assert result is not None
    assert result.stop_reason == StopReason.ENCODER_LOST, result
    assert "no other is started" in result.message and result.lost_reason == LostReason.AGAIN
    restarts = _kind(events, "encoder-restarted")
    assert [e["losses"] for e in restarts] == list(range(1, LOSSES_TO_END))
    assert [e["lost_reason"] for e in _kind(events, "recording-stopped")] == [LostReason.AGAIN]
    assert _ffmpeg_errors(result.path) == ""
    times = _times(result.path)
    assert times[0] == 0.0 and times[-1] > restarts[-1]["at_s"], "what each child encoded is in the file"


async def test_a_next_child_whose_stream_headers_differ_ends_the_recording_as_encoder_lost(tmp_path: Path) -> None:
    """The file's avcC and the live outputs' sequence headers are written once: a next x264 with other SPS/PPS (a
    PyAV upgraded under the running window would give one; here, another crf asked of it) cannot go on in the file."""
    async def record(studio: Studio) -> RecordingResult | None:
        await studio.start_recording()
        await _more_frames(studio, FPS)
        sink = studio.recorder._sink if studio.recorder is not None else None
        assert sink is not None
        sink.settings = dataclasses.replace(sink.settings, crf=sink.settings.crf + 7)  # PPS: another initial QP
        await _lose_the_child(studio, "killed")
        return await asyncio.wait_for(studio.wait_recording(), 60)

    result, events = await _in_a_session(tmp_path, record)
    assert result is not None and result.stop_reason == StopReason.ENCODER_LOST, result
    assert "stream headers (SPS/PPS) are not the file's" in result.message
    assert result.lost_reason == LostReason.HEADERS_DIFFER
    assert _kind(events, "encoder-restarted") == []
    assert [e["lost_reason"] for e in _kind(events, "recording-stopped")] == [LostReason.HEADERS_DIFFER]
    assert _ffmpeg_errors(result.path) == ""
    assert len(_times(result.path)) >= FPS // 2, "what was encoded before is in the file"


async def test_a_live_rtmp_push_goes_on_across_a_replaced_child_on_one_connection(nginx: Nginx, tmp_path: Path) -> None:
    """The server (a real nginx with the RTMP module, recording what it receives) gets one stream, no reconnection,
    that FFmpeg decodes without an error, with pictures from the new child up to the end."""
    live = RtmpOutput(nginx.url("lecture"))

    async def record(studio: Studio) -> tuple[RecordingResult, float]:
        await studio.start_recording(outputs=[live])
        await _more_frames(studio, 2 * FPS)
        await _lose_the_child(studio, "killed")
        await _restarted(studio, 1)
        await _more_frames(studio, 2 * FPS)
        elapsed = studio.elapsed_s
        return await studio.stop_recording(), elapsed

    (result, elapsed), events = await _in_a_session(tmp_path, record)
    assert result.stop_reason == StopReason.STOPPED, result
    stats = live.stats()
    assert (stats.state, stats.connects, stats.dropped_packets) == (OutputState.ENDED, 1, 0), stats
    (flv,) = nginx.recordings("lecture")
    (restart,) = _kind(events, "encoder-restarted")
    await _until(lambda: _last_time(flv) >= elapsed - 1.0, within=30)  # nginx may still be writing the last ones
    assert _last_time(flv) > restart["at_s"] + 1.0, "the new child's pictures reached the server"
    assert _ffmpeg_errors(flv) == ""


async def test_a_child_lost_as_stop_drains_it_is_a_stop_without_its_held_pictures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed as Stop's drain begins (R11 F1): the lecturer's Stop stays a stop (it was an ``encoder-lost`` failure,
    the Studio's recording error, for a file short of its last few pictures). The pictures the child held are
    counted as skipped, not as frames, and the recording-stopped event says how many."""
    flush = _VideoEncoder.flush
    killed: list[int] = []

    def killed_then_flushed(video: _VideoEncoder) -> None:  # the real child, killed where the drain begins
        assert isinstance(video.ctx, RemoteX264)
        process = video.ctx._child.process
        process.kill()
        process.wait(10)
        killed.append(video.encoder._held)
        flush(video)

    monkeypatch.setattr(_VideoEncoder, "flush", killed_then_flushed)

    async def record(studio: Studio) -> RecordingResult:
        await studio.start_recording()
        await _more_frames(studio, 2 * FPS)
        return await studio.stop_recording()

    result, events = await _in_a_session(tmp_path, record)
    assert killed and killed[0] > 0, "x264 held no picture at the end: nothing to test"
    assert result.stop_reason == StopReason.STOPPED, result
    assert result.lost_reason == "" and result.message == ""
    assert _ffmpeg_errors(result.path) == ""
    assert len(_times(result.path)) == result.stats.frames, "frames count what the file has"
    (stopped,) = _kind(events, "recording-stopped")
    assert stopped["stop_reason"] == StopReason.STOPPED
    # those it held less any whose packets were in the pipe before it died (they are in the file)
    lost = stopped["lost_at_end"]
    assert lost["reason"] == LostReason.ENDED and 0 < lost["pictures"] <= killed[0], (lost, killed)
    assert result.stats.skipped_by_encoder >= lost["pictures"]
    assert _kind(events, "encoder-restarted") == []
