"""The synchronous store: one SQLite connection, owned by one thread (a worker or the CLI)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from devices.model import DeviceInfo

from ._open import open_database
from .migrations import schema_version
from .paths import database_path
from .problem import StoreProblem
from .readings import insert_event, insert_reading
from .records import Event, Reading, dumps, utc_iso
from .sqlite_db import Database

_JSON_COLUMNS = ("payload", "extra", "lamp_hours", "error_status", "sources", "stats")


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """Rows come back with their JSON columns as Python values."""
    for col in _JSON_COLUMNS:
        if isinstance(row.get(col), str):
            row[col] = json.loads(row[col])
    return row


def open_store(data_dir: str | os.PathLike[str] | None = None, *, synchronous: str = "FULL") -> Store:
    """Open ``console.db`` in ``data_dir`` (default: the per-user data dir), migrating as needed."""
    path = database_path(data_dir)
    db, problem = open_database(path, synchronous)
    return Store(db, path, problem)


class Store:
    """Every write is its own committed transaction unless a method says it batches."""

    def __init__(self, db: Database, path: Path, problem: StoreProblem | None = None) -> None:
        self.db = db
        self.path = path
        self.problem = problem  # a damaged file moved aside at open, for the user's own words
        self.notice = problem.detail if problem is not None else None  # the same in English, for the log
        # Recordings whose file the sync is reading right now (touched on the writer thread only): chapter atoms
        # may not rewrite such a file until the upload ends.
        self.files_in_upload: set[str] = set()

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    def close(self) -> None:
        self.db.close()

    def integrity_ok(self) -> bool:
        """The full (slow) check, for diagnostics; open runs the quick one."""
        return [r[0] for r in self.db.execute("PRAGMA integrity_check")] == ["ok"]

    # rooms and devices

    def upsert_room(self, room_id: str, name: str, building: str = "") -> None:
        self.db.execute(
            "INSERT INTO rooms (id, name, building, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, building = excluded.building",
            (room_id, name, building, utc_iso()),
        )

    def upsert_device(self, info: DeviceInfo, room_id: str | None = None) -> None:
        """Keyed by the stable uid: a device that DHCP moved keeps its row, history and first_seen."""
        now = utc_iso()
        # The last state too: how to reach the device again (a camera's stream URL and PTZ port) before it is found
        extra = {"availability": str(info.availability), "found_by": sorted(info.found_by), "state": info.state}
        self.db.execute(
            """INSERT INTO devices (uid, kind, name, last_address, last_port, protocol, protocol_class,
                   room_id, first_seen, last_seen, extra)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(uid) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                   last_address = excluded.last_address, last_port = excluded.last_port,
                   protocol = excluded.protocol, protocol_class = excluded.protocol_class,
                   room_id = coalesce(excluded.room_id, devices.room_id),
                   last_seen = excluded.last_seen, extra = excluded.extra""",
            (
                info.uid,
                str(info.kind),
                info.name,
                info.address,
                info.port,
                info.protocol,
                info.protocol_class,
                room_id,
                now,
                now,
                dumps(extra),
            ),
        )

    def forget_device(self, uid: str) -> None:
        """A stranger that left the room was never the room's: its row goes, its readings with it (a cascade), unless
        a logged session names it: the session's upload sends the device's row and readings beside its events, so
        that row stays (a stranger's again at the next start: ``RoomDevices._stranger_remembered``), as does one the
        lecturer said is or is not the room's (``choose_device``)."""
        self.db.execute("DELETE FROM devices WHERE uid = ? AND room_choice IS NULL AND NOT EXISTS "
                        "(SELECT 1 FROM session_events WHERE device_uid = ?)", (uid, uid))

    def choose_device(self, info: DeviceInfo, choice: bool | None) -> None:
        """The lecturer's word on whether ``info`` is this room's (None: taken back), kept with its row (written
        now if it had none) by its uid, so it holds after a restart and a DHCP move. A stranger that leaves keeps a
        row with a word on it (``forget_device``): a refused neighbour is not asked about again when it returns."""
        with self.db.atomic():
            self.upsert_device(info)
            self.set_room_choice(info.uid, choice)

    def set_room_choice(self, uid: str, choice: bool | None) -> bool:
        """The same word for a remembered device by its id alone (the command line); False if no row has it."""
        cursor = self.db.execute("UPDATE devices SET room_choice = ? WHERE uid = ?",
                                 (None if choice is None else int(choice), uid))
        return cursor.rowcount > 0

    def room_words(self, seen: int | None) -> tuple[int, dict[str, bool] | None]:
        """The lecturer's words kept in the rows (uid -> this room's or not), or None while no other connection has
        committed since ``seen``: another program on the PC (``device ID room yes``) writes them too, and the window
        asks at every poll. ``PRAGMA data_version`` is this connection's counter of others' commits, read without
        touching a table; the rows are read only when it moved (for any table: the words are then compared)."""
        version = int(self.db.execute("PRAGMA data_version").fetchone()[0])
        if version == seen:
            return version, None
        rows = self.db.execute("SELECT uid, room_choice FROM devices WHERE room_choice IS NOT NULL").fetchall()
        return version, {str(uid): bool(word) for uid, word in rows}

    def known_devices(self) -> list[dict[str, Any]]:
        """Most recently seen first, so the UI can show the room before discovery finishes. Each row also says how
        long its device has been heard (``answered_s``: its first reading to its last, readings being taken only
        while it answers), which a stranger's row written once at a look does not show; two index seeks a row."""
        rows = self.db.query(
            "SELECT d.*, (SELECT min(wall_time) FROM device_readings WHERE device_uid = d.uid) AS first_read, "
            "(SELECT max(wall_time) FROM device_readings WHERE device_uid = d.uid) AS last_read "
            "FROM devices d ORDER BY last_seen DESC")
        found = []
        for row in rows:
            row["answered_s"] = _span_s(row.pop("first_read"), row.pop("last_read"))
            found.append(_decoded(row))
        return found

    def record_device_reading(
        self,
        device_uid: str,
        *,
        power: str | None = None,
        lamp_hours: Sequence[int] = (),
        error_status: Mapping[str, str] | None = None,
    ) -> int:
        """Lamp hours and faults over time, for the centre's maintenance view."""
        return insert_reading(self.db.execute, device_uid, power=power, lamp_hours=lamp_hours,
                              error_status=error_status)

    def save_news(
        self,
        devices: Sequence[tuple[DeviceInfo, str | None]] = (),
        readings: Sequence[Reading] = (),
        events: Sequence[Event] = (),
    ) -> None:
        """A room's device rows, their readings and its session events in one transaction (one fsync, not one each);
        the device rows first, so a reading's device is always there before it (a foreign key)."""
        with self.db.atomic():
            for info, room_id in devices:
                self.upsert_device(info, room_id)
            for r in readings:
                insert_reading(self.db.execute, r.device_uid, power=r.power, lamp_hours=r.lamp_hours,
                               error_status=r.error_status, wall_time=r.wall_time)
            for event in events:
                insert_event(self.db.execute, event)

    def device_readings(self, device_uid: str) -> list[dict[str, Any]]:
        sql = "SELECT * FROM device_readings WHERE device_uid = ? ORDER BY wall_time, id"
        return [_decoded(r) for r in self.db.query(sql, (device_uid,))]

    # sessions and their events

    def start_session(
        self, *, room_id: str | None = None, lecturer: str = "", course: str = "", kind: str = ""
    ) -> str:
        session_id = str(uuid.uuid4())
        self.db.execute(
            "INSERT INTO sessions (id, room_id, lecturer, course, kind, started_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running')",
            (session_id, room_id, lecturer, course, kind, utc_iso()),
        )
        return session_id

    def end_session(self, session_id: str, status: str = "ended") -> None:
        self.db.execute(
            "UPDATE sessions SET ended_at = ?, status = ? WHERE id = ? AND ended_at IS NULL",
            (utc_iso(), status, session_id),
        )

    def close_interrupted_sessions(self) -> int:
        """Sessions a crash left open end where their log ends (status 'interrupted'), so they count and upload."""
        closed = 0
        for (session_id, started_at) in list(
            self.db.execute("SELECT id, started_at FROM sessions WHERE ended_at IS NULL")
        ):
            row = self.db.execute(
                "SELECT MAX(wall_time) FROM session_events WHERE session_id = ?", (session_id,)
            ).fetchone()
            ended_at = max(started_at, row[0] or started_at)
            self.db.execute(
                "UPDATE sessions SET ended_at = ?, status = 'interrupted' WHERE id = ? AND ended_at IS NULL",
                (ended_at, session_id),
            )
            closed += 1
        return closed

    def recent_names(self, limit: int = 50) -> dict[str, list[str]]:
        """Lecturers and courses of past sessions, most recent first: what the lecturer is offered as they type."""
        out: dict[str, list[str]] = {}
        for column in ("lecturer", "course"):
            rows = self.db.execute(
                f"SELECT {column} FROM sessions WHERE {column} <> '' GROUP BY {column} "
                f"ORDER BY max(started_at) DESC LIMIT ?", (limit,))
            out[column] = [str(r[0]) for r in rows]
        return out

    def running_session(self) -> dict[str, Any] | None:
        """The session still open on this PC (the console's), newest first, if any."""
        rows = list(self.db.query(
            "SELECT * FROM sessions WHERE ended_at IS NULL AND status = 'running' ORDER BY started_at DESC LIMIT 1"))
        return rows[0] if rows else None

    def session(self, session_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM sessions WHERE id = ?", (session_id,)))
        return rows[0] if rows else None

    def add_event(
        self,
        session_id: str | None,
        device_uid: str | None,
        kind: str,
        payload: Mapping[str, Any] | None = None,
    ) -> int:
        """Stamp now (UTC wall time and monotonic ns) and commit one event."""
        return self.add_events([Event(session_id, device_uid, kind, dict(payload or {}))])[0]

    def add_events(self, events: Iterable[Event]) -> list[int]:
        """All or nothing in one transaction: one fsync for the batch instead of one per event."""
        ids: list[int] = []
        with self.db.atomic():
            for ev in events:
                ids.append(insert_event(self.db.execute, ev))
        return ids

    def events(self, session_id: str | None) -> list[dict[str, Any]]:
        """A session's events in the order they happened (``None``: events outside any session)."""
        sql = "SELECT * FROM session_events WHERE session_id IS ? ORDER BY wall_time, id"
        return [_decoded(r) for r in self.db.query(sql, (session_id,))]

    # recordings and markers

    def add_recording(
        self, session_id: str | None, path: str, *, layout: str = "", sources: Sequence[str] = ()
    ) -> str:
        """Written when recording starts, so a crash still leaves a row pointing at the file.

        The path is stored absolute: the sync may run later from another working folder.
        """
        recording_id = str(uuid.uuid4())
        path = os.path.abspath(path)
        self.db.execute(
            "INSERT INTO recordings (id, session_id, path, started_at, layout, sources) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (recording_id, session_id, path, utc_iso(), layout, dumps(list(sources))),
        )
        return recording_id

    def finish_recording(
        self,
        recording_id: str,
        *,
        duration_s: float,
        size_bytes: int,
        sha256: str,
        stats: Mapping[str, Any] | None = None,
    ) -> None:
        self.db.execute(
            "UPDATE recordings SET stopped_at = ?, duration_s = ?, size_bytes = ?, sha256 = ?, stats = ? "
            "WHERE id = ?",
            (utc_iso(), duration_s, size_bytes, sha256, dumps(dict(stats or {})), recording_id),
        )

    def recording(self, recording_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM recordings WHERE id = ?", (recording_id,)))
        return _decoded(rows[0]) if rows else None

    def recordings(self, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first."""
        sql = "SELECT * FROM recordings ORDER BY started_at DESC LIMIT ?"
        return [_decoded(dict(row)) for row in self.db.query(sql, (limit,))]

    def add_marker(self, recording_id: str, at_s: float, label: str, session_id: str | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO markers (recording_id, session_id, at_s, label, created_at) VALUES (?, ?, ?, ?, ?)",
            (recording_id, session_id, at_s, label, utc_iso()),
        )
        return int(cur.lastrowid or 0)

    def markers(self, recording_id: str) -> list[dict[str, Any]]:
        sql = "SELECT * FROM markers WHERE recording_id = ? ORDER BY at_s, id"
        return list(self.db.query(sql, (recording_id,)))

    # upload queue

    def enqueue_upload(self, item_kind: str, item_id: str) -> int:
        """Idempotent: enqueueing the same item twice keeps one row (and its retry state)."""
        now = utc_iso()
        self.db.execute(
            "INSERT INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(item_kind, item_id) DO NOTHING",
            (item_kind, item_id, now, now),
        )
        row = self.db.execute(
            "SELECT id FROM upload_queue WHERE item_kind = ? AND item_id = ?", (item_kind, item_id)
        ).fetchone()
        return int(row[0])

    def due_uploads(self, limit: int = 20) -> list[dict[str, Any]]:
        sql = (
            "SELECT * FROM upload_queue WHERE state = 'pending' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, id LIMIT ?"
        )
        return list(self.db.query(sql, (utc_iso(), limit)))

    def mark_upload(self, queue_id: int, *, error: str | None = None, retry_in_s: float = 0.0) -> None:
        """Success marks it done; a failure counts the attempt and schedules the caller's backoff."""
        if error is None:
            self.db.execute(
                "UPDATE upload_queue SET state = 'done', last_error = NULL WHERE id = ?", (queue_id,)
            )
            return
        retry_at = utc_iso(datetime.now(UTC) + timedelta(seconds=retry_in_s))
        self.db.execute(
            "UPDATE upload_queue SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
            "WHERE id = ?",
            (error, retry_at, queue_id),
        )


def _span_s(first: object, last: object) -> float:
    """Seconds between two of the file's times; 0 for none, or a time the file should not hold."""
    try:
        return (datetime.fromisoformat(str(last)) - datetime.fromisoformat(str(first))).total_seconds()
    except ValueError:
        return 0.0
