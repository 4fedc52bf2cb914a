"""What the sync reads and writes in the room's store; every function runs on the store's own thread."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classroom_console.store import Store, utc_iso
from classroom_console.sync.meta import sweep_meta

SESSION, RECORDING = "session", "recording"


def sweep(store: Store) -> int:
    """Queue every ended session and stopped recording not queued yet (a crash between end and enqueue is healed)."""
    now = utc_iso()
    with store.db.atomic():
        a = store.db.execute(
            "INSERT OR IGNORE INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) "
            "SELECT 'session', s.id, ?, ? FROM sessions s WHERE s.ended_at IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM upload_queue q WHERE q.item_kind = 'session' AND q.item_id = s.id)",
            (now, now),
        ).rowcount
        b = store.db.execute(
            "INSERT OR IGNORE INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) "
            "SELECT 'recording', r.id, ?, ? FROM recordings r WHERE r.stopped_at IS NOT NULL "
            "AND r.chapters_state <> 'pending' AND NOT EXISTS "  # held while chapter atoms are written
            "(SELECT 1 FROM upload_queue q WHERE q.item_kind = 'recording' AND q.item_id = r.id)",
            (now, now),
        ).rowcount
        c = sweep_meta(store, now)  # each recording's description for the library, once per chapters' revision
    return int(a or 0) + int(b or 0) + c


def next_items(store: Store, limit: int, due_only: bool = True) -> list[dict[str, Any]]:
    """Pending items, sessions before recordings (small and cheap first), oldest first."""
    where = "state = 'pending'" + (" AND next_attempt_at <= ?" if due_only else "")
    where += (" AND NOT (item_kind = 'recording' AND item_id IN "  # a file whose chapter atoms are being written
              "(SELECT id FROM recordings WHERE chapters_state = 'pending'))")
    args: tuple[Any, ...] = (utc_iso(), limit) if due_only else (limit,)
    sql = (
        f"SELECT * FROM upload_queue WHERE {where} "
        "ORDER BY item_kind = 'recording', next_attempt_at, id LIMIT ?"
    )
    return list(store.db.query(sql, args))


def counts(store: Store) -> dict[str, int]:
    rows = store.db.execute("SELECT state, count(*) FROM upload_queue GROUP BY state").fetchall()
    return {str(state): int(n) for state, n in rows}


def count_due(store: Store, due_only: bool = True) -> int:
    """How many items a pass will try: the Y of "sending X of Y"."""
    where = "state = 'pending'" + (" AND next_attempt_at <= ?" if due_only else "")
    args: tuple[Any, ...] = (utc_iso(),) if due_only else ()
    return int(store.db.execute(f"SELECT count(*) FROM upload_queue WHERE {where}", args).fetchone()[0])


def next_due_at(store: Store) -> str | None:
    row = store.db.execute("SELECT min(next_attempt_at) FROM upload_queue WHERE state = 'pending'").fetchone()
    return row[0] if row else None


def seconds_to_next_due(store: Store) -> float | None:
    """Seconds until the earliest pending item may be tried (0 when one is due now; None when none waits)."""
    due = next_due_at(store)
    if due is None:
        return None
    at = datetime.fromisoformat(due)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return max(0.0, (at - datetime.now(UTC)).total_seconds())


def fail(store: Store, queue_id: int, error: str, reason: str = "refused") -> None:
    """Given up for good (refused by the centre, or unusable here): kept, visible, never silently dropped."""
    store.db.execute(
        "UPDATE upload_queue SET state = 'failed', attempts = attempts + 1, last_error = ?, reason = ? "
        "WHERE id = ?",
        (error, reason, queue_id),
    )


def retry_failed(store: Store) -> int:
    """Put every item set aside back in the queue (the user fixed the file, or the centre now accepts it)."""
    cur = store.db.execute(
        "UPDATE upload_queue SET state = 'pending', reason = NULL, next_attempt_at = ? WHERE state = 'failed'",
        (utc_iso(),),
    )
    return int(cur.rowcount or 0)


def failed_items(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    """The items given up, newest first, with their reason code and one line: for `sync` and `usage`."""
    sql = ("SELECT item_kind, item_id, reason, last_error FROM upload_queue WHERE state = 'failed' "
           "ORDER BY id DESC LIMIT ?")
    return list(store.db.query(sql, (limit,)))


def file_problem(path: str, size: int | None) -> tuple[str, str] | None:
    """Why a recording's file cannot be sent, as (reason code, one line); None when it can. Blocking."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "file_missing", f"recording file {path} is missing"
    except OSError as exc:
        return "unreadable", f"recording file {path} cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return "not_a_file", f"recording path {path} is not a file (a folder or a device)"
    if not os.access(path, os.R_OK):
        return "unreadable", f"recording file {path} is not readable by this user"
    if size is not None and st.st_size != size:
        return "file_changed", f"recording file {path} has {st.st_size} bytes, {size} were recorded"
    return None


