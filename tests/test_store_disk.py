"""A read-only data folder and a disk that fills: one line, a non-zero exit, and the recording closed with its stats.

Real parts: a tmpfs mounted read-only or small, in a private mount namespace (``unshare -m``) so nothing is left
mounted on the machine even if a test dies. Tests run as root, where chmod does not stop writes; a read-only mount
does.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = f"{shlex.quote(sys.executable)} -m classroom_console"


def _can_mount(tmp_path: Path) -> str | None:
    """None when a private tmpfs can be mounted here, else why not (the skip reason)."""
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux) to mount a private tmpfs"
    probe = tmp_path / "probe"
    probe.mkdir()
    tried = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            f"mount -t tmpfs -o size=1m tmpfs {probe}"], capture_output=True, timeout=60, check=False)
    if tried.returncode != 0:
        return f"cannot mount a tmpfs in a private namespace here (needs root/CAP_SYS_ADMIN): {tried.stderr.decode()}"
    return None


@pytest.fixture
def mount_ns(tmp_path: Path) -> Path:
    why = _can_mount(tmp_path)
    if why:
        pytest.skip(why)
    disk = tmp_path / "disk"
    disk.mkdir()
    return disk


def in_namespace(disk: Path, size: str, script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) with a ``size`` tmpfs mounted at $D, seen by this child only."""
    setup = f"set -u; D={shlex.quote(str(disk))}; mount -t tmpfs -o size={size},mode=0755 tmpfs \"$D\"; cd {ROOT}\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", setup + script],
                          capture_output=True, text=True, timeout=300, env=env, check=False)


def outcomes(stdout: str) -> dict[str, dict[str, object]]:
    """Each ``@@name rc`` line the script printed, with the stderr file it wrote for that step."""
    found: dict[str, dict[str, object]] = {}
    for line in stdout.splitlines():
        if line.startswith("@@"):
            name, rc, err = line[2:].split(" ", 2)
            found[name] = {"rc": int(rc), "stderr": err.replace("\\n", "\n")}
    return found


def step(name: str, command: str) -> str:
    """Run a command, then print '@@name rc stderr' with newlines escaped, for ``outcomes``."""
    return (f"{command} >/dev/null 2>\"$D.err\"; rc=$?; "
            f"printf '@@{name} %s %s\\n' \"$rc\" \"$(sed -e ':a;N;$!ba;s/\\n/\\\\n/g' \"$D.err\")\"\n")


def assert_one_line(outcome: dict[str, object], words: str) -> None:
    rc, err = int(str(outcome["rc"])), str(outcome["stderr"])
    assert rc != 0, outcome
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], err


def test_a_read_only_data_folder_is_one_line_and_a_failure(mount_ns: Path) -> None:
    sync = "sync --once --centre http://127.0.0.1:9 --token t"
    script = ("mount -o remount,ro \"$D\"\n"
              + step("usage_new", f"{CLI} --data-dir \"$D/data\" usage")
              + step("sync_new", f"{CLI} --data-dir \"$D/data\" {sync}")
              + "mount -o remount,rw \"$D\"\n"
              + f"{CLI} --data-dir \"$D/data\" usage >/dev/null 2>&1\n"
              + "mount -o remount,ro \"$D\"\n"
              + step("usage_old", f"{CLI} --data-dir \"$D/data\" usage")
              + step("sync_old", f"{CLI} --data-dir \"$D/data\" {sync}"))
    ran = in_namespace(mount_ns, "4m", script)
    found = outcomes(ran.stdout)
    assert set(found) == {"usage_new", "sync_new", "usage_old", "sync_old"}, (ran.stdout, ran.stderr)
    for outcome in found.values():
        assert_one_line(outcome, "is read-only")


def test_a_full_disk_at_start_is_one_line_and_a_failure(mount_ns: Path) -> None:
    script = (f"{CLI} --data-dir \"$D/data\" usage >/dev/null 2>&1\n"
              "rm -f \"$D/data/console.db-reserve\"; dd if=/dev/zero of=\"$D/fill\" bs=64k 2>/dev/null\n"
              + step("usage_full", f"{CLI} --data-dir \"$D/data\" usage")
              + "rm -rf \"$D/data\"\n"
              + step("sync_full", f"{CLI} --data-dir \"$D/data\" sync --once --centre http://127.0.0.1:9 --token t"))
    found = outcomes(in_namespace(mount_ns, "3m", script).stdout)
    assert set(found) == {"usage_full", "sync_full"}
    for outcome in found.values():
        assert_one_line(outcome, "is full")


def test_a_disk_that_fills_during_a_recording_closes_it_with_its_stats(mount_ns: Path) -> None:
    """The recording and the store share a disk that something else fills mid-recording."""
    read_back = ("import json, sqlite3, sys; c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True); "
                 "print('@@row', json.dumps(c.execute('SELECT stopped_at, stats FROM recordings').fetchall()))")
    script = (f"{CLI} --data-dir \"$D/data\" record --source test-pattern --duration 60 --fast --min-free-mb 0 "
              "\"$D/out.mp4\" >\"$D.out\" 2>\"$D.err\" &\n"
              "rec=$!; n=0\n"
              # the condition, not a fixed sleep: the file has its first fragment (bounded at 120 s)
              "while [ ! -s \"$D/out.mp4\" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n+1)); done\n"
              "dd if=/dev/zero of=\"$D/fill\" bs=1M 2>/dev/null\n"
              "wait $rec; rc=$?\n"
              "echo \"@@record $rc $(grep -v ' WARNING ' \"$D.err\" | sed -e ':a;N;$!ba;s/\\n/\\\\n/g')\"\n"
              "if [ -e \"$D/data/console.db-reserve\" ]; then echo @@reserve kept; else echo @@reserve used; fi\n"
              "rm -f \"$D/fill\"\n"
              f"{shlex.quote(sys.executable)} -c {shlex.quote(read_back)} \"$D/data/console.db\"\n")
    ran = in_namespace(mount_ns, "120m", script)
    record = next(line for line in ran.stdout.splitlines() if line.startswith("@@record "))
    rc = int(record.split(" ", 2)[1])
    assert rc == 4 and "Traceback" not in ran.stdout, ran.stdout  # record's exit code for a full disk
    assert "@@reserve used" in ran.stdout  # the store met the full disk and wrote its last rows all the same
    row = next(line for line in ran.stdout.splitlines() if line.startswith("@@row "))
    [(stopped_at, stats)] = json.loads(row[len("@@row "):])
    assert stopped_at is not None, "the recording was left open"
    assert json.loads(stats)["stop_reason"] == "disk-full"
