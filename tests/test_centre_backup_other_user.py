"""A backup left by another user (root's cron backup killed outright, an admin's by hand) does not stop this user's.

Its ``OUT.partial-PID`` and the lock beside it are that user's, mode 0700/0600: this user can neither open the lock
to judge whether its process lives, nor remove the folder. It counts as held and is left alone, and the backup goes
on in a folder of its own; it failed with "the backup failed: Permission denied" (R7 on af84419). A restore pointed
at it refuses in one line naming whose it is. The tests run as root (as CI does) and drop to ``nobody`` in a forked
child, with the command's modules already loaded (the interpreter's files may not be ``nobody``'s to read).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from classroom_console.centre import backup
from classroom_console.commands import centre
from tests.test_centre_tokens import CENTRE, ROOT

NOBODY = 65534
WAIT_S = 60.0

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="making another user's files needs root (CI runs as root)")


def as_nobody(*argv: str) -> tuple[int, str]:
    """``centre ARGV`` run by ``nobody`` in a forked child: its exit code and what it printed."""
    parser = argparse.ArgumentParser(prog="classroom-console centre")
    centre.configure(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryFile("w+") as said:
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            code = 99
            try:
                sys.stdout = sys.stderr = os.fdopen(os.dup(said.fileno()), "w")
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                code = centre.run(args)
            except BaseException as exc:  # said in the output, which the test reads
                print(f"child raised {exc!r}")
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                os._exit(code)
        deadline = time.monotonic() + WAIT_S
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                raise AssertionError(f"centre {' '.join(argv)} as nobody took over {WAIT_S:g} s")
            time.sleep(0.02)
        said.seek(0)
        return os.waitstatus_to_exitcode(status), said.read()


def chown_tree(root: Path, uid: int) -> None:
    os.chown(root, uid, uid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder ``nobody`` owns (pytest's own tmp_path is root's, 0700), holding a centre ``nobody`` owns."""
    base = Path(tempfile.mkdtemp(prefix="c2-other-user-", dir="/tmp"))
    try:
        made = subprocess.run([sys.executable, "-c", CENTRE, "add-room", "r1", "--data", str(base / "data")],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                              timeout=WAIT_S)
        assert made.returncode == 0, made.stderr
        chown_tree(base, NOBODY)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def roots_left_backup(out: Path, pid: int = 4_000_000) -> Path:
    """What a backup of root's to ``out``, killed outright, leaves: its partial (0700) and its lock (0600), unlocked."""
    work = out.parent / f"{out.name}{backup.PARTIAL}{pid}"
    work.mkdir(mode=0o700)
    (work / "centre.db").write_bytes(b"half of it")
    lock = work.with_name(work.name + backup.LOCK)
    lock.touch(mode=0o600)
    return work


def test_another_users_stale_backup_is_left_alone_and_the_backup_goes_on(place: Path) -> None:
    out = place / "nightly"
    left = roots_left_backup(out)
    code, said = as_nobody("backup", str(out), "--data", str(place / "data"))
    assert code == 0 and "backed up" in said, said
    assert (out / backup.MANIFEST).is_file()
    assert (left / "centre.db").read_bytes() == b"half of it", "root's folder was touched"
    assert left.with_name(left.name + backup.LOCK).exists(), "root's lock was removed"


def test_a_restore_of_another_users_partial_names_whose_it_is(place: Path) -> None:
    left = roots_left_backup(place / "nightly")
    code, said = as_nobody("restore", str(left), "--data", str(place / "new"))
    lines = said.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "Traceback" not in said, said
    assert str(left) in lines[0] and "root's backup" in lines[0], lines[0]
