"""--preset auto while recording: frames skipped by a busy encoder step it to a faster preset at a keyframe,
the file stays one playable stream, and the step is a session event."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import av

from classroom_console.media import (
    EncoderSettings,
    Layout,
    LayoutKind,
    Program,
    Recorder,
    SimulatedClock,
    TestPattern,
    Tone,
    adaptive,
    offload,
)
from classroom_console.media.adaptive import LADDER, SKIPS_TO_STEP, SkipWatch, headers_only, open_video, x264_options
from classroom_console.media.encoder import Encoder
from classroom_console.media.output_file import FileOutput
from classroom_console.room import Room
from classroom_console.store import AsyncStore


def test_skips_in_a_window_make_a_step_due_and_a_step_quiets_it() -> None:
    now = [0.0]
    watch = SkipWatch("veryfast", clock=lambda: now[0])
    watch.note(0)
    now[0] = 1.0
    watch.note(SKIPS_TO_STEP - 1)
    assert not watch.due
    now[0] = 3.5  # a new window: the old skips no longer count
    watch.note(SKIPS_TO_STEP - 1)
    watch.note(SKIPS_TO_STEP)
    assert not watch.due
    watch.note(2 * SKIPS_TO_STEP - 1)
    assert watch.due and watch.candidates()[0] == "superfast"
    watch.stepped("superfast", 2 * SKIPS_TO_STEP - 1)
    now[0] = 4.0
    watch.note(10 * SKIPS_TO_STEP)  # the queue the old preset left drains first
    assert not watch.due
    watch.stepped(LADDER[-1], 0)
    assert watch.exhausted


def faster(rung: str, than: str) -> bool:
    return LADDER.index(rung) > LADDER.index(than)


def test_a_step_goes_as_far_as_the_encoders_pace_says() -> None:
    """The rung is chosen by the share of frames the encoder kept in the window: a few skips in many frames take
    the next rung, an encoder that kept half needs one that costs half, and the new fixed-B rungs keep the headers."""
    def due_after(skipped: int, frames: int) -> list[str]:
        now = [0.0]
        watch = SkipWatch("veryfast", clock=lambda: now[0])
        watch.note(0, 0)
        now[0] = 1.0
        watch.note(skipped, frames)
        assert watch.due
        return watch.candidates()

    assert due_after(SKIPS_TO_STEP, 27)[0] == "superfast"  # 10 % lost: the next rung (0.72 of the cost)
    assert due_after(12, 18)[0] == "superfast-fixedb"  # 40 % lost: a rung at about half the cost
    assert due_after(25, 5) == [LADDER[-1]]  # nearly all lost: the fastest there is
    now = [0.0]
    young = SkipWatch("veryfast", clock=lambda: now[0])
    young.note(0, 0)
    now[0] = 0.1  # a hiccup just after the window began: its share says nothing of the pace
    young.note(6, 0)
    assert young.due and young.candidates()[0] == "superfast"  # the next rung, not the fastest
    assert "b-adapt=0" in x264_options("superfast-fixedb", 23, 30)["x264-params"]
    headers = {bytes(open_video((640, 360), 30, headers_only(x264_options(rung, 23, 30))).extradata or b"")
               for rung in LADDER[LADDER.index("veryfast"):]}
    assert len(headers) == 1  # every rung from veryfast down can take over mid-stream


async def test_a_starved_recording_logs_its_preset_step_as_a_session_event(tmp_path: Path) -> None:
    """On the simulated clock the program composes as fast as it can, so an encoder with a short queue skips
    frames: the recorder logs the step as a session event and tells its listeners."""
    store = await AsyncStore.open(tmp_path / "data")
    size = (640, 360)
    program = Program(size, 30, layout=Layout(LayoutKind.PIP), clock=SimulatedClock())
    program.add_source(TestPattern("camera", size, 30))
    program.add_source(TestPattern("board", size, 30, variant=1))
    program.add_source(Tone())
    room = Room("Studio", log_store=store)
    session = await room.start_session("A. Lecturer", "Media 1", kind="recording")
    path = tmp_path / "auto.mp4"
    settings = EncoderSettings(preset="veryfast", adaptive=True, queue_s=0.05, gop_s=0.5)
    recorder = Recorder(program, path, settings=settings, store=store, room=room, start_floor_bytes=0,
                        duration_s=60.0)
    heard: list[str] = []
    recorder.preset_listeners.append(lambda change: heard.append(change.new))
    program.start()
    try:
        await recorder.start()
        for _ in range(600):  # bounded: 30 s
            if recorder.preset_changes:
                break
            await asyncio.sleep(0.05)
        changes = recorder.preset_changes
        result = await recorder.stop()
    finally:
        program.stop()
        await offload(program.join)
        await room.end_session()
        await room.flush()
    try:
        assert changes, f"no step after {result.stats.skipped_by_encoder} skipped frames"
        new = changes[0].new
        assert changes[0].old == "veryfast" and faster(new, "veryfast") and changes[0].skipped >= SKIPS_TO_STEP
        assert heard[0] == new
        events = [e for e in await store.call(lambda s: s.events(session.id)) if e["kind"] == "preset-changed"]
        assert events and events[0]["payload"]["new"] == new
        assert events[0]["payload"]["recording_id"] == result.recording_id

    finally:
        await store.close()


def test_the_file_plays_through_a_step_in_one_stream(tmp_path: Path) -> None:
    """Frames pushed faster than x264 takes them: the encoder skips, steps from veryfast to superfast at a
    keyframe, and every frame it encoded, before and after, decodes from the one file."""
    size = (640, 360)
    encoder = Encoder(size, 30, EncoderSettings(preset="veryfast", adaptive=True, queue_s=0.05, gop_s=0.5))
    # the file waits for the disk rather than dropping, so all that was encoded is there to decode
    encoder.add_output(FileOutput(tmp_path / "step.mp4", EncoderSettings(block_when_full=True)), required=True)
    encoder.start()
    pattern = TestPattern("camera", size, 30)
    deadline = time.monotonic() + 30
    index = 0
    while not encoder.preset_changes and time.monotonic() < deadline:
        encoder.push_video(1000 + index / 30, pattern.render(1000 + index / 30, index))
        index += 1
    for more in range(index, index + 40):  # a second and more after the step
        encoder.push_video(1000 + more / 30, pattern.render(1000 + more / 30, more))
        time.sleep(0.005)
    encoder.abort()  # no sound in this one: end with what has arrived
    assert encoder.join(30)
    change = encoder.preset_changes[0]
    assert change.old == "veryfast" and faster(change.new, "veryfast") and encoder.counters.skipped >= SKIPS_TO_STEP
    with av.open(str(tmp_path / "step.mp4")) as container:
        stamps = [float(frame.time) for frame in container.decode(video=0)]
    assert len(stamps) == encoder.counters.frames
    assert stamps == sorted(stamps) and stamps[-1] > change.at_s



def test_a_step_is_taken_within_a_second_of_being_due_and_the_file_plays_through_it(tmp_path: Path) -> None:
    """A starved encoder that keeps every other picture: the step waits for a keyframe, and keyframes come by media
    time, so it is taken at most a GOP after the skips made it due (x264's own keyframe, every 30 *encoded*
    pictures, came two seconds apart here, and 9 s on a starved PC)."""
    size, fps = (320, 180), 30
    settings = EncoderSettings(preset="veryfast", adaptive=True, block_when_full=True, gop_s=1.0)
    encoder = Encoder(size, fps, settings)
    encoder.add_output(FileOutput(tmp_path / "due.mp4", settings), required=True)
    encoder.start()
    pattern = TestPattern("camera", size, fps)
    opened_light: list[int] = []
    for i in range(6 * fps):
        t = 1000 + i / fps
        encoder.push_video(t, pattern.render(t, i) if i < 10 or i % 2 == 0 else None)  # None: skipped
        if i == 2:
            wait_for(lambda: encoder.counters.frames > 0)  # its x264 is open: the faster rungs' headers are known
            opened_light.append(adaptive._headers.cache_info().misses)
    encoder.abort()
    assert encoder.join(60)
    # no x264 opened for its headers at the step, when the old x264 holds all its frames (+6 MB at 1080p)
    assert adaptive._headers.cache_info().misses == opened_light[0]
    assert encoder.preset_changes, f"no step after {encoder.counters.skipped} skipped pictures"
    change = encoder.preset_changes[0]
    assert change.due_s is not None and 0 <= change.at_s - change.due_s <= settings.gop_s + 1e-9, change
    assert change.at_s == int(change.at_s), "taken at the keyframe on a second's first picture"
    with av.open(str(tmp_path / "due.mp4")) as container:
        frames = [(float(f.time), f.key_frame) for f in container.decode(video=0)]
    assert len(frames) == encoder.counters.frames and [t for t, _ in frames] == sorted(t for t, _ in frames)
    assert [t for t, key in frames if key] == [float(s) for s in range(6)], "a keyframe each second, through the step"


def wait_for(predicate: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
