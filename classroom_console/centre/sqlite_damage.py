"""A ``centre.db`` SQLite cannot read as a database (a damaged header, a malformed page) is said, not a traceback.

The room's store salvages such a file; the centre's holds every room's history and has backups, so the way back is
a restore, which the command words. Locks, full disks and I/O errors are not damage and pass through unchanged
(``store._open.is_corruption`` tells them apart, as it does for the room's store).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from classroom_console.store._open import is_corruption


class Damaged(Exception):
    """``path`` could not be opened as the centre's database; ``why`` is SQLite's own word for it."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path = path
        self.why = why


def as_damage(path: Path, exc: BaseException) -> Damaged | None:
    """``exc`` as damage of ``path``, or None when it is something else."""
    if isinstance(exc, sqlite3.DatabaseError) and is_corruption(exc):
        return Damaged(path, str(exc))
    return None
