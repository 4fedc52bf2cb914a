"""The core Recorder: registered in the store, told to the Room, markers as rows and WebVTT chapters."""

from __future__ import annotations

import asyncio
import hashlib
import time
from pathlib import Path

import pytest

from classroom_console.events import RecordingStarted, RecordingStopped, RoomEvent
from classroom_console.media import (
    DiskFullError,
    Layout,
    LayoutKind,
    Marker,
    Program,
    Recorder,
    TestPattern,
    Tone,
    chapters_vtt,
    offload,
)
from classroom_console.media.chapters import MIN_GAP_S
from classroom_console.room import Room
from classroom_console.store import AsyncStore


def small_program() -> Program:
    program = Program((320, 180), 30, layout=Layout(LayoutKind.PIP))
    program.add_source(TestPattern("camera", (320, 180), 30))
    program.add_source(TestPattern("board", (320, 180), 30, variant=1))
    program.add_source(Tone())
    return program


async def test_a_recording_is_registered_marked_and_announced(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "data")
    try:
        await _record_in_a_session(store, tmp_path)
    finally:
        await store.close()


async def _record_in_a_session(store: AsyncStore, tmp_path: Path) -> None:
    room = Room("Studio", log_store=store)
    heard: list[RoomEvent] = []
    room.events.subscribe(heard.append)
    session = await room.start_session("A. Nurlanovna", "Physics 1", kind="recording")
    program = small_program()
    program.start()
    path = tmp_path / "rec" / "lecture.mp4"
    recorder = Recorder(program, path, store=store, room=room, start_floor_bytes=0)
    try:
        recording_id = await recorder.start()
        await recorded_until(recorder, 0.5)
        first = await recorder.add_marker("Introduction")
        await recorded_until(recorder, first.at_s + 1.2)  # chapters are at least chapters.MIN_GAP_S apart
        second = await recorder.add_marker("")
        stats = recorder.stats()
        assert stats.frames > 0 and stats.free_bytes >= 0
        result = await recorder.stop()
    finally:
        program.stop()
        await offload(program.join)
    await room.end_session()
    await room.flush()

    assert [type(e) for e in heard if isinstance(e, RecordingStarted | RecordingStopped)] == [
        RecordingStarted, RecordingStopped]
    assert first.label == "Introduction" and second.label == "" and 0.4 < first.at_s < second.at_s
    row = await store.call(lambda s: s.recording(recording_id))
    assert row is not None
    assert row["session_id"] == session.id and row["layout"] == "pip"
    assert row["sources"] == ["camera", "board", "tone"]
    assert row["duration_s"] == pytest.approx(result.duration_s) and 1.0 < result.duration_s < 3.0
    digest = await offload(lambda: hashlib.sha256(path.read_bytes()).hexdigest())
    assert row["sha256"] == digest == result.sha256 and row["size_bytes"] == result.size_bytes
    for key in ("dropped_at_capture", "late_at_compositing", "skipped_by_encoder", "encoder_fps", "bitrate_kbps",
                "minutes_left", "stop_reason"):
        assert key in row["stats"]
    markers = await store.call(lambda s: s.markers(recording_id))
    assert [m["label"] for m in markers] == ["Introduction", ""]  # unlabelled: named by position
    assert result.chapters is not None
    vtt = await offload(lambda: result.chapters.read_text(encoding="utf-8") if result.chapters else "")
    # a busy machine may wake this test late, the first marker past MIN_GAP_S: the recording's opening is then a
    # chapter of its own before it, and the unlabelled one is the third
    second_title = "Chapter 2" if first.at_s < MIN_GAP_S else "Chapter 3"
    assert vtt.startswith("WEBVTT") and "Introduction" in vtt and second_title in vtt
    kinds = [e["kind"] for e in await store.call(lambda s: s.events(session.id))]
    assert kinds.count("recording-started") == 1 and kinds.count("recording-stopped") == 1
    assert kinds.count("marker") == 2


async def recorded_until(recorder: Recorder, elapsed_s: float) -> None:
    """Waits, by the recording's own clock and within a generous bound, until it has run ``elapsed_s``."""
    deadline = time.monotonic() + 30
    while recorder.elapsed_s < elapsed_s:
        assert time.monotonic() < deadline, f"the recording never reached {elapsed_s} s"
        await asyncio.sleep(0.02)


async def test_refuses_below_the_free_disk_floor_before_registering(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "data")
    program = small_program()
    program.start()
    recorder = Recorder(program, tmp_path / "x.mp4", store=store, free_space=lambda _: 10 * 2**20)
    try:
        with pytest.raises(DiskFullError):
            await recorder.start()
        assert not recorder.recording
        rows = await store.call(lambda s: list(s.db.query("SELECT * FROM recordings")))
        assert rows == []
    finally:
        program.stop()
        await offload(program.join)
        await store.close()


def test_webvtt_chapters_run_marker_to_marker() -> None:
    text = chapters_vtt([Marker(65.5, "Waves"), Marker(0.0, "Intro"), Marker(4000, "after the end")], 3700.25)
    assert text.splitlines() == [
        "WEBVTT", "",
        "chapter-1", "00:00:00.000 --> 00:01:05.500", "Intro", "",
        "chapter-2", "00:01:05.500 --> 01:01:40.250", "Waves",
    ]
