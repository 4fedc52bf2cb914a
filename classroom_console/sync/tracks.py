"""Per-source files (presenter / presentation tracks, ``media/tracks.py``) sent to the centre's library.

Each track the recorder listed in the recording's stats is an upload item of its own (``track``, id
``RECORDING|SOURCE``), queued once the recording's own file is at the centre; it resumes from the offset
the centre acknowledged, like the recording.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from classroom_console.store import AsyncStore, Store
from classroom_console.sync.client import CentreClient, PermanentError

TRACK = "track"
PIECE = 16 << 20  # bytes per PATCH


def sweep_tracks(store: Store, now: str) -> int:
    """Queue each track of every recording already at the centre (once)."""
    cur = store.db.execute(
        "INSERT OR IGNORE INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) "
        f"SELECT '{TRACK}', r.id || '|' || json_extract(t.value, '$.source'), ?, ? FROM recordings r, "
        "json_each(CASE WHEN json_valid(r.stats) THEN r.stats ELSE '{}' END, '$.tracks') t "
        "WHERE json_extract(t.value, '$.size_bytes') > 0 AND json_extract(t.value, '$.sha256') IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM upload_queue q WHERE q.item_kind = 'recording' AND q.item_id = r.id "
        "AND q.state = 'done')",
        (now, now),
    )
    return int(cur.rowcount or 0)


def track_info(store: Store, item_id: str) -> dict[str, Any] | None:
    rid, _, source = item_id.partition("|")
    row = store.db.execute("SELECT stats FROM recordings WHERE id = ?", (rid,)).fetchone()
    if row is None:
        return None
    for track in json.loads(row[0] or "{}").get("tracks", []):
        if track.get("source") == source:
            return {"recording_id": rid, "source": source, "path": str(track["path"]),
                    "size": int(track["size_bytes"]), "sha256": str(track["sha256"])}
    return None


def _read(path: str, offset: int, n: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(n)


async def send_track(client: CentreClient, store: AsyncStore, item_id: str) -> None:
    info = await store.call(lambda s: track_info(s, item_id))
    if info is None:
        raise PermanentError(f"track {item_id} is no longer in the store", "not_in_store")
    try:
        data_size = (await asyncio.to_thread(os.stat, info["path"])).st_size
    except OSError as exc:
        raise PermanentError(f"track file {info['path']} cannot be read: {exc}", "file_missing") from exc
    if data_size != info["size"]:
        raise PermanentError(f"track file {info['path']} has {data_size} bytes, {info['size']} were recorded",
                             "file_changed")
    status = await client.announce_track({k: info[k] for k in ("recording_id", "source", "size", "sha256")})
    offset, complete, tid = int(status["offset"]), bool(status["complete"]), str(status["id"])
    failures = 0
    while not complete:
        piece = await asyncio.to_thread(_read, info["path"], offset, min(PIECE, info["size"] - offset))
        answer = await client.send_track_piece(tid, offset, piece)
        if answer.get("checksum_failed"):
            failures += 1
            if failures > 1:
                raise PermanentError(f"track {item_id}: the centre's SHA-256 differs twice", "checksum_mismatch")
        offset, complete = int(answer["offset"]), bool(answer.get("complete"))
