"""x264 in a child process in a session of its own (EncoderSettings.x264_apart): its CPU is not charged to the
window's process (bench/ui_stall.py --only pip --only pip-apart). The recording is the same: every encoded picture
decodes from the one file, a keyframe each second, through a preset step, which opens the next x264 in the same
child; the child is in another session while it encodes and gone when the recording ends."""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

import av
import pytest

from classroom_console.media import EncoderSettings, TestPattern
from classroom_console.media.encoder import Encoder, StopReason
from classroom_console.media.output_file import FileOutput
from classroom_console.media.x264_apart import RemoteX264, X264Lost
from tests.test_record_adaptive import wait_for


def _helpers() -> dict[int, int]:
    """This process's x264 children: pid -> session id."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == os.getpid() and b"x264_apart" in command:
            found[int(entry)] = int(stat[3])
    return found


def _taken_past(encoder: Encoder, index: int) -> bool:
    return encoder.counters.frames + encoder.counters.skipped > index


def test_a_recording_with_x264_apart_steps_and_plays_through_in_one_file(tmp_path: Path) -> None:
    size, fps = (320, 180), 30
    settings = EncoderSettings(preset="veryfast", adaptive=True, block_when_full=True, gop_s=1.0, x264_apart=True)
    encoder = Encoder(size, fps, settings)
    encoder.add_output(FileOutput(tmp_path / "apart.mp4", settings), required=True)
    encoder.start()
    pattern = TestPattern("camera", size, fps)
    sessions: dict[int, int] = {}
    for i in range(5 * fps):
        t = 1000 + i / fps
        encoder.push_video(t, pattern.render(t, i) if i < 10 or i % 2 == 0 else None)  # None: skipped, a step due
        if i == 2:
            wait_for(lambda: encoder.counters.frames > 0)
            sessions = _helpers()
    encoder.abort()
    assert encoder.join(60)
    assert len(sessions) == 1, sessions
    assert next(iter(sessions.values())) != os.getsid(0), "x264's process is in a session of its own"
    assert not _helpers(), "and gone with the recording"
    assert encoder.preset_changes, f"no step after {encoder.counters.skipped} skipped pictures"
    with av.open(str(tmp_path / "apart.mp4")) as container:
        frames = [(float(f.time), f.key_frame) for f in container.decode(video=0)]
    assert len(frames) == encoder.counters.frames and [t for t, _ in frames] == sorted(t for t, _ in frames)
    assert [t for t, key in frames if key] == [float(s) for s in range(5)], "a keyframe each second, through the step"


def test_the_pictures_skipped_while_the_child_starts_do_not_step_the_preset(tmp_path: Path) -> None:
    """The child's start (0.4-1 s) skips the first pictures at a small queue: that says nothing of x264's pace, and
    counted it stepped every recording to a faster preset (a softer picture) at its first keyframe."""
    size, fps = (320, 180), 30
    settings = EncoderSettings(preset="veryfast", adaptive=True, queue_s=0.05, gop_s=1.0, x264_apart=True)
    encoder = Encoder(size, fps, settings)
    encoder.add_output(FileOutput(tmp_path / "start.mp4", EncoderSettings(block_when_full=True)), required=True)
    encoder.start()
    pattern = TestPattern("camera", size, fps)
    index = 0
    try:
        while encoder.counters.frames == 0 and index < 30 * 500:  # faster than real time until the child is up
            encoder.push_video(1000 + index / fps, pattern.render(1000 + index / fps, index))
            index += 1
            time.sleep(0.002)
        skipped_at_start = encoder.counters.skipped
        for more in range(index, index + 3 * fps):  # then at a pace x264 keeps up with: a keyframe each second
            encoder.push_video(1000 + more / fps, pattern.render(1000 + more / fps, more))
            wait_for(functools.partial(_taken_past, encoder, more))
    finally:
        encoder.abort()
        assert encoder.join(60)
    assert skipped_at_start >= 10, f"only {skipped_at_start} skipped while the child started: nothing to test"
    assert not encoder.preset_changes, encoder.preset_changes


def test_a_child_lost_as_a_preset_step_opens_is_replaced_not_taken_into_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child killed between the step's drain and its open of the faster x264 (R11 F2): the step's failure sent
    the rest of the recording to the template's headers-only x264 (one thread, no lookahead) in this process,
    silently. Now another child takes over at the preset it had, as for any loss: an encoder restart, the file whole."""
    opened = RemoteX264.open
    opens: list[int] = []

    def killed_at_the_step(remote: RemoteX264, options: dict[str, str]) -> None:
        opens.append(remote._child.process.pid)
        if len(opens) == 2:  # the step's open, in the first child: it dies now
            remote._child.process.kill()
            remote._child.process.wait(10)
        opened(remote, options)

    monkeypatch.setattr(RemoteX264, "open", killed_at_the_step)
    size, fps = (320, 180), 30
    settings = EncoderSettings(preset="veryfast", adaptive=True, block_when_full=True, gop_s=1.0, x264_apart=True)
    encoder = Encoder(size, fps, settings)
    encoder.add_output(FileOutput(tmp_path / "step.mp4", settings), required=True)
    encoder.start()
    pattern = TestPattern("camera", size, fps)
    for i in range(5 * fps):
        t = 1000 + i / fps
        encoder.push_video(t, pattern.render(t, i) if i < 10 or i % 2 == 0 else None)  # None: skipped, a step due
    encoder.abort()
    assert encoder.join(60)
    assert len(opens) >= 3 and opens[0] == opens[1] != opens[2], f"no step, or no child after it: {opens}"
    assert encoder.stop_reason == StopReason.STOPPED, encoder.message
    (restart,) = encoder.restarts
    assert restart.reason == X264Lost.ENDED and restart.losses == 1
    assert not _helpers(), "the new child gone with the recording"
    with av.open(str(tmp_path / "step.mp4")) as container:
        frames = [(float(f.time), f.key_frame) for f in container.decode(video=0)]
    assert len(frames) == encoder.counters.frames and [t for t, _ in frames] == sorted(t for t, _ in frames)
    assert frames[-1][0] >= 4.5, "the new child encoded up to the end"


