"""A live destination's helper dies with the console even when the console is killed while the helper still starts.

The helper's own ``die_with`` runs only once its Python has imported av; a console killed -9 before then left it
running its start, then ending by itself when it noticed (exit 1), or holding a connection had it got one. Armed
before its program runs (``preexec_fn``), the kernel kills it (SIGKILL) the moment the console goes. A reaper
between the test and the console (``PR_SET_CHILD_SUBREAPER``) adopts the orphan and reads how it ended.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.test_stream_rtmp import SilentServer

ROOT = Path(__file__).resolve().parent.parent

# The console: starts one helper towards a server that never answers, says the helper's pid, and is killed -9
# before the helper could have imported av.
CONSOLE = """
import io, os, signal, sys
from types import SimpleNamespace
import av
from classroom_console.media.push_process import PushProcess
out = av.open(io.BytesIO(), "w", format="flv")
video = out.add_stream("libx264", rate=25)
video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
audio = out.add_stream("aac", rate=48000)
push = PushProcess(sys.argv[1], "flv", {}, SimpleNamespace(video=video, audio=audio))
print(push._proc.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""

# The reaper: adopts the console's orphans, runs the console, then waits (bounded) for the helper and prints how it
# ended: a negative signal number or an exit code.
REAPER = """
import ctypes, os, subprocess, sys, time
PR_SET_CHILD_SUBREAPER = 36
assert ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
console = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE, timeout=60)
helper = int(console.stdout.split()[0])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    pid, status = os.waitpid(helper, os.WNOHANG)
    if pid:
        print(os.waitstatus_to_exitcode(status))
        break
    time.sleep(0.02)
else:
    os.kill(helper, 9)
    os.waitpid(helper, 0)
    print("still running")
"""


def test_a_helper_starting_when_the_console_is_killed_dies_with_it_at_once() -> None:
    server = SilentServer()
    try:
        reaper = subprocess.run([sys.executable, "-c", REAPER, CONSOLE, f"rtmp://127.0.0.1:{server.port}/live/key"],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        server.close()
    assert reaper.returncode == 0, reaper.stderr
    assert reaper.stdout.strip() == str(-signal.SIGKILL), f"the helper ended: {reaper.stdout.strip()}"
