"""Every subcommand, given what a new user might type wrong: one clear line on stderr, no traceback, non-zero exit.

(Issue: tracebacks for a bad port, a duration of 0 that "recorded" nothing and exited 0, a CRF of 99 reaching the
encoder, a BrokenPipeError under `| head`, Qt's xcb message instead of "no display".)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from classroom_console import cli

CLI = [sys.executable, "-m", "classroom_console"]
BAD = [
    ("device", "127.0.80.1:99999", "status"),
    ("device", "127.0.80.1:abc", "status"),
    ("device", "x", "ptz", "move", "--pan", "3", "--tilt", "0"),
    ("record", "--duration", "0", "OUT"),
    ("record", "--duration", "-5", "OUT"),
    ("record", "--crf", "99", "OUT"),
    ("discover", "--timeout", "-1"),
    ("device", "127.0.0.1:9", "status", "--timeout", "-1"),
    ("usage", "--since", "2026-02-01", "--until", "2026-01-01"),
    ("usage", "--since", "yesterday"),
    ("usage", "--utc-offset", "99"),
    ("usage", "--token", "secret"),
    ("sim", "room", "--projectors", "-1"),
    ("record", "--duration", "1", "FILE/out.mp4"),
    ("record", "--duration", "1", "/nonexistent-folder-of-the-test/out.mp4"),
    ("record", "--preset", "turbo", "OUT"),
    ("record", "--duration", "1", "--source", "camera:http://127.0.0.1:9/none.mjpg", "--source", "tone", "OUT"),
    ("centre", "add-room", "Hall 3", "--data", "FILE"),
    ("centre", "serve", "--port", "99999", "--data", "DIR"),
    ("centre", "publish", "some-id", "--data", "DIR"),  # no centre there: said, and none made
    ("centre", "recordings", "--data", "DIR"),
    ("demo", "--screenshot", "FILE/shots"),
    ("nosuchcommand",),
]


@pytest.mark.parametrize("args", BAD, ids=lambda a: " ".join(a))
def test_bad_input_is_one_line_and_a_failure(args: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    argv = [a.replace("OUT", str(tmp_path / "out.mp4")).replace("FILE", str(tmp_path / "a-file"))
            .replace("DIR", str(tmp_path / "centre")) for a in args]
    done = subprocess.run([*CLI, "--data-dir", str(tmp_path), *argv], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode != 0, done
    # One line from us; FFmpeg's own "[tcp @ …] Connection refused" may precede it for a camera.
    lines = [line for line in done.stderr.strip().splitlines() if not line.startswith("[")]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "out.mp4").exists()
    assert not (tmp_path / "centre" / "centre.db").exists(), "a mistyped --data made an empty centre"


def test_the_window_without_a_display_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([*CLI, "--data-dir", str(tmp_path), "demo"], capture_output=True, text=True, timeout=120,
                          check=False, env=env)
    assert done.returncode == 1 and "no display found" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`usage | head -1`: the reader is gone before we write; that ends the command quietly, exit 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has already gone
    with os.fdopen(write_end, "w") as gone:
        monkeypatch.setattr(sys, "stdout", gone)
        code = cli.main(["--data-dir", str(tmp_path), "usage", "--format", "json"])
    assert code == 0


def test_a_value_read_as_an_option_is_explained_and_tokens_never_begin_with_a_dash(tmp_path: Path) -> None:
    """A room token beginning with "-" after `--token` read as an option: `sync` refused a fresh room's token
    ("expected one argument") for one room in 64. Tokens no longer begin so, and the line says how to write one."""
    from classroom_console.centre.tokens import issue_token

    assert not any(issue_token().startswith("-") for _ in range(2000))  # 1 in 64 each before
    done = subprocess.run([*CLI, "--data-dir", str(tmp_path), "sync", "--centre", "http://127.0.0.1:9",
                           "--token", "-Abc", "--once"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "--token=VALUE" in done.stderr
    bare = subprocess.run([*CLI, "--data-dir", str(tmp_path), "sync", "--centre", "http://127.0.0.1:9", "--token"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert bare.returncode == 2 and "expected one argument" in bare.stderr and "VALUE" not in bare.stderr
