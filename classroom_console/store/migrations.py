"""The schema as an ordered list of steps; ``PRAGMA user_version`` records how many have run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlite_utils import Database

from .errors import StoreTooNewError

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

MIGRATIONS: tuple[Migration, ...] = (_V1_CORE, _V2_MEDIA_AND_SYNC, _V3_DEVICE_SECRETS, _V4_USAGE_AND_SYNC)
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
