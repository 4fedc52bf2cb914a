"""A recording's chapters in the room's store, and the hold that keeps the sync off its file while it is rewritten.

Plain functions on the synchronous ``Store``, run on the store's own thread (``await store.call(lambda s: ...)``),
like ``sync/items.py``. No media imports here: the sync imports this module.

The whole list is replaced on every change and ``recordings.chapters_rev`` goes up, so the centre can take the
newest list whole (idempotent) and ignore an older one. ``recordings.chapters_state`` is ``'pending'`` while the
chapters are being found or the MP4 rewritten: ``sync/items.py`` does not queue or send such a recording's file.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from classroom_console.store import Store

from .chapters import MAX_CHAPTERS, Chapter

PENDING, DONE = "pending", "done"  # recordings.chapters_state (migration v7)


def load(store: Store, recording_id: str) -> list[Chapter]:
    rows = store.db.execute(
        "SELECT start_s, title, origin, thumbnail FROM chapters WHERE recording_id = ? ORDER BY idx",
        (recording_id,)).fetchall()
    return [Chapter(float(r[0]), str(r[1]), str(r[2]), bytes(r[3]) if r[3] is not None else None) for r in rows]


def replace_all(store: Store, recording_id: str, chapters: Sequence[Chapter]) -> int:
    """The recording's whole list, in time order; returns the new revision."""
    ordered = sorted(chapters, key=lambda c: c.start_s)[:MAX_CHAPTERS]
    with store.db.atomic():
        store.db.execute("DELETE FROM chapters WHERE recording_id = ?", (recording_id,))
        store.db.conn.executemany(
            "INSERT INTO chapters (recording_id, idx, start_s, title, origin, thumbnail) VALUES (?, ?, ?, ?, ?, ?)",
            [(recording_id, i, c.start_s, c.title, c.origin, c.thumbnail) for i, c in enumerate(ordered)])
        store.db.execute("UPDATE recordings SET chapters_rev = chapters_rev + 1 WHERE id = ?", (recording_id,))
        row = store.db.execute("SELECT chapters_rev FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    return int(row[0]) if row else 0


def revision(store: Store, recording_id: str) -> int:
    row = store.db.execute("SELECT chapters_rev FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    return int(row[0]) if row else 0


def chapters_payload(store: Store, recording_id: str) -> dict[str, Any]:
    """What the centre gets (``/work/briefs/chapters_api.md``): ``{"rev": n, "chapters": [...]}``, thumbnails as
    base64 JPEG."""
    chapters = load(store, recording_id)
    return {"rev": revision(store, recording_id), "chapters": [
        {**c.as_json(), "thumbnail_jpeg": base64.b64encode(c.thumbnail).decode("ascii") if c.thumbnail else None}
        for c in chapters]}


def hold(store: Store, recording_id: str, *, started: bool = False) -> bool:
    """Keep the sync off the recording's file while its chapters are written. Refused (False) once its upload may
    have begun: a queued item that has been tried, or is done. A queued item never tried is taken out of the
    queue (``sweep`` puts it back after ``release``). ``started``: the recording has just stopped (not queued)."""
    if recording_id in store.files_in_upload:
        return False  # the sync is reading the file now
    with store.db.atomic():
        row = store.db.execute("SELECT state, attempts FROM upload_queue WHERE item_kind = 'recording' AND "
                               "item_id = ?", (recording_id,)).fetchone()
        if row is not None:
            if started or row[0] != "pending" or int(row[1]) > 0:
                return False
            store.db.execute("DELETE FROM upload_queue WHERE item_kind = 'recording' AND item_id = ?",
                             (recording_id,))
        cur = store.db.execute("UPDATE recordings SET chapters_state = ? WHERE id = ?", (PENDING, recording_id))
        return bool(cur.rowcount)


def release(store: Store, recording_id: str, size_bytes: int | None = None, sha256: str | None = None) -> None:
    """The file is final again (with its new size and checksum when it was rewritten)."""
    if size_bytes is not None and sha256 is not None:
        store.db.execute("UPDATE recordings SET chapters_state = ?, size_bytes = ?, sha256 = ? WHERE id = ?",
                         (DONE, size_bytes, sha256, recording_id))
    else:
        store.db.execute("UPDATE recordings SET chapters_state = ? WHERE id = ?", (DONE, recording_id))


def release_stale(store: Store) -> list[str]:
    """At start-up: holds left by a crash are released (the file is whole: it is replaced by one rename)."""
    ids = [str(r[0]) for r in store.db.execute("SELECT id FROM recordings WHERE chapters_state = ?", (PENDING,))]
    store.db.execute("UPDATE recordings SET chapters_state = '' WHERE chapters_state = ?", (PENDING,))
    return ids


def markers(store: Store, recording_id: str) -> list[tuple[float, str]]:
    rows = store.db.execute("SELECT at_s, label FROM markers WHERE recording_id = ? ORDER BY at_s, id",
                            (recording_id,)).fetchall()
    return [(float(r[0]), str(r[1])) for r in rows]
