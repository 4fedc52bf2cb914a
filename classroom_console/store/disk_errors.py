"""SQLite and OS errors about the disk (full, read-only, failing) or the data folder's path (a file in it, no
permission) told as one line with a reason code and the part of the path that is wrong."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

from .errors import StoreUnavailableError

_FULL, _READONLY, _IOERR, _CANTOPEN, _PERM = 13, 8, 10, 14, 3
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_PATH_ERRNOS = {errno.ENOTDIR: "not_a_folder", errno.EROFS: "read_only", errno.EACCES: "not_allowed",
                errno.EPERM: "not_allowed"}


def path_problem(folder: Path, db_path: Path | None = None) -> tuple[str, Path] | None:
    """What in the data folder's path stops the log being written, and the part of the path that is wrong: a file
    where a folder must be (``not_a_folder``), a read-only disk (``read_only``), a folder this user may not enter or
    write, or the log itself not writable (``not_allowed``); None when the path looks usable. Blocking (a stat a
    part). Root may enter and write anything but a read-only disk."""
    last: Path | None = None
    for part in [*reversed(folder.parents), folder]:
        try:
            mode = os.stat(part).st_mode
        except OSError:  # not there (yet): the deepest part that is decides
            break
        if not stat.S_ISDIR(mode):
            return "not_a_folder", part
        if not os.access(part, os.X_OK):
            return "not_allowed", part
        last = part
    if last is None:
        return None
    try:
        if os.statvfs(last).f_flag & os.ST_RDONLY:
            return "read_only", last
    except OSError:
        return None
    if not os.access(last, os.W_OK):
        return "not_allowed", last
    if last == folder and db_path is not None and db_path.is_file() and not os.access(db_path, os.W_OK):
        return "not_allowed", db_path
    return None


def disk_full(folder: Path) -> bool:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        st = os.statvfs(probe)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


def _reason(exc: BaseException, db_path: Path) -> tuple[str, Path | None] | None:
    """The reason code for ``exc`` and the part of the path that is wrong, where one is (else None)."""
    folder = db_path.parent
    if isinstance(exc, OSError):
        if exc.errno in _FULL_ERRNOS:
            return "disk_full", None
        if exc.errno in _PATH_ERRNOS:  # the path judged again names the part; the errno says what, if it cannot
            return path_problem(folder, db_path) or (_PATH_ERRNOS[exc.errno], None)
        return "io_error", None
    if not isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return None
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    text = str(exc)
    if code == _FULL or "disk is full" in text:
        return "disk_full", None
    if code in (_READONLY, _PERM) or "readonly" in text:
        return path_problem(folder, db_path) or ("read_only", None)
    if code in (_IOERR, _CANTOPEN) or "disk I/O error" in text or "unable to open" in text:
        # SQLite says "I/O error" or "cannot open" for all of these; the folder itself tells which it was.
        judged = path_problem(folder, db_path)
        if judged is not None:
            return judged
        if disk_full(folder):
            return "disk_full", None
        return ("io_error" if code != _CANTOPEN else "cannot_open"), None
    return None


def disk_error(exc: BaseException, db_path: Path) -> StoreUnavailableError | None:
    """The user's one line for ``exc`` if it is about the disk or the path; None for anything else (a bug, bad
    data)."""
    folder = db_path.parent
    judged = _reason(exc, db_path)
    if judged is None:
        return None
    reason, part = judged
    detail = getattr(exc, "strerror", None) or str(exc)
    where = part or folder
    message = {
        "disk_full": f"The disk holding {folder} is full: the session log cannot be written. Free some space "
                     "(old recordings?) and try again",
        "read_only": f"{where} is read-only: the session log cannot be written in {folder}. Make it writable or "
                     "choose another folder with --data-dir",
        "not_a_folder": f"{where} is a file, not a folder: the session log cannot be kept in {folder}. Choose "
                        "another folder with --data-dir",
        "not_allowed": f"This user may not write to {where}: the session log cannot be kept in {folder}. Change "
                       "its permissions or choose another folder with --data-dir",
        "cannot_open": f"Cannot open the session database {db_path} ({detail})",
        "io_error": f"The disk holding {folder} failed to read or write ({detail})",
    }[reason]
    return StoreUnavailableError(message, reason, folder=folder, detail=detail, part=part)
