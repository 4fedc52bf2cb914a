"""The centre's tables, valid in both SQLite and PostgreSQL; shaped like the room's so usage SQL runs on both."""

from __future__ import annotations

from collections.abc import Iterable

from classroom_console import tablet_sessions

# Indexes added after centres were in use: on PostgreSQL built by online_indexes.py, without stopping the writers.
DEVICE_SPANS_ROOM = ("CREATE INDEX IF NOT EXISTS device_spans_room ON device_spans(room_id, started_at, device_uid, "
                     "dur_s)")
RECORDINGS_ROOM = ("CREATE INDEX IF NOT EXISTS recordings_room ON recordings(room_id, started_at, duration_s, "
                   "size_bytes)")
# One room's tablet figures by its key: PostgreSQL's generic plan of a report (a filter asked again) read every
# room's sessions in the range through tablet_sessions_span. The same columns, the room first.
TABLET_SESSIONS_ROOM = ("CREATE INDEX IF NOT EXISTS tablet_sessions_room ON tablet_sessions(room_id, started_at, "
                        "lecturer, t0_s, course, acts, joins, hands, answers, respondents)")
ONLINE_INDEXES = (DEVICE_SPANS_ROOM, RECORDINGS_ROOM, TABLET_SESSIONS_ROOM)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS tokens (
        hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, folder TEXT NOT NULL,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        room_id TEXT NOT NULL, id TEXT NOT NULL, lecturer TEXT NOT NULL DEFAULT '', course TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT '', started_at TEXT NOT NULL, ended_at TEXT, status TEXT NOT NULL DEFAULT '',
        received_at TEXT NOT NULL, PRIMARY KEY (room_id, id))""",
    "CREATE INDEX IF NOT EXISTS sessions_id ON sessions(id)",
    """CREATE TABLE IF NOT EXISTS session_events (
        room_id TEXT NOT NULL, session_id TEXT NOT NULL, local_id BIGINT NOT NULL, device_uid TEXT,
        kind TEXT NOT NULL, payload TEXT NOT NULL DEFAULT '{}', wall_time TEXT NOT NULL,
        PRIMARY KEY (room_id, session_id, local_id))""",
    """CREATE INDEX IF NOT EXISTS session_events_faults ON session_events(device_uid, wall_time)
        WHERE kind IN ('error', 'command_failed')""",
    # The same rollups the room's store keeps with triggers (migration v5), computed here in Python.
    """CREATE TABLE IF NOT EXISTS session_spans (
        room_id TEXT NOT NULL, id TEXT NOT NULL, lecturer TEXT NOT NULL, course TEXT NOT NULL,
        started_at TEXT NOT NULL, t0_s DOUBLE PRECISION NOT NULL, dur_s DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (room_id, id))""",
    """CREATE INDEX IF NOT EXISTS session_spans_started
        ON session_spans(started_at, room_id, lecturer, course, t0_s, dur_s)""",
    "CREATE INDEX IF NOT EXISTS session_spans_room ON session_spans(room_id, started_at)",
    "CREATE INDEX IF NOT EXISTS session_spans_lecturer ON session_spans(lecturer, started_at)",
    "CREATE INDEX IF NOT EXISTS session_spans_id ON session_spans(id)",
    """CREATE TABLE IF NOT EXISTS session_hours (
        room_id TEXT NOT NULL, session_id TEXT NOT NULL, how INTEGER NOT NULL, secs DOUBLE PRECISION NOT NULL,
        started_at TEXT NOT NULL, lecturer TEXT NOT NULL, PRIMARY KEY (room_id, session_id, how))""",
    "CREATE INDEX IF NOT EXISTS session_hours_how ON session_hours(how, started_at, room_id, lecturer, secs)",
    "CREATE INDEX IF NOT EXISTS session_hours_started ON session_hours(started_at, room_id, lecturer, how, secs)",
    """CREATE TABLE IF NOT EXISTS device_spans (
        room_id TEXT NOT NULL, session_id TEXT NOT NULL, device_uid TEXT NOT NULL, started_at TEXT NOT NULL,
        lecturer TEXT NOT NULL, dur_s DOUBLE PRECISION NOT NULL, PRIMARY KEY (room_id, session_id, device_uid))""",
    "CREATE INDEX IF NOT EXISTS device_spans_device ON device_spans(device_uid, started_at, room_id, lecturer, dur_s)",
    "CREATE INDEX IF NOT EXISTS device_spans_started ON device_spans(started_at, room_id, lecturer, device_uid, dur_s)",
    """CREATE TABLE IF NOT EXISTS devices (
        room_id TEXT NOT NULL, uid TEXT NOT NULL, kind TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (room_id, uid))""",
    """CREATE TABLE IF NOT EXISTS device_readings (
        room_id TEXT NOT NULL, device_uid TEXT NOT NULL, wall_time TEXT NOT NULL, power TEXT,
        lamp_hours TEXT NOT NULL DEFAULT '[]', error_status TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (room_id, device_uid, wall_time))""",
    "CREATE INDEX IF NOT EXISTS device_readings_device_time ON device_readings(device_uid, wall_time)",
    """CREATE TABLE IF NOT EXISTS recordings (
        room_id TEXT NOT NULL, id TEXT NOT NULL, session_id TEXT, name TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL, stopped_at TEXT, duration_s DOUBLE PRECISION, size_bytes BIGINT,
        sha256 TEXT NOT NULL, received BIGINT NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0,
        completed_at TEXT, PRIMARY KEY (room_id, id))""",
    "CREATE INDEX IF NOT EXISTS recordings_started ON recordings(started_at)",
    # Tablet participation read per session (usage_participation.py; the same list as the room's migration v8).
    """CREATE INDEX IF NOT EXISTS session_events_participation ON session_events(session_id)
        WHERE kind IN ('participant_joined', 'activity_started', 'answer', 'hand_raised',
                       'tablet.joined', 'tablet.activity', 'tablet.answer', 'tablet.hand')""",
    # The rollup of those per session (usage_participation.rollup, recomputed from each upload; the room's v9).
    """CREATE TABLE IF NOT EXISTS tablet_counts (
        room_id TEXT NOT NULL, session_id TEXT NOT NULL, item TEXT NOT NULL, kind TEXT NOT NULL,
        activity_kind TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', events BIGINT NOT NULL DEFAULT 0,
        seats BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (room_id, session_id, item, kind))""",
    "CREATE INDEX IF NOT EXISTS tablet_counts_session ON tablet_counts(session_id)",
    # The library (centre/library*.py, publish*.py): what a recording is about, whether students may see it.
    """CREATE TABLE IF NOT EXISTS library (
        room_id TEXT NOT NULL, id TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
        course TEXT NOT NULL DEFAULT '', lecturer TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '',
        chapters TEXT NOT NULL DEFAULT '[]', chapter_text TEXT NOT NULL DEFAULT '',
        published INTEGER NOT NULL DEFAULT 0, views BIGINT NOT NULL DEFAULT 0, updated_at TEXT NOT NULL,
        published_at TEXT, PRIMARY KEY (room_id, id))""",
    "CREATE UNIQUE INDEX IF NOT EXISTS library_key ON library(key)",
    """CREATE TABLE IF NOT EXISTS library_tracks (
        room_id TEXT NOT NULL, id TEXT NOT NULL, recording_id TEXT NOT NULL, source TEXT NOT NULL,
        size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, received BIGINT NOT NULL DEFAULT 0,
        complete INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (room_id, id))""",
    """CREATE TABLE IF NOT EXISTS library_readers (
        hash TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)""",
    "CREATE TABLE IF NOT EXISTS library_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Charts narrowed by a lecturer or a room read the rows themselves (charts.py): each finds its few by index.
    "CREATE INDEX IF NOT EXISTS session_hours_lecturer ON session_hours(lecturer, started_at, how, secs)",
    "CREATE INDEX IF NOT EXISTS session_hours_room ON session_hours(room_id, started_at, how, secs)",
    "CREATE INDEX IF NOT EXISTS device_spans_lecturer ON device_spans(lecturer, started_at, device_uid, dur_s)",
    "CREATE INDEX IF NOT EXISTS recordings_session ON recordings(room_id, session_id, started_at)",
    # One room's device hours and recordings in part-days (a range's ends, under a day) by its key: without these
    # the room's whole history was read (by the primary key), or every room's rows of that part-day.
    DEVICE_SPANS_ROOM,
    RECORDINGS_ROOM,
    """CREATE INDEX IF NOT EXISTS session_events_fault_rooms ON session_events(room_id, session_id, device_uid,
        wall_time) WHERE kind IN ('error', 'command_failed')""",
    """CREATE INDEX IF NOT EXISTS session_events_fault_times ON session_events(wall_time, device_uid)
        WHERE kind IN ('error', 'command_failed')""",
)

# Indexes no statement the SQLite centre runs reads (EXPLAIN QUERY PLAN of every chart, sum and lookup statement:
# tests/test_centre_sqlite_indexes.py). On SQLite each cost every upload: a B-tree insert a row, or for a partial
# index its test of every event (the two on session_events were a third of the events' insert). The SQLite centre
# leaves them out and drops them from a file made before (db_sqlite.drop_unused); PostgreSQL keeps them.
SQLITE_UNUSED = ("session_events_faults", "session_events_participation", "device_spans_device", "session_hours_how",
                 "sessions_id", "session_spans_id", "tablet_counts_session")


def index_name(statement: str) -> str | None:
    """The index a ``CREATE INDEX IF NOT EXISTS`` statement makes; None for any other statement."""
    words = statement.split(None, 7)
    if len(words) < 6 or words[:2] != ["CREATE", "INDEX"]:
        return None
    return words[5]


ADD_TOKEN = (
    "INSERT INTO tokens (hash, name, role, folder, created_at) VALUES (:hash, :name, :role, :folder, :now)"
)
# Columns added after the first release: (table, column, type); each back end adds what is missing.
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (("tokens", "last_used_at", "TEXT"), ("tokens", "revoked_at", "TEXT"),
                 ("library", "chapters_rev", "BIGINT NOT NULL DEFAULT 0"))
# tablet_counts carries its session's span (as the room's store v10/v11): the participation figures filter it
# alone (usage_tablets.py). Added like the columns above; AFTER_COLUMNS runs once they exist, filling old rows.
ADDED_COLUMNS += (("tablet_counts", "started_at", "TEXT"), ("tablet_counts", "lecturer", "TEXT"),
                  ("tablet_counts", "course", "TEXT"), ("tablet_counts", "t0_s", "DOUBLE PRECISION"))
SPANS_FILL = """UPDATE tablet_counts SET (started_at, lecturer, course, t0_s) = (SELECT sp.started_at, sp.lecturer,
    sp.course, sp.t0_s FROM session_spans sp
    WHERE sp.room_id = tablet_counts.room_id AND sp.id = tablet_counts.session_id) WHERE started_at IS NULL"""
AFTER_COLUMNS = (
    SPANS_FILL,
    tablet_sessions.CENTRE_TABLE, *tablet_sessions.CENTRE_INDEXES, tablet_sessions.CENTRE_FILL,
    TABLET_SESSIONS_ROOM,
)
# A fill is done once what it fills was made (in the transaction that made it), so it runs only on a start that finds
# that missing: each read the whole of tablet_counts on every start of a PostgreSQL centre. By the name
# ``online_indexes.EXISTING`` gives it (a table, or table.column).
FILLS_WHAT = {SPANS_FILL: "tablet_counts.started_at", tablet_sessions.CENTRE_FILL: "tablet_sessions"}


def undone(statements: Iterable[str], existing: Iterable[str]) -> tuple[str, ...]:
    """``statements`` less the fills whose target was among ``existing`` (names as ``FILLS_WHAT`` gives them)
    before the schema's transaction began: that target was filled in the transaction that made it."""
    there = set(existing)
    return tuple(s for s in statements if FILLS_WHAT.get(s) not in there)
