"""Open the SQLite file safely: refuse newer schemas untouched, move damaged files aside, never delete."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .disk_errors import disk_error
from .errors import StoreTooNewError
from .migrations import LATEST_VERSION, migrate
from .problem import StoreProblem, StoreReason
from .reserve import make_reserve
from .salvage import salvage
from .sqlite_db import Database

log = logging.getLogger(__name__)

_MAGIC = b"SQLite format 3\x00"
_HEADER_LEN = 100
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_SIDE_FILES = ("-wal", "-shm", "-journal")
# FULL by default: NORMAL in WAL mode already survives a killed process, but a power cut can drop the last
# commits; lecture PCs lose power, and events are batched, so one WAL fsync per commit costs little.
SYNC_LEVELS = ("NORMAL", "FULL", "EXTRA")
CHECK_LINES = 3  # of the integrity check's findings kept in the notice


class _Corrupt(Exception):
    """Internal: the file is damaged; carries the reason shown to the user."""


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """True for damage (malformed / not a database), false for locks, I/O errors, full disks."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(exc)
    return "malformed" in text or "not a database" in text


def version_in_header(path: Path) -> int:
    """The schema version the file's header gives (0: no file, or not a database). Blocking: one 100-byte read."""
    if not path.exists():
        return 0
    with path.open("rb") as f:
        header = f.read(_HEADER_LEN)
    if len(header) < _HEADER_LEN or not header.startswith(_MAGIC):
        return 0
    return int.from_bytes(header[60:64], "big")


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
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            raise _Corrupt("integrity check failed: " + first_lines(rows))
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise _Corrupt(str(exc)) from exc
        raise
    finally:
        conn.close()


def first_lines(rows: list[str], most: int = CHECK_LINES) -> str:
    """SQLite's integrity findings in one line, at most ``most`` of them: it gives one row per finding, or one row
    of a hundred lines ("Page 23: btreeInitPage() returns error code 11", …), which flooded the terminal and the
    window's details."""
    lines = [line.strip() for row in rows for line in row.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("*** in database")] or lines
    more = len(lines) - most
    return "; ".join(lines[:most]) + (f"; and {more} more" if more > 0 else "")


def make_private(path: Path) -> None:
    """The data folder 0700 where we create it; the database and its -wal/-shm/-journal 0600.

    SQLite gives a new -wal/-shm the database file's mode, so a private database keeps its side files private.
    Existing files of ours are tightened too (older versions made them 0644): they hold the room's log and secrets.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        try:
            if file.exists() and file.stat().st_mode & 0o077:
                os.chmod(file, 0o600)
        except PermissionError:
            pass  # not ours to change (a file another user left); SQLite will say if it cannot be used


def _connect(path: Path, synchronous: str) -> Database:
    """Connect, set the pragmas and migrate; closes the connection on failure."""
    make_private(path)
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
    make_reserve(path)
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
    os.chmod(target, 0o600)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def open_database(path: Path, synchronous: str = "FULL") -> tuple[Database, StoreProblem | None]:
    """Open (creating if needed) and return the database plus what the user must be told, if anything (a damaged
    file moved aside; its ``detail`` says it in English for the log).

    A full disk, a read-only folder or a failing disk raise StoreUnavailableError: one line and a reason code.
    """
    if synchronous not in SYNC_LEVELS:
        raise ValueError(f"synchronous must be one of {SYNC_LEVELS}, not {synchronous!r}")
    try:
        return _open(path, synchronous)
    except (OSError, sqlite3.DatabaseError) as exc:
        told = disk_error(exc, path)
        if told is None:
            raise
        raise told from exc


def _open(path: Path, synchronous: str) -> tuple[Database, StoreProblem | None]:
    try:
        if path.parent.exists():
            _preflight(path)
        return _connect(path, synchronous), None
    except _Corrupt as exc:
        damage = str(exc)
    moved = move_aside(path)
    db = _connect(path, synchronous)
    try:
        salvaged = salvage(moved, db)
        saved, counts = salvaged.sentence(), (salvaged.sessions, salvaged.sessions_lost)
    except Exception as exc:  # the fresh store must open even when salvage fails; the moved file stays
        log.exception("salvage from %s failed", moved)
        saved, counts = f"nothing could be saved from it automatically ({exc})", (0, 0)
    notice = (f"The session database was damaged ({damage}). It was moved to {moved} and kept; {saved}. "
              "Nothing was deleted.")
    # The log's, at INFO: the user is told by the problem's reason code, in their language (a command line at
    # WARNING printed this English before its own line); -v shows it.
    log.info("%s", notice)
    return db, StoreProblem(StoreReason.DAMAGED, path.parent, notice, moved, *counts)
