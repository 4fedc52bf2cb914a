"""A centre whose ``centre.db`` is damaged (its header overwritten) is said in one line naming the file and the way
back (``centre restore``), with a non-zero exit, by every ``centre`` command that opens the database; it ended in
``sqlite3.DatabaseError: file is not a database`` and a traceback (E3). The real command in its own process, on a
real file whose first bytes are overwritten; the file is left as it was found, and a backup of it leaves nothing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [["serve", "--port", "0"], ["tokens"], ["add-room", "r2"], ["add-staff", "ann"], ["revoke", "r1"],
            ["recordings"], ["backup", "OUT"]]


def centre(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.run([sys.executable, "-m", "classroom_console", "centre", *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("centre")
    made = centre("add-room", "r1", "--data", str(data))
    assert made.returncode == 0, made.stderr
    with (data / "centre.db").open("r+b") as db:
        db.write(b"this is no db at all")  # over "SQLite format 3\0" and the page size
    return data


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_damaged_centre_db_is_said_in_one_line_with_the_way_back(damaged: Path, command: list[str]) -> None:
    db = damaged / "centre.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out = damaged.parent / f"backup-{os.getpid()}"
    done = centre(*[str(out) if arg == "OUT" else arg for arg in command], "--data", str(damaged))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr and len(lines) == 1, done.stderr
    assert str(db) in lines[0] and "damaged" in lines[0] and "centre restore" in lines[0], lines[0]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "the damaged file was changed"
    assert not [p.name for p in damaged.parent.glob(f"{out.name}*")], "a backup of it left something behind"