def test_a_child_lost_as_it_opens_its_first_x264_is_replaced_not_taken_into_this_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first child killed as it opens x264 (the OOM killer at the recording's start): that was taken as x264 not
    opening, and the whole recording was encoded by the template's headers-only x264 in this process. Now another
    child takes the first picture on, an encoder restart at 0 s, every picture in the file."""
    opened = RemoteX264.open
    opens: list[int] = []

    def killed_at_the_first(remote: RemoteX264, options: dict[str, str]) -> None:
        opens.append(remote._child.process.pid)
        if len(opens) == 1:
            remote._child.process.kill()
            remote._child.process.wait(10)
        opened(remote, options)

    monkeypatch.setattr(RemoteX264, "open", killed_at_the_first)
    size, fps = (320, 180), 30
    settings = EncoderSettings(preset="veryfast", adaptive=True, block_when_full=True, gop_s=1.0, x264_apart=True)
    encoder = Encoder(size, fps, settings)
    encoder.add_output(FileOutput(tmp_path / "first.mp4", settings), required=True)
    encoder.start()
    pattern = TestPattern("camera", size, fps)
    for i in range(2 * fps):
        t = 1000 + i / fps
        encoder.push_video(t, pattern.render(t, i))
    encoder.abort()
    assert encoder.join(60)
    assert len(opens) == 2 and opens[0] != opens[1], f"no other child: {opens}"
    assert encoder.stop_reason == StopReason.STOPPED, encoder.message
    (restart,) = encoder.restarts
    assert restart.reason == X264Lost.ENDED and restart.at_s == 0.0
    with av.open(str(tmp_path / "first.mp4")) as container:
        frames = [(float(f.time), f.key_frame) for f in container.decode(video=0)]
    assert len(frames) == encoder.counters.frames == 2 * fps, "nothing lost: the first picture waited for it"
    assert [t for t, key in frames if key] == [0.0, 1.0]