def session_payload(store: Store, session_id: str) -> dict[str, Any] | None:
    """The session, all its events, the devices that took part and their readings during it."""
    session = store.session(session_id)
    if session is None:
        return None
    events = [
        {"id": e["id"], "device_uid": e["device_uid"], "kind": e["kind"], "payload": e["payload"],
         "wall_time": e["wall_time"]}
        for e in store.events(session_id)
    ]
    uids = sorted({e["device_uid"] for e in events if e["device_uid"]})
    marks = ",".join("?" * len(uids))
    devices: list[dict[str, Any]] = []
    readings: list[dict[str, Any]] = []
    if uids:
        devices = [
            dict(r) for r in store.db.query(f"SELECT uid, kind, name FROM devices WHERE uid IN ({marks})", uids)
        ]
        end = session["ended_at"] or utc_iso()
        for r in store.db.query(
            "SELECT device_uid, wall_time, power, lamp_hours, error_status FROM device_readings "
            f"WHERE device_uid IN ({marks}) AND wall_time <= ? AND (wall_time >= ? OR id IN "
            f"(SELECT max(id) FROM device_readings WHERE device_uid IN ({marks}) AND wall_time <= ? "
            "GROUP BY device_uid))",
            [*uids, end, session["started_at"], *uids, end],
        ):
            r["lamp_hours"], r["error_status"] = json.loads(r["lamp_hours"]), json.loads(r["error_status"])
            readings.append(r)
    return {"session": session, "events": events, "devices": devices, "readings": readings}


def recording_info(store: Store, recording_id: str) -> dict[str, Any] | None:
    return store.recording(recording_id)


def claim_recording(store: Store, recording_id: str) -> bool:
    """Mark the file as being read by the sync, unless its chapter atoms are being written (the hold may have
    been taken after the item was picked). Runs on the store's writer thread, so it cannot interleave with
    the chapters' ``hold``, which refuses a claimed file."""
    row = store.recording(recording_id)
    if row is not None and row.get("chapters_state") == "pending":
        return False
    store.files_in_upload.add(recording_id)
    return True


def release_recording(store: Store, recording_id: str) -> None:
    store.files_in_upload.discard(recording_id)


def file_sha256(path: str) -> tuple[str, int]:
    """Blocking; runs on a worker thread for recordings whose checksum the recorder did not store."""
    hasher = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(4 << 20):
            hasher.update(block)
            size += len(block)
    return hasher.hexdigest(), size


def set_checksum(store: Store, recording_id: str, sha256: str, size: int) -> None:
    store.db.execute("UPDATE recordings SET sha256 = ?, size_bytes = ? WHERE id = ?", (sha256, size, recording_id))


def confirm_recording(store: Store, recording_id: str, deleted: bool) -> None:
    """Note in the recording's stats that the centre holds it (and whether the local file went)."""
    store.db.execute(
        "UPDATE recordings SET stats = json_set(stats, '$.centre_confirmed_at', ?, '$.local_file_deleted', ?) "
        "WHERE id = ?",
        (utc_iso(), 1 if deleted else 0, recording_id),
    )


def delete_file(path: str) -> bool:
    p = Path(path)
    if p.is_file():
        p.unlink()
        return True
    return False


def get_settings(store: Store) -> dict[str, str]:
    return {str(k): str(v) for k, v in store.db.execute("SELECT key, value FROM sync_settings").fetchall()}


def put_settings(store: Store, values: dict[str, str]) -> None:
    with store.db.atomic():
        for key, value in values.items():
            store.db.execute(
                "INSERT INTO sync_settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
