"""SQLite and OS errors about the disk (full, read-only, failing) told as one line with a reason code."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from .errors import StoreUnavailableError

_FULL, _READONLY, _IOERR, _CANTOPEN, _PERM = 13, 8, 10, 14, 3
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


def folder_read_only(folder: Path) -> bool:
    """A read-only mount, or a folder this user may not write (root may write anywhere but a read-only mount)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        if os.statvfs(probe).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(probe, os.W_OK)


def disk_full(folder: Path) -> bool:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        st = os.statvfs(probe)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _reason(exc: BaseException, folder: Path) -> str | None:
    if isinstance(exc, OSError):
        if exc.errno in _FULL_ERRNOS:
            return "disk_full"
        if exc.errno in _READONLY_ERRNOS:
            return "read_only"
        return "io_error"
    if not isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return None
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    text = str(exc)
    if code == _FULL or "disk is full" in text:
        return "disk_full"
    if code in (_READONLY, _PERM) or "readonly" in text:
        return "read_only"
    if code in (_IOERR, _CANTOPEN) or "disk I/O error" in text or "unable to open" in text:
        # SQLite says "I/O error" or "cannot open" for both; the folder itself tells which it was.
        if folder_read_only(folder):
            return "read_only"
        if disk_full(folder):
            return "disk_full"
        return "io_error" if code != _CANTOPEN else "cannot_open"
    return None


def disk_error(exc: BaseException, db_path: Path) -> StoreUnavailableError | None:
    """The user's one line for ``exc`` if it is about the disk; None for anything else (a bug, bad data)."""
    folder = db_path.parent
    reason = _reason(exc, folder)
    if reason is None:
        return None
    detail = getattr(exc, "strerror", None) or str(exc)
    message = {
        "disk_full": f"The disk holding {folder} is full: the session log cannot be written. Free some space "
                     "(old recordings?) and try again",
        "read_only": f"The data folder {folder} is read-only: the session log cannot be written there. Make it "
                     "writable or choose another folder with --data-dir",
        "cannot_open": f"Cannot open the session database {db_path} ({detail})",
        "io_error": f"The disk holding {folder} failed to read or write ({detail})",
    }[reason]
    return StoreUnavailableError(message, reason, folder=folder, detail=detail)