FIND_TOKEN = "SELECT name, role, folder FROM tokens WHERE hash = :hash AND revoked_at IS NULL"
TOKEN_ID_LEN = 12  # a token's public id: the start of its hash (never the token)
LIST_TOKENS = f"""SELECT name, role, substr(hash, 1, {TOKEN_ID_LEN}), created_at, last_used_at, revoked_at
    FROM tokens ORDER BY name, created_at"""
REVOKE_ID = f"""UPDATE tokens SET revoked_at = :now WHERE revoked_at IS NULL AND substr(hash, 1, {TOKEN_ID_LEN}) = :key
    RETURNING name, substr(hash, 1, {TOKEN_ID_LEN})"""
REVOKE_NAME = f"""UPDATE tokens SET revoked_at = :now WHERE revoked_at IS NULL AND name = :key
    RETURNING name, substr(hash, 1, {TOKEN_ID_LEN})"""
TOUCH_TOKEN = """UPDATE tokens SET last_used_at = :at WHERE hash = :hash
    AND (last_used_at IS NULL OR last_used_at < :at)"""
UPSERT_SESSION = """INSERT INTO sessions (
        room_id, id, lecturer, course, kind, started_at, ended_at, status, received_at)
    VALUES (:room_id, :id, :lecturer, :course, :kind, :started_at, :ended_at, :status, :now)
    ON CONFLICT (room_id, id) DO UPDATE SET lecturer = excluded.lecturer, course = excluded.course,
        kind = excluded.kind, started_at = excluded.started_at, ended_at = excluded.ended_at,
        status = excluded.status, received_at = excluded.received_at"""
