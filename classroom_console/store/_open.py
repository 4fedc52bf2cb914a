"""Open the SQLite file safely: refuse newer schemas untouched, move damaged files aside, never delete."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from .errors import StoreTooNewError
from .migrations import LATEST_VERSION, migrate

log = logging.getLogger(__name__)

_MAGIC = b"SQLite format 3\x00"
_HEADER_LEN = 100
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_SIDE_FILES = ("-wal", "-shm", "-journal")
# FULL by default: NORMAL in WAL mode already survives a killed process, but a power cut can drop the last
# commits; lecture PCs lose power, and events are batched, so one WAL fsync per commit costs little.
SYNC_LEVELS = ("NORMAL", "FULL", "EXTRA")


class _Corrupt(Exception):
    """Internal: the file is damaged; carries the reason shown to the user."""


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """True for damage (malformed / not a database), false for locks, I/O errors, full disks."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(exc)
    return "malformed" in text or "not a database" in text


def _check_header(path: Path) -> bool:
    """Judge the header without SQLite; False when there is nothing to check (no file, or empty)."""
    if not path.exists():
        return False
    with path.open("rb") as f:
        header = f.read(_HEADER_LEN)
    if not header:
        return False  # an empty file is an empty database
    if len(header) < _HEADER_LEN or not header.startswith(_MAGIC):
        raise _Corrupt("file is not a database")
    version = int.from_bytes(header[60:64], "big")
    if version > LATEST_VERSION:
        raise StoreTooNewError(path, version, LATEST_VERSION)
    return True


def _preflight(path: Path) -> None:
    """Check version and integrity read-only: no journal change, no checkpoint, the file stays as found."""
    if not _check_header(path):
        return
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10.0)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > LATEST_VERSION:  # the header may lag a version bump still in the -wal
            raise StoreTooNewError(path, version, LATEST_VERSION)
        rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            raise _Corrupt("integrity check failed: " + "; ".join(rows[:3]))
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise _Corrupt(str(exc)) from exc
        raise
    finally:
        conn.close()


def _connect(path: Path, synchronous: str) -> Database:
    """Connect, set the pragmas and migrate; closes the connection on failure."""
    conn = sqlite3.connect(str(path), timeout=10.0)
    try:
        db = Database(conn)
        db.enable_wal()
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(db, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if is_corruption(exc):
            raise _Corrupt(str(exc)) from exc
        raise
    except BaseException:
        conn.close()
        raise
    return db


def move_aside(path: Path) -> Path:
    """Rename the file and its -wal/-shm to ``console.db.corrupt-<UTC stamp>``; keeps every byte."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(target)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def open_database(path: Path, synchronous: str = "FULL") -> tuple[Database, str | None]:
    """Open (creating if needed) and return the database plus a notice for the user, if any."""
    if synchronous not in SYNC_LEVELS:
        raise ValueError(f"synchronous must be one of {SYNC_LEVELS}, not {synchronous!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _preflight(path)
        return _connect(path, synchronous), None
    except _Corrupt as exc:
        moved = move_aside(path)
        notice = (
            f"The session database was damaged ({exc}). It was moved to {moved} and kept for "
            "recovery; a new, empty database was started. Nothing was deleted."
        )
        log.warning("%s", notice)
    return _connect(path, synchronous), notice
