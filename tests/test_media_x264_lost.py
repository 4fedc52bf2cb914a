"""x264's own process lost mid-recording (x264_apart, the window's default): killed, it ended the recording as
"the encoder failed: [Errno 32] Broken pipe", English in a Russian window (R10 F3); stopped without dying (SIGSTOP,
a frozen cgroup, swapping), it held the recording, its Stop and the Studio's close without bound (R10 F13). Now the
child that does not answer is ended, and either way the encoder thread hears ``X264Lost`` with its reason code,
and another child takes over (tests/test_media_x264_restart.py). Real x264 children."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from classroom_console.media import TestPattern
from classroom_console.media.adaptive import x264_options
from classroom_console.media.x264_apart import Child, RemoteX264, X264Lost, spawn

SIZE, FPS = (320, 180), 30


def _pictures(count: int) -> list[np.ndarray]:
    pattern = TestPattern("camera", SIZE, FPS)
    return [np.array(pattern.render(i / FPS, i)) for i in range(count)]


def _encode_until_lost(remote: RemoteX264, within_s: float) -> X264Lost:
    deadline = time.monotonic() + within_s
    pictures = _pictures(FPS)
    for i in range(10_000):
        assert time.monotonic() < deadline, "the encoder thread still waits"
        try:
            remote.encode(pictures[i % FPS], i, i == 0)
        except X264Lost as lost:
            return lost
    raise AssertionError("never lost")


@pytest.mark.parametrize("how", ["killed", "stopped"])
def test_a_lost_child_is_said_as_such_and_the_wait_for_it_ends(how: str) -> None:
    remote = RemoteX264(SIZE, FPS, None, spawn(), answer_within_s=2.0)
    child = remote._child.process
    try:
        remote.open(x264_options("veryfast", 23, FPS))
        for i, picture in enumerate(_pictures(5)):
            remote.encode(picture, i, i == 0)
        os.kill(child.pid, signal.SIGKILL if how == "killed" else signal.SIGSTOP)
        lost = _encode_until_lost(remote, 30.0)
        said = "did not answer for 2 s and was ended" if how == "stopped" else "ended"
        assert said in str(lost)
        assert lost.reason == (X264Lost.NOT_ANSWERING if how == "stopped" else X264Lost.ENDED)
    finally:
        began = time.monotonic()
        remote.close()
        assert time.monotonic() - began < 15  # old code: close waited for a stopped child for ever
    assert child.poll() is not None


def test_a_lost_childs_exit_status_is_waited_for_before_it_is_worded() -> None:
    """Its pipe ends a moment before the kernel has its status: the loss read 'exit status None' (R11's storm). A
    real child that closes its answers and ends 0.3 s later, with a status of its own."""
    process = subprocess.Popen([sys.executable, "-c", "import os, time; os.close(1); time.sleep(0.3); os._exit(3)"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    remote = RemoteX264(SIZE, FPS, None, Child(process, os.memfd_create("x264-pictures")))
    with pytest.raises(X264Lost) as lost:
        remote.open(x264_options("veryfast", 23, FPS))  # closes it
    assert str(lost.value) == "x264's process ended (exit status 3)"
    assert lost.value.reason == X264Lost.ENDED