INSERT_EVENT = """INSERT INTO session_events (room_id, session_id, local_id, device_uid, kind, payload, wall_time)
    VALUES (:room_id, :session_id, :local_id, :device_uid, :kind, :payload, :wall_time) ON CONFLICT DO NOTHING"""
UPSERT_SPAN = """INSERT INTO session_spans (room_id, id, lecturer, course, started_at, t0_s, dur_s)
    VALUES (:room_id, :id, :lecturer, :course, :started_at, :t0_s, :dur_s)
    ON CONFLICT (room_id, id) DO UPDATE SET lecturer = excluded.lecturer, course = excluded.course,
        started_at = excluded.started_at, t0_s = excluded.t0_s, dur_s = excluded.dur_s"""
DELETE_HOURS = "DELETE FROM session_hours WHERE room_id = :room_id AND session_id = :session_id"
INSERT_HOUR = """INSERT INTO session_hours (room_id, session_id, how, secs, started_at, lecturer)
    VALUES (:room_id, :session_id, :how, :secs, :started_at, :lecturer)"""
UPSERT_DEVICE_SPAN = """INSERT INTO device_spans (room_id, session_id, device_uid, started_at, lecturer, dur_s)
    VALUES (:room_id, :session_id, :device_uid, :started_at, :lecturer, :dur_s)
    ON CONFLICT (room_id, session_id, device_uid) DO UPDATE SET started_at = excluded.started_at,
        lecturer = excluded.lecturer, dur_s = excluded.dur_s"""
