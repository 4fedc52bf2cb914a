"""What is wrong with the session log, as a reason code and the folder it is about, for the user's own words.

The store's exceptions and notices are English for the log; a window or a command in Russian needs the code, the
folder and (for a damaged file) where it was kept, and words them itself (``ui/reasons.py``, ``cli_reasons.py``).
When the store could not be opened at all, the caller may hold only the English line: ``diagnose`` looks at the
folder again and names what it finds there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoreError, StoreTooNewError, StoreUnavailableError

if TYPE_CHECKING:
    from .async_store import AsyncStore


class StoreReason:
    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    IO_ERROR = "io_error"
    CANNOT_OPEN = "cannot_open"
    TOO_NEW = "too_new"  # written by a newer Classroom Console: left untouched
    DAMAGED = "damaged"  # moved aside and kept; a fresh log was started with what could be saved
    UNKNOWN = "unknown"  # the folder looks writable now: the detail says what failed
    NOT_A_FOLDER = "not_a_folder"  # a part of the data folder's path is a file (ENOTDIR): ``part`` names it
    NOT_ALLOWED = "not_allowed"  # this user may not enter or write a part of it (EACCES, EPERM): ``part`` names it


@dataclass(frozen=True, slots=True)
class StoreProblem:
    reason: str  # a StoreReason
    folder: Path
    detail: str = ""  # English, technical: for --verbose and a Details view
    moved_to: Path | None = None  # DAMAGED: the damaged file, kept
    saved_sessions: int = 0  # DAMAGED: sessions copied from it into the fresh log
    lost_sessions: int = 0  # DAMAGED: sessions known to have been in it that could not be read
    version: int = 0  # TOO_NEW: the file's schema version
    part: Path | None = None  # READ_ONLY, NOT_A_FOLDER, NOT_ALLOWED: the part of the path that is wrong, if known


def problem_of(exc: StoreError, db_path: Path) -> StoreProblem | None:
    """A store exception about the disk or the file's version as a problem; None for anything else (a bug)."""
    if isinstance(exc, StoreUnavailableError):
        return StoreProblem(exc.reason, exc.folder or db_path.parent, exc.detail, part=exc.part)
    if isinstance(exc, StoreTooNewError):
        return StoreProblem(StoreReason.TOO_NEW, exc.path.parent, str(exc), version=exc.found)
    return None


def diagnose(db_path: Path, detail: str = "") -> StoreProblem:
    """Why the log in ``db_path`` cannot be written, judged from the folder and its path as they are now. Blocking
    (a stat for each part of the path, a statvfs, a 100-byte read)."""
    from ._open import version_in_header
    from .disk_errors import disk_full, path_problem
    from .migrations import LATEST_VERSION

    folder = db_path.parent
    judged = path_problem(folder, db_path)
    if judged is not None:
        return StoreProblem(judged[0], folder, detail, part=judged[1])
    if disk_full(folder):
        return StoreProblem(StoreReason.DISK_FULL, folder, detail)
    try:
        version = version_in_header(db_path)
    except OSError:
        version = 0
    if version > LATEST_VERSION:
        return StoreProblem(StoreReason.TOO_NEW, folder, detail, version=version)
    return StoreProblem(StoreReason.UNKNOWN, folder, detail)


async def current_problem(store: AsyncStore | None, db_path: Path, detail: str = "") -> StoreProblem:
    """What is wrong with the log now: the store's own (a damaged file at open, the last disk failure), else the
    folder looked at again off the loop (a store that could not open at all)."""
    if store is not None and store.problem is not None:
        return store.problem
    return await asyncio.to_thread(diagnose, db_path, detail)
