"""The SQLite centre's start brings its schema up to date in one transaction, and fills tablet_counts' span columns
and tablet_sessions only on the start that makes them (P8's note: both fills read the whole of tablet_counts on every
start, by the writer thread and again by the session store process, outside any transaction). A real file: a row
the fills would change, put there behind the centre's back, shows whether they ran.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from classroom_console.centre.db_sqlite import connect_writer

SPAN = ("INSERT INTO session_spans (room_id, id, lecturer, course, started_at, t0_s, dur_s) "
        "VALUES ('r1', 's1', 'Ann', 'Physics', '2026-11-30T09:00:00Z', 0, 3600)")
COUNT = ("INSERT INTO tablet_counts (room_id, session_id, item, kind, activity_kind, title, events, seats) "
         "VALUES ('r1', 's1', '', 'join', '', '', 3, 3)")


def _open_and_close(path: Path) -> None:
    connect_writer(path).close()


def _state(path: Path) -> tuple[object, int]:
    with sqlite3.connect(path) as conn:
        started = conn.execute("SELECT started_at FROM tablet_counts WHERE session_id = 's1'").fetchone()[0]
        sessions = conn.execute("SELECT count(*) FROM tablet_sessions WHERE session_id = 's1'").fetchone()[0]
    conn.close()
    return started, sessions


def test_the_fills_run_on_the_start_that_adds_what_they_fill_and_then_never(tmp_path: Path) -> None:
    path = tmp_path / "centre.db"
    _open_and_close(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(SPAN)
    conn.execute(COUNT)  # no span columns, no tablet_sessions row: what only a fill would change
    conn.close()
    _open_and_close(path)
    assert _state(path) == (None, 0), "a start filled again what an earlier start had made"

    # A file from before the span columns and tablet_sessions: the next start adds them and fills them, once.
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE tablet_sessions")
    for column in ("started_at", "lecturer", "course", "t0_s"):
        conn.execute(f"ALTER TABLE tablet_counts DROP COLUMN {column}")
    conn.close()
    _open_and_close(path)
    assert _state(path) == ("2026-11-30T09:00:00Z", 1)