UPSERT_DEVICE = """INSERT INTO devices (room_id, uid, kind, name) VALUES (:room_id, :uid, :kind, :name)
    ON CONFLICT (room_id, uid) DO UPDATE SET kind = excluded.kind, name = excluded.name"""
INSERT_READING = """INSERT INTO device_readings (room_id, device_uid, wall_time, power, lamp_hours, error_status)
    VALUES (:room_id, :device_uid, :wall_time, :power, :lamp_hours, :error_status) ON CONFLICT DO NOTHING"""
DELETE_TABLETS = "DELETE FROM tablet_counts WHERE room_id = :room_id AND session_id = :session_id"
INSERT_TABLET = """INSERT INTO tablet_counts (room_id, session_id, item, kind, activity_kind, title, events, seats)
    VALUES (:room_id, :session_id, :item, :kind, :activity_kind, :title, :events, :seats)"""
SPAN_TABLETS = """UPDATE tablet_counts SET started_at = :started_at, lecturer = :lecturer, course = :course,
    t0_s = :t0_s
    WHERE room_id = :room_id AND session_id = :id"""
COUNT_EVENTS = "SELECT count(*) FROM session_events WHERE room_id = :room_id AND session_id = :session_id"
GET_RECORDING = """SELECT id, size_bytes, sha256, received, complete FROM recordings
    WHERE room_id = :room_id AND id = :id"""
INSERT_RECORDING = """INSERT INTO recordings (room_id, id, session_id, name, started_at, stopped_at, duration_s,
        size_bytes, sha256) VALUES (:room_id, :id, :session_id, :name, :started_at, :stopped_at, :duration_s,
        :size_bytes, :sha256) ON CONFLICT DO NOTHING"""
SET_RECEIVED = """UPDATE recordings SET received = :received, complete = :complete, completed_at = :completed_at
    WHERE room_id = :room_id AND id = :id"""
ROOMS = """SELECT t.name, count(DISTINCT s.id), max(s.received_at) FROM tokens t
    LEFT JOIN sessions s ON s.room_id = t.name WHERE t.role = 'room' GROUP BY t.name ORDER BY t.name"""
