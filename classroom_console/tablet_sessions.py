"""One row of tablet participation sums per session (``tablet_sessions``), made from its ``tablet_counts`` rows.

The usage report's per-course sums and its list of the newest sessions read these (5,000 rows in a busy
centre's year) instead of every rollup row (60,000), and join ``tablet_counts`` only for the sessions it
lists (usage_tablets.py). The sums are what ``usage_participation.figures`` adds up per session: joined seats,
hands raised, activities (distinct ids of activity and answer rows), answers and respondents. The room's store
keeps the table by triggers on ``tablet_counts`` (migration v12); the centre remakes a session's row on each
upload. No imports: the store's migrations load this while the store package is being imported.
"""

from __future__ import annotations

COLUMNS = "started_at, room_id, lecturer, course, t0_s, joins, hands, acts, answers, respondents"
_SUMS = (
    "max(started_at), max(room_id), max(lecturer), max(course), max(t0_s), "
    "sum(CASE WHEN kind = 'join' THEN seats ELSE 0 END), sum(CASE WHEN kind = 'hand' THEN events ELSE 0 END), "
    "count(DISTINCT CASE WHEN kind IN ('activity', 'answer') AND item <> '' THEN item END), "
    "sum(CASE WHEN kind = 'answer' AND item <> '' THEN events ELSE 0 END), "
    "sum(CASE WHEN kind = 'answer' AND item <> '' THEN seats ELSE 0 END)"
)
_TYPES = ("started_at TEXT, room_id TEXT, lecturer TEXT, course TEXT, t0_s {real}, joins BIGINT NOT NULL, "
          "hands BIGINT NOT NULL, acts BIGINT NOT NULL, answers BIGINT NOT NULL, respondents BIGINT NOT NULL")


def _refresh(who: str) -> str:
    return (f"DELETE FROM tablet_sessions WHERE session_id = {who}.session_id; "
            f"INSERT INTO tablet_sessions (session_id, {COLUMNS}) SELECT session_id, {_SUMS} FROM tablet_counts "
            f"WHERE session_id = {who}.session_id GROUP BY session_id;")


# The room's store (migration v12): filled from the rows there, then kept by triggers on tablet_counts.
ROOM_DDL = f"""
CREATE TABLE tablet_sessions (session_id TEXT PRIMARY KEY, {_TYPES.format(real="REAL")}) WITHOUT ROWID;
CREATE INDEX tablet_sessions_started ON tablet_sessions(started_at, room_id, lecturer);
CREATE INDEX tablet_sessions_lecturer ON tablet_sessions(lecturer, started_at);
INSERT INTO tablet_sessions (session_id, {COLUMNS}) SELECT session_id, {_SUMS} FROM tablet_counts GROUP BY session_id;
CREATE TRIGGER tablet_sessions_insert AFTER INSERT ON tablet_counts BEGIN {_refresh("new")} END;
CREATE TRIGGER tablet_sessions_update AFTER UPDATE ON tablet_counts BEGIN {_refresh("new")} END;
CREATE TRIGGER tablet_sessions_delete AFTER DELETE ON tablet_counts BEGIN {_refresh("old")} END;
"""

# Migration v13: the index covers every column the figures read from a range of starts (no lookup per session).
_SPAN = "tablet_sessions(started_at, room_id, lecturer, t0_s, course, acts, joins, hands, answers, respondents)"
ROOM_INDEX = f"""
DROP INDEX IF EXISTS tablet_sessions_started;
CREATE INDEX IF NOT EXISTS tablet_sessions_span ON {_SPAN};
"""

# The centre (centre/schema.py): keyed by room too; remade per session on upload, filled once for old rows.
CENTRE_TABLE = (f"CREATE TABLE IF NOT EXISTS tablet_sessions (room_id TEXT NOT NULL, session_id TEXT NOT NULL, "
                f"{_TYPES.format(real='DOUBLE PRECISION')}, PRIMARY KEY (room_id, session_id))").replace(
    "room_id TEXT, lecturer", "lecturer")  # room_id is the key's, not null
CENTRE_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS tablet_sessions_span ON {_SPAN}",
    "CREATE INDEX IF NOT EXISTS tablet_sessions_lecturer ON tablet_sessions(lecturer, started_at)",
)
_CENTRE_COLUMNS = COLUMNS.replace("room_id, ", "")
_CENTRE_SUMS = _SUMS.replace("max(room_id), ", "")
CENTRE_FILL = (f"INSERT INTO tablet_sessions (room_id, session_id, {_CENTRE_COLUMNS}) SELECT room_id, session_id, "
               f"{_CENTRE_SUMS} FROM tablet_counts t WHERE NOT EXISTS (SELECT 1 FROM tablet_sessions s "
               "WHERE s.room_id = t.room_id AND s.session_id = t.session_id) GROUP BY room_id, session_id")
CENTRE_DELETE = "DELETE FROM tablet_sessions WHERE room_id = :room_id AND session_id = :id"
CENTRE_INSERT = (f"INSERT INTO tablet_sessions (room_id, session_id, {_CENTRE_COLUMNS}) SELECT room_id, session_id, "
                 f"{_CENTRE_SUMS} FROM tablet_counts WHERE room_id = :room_id AND session_id = :id "
                 "GROUP BY room_id, session_id")
