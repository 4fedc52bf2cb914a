"""Recordings cut short by a crash or power cut: measured and closed in the store on the next start.

The file itself is fine up to its last fragment; only its row still says it is running. The sources' own files
(``tracks.py``), if any were written, are measured and registered with it.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from .artifacts import size_and_sha256
from .offload import offload
from .probe import playable_seconds
from .recorder import RecordingStore
from .tracks import track_path

log = logging.getLogger(__name__)

QUIET_S = 10.0  # a file written to this recently may belong to a recorder that is still running
INTERRUPTED = "interrupted"
MESSAGE = "the console stopped while recording; the file plays up to its last saved second"


def _measure(path: Path, quiet_s: float) -> tuple[float, int, str] | None:
    """(playable seconds, size, SHA-256), or None while the file is still being written."""
    if not path.exists():
        return 0.0, 0, ""
    if time.time() - path.stat().st_mtime < quiet_s:
        return None
    return playable_seconds(path), *size_and_sha256(path)


def _measure_tracks(path: Path, sources: list[str]) -> list[dict[str, Any]]:
    """The per-source files beside ``path`` that exist (audio sources never had one)."""
    found = []
    for source in sources:
        track = track_path(path, source)
        if track.is_file():
            size, digest = size_and_sha256(track)
            found.append({"source": source, "path": str(track), "size_bytes": size, "sha256": digest,
                          "duration_s": playable_seconds(track)})
    return found


def _source_names(column: object) -> list[str]:
    try:
        names = json.loads(column) if isinstance(column, str) else column
    except ValueError:
        return []
    return [str(n) for n in names] if isinstance(names, list) else []


async def _close(store: RecordingStore, rid: str, path: Path, sources: list[str], quiet_s: float) -> bool:
    measured = await offload(lambda: _measure(path, quiet_s), "recording-recovery")
    if measured is None:
        return False
    duration, size, digest = measured
    tracks = await offload(lambda: _measure_tracks(path, sources), "recording-recovery")
    stats: dict[str, Any] = {"stop_reason": INTERRUPTED, "message": MESSAGE if size else "the file is missing"}
    if tracks:
        stats["tracks"] = tracks
    await store.call(lambda s: s.finish_recording(rid, duration_s=duration, size_bytes=size, sha256=digest,
                                                  stats=stats))
    log.warning("recording %s (%s) was interrupted; closed at %.1f s", rid, path, duration)
    return True


async def recover_unfinished(store: RecordingStore, quiet_s: float = QUIET_S) -> list[str]:
    """Close every recording row left open; returns their ids. Blocking work runs off the loop."""
    sql = "SELECT id, path, sources FROM recordings WHERE stopped_at IS NULL"
    rows: list[dict[str, Any]] = await store.call(lambda s: [dict(r) for r in s.db.query(sql)])
    closed = []
    for row in rows:
        rid = str(row["id"])
        if await _close(store, rid, Path(str(row["path"])), _source_names(row["sources"]), quiet_s):
            closed.append(rid)
    return closed
