"""Store failures a caller must tell apart from ordinary SQLite errors."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class for store failures."""


class StoreTooNewError(StoreError):
    """The file was written by a newer Classroom Console; opening it could damage it."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        super().__init__(
            f"The database {path} has schema version {found}, but this version of Classroom Console "
            f"only understands versions up to {supported}. Update Classroom Console to open it; "
            "the file was left untouched."
        )


class StoreClosedError(StoreError):
    """A call reached a store that was already closed."""


class StoreUnavailableError(StoreError):
    """The disk or the path, not the data: a read-only folder, a full disk, an I/O error, a file in the path, no
    permission. ``reason`` is a code the UI words."""

    def __init__(self, message: str, reason: str, *, folder: Path | None = None, detail: str = "",
                 part: Path | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.folder = folder  # the data folder it is about, for the user's own words (store/problem.py)
        self.detail = detail
        self.part = part  # the part of the folder's path that is wrong (a file in it, a read-only or closed folder)
