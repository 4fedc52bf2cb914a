"""The recorder's x264 holds few frames: each one is ~12 MB at 1080p, so the frames x264 keeps before its first
packet (lookahead, frame threads, the lookahead thread's queue) are most of a recording's memory."""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
from pathlib import Path

import av
import numpy as np
import pytest

from classroom_console.media import nice
from classroom_console.media.adaptive import (
    LADDER,
    LOOKAHEAD_CAP,
    SYNC_LOOKAHEAD,
    headers_only,
    open_video,
    x264_options,
    x264_threads,
)

SIZE = (640, 360)


def frames_before_first_packet(options: dict[str, str]) -> int:
    """How many pictures a real libx264 takes in before it gives out a packet (each one held meanwhile)."""
    ctx = open_video(SIZE, 30, options)
    w, h = SIZE
    picture = np.full((h * 3 // 2, w), 128, np.uint8)
    for index in range(120):
        picture[:h] = (np.arange(w) + 3 * index) % 256  # moving, so no frame is a repeat of the last
        frame = av.VideoFrame.from_numpy_buffer(picture, format="yuv420p")
        frame.pts = index
        if ctx.encode(frame):
            return index
    raise AssertionError("x264 gave no packet for 120 frames")


def test_the_recorders_x264_holds_fewer_frames_than_x264s_defaults() -> None:
    ours = frames_before_first_packet(x264_options("veryfast", 23, 30))
    defaults = x264_options("veryfast", 23, 30)
    defaults["x264-params"] = "keyint=30:min-keyint=30:scenecut=0"
    theirs = frames_before_first_packet(defaults)
    assert ours <= LOOKAHEAD_CAP + x264_threads() + SYNC_LOOKAHEAD, (ours, theirs)
    assert ours < theirs, (ours, theirs)


def test_every_rung_of_the_ladder_opens_with_the_caps_and_never_looks_further_than_its_preset() -> None:
    for preset in LADDER:
        params = x264_options(preset, 23, 30)["x264-params"]
        assert f"threads={x264_threads()}" in params and f"sync-lookahead={SYNC_LOOKAHEAD}" in params
        assert "sync-lookahead=0" in x264_options(preset, 23, 30, lookahead_thread=False)["x264-params"]
        lookahead = int(params.split("rc-lookahead=")[1].split(":")[0])
        assert lookahead <= LOOKAHEAD_CAP
        if preset.startswith(("superfast", "ultrafast")):
            assert lookahead == 0  # their own setting: a cap never makes a fast preset look further
    assert frames_before_first_packet(x264_options("superfast", 23, 30)) <= x264_threads() + 4


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_x264s_own_threads_run_below_the_python_threads_and_the_opener_keeps_its_priority() -> None:
    """The GIL's holders (compositor, sources, the encoder's feeding, the window) must not wait behind x264."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    before = set(os.listdir("/proc/self/task"))
    ctx = open_video(SIZE, 30, x264_options("veryfast", 23, 30))
    made = set(os.listdir("/proc/self/task")) - before
    assert len(made) >= x264_threads(), made  # x264's frame threads, made as it opened
    expected = min(19, own + nice.ENCODER_NICE)
    assert {os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in made} == {expected}
    assert os.getpriority(os.PRIO_PROCESS, 0) == own
    del ctx


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_the_open_runs_at_the_callers_priority_and_only_the_threads_it_makes_go_below() -> None:
    """An x264 open holds the GIL throughout: at +5 a busy PC preempted it while the window waited for that GIL."""
    own = os.getpriority(os.PRIO_PROCESS, 0)
    seen: list[tuple[int, int]] = []
    release = threading.Event()

    def open_like() -> threading.Thread:
        seen.append((threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        worker = threading.Thread(target=release.wait, args=(30,))  # as x264 makes its threads while it opens
        worker.start()
        return worker

    worker = nice.at_lower_priority(open_like, nice.ENCODER_NICE)
    try:
        assert seen == [(threading.get_native_id(), own)]
        assert worker.native_id is not None
        assert os.getpriority(os.PRIO_PROCESS, worker.native_id) == min(19, own + nice.ENCODER_NICE)
        assert os.getpriority(os.PRIO_PROCESS, 0) == own
    finally:
        release.set()
        worker.join(30)


def test_an_open_that_fails_raises_on_the_callers_thread() -> None:
    options = x264_options("veryfast", 23, 30)
    options["preset"] = "no-such-preset"
    with pytest.raises(av.error.FFmpegError):
        open_video(SIZE, 30, options)


def test_a_template_opened_for_its_headers_alone_has_the_encoders_very_headers() -> None:
    """The adaptive recording's template x264 is opened light (one thread, no lookahead): its SPS/PPS,
    what every output is opened with, must be byte for byte those of the x264 that encodes."""
    for preset in ("veryfast", "superfast"):
        options = x264_options(preset, 23, 30)
        light = headers_only(options)
        assert {"threads=1", "sync-lookahead=0", "rc-lookahead=0"} <= set(light["x264-params"].split(":"))
        full, header = open_video((640, 360), 30, options), open_video((640, 360), 30, light)
        assert bytes(full.extradata) == bytes(header.extradata)



@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_a_headless_recordings_x264_competes_at_par_and_the_studios_runs_below_the_window(tmp_path: Path) -> None:
    """A headless recording has no window to give way to: below everything else in its scheduling group, it got
    less than half the CPU beside a busy program (beside stress-ng --cpu 2 in one session: 0.29x real time flat out
    at nice +5, 0.63x at par, ffmpeg's lavfi PiP 0.66x). The window's Studio keeps its x264 below the main thread."""
    from classroom_console.media.encoder import Encoder, EncoderSettings
    from classroom_console.media.studio import Studio

    own = os.getpriority(os.PRIO_PROCESS, 0)
    studio = Studio(None, None, tmp_path, size=(320, 180))
    below = min(19, own + nice.ENCODER_NICE)
    # the Studio steps its preset (adaptive): its template x264 gives headers only, one its own settings' encodes
    fixed = dataclasses.replace(studio.settings, adaptive=False)
    for settings, expected in ((EncoderSettings(), own), (fixed, below)):
        encoder = Encoder((320, 180), 30, settings)
        before = set(os.listdir("/proc/self/task"))
        streams = encoder._open()
        made = set(os.listdir("/proc/self/task")) - before
        assert len(made) >= x264_threads(), made
        assert {os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in made} == {expected}
        del streams
        encoder._close_template()
        encoder._template = None
    assert studio.settings.adaptive
    before = set(os.listdir("/proc/self/task"))
    ctx = open_video((320, 180), 30, x264_options("veryfast", 23, 30), studio.settings.encoder_nice)
    made = set(os.listdir("/proc/self/task")) - before
    assert len(made) >= x264_threads() and {os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in made} == {below}
    del ctx
