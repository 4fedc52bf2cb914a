"""The demo room's past: believable, marked as demo, written once, and only into the demo's own log."""

from __future__ import annotations

from pathlib import Path

from classroom_console.demo_history import DEMO_KIND, WEEKS, seed
from classroom_console.store import open_store
from devices.sim.room import SimRoomConfig


def test_six_weeks_of_timetabled_sessions_written_once(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        store.upsert_room("room:Demo room", "Demo room")
        written = seed(store, "room:Demo room", SimRoomConfig(projectors=2, boards=1))
        assert 8 * WEEKS < written < 5 * 6 * WEEKS  # most weekday slots, few Saturdays, no Sundays
        assert seed(store, "room:Demo room", SimRoomConfig()) == 0  # never twice
        kinds = {row[0] for row in store.db.execute("SELECT DISTINCT kind FROM sessions")}
        assert kinds == {DEMO_KIND}
        per_session = store.db.execute("SELECT count(*) FROM session_events GROUP BY session_id LIMIT 1").fetchone()[0]
        assert per_session == 6  # three devices, on and off
        open_sessions = store.db.execute("SELECT count(*) FROM sessions WHERE ended_at IS NULL").fetchone()[0]
        assert open_sessions == 0
    finally:
        store.close()
