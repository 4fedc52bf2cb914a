"""The schema as an ordered list of steps; ``PRAGMA user_version`` records how many have run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from classroom_console.participation_rollup import add_tablet_rollup
from classroom_console.tablet_sessions import ROOM_DDL as TABLET_SESSIONS_DDL
from classroom_console.tablet_sessions import ROOM_INDEX as TABLET_SESSIONS_INDEX

from .errors import StoreTooNewError
from .sqlite_db import Database

# A step is SQL (run as a script) or a function for changes SQL alone cannot express.
Migration = str | Callable[[Database], None]

# v1: what a room needs to log a session. Times are ISO-8601 UTC text ("...Z"), JSON columns are text.
# session_events.device_uid is deliberately not a foreign key: an event must never be refused because
# its device row has not been written yet (tablets, devices seen only once).
_V1_CORE = """
CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    building TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE devices (
    uid TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    last_address TEXT NOT NULL DEFAULT '',
    last_port INTEGER,
    protocol TEXT NOT NULL DEFAULT '',
    protocol_class TEXT NOT NULL DEFAULT '',
    room_id TEXT REFERENCES rooms(id) ON DELETE SET NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX devices_last_seen ON devices(last_seen);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    room_id TEXT REFERENCES rooms(id) ON DELETE SET NULL,
    lecturer TEXT NOT NULL DEFAULT '',
    course TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'running'
);
CREATE INDEX sessions_started_at ON sessions(started_at);
CREATE TABLE session_events (
    id INTEGER PRIMARY KEY,
    session_id TEXT REFERENCES sessions(id) ON DELETE CASCADE,
    device_uid TEXT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    wall_time TEXT NOT NULL,
    monotonic_ns INTEGER NOT NULL
);
CREATE INDEX session_events_session_time ON session_events(session_id, wall_time);
CREATE INDEX session_events_device_time ON session_events(device_uid, wall_time);
"""

# v2: device health over time, the studio's recordings and markers, and the durable upload queue.
_V2_MEDIA_AND_SYNC = """
CREATE TABLE device_readings (
    id INTEGER PRIMARY KEY,
    device_uid TEXT NOT NULL REFERENCES devices(uid) ON DELETE CASCADE,
    wall_time TEXT NOT NULL,
    power TEXT,
    lamp_hours TEXT NOT NULL DEFAULT '[]',
    error_status TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX device_readings_device_time ON device_readings(device_uid, wall_time);
CREATE TABLE recordings (
    id TEXT PRIMARY KEY,
    session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    path TEXT NOT NULL,
    started_at TEXT NOT NULL,
    stopped_at TEXT,
    duration_s REAL,
    size_bytes INTEGER,
    sha256 TEXT,
    layout TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '[]',
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX recordings_session ON recordings(session_id);
CREATE TABLE markers (
    id INTEGER PRIMARY KEY,
    recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    at_s REAL NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX markers_recording ON markers(recording_id, at_s);
CREATE TABLE upload_queue (
    id INTEGER PRIMARY KEY,
    item_kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    state TEXT NOT NULL DEFAULT 'pending',
    UNIQUE (item_kind, item_id)
);
CREATE INDEX upload_queue_due ON upload_queue(state, next_attempt_at);
"""

# v3: device passwords, for PCs without a system keyring. Kept apart from `devices` so the row that
# is uploaded to the centre never carries a secret.
_V3_DEVICE_SECRETS = """
CREATE TABLE device_secrets (
    device_uid TEXT PRIMARY KEY,
    password TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# v4: what the centre's usage charts and the sync need. `session_devices` is a rollup kept by a trigger
# (which devices took part in which session) so device hours never scan every event; the partial indexes
# keep fault counts cheap; `sync_settings` holds the centre URL and this room's token.
_V4_USAGE_AND_SYNC = """
CREATE INDEX sessions_room_started ON sessions(room_id, started_at);
CREATE INDEX sessions_lecturer_started ON sessions(lecturer, started_at);
CREATE INDEX sessions_ended ON sessions(ended_at);
CREATE INDEX recordings_started ON recordings(started_at);
CREATE INDEX session_events_faults ON session_events(device_uid, wall_time)
    WHERE kind IN ('error', 'command_failed');
CREATE INDEX device_readings_faults ON device_readings(device_uid, wall_time) WHERE error_status <> '{}';
CREATE TABLE session_devices (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    device_uid TEXT NOT NULL,
    PRIMARY KEY (session_id, device_uid)
) WITHOUT ROWID;
INSERT OR IGNORE INTO session_devices (session_id, device_uid)
    SELECT DISTINCT session_id, device_uid FROM session_events
    WHERE session_id IS NOT NULL AND device_uid IS NOT NULL;
CREATE TRIGGER session_events_devices AFTER INSERT ON session_events
    WHEN new.session_id IS NOT NULL AND new.device_uid IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO session_devices (session_id, device_uid) VALUES (new.session_id, new.device_uid);
END;
CREATE TABLE sync_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# v5: usage rollups kept by triggers, so the Centre workspace's charts never recompute times per event:
# `session_spans` (start and length in epoch seconds), `session_hours` (seconds per UTC hour of the week,
# Monday 00:00 = 0) and `device_spans` (which device took part in which session, and for how long). They
# replace v4's `session_devices`. `hour_steps` is a 0..24 counter: triggers cannot use recursive CTEs.
_SPAN_T0 = "round((julianday(new.started_at) - 2440587.5) * 86400.0, 3)"
_SPAN_DUR = (
    "(CASE WHEN new.ended_at IS NULL THEN 0.0 ELSE "
    "min(max(round((julianday(new.ended_at) - julianday(new.started_at)) * 86400.0, 3), 0.0), 86400.0) END)"
)
_SPAN_REFRESH = f"""
    INSERT OR REPLACE INTO session_spans (id, room_id, lecturer, course, started_at, t0_s, dur_s)
        VALUES (new.id, coalesce(new.room_id, ''), new.lecturer, new.course, new.started_at, {_SPAN_T0}, {_SPAN_DUR});
    DELETE FROM session_hours WHERE session_id = new.id;
    INSERT INTO session_hours (session_id, how, secs, started_at, room_id, lecturer)
        SELECT new.id, (x.h + 72) % 168, min(x.t1, (x.h + 1) * 3600.0) - max(x.t0, x.h * 3600.0),
               new.started_at, coalesce(new.room_id, ''), new.lecturer
        FROM (SELECT CAST(sp.t0_s / 3600 AS INTEGER) + st.i AS h, sp.t0_s AS t0, sp.t0_s + sp.dur_s AS t1
              FROM session_spans sp, hour_steps st WHERE sp.id = new.id) AS x
        WHERE x.h * 3600.0 < x.t1;
    UPDATE device_spans SET started_at = new.started_at, room_id = coalesce(new.room_id, ''),
        lecturer = new.lecturer, dur_s = {_SPAN_DUR} WHERE session_id = new.id;
"""
_V5_USAGE_ROLLUPS = f"""
DROP TRIGGER session_events_devices;
DROP TABLE session_devices;
CREATE TABLE hour_steps (i INTEGER PRIMARY KEY);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 24) INSERT INTO hour_steps SELECT i FROM n;
CREATE TABLE session_spans (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL,
    lecturer TEXT NOT NULL,
    course TEXT NOT NULL,
    started_at TEXT NOT NULL,
    t0_s REAL NOT NULL,
    dur_s REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_spans_started ON session_spans(started_at, room_id, lecturer, course, t0_s, dur_s);
CREATE INDEX session_spans_room ON session_spans(room_id, started_at);
CREATE INDEX session_spans_lecturer ON session_spans(lecturer, started_at);
CREATE TABLE session_hours (
    session_id TEXT NOT NULL,
    how INTEGER NOT NULL,
    secs REAL NOT NULL,
    started_at TEXT NOT NULL,
    room_id TEXT NOT NULL,
    lecturer TEXT NOT NULL,
    PRIMARY KEY (session_id, how)
) WITHOUT ROWID;
CREATE INDEX session_hours_how ON session_hours(how, started_at, room_id, lecturer, secs);
CREATE INDEX session_hours_started ON session_hours(started_at, room_id, lecturer, how, secs);
CREATE TABLE device_spans (
    session_id TEXT NOT NULL,
    device_uid TEXT NOT NULL,
    started_at TEXT NOT NULL,
    room_id TEXT NOT NULL,
    lecturer TEXT NOT NULL,
    dur_s REAL NOT NULL,
    PRIMARY KEY (session_id, device_uid)
) WITHOUT ROWID;
CREATE INDEX device_spans_device ON device_spans(device_uid, started_at, room_id, lecturer, dur_s);
CREATE INDEX device_spans_started ON device_spans(started_at, room_id, lecturer, device_uid, dur_s);
CREATE TRIGGER sessions_usage_insert AFTER INSERT ON sessions BEGIN {_SPAN_REFRESH} END;
CREATE TRIGGER sessions_usage_update AFTER UPDATE OF started_at, ended_at, room_id, lecturer, course ON sessions
BEGIN {_SPAN_REFRESH} END;
CREATE TRIGGER sessions_usage_delete AFTER DELETE ON sessions BEGIN
    DELETE FROM session_spans WHERE id = old.id;
    DELETE FROM session_hours WHERE session_id = old.id;
    DELETE FROM device_spans WHERE session_id = old.id;
END;
CREATE TRIGGER session_events_device_spans AFTER INSERT ON session_events
    WHEN new.session_id IS NOT NULL AND new.device_uid IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO device_spans (session_id, device_uid, started_at, room_id, lecturer, dur_s)
        SELECT sp.id, new.device_uid, sp.started_at, sp.room_id, sp.lecturer, sp.dur_s
        FROM session_spans sp WHERE sp.id = new.session_id;
END;
UPDATE sessions SET started_at = started_at;
INSERT OR IGNORE INTO device_spans (session_id, device_uid, started_at, room_id, lecturer, dur_s)
    SELECT DISTINCT e.session_id, e.device_uid, sp.started_at, sp.room_id, sp.lecturer, sp.dur_s
    FROM session_events e JOIN session_spans sp ON sp.id = e.session_id WHERE e.device_uid IS NOT NULL;
"""

# v6: why an upload was given up (a reason code such as `not_a_file` or `refused`, which the UI words),
# beside `last_error`'s one line, so one bad item is visible instead of blocking or vanishing.
_V6_UPLOAD_REASON = """
ALTER TABLE upload_queue ADD COLUMN reason TEXT;
"""

# v7: a recording's chapters (found by scene change, from markers, or edited in the Studio), the list's revision
# for the centre, and the hold that keeps the sync off the file while its chapter atoms are written.
_V7_CHAPTERS = """
CREATE TABLE chapters (
    recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start_s REAL NOT NULL,
    title TEXT NOT NULL,
    origin TEXT NOT NULL,
    thumbnail BLOB,
    PRIMARY KEY (recording_id, idx)
);
ALTER TABLE recordings ADD COLUMN chapters_rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recordings ADD COLUMN chapters_state TEXT NOT NULL DEFAULT '';
"""

# v8: the usage figures read tablet participation (participation.py) per session by kind; this partial index
# keeps them from reading every device event too (over 1M events: 4.4 s without, 30 ms with). The IN list is
# usage_participation's, item for item: SQLite uses a partial index only when the query repeats its WHERE.
_V8_PARTICIPATION_INDEX = """
CREATE INDEX session_events_participation ON session_events(session_id)
    WHERE kind IN ('participant_joined', 'activity_started', 'answer', 'hand_raised',
                   'tablet.joined', 'tablet.activity', 'tablet.answer', 'tablet.hand');
"""

# v10: each tablet_counts row carries its session's start, room, lecturer, course and t0_s (as session_spans has
# them), so the participation figures filter that table by its own indexes instead of joining the sessions
# (50,000 sessions, 866k events: 607 ms -> see bench/usage_participation.py). Kept by triggers: a new row takes
# its session's, and a session's edit (a lecturer or room put right afterwards) is copied to its rows.
_TABLET_META = f"""
    UPDATE tablet_counts SET started_at = new.started_at, room_id = coalesce(new.room_id, ''),
        lecturer = new.lecturer, course = new.course, t0_s = {_SPAN_T0} WHERE session_id = new.id;
"""
_V10_TABLET_SESSIONS = f"""
ALTER TABLE tablet_counts ADD COLUMN started_at TEXT;
ALTER TABLE tablet_counts ADD COLUMN room_id TEXT;
ALTER TABLE tablet_counts ADD COLUMN lecturer TEXT;
ALTER TABLE tablet_counts ADD COLUMN course TEXT;
ALTER TABLE tablet_counts ADD COLUMN t0_s REAL;
UPDATE tablet_counts SET (started_at, room_id, lecturer, course, t0_s) = (SELECT sp.started_at, sp.room_id,
    sp.lecturer, sp.course, sp.t0_s FROM session_spans sp WHERE sp.id = tablet_counts.session_id);
CREATE INDEX tablet_counts_started ON tablet_counts(started_at, room_id, lecturer);
CREATE INDEX tablet_counts_room ON tablet_counts(room_id, started_at);
CREATE INDEX tablet_counts_lecturer ON tablet_counts(lecturer, started_at);
CREATE TRIGGER tablet_counts_new AFTER INSERT ON tablet_counts BEGIN
    UPDATE tablet_counts SET (started_at, room_id, lecturer, course, t0_s) = (SELECT sp.started_at, sp.room_id,
        sp.lecturer, sp.course, sp.t0_s FROM session_spans sp WHERE sp.id = new.session_id)
    WHERE session_id = new.session_id AND item = new.item AND kind = new.kind;
END;
CREATE TRIGGER tablet_counts_session_insert AFTER INSERT ON sessions BEGIN {_TABLET_META} END;
CREATE TRIGGER tablet_counts_session_update AFTER UPDATE OF started_at, room_id, lecturer, course ON sessions
BEGIN {_TABLET_META} END;
"""

# v11: one covering index for the participation figures (usage_tablets.py) in place of v10's three: they read
# a range of starts and sum per session, which this order serves without a sort or a table lookup (SQLite's
# planner took v10's room index by skip-scan and then looked up every row: 500 ms over a year).
_V11_TABLET_SPAN_INDEX = """
DROP INDEX IF EXISTS tablet_counts_started;
DROP INDEX IF EXISTS tablet_counts_room;
DROP INDEX IF EXISTS tablet_counts_lecturer;
CREATE INDEX IF NOT EXISTS tablet_counts_span
    ON tablet_counts(started_at, room_id, session_id, lecturer, t0_s, course, kind, item, events, seats);
"""

# v12: one row of participation sums per session (tablet_sessions.py), kept by triggers on tablet_counts: the
# figures sum those (5,000 rows in a busy year) and read tablet_counts only for the sessions they list, so
# v11's covering index is no longer needed (it cost every answer a write).
_V12_TABLET_SESSIONS = "DROP INDEX IF EXISTS tablet_counts_span;\n" + TABLET_SESSIONS_DDL

# v14: the room's own devices marked once, at the upgrade (room_devices.ROOM_KNOWN, in a row's state): from then on
# the room password is offered only to a marked device. Before the mark, one last seen online after asking for a
# password had got in with one the room gave it, and one with a password of its own was typed on its card; after
# it, the same row proves nothing (a stranger can ask at the look and be open to the polls, R9), so the rule that
# judged a row is applied here once and never again.
_V14_ROOM_KNOWN = """
UPDATE devices SET extra = json_set(extra, '$.state.room_known', json('true'))
WHERE json_valid(extra) AND json_type(extra, '$.state') = 'object' AND (
    (json_extract(extra, '$.availability') = 'online' AND json_type(extra, '$.state.needs_password') = 'true')
    OR uid IN (SELECT device_uid FROM device_secrets)
);
"""

# v15 and v16: a step taken back. For half an hour of development (3228de0) v15 marked every device a logged
# session had sent a command to the room's own (`$.state.room_used`), which took in every neighbour a session's end
# had turned off; v15 is now nothing, and v16 removes that mark from a store that had it (the mark is made again by
# the lecturer's next command from a device's card). On a store at v14 both do nothing: never shorten this tuple.
_V15_TAKEN_BACK = "SELECT 1;"
_V16_ROOM_USED_UNMADE = """
UPDATE devices SET extra = json_remove(extra, '$.state.room_used')
WHERE json_valid(extra) AND json_type(extra, '$.state.room_used') IS NOT NULL;
"""

# v17: the lecturer's word on whether a device is this room's (room_devices.RoomDevices.choose, room_choice.py):
# 1 yes, 0 no, NULL not said. A column of its own, not a key in `extra`: every upsert rewrites `extra` from what the
# console holds, and this word must survive a row rewritten by a run (or a `discover`) that never heard it.
_V17_ROOM_CHOICE = "ALTER TABLE devices ADD COLUMN room_choice INTEGER;"

MIGRATIONS: tuple[Migration, ...] = (
    _V1_CORE, _V2_MEDIA_AND_SYNC, _V3_DEVICE_SECRETS, _V4_USAGE_AND_SYNC, _V5_USAGE_ROLLUPS, _V6_UPLOAD_REASON,
    _V7_CHAPTERS,
    _V8_PARTICIPATION_INDEX,
    add_tablet_rollup,  # v9: tablet_counts and tablet_seats, kept by triggers (participation_rollup.py)
    _V10_TABLET_SESSIONS,
    _V11_TABLET_SPAN_INDEX,
    _V12_TABLET_SESSIONS,
    TABLET_SESSIONS_INDEX,  # v13: tablet_sessions' index covers the figures' columns (tablet_sessions.py)
    _V14_ROOM_KNOWN,
    _V15_TAKEN_BACK,
    _V16_ROOM_USED_UNMADE,
    _V17_ROOM_CHOICE,
)
LATEST_VERSION = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    """The number of migrations this file has had applied."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    db: Database,
    path: Path,
    migrations: Sequence[Migration] = MIGRATIONS,
    target: int | None = None,
) -> int:
    """Bring the schema up to ``target``; each step and its version bump commit together."""
    target = len(migrations) if target is None else target
    current = schema_version(db)
    if current > len(migrations):
        raise StoreTooNewError(path, current, len(migrations))
    for version in range(current + 1, target + 1):
        step = migrations[version - 1]
        with db.atomic():
            if isinstance(step, str):
                db.executescript(step)
            else:
                step(db)
            db.execute(f"PRAGMA user_version = {version:d}")
    return schema_version(db)
