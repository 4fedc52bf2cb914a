"""A recording's description for the centre's library: title, course, lecturer, language and chapters.

Sent with the recording's file, and again as an item of its own (``meta``, id ``RECORDING@REV``) when the
chapter list is edited after the upload (its ``chapters_rev`` goes up); the centre keeps the newest rev, so
sending one twice, or out of order, is harmless. Functions taking ``Store`` run on the store's thread.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from classroom_console.store import Store
from classroom_console.sync.tracks import sweep_tracks

META = "meta"
PUBLISH_ON_UPLOAD = "publish_on_upload"  # sync_settings: "1" when this room's recordings go public on arrival
SENT = "library_rev"  # in the recording's stats: the chapters' revision the centre has
LANGUAGE = "library_language"  # sync_settings: the language its lectures are given in ("ru", "en", ...)


def recording_columns(store: Store) -> set[str]:
    return {str(row[1]) for row in store.db.execute("PRAGMA table_info(recordings)")}


def sweep_meta(store: Store, now: str) -> int:
    """Queue the description again for every uploaded recording whose chapters changed since it was sent,
    and its per-source tracks (``sync/tracks.py``).

    The first description goes with the recording's file (``engine._send_recording``); this catches the edits
    made later (and a first one that failed), once per revision of the chapters.
    """
    columns = recording_columns(store)
    rev = "r.chapters_rev" if "chapters_rev" in columns else "0"
    held = " AND r.chapters_state <> 'pending'" if "chapters_state" in columns else ""
    cur = store.db.execute(
        "INSERT OR IGNORE INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) "
        f"SELECT '{META}', r.id || '@' || {rev}, ?, ? FROM recordings r WHERE r.stopped_at IS NOT NULL{held} "
        f"AND coalesce(json_extract(r.stats, '$.{SENT}'), -1) < {rev} AND EXISTS (SELECT 1 FROM upload_queue q "
        "WHERE q.item_kind = 'recording' AND q.item_id = r.id AND q.state = 'done')",
        (now, now),
    )
    return int(cur.rowcount or 0) + sweep_tracks(store, now)


def mark_sent(store: Store, recording_id: str, rev: int) -> None:
    store.db.execute(f"UPDATE recordings SET stats = json_set(stats, '$.{SENT}', ?) WHERE id = ?",
                     (int(rev), recording_id))


def split_item(item_id: str) -> str:
    """The recording id of a ``meta`` item."""
    return item_id.rpartition("@")[0] or item_id


def _chapters(store: Store, recording_id: str) -> dict[str, Any]:
    if "chapters_rev" in recording_columns(store):  # the store has chapter detection's table (media/chapters_store)
        found = importlib.import_module("classroom_console.media.chapters_store")
        payload: dict[str, Any] = found.chapters_payload(store, recording_id)
        return payload
    rows = store.db.execute("SELECT at_s, label FROM markers WHERE recording_id = ? ORDER BY at_s",
                            (recording_id,)).fetchall()
    return {"rev": 0, "chapters": [{"start_s": float(r[0]), "title": str(r[1]), "thumbnail_jpeg": None}
                                   for r in rows]}


def meta_payload(store: Store, recording_id: str) -> dict[str, Any] | None:
    """None when the recording is no longer in the store."""
    rec = store.recording(recording_id)
    if rec is None:
        return None
    session = store.session(rec["session_id"]) if rec.get("session_id") else None
    settings = {str(k): str(v) for k, v in store.db.execute("SELECT key, value FROM sync_settings").fetchall()}
    course = str((session or {}).get("course") or "")
    lecturer = str((session or {}).get("lecturer") or "")
    title = str(rec.get("title") or "")
    if not title:
        day = str(rec.get("started_at") or "")[:10]
        title = f"{course} — {day}" if course else Path(str(rec["path"])).stem
    return {"title": title[:1000], "course": course[:1000], "lecturer": lecturer[:1000],
            "language": settings.get(LANGUAGE, "")[:35],
            "publish_on_upload": settings.get(PUBLISH_ON_UPLOAD, "0") == "1",
            **_chapters(store, recording_id)}


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def set_room_defaults(store: Store, publish_on_upload: bool | None, language: str | None) -> None:
    """The room's library defaults, kept in ``sync_settings`` for every later upload (None: unchanged)."""
    values = {}
    if publish_on_upload is not None:
        values[PUBLISH_ON_UPLOAD] = "1" if publish_on_upload else "0"
    if language is not None:
        values[LANGUAGE] = language.strip()[:35]
    for key, value in values.items():
        store.db.execute("INSERT INTO sync_settings (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
