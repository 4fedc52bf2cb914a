"""SIGKILL a writer mid-batch: every committed batch survives, no partial batch is visible."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from classroom_console.store import open_store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[1]
BATCH = 40

WRITER = f"""
import sys, time
from classroom_console.store import Event, open_store

data_dir, mode, pause_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(data_dir)
store.db.execute("PRAGMA wal_autocheckpoint = 20")  # checkpoints happen under the kill too
sid = store.start_session(lecturer="crash test")
print("session", sid, flush=True)

def events(batch):
    for i in range({BATCH}):
        if mode == "pause" and batch == pause_at and i == {BATCH} // 2:
            print("inside", batch, flush=True)
            time.sleep(60)
        yield Event(sid, None, "state", {{"batch": batch, "i": i, "pad": "x" * 200}})

batch = 0
while True:
    batch += 1
    store.add_events(events(batch))
    print("committed", batch, flush=True)
"""


def _run_and_kill(tmp_path: Path, mode: str, kill_after: int) -> tuple[str, int]:
    """Start the writer, kill it at the chosen moment; return the session id and last printed batch."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "data"), mode, str(kill_after + 1)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline().split()
        assert first[:1] == ["session"], first
        session_id = first[1]
        lines = []
        while True:
            line = proc.stdout.readline()
            assert line, "writer exited early"
            lines.append(line.split())
            if mode == "pause" and lines[-1][0] == "inside":
                break
            if mode == "hammer" and lines[-1] == ["committed", str(kill_after)]:
                time.sleep(random.uniform(0, 0.005))  # land anywhere: mid-batch, commit, checkpoint
                break
        proc.kill()
        proc.wait(timeout=10)
        lines += [ln.split() for ln in proc.stdout.read().splitlines()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close()
    # The kill may cut the writer's last line mid-word ("commi", "committed" with no number): whole lines only.
    committed = [int(ln[1]) for ln in lines if len(ln) == 2 and ln[0] == "committed" and ln[1].isdigit()]
    return session_id, max(committed)


def _batches_on_disk(data_dir: Path, session_id: str) -> Counter[int]:
    path = data_dir / "console.db"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    store = open_store(data_dir)
    try:
        assert store.notice is None
        return Counter(e["payload"]["batch"] for e in store.events(session_id))
    finally:
        store.close()


def test_kill_inside_a_batch_loses_nothing_committed(tmp_path: Path) -> None:
    session_id, last = _run_and_kill(tmp_path, "pause", kill_after=6)
    assert last == 6
    counts = _batches_on_disk(tmp_path / "data", session_id)
    assert counts == Counter({b: BATCH for b in range(1, 7)})  # batch 7 was half written: none of it


@pytest.mark.parametrize("kill_after", [3, 10, 25])
def test_kill_at_a_random_moment_keeps_whole_batches(tmp_path: Path, kill_after: int) -> None:
    session_id, last = _run_and_kill(tmp_path, "hammer", kill_after)
    counts = _batches_on_disk(tmp_path / "data", session_id)
    on_disk = sorted(counts)
    assert on_disk == list(range(1, len(on_disk) + 1))  # no holes
    assert set(counts.values()) == {BATCH}  # no partial batch
    assert last <= len(on_disk) <= last + 1  # all printed; at most one committed but not yet printed
