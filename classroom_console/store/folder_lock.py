"""Which process holds a data folder: only the first console on it may tidy what a crash left behind.

A session still open, or a recording row with no end, means a crash only when no other console is running on the
same folder. The `class` command or a headless `record` started beside the window would otherwise close the
window's live session as "interrupted". The operating system drops the lock when its process dies, so a crash
never leaves it held.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no second-process check; tidying stays as it was
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "console.lock"


class FolderLock:
    """An advisory, non-blocking lock on ``<folder>/console.lock``, held until released or the process ends."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """True when this process is now the folder's first console (or the platform cannot tell)."""
        if fcntl is None:
            return True
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
