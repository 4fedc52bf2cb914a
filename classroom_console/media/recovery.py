"""Recordings cut short by a crash or power cut: measured and closed in the store on the next start.

The file itself is fine up to its last fragment; only its row still says it is running.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from .artifacts import sha256_file
from .offload import offload
from .probe import playable_seconds
from .recorder import RecordingStore

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
    return playable_seconds(path), path.stat().st_size, sha256_file(path)


async def _close(store: RecordingStore, rid: str, path: Path, quiet_s: float) -> bool:
    measured = await offload(lambda: _measure(path, quiet_s), "recording-recovery")
    if measured is None:
        return False
    duration, size, digest = measured
    stats = {"stop_reason": INTERRUPTED, "message": MESSAGE if size else "the file is missing"}
    await store.call(lambda s: s.finish_recording(rid, duration_s=duration, size_bytes=size, sha256=digest,
                                                  stats=stats))
    log.warning("recording %s (%s) was interrupted; closed at %.1f s", rid, path, duration)
    return True


async def recover_unfinished(store: RecordingStore, quiet_s: float = QUIET_S) -> list[str]:
    """Close every recording row left open; returns their ids. Blocking work runs off the loop."""
    sql = "SELECT id, path FROM recordings WHERE stopped_at IS NULL"
    rows: list[dict[str, Any]] = await store.call(lambda s: [dict(r) for r in s.db.query(sql)])
    closed = []
    for row in rows:
        rid = str(row["id"])
        if await _close(store, rid, Path(str(row["path"])), quiet_s):
            closed.append(rid)
    return closed
