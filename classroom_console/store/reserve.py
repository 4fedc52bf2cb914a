"""A little disk space held back beside the database, given up when the disk fills so the last writes still land.

When a recording and the store share a disk, the recording can take the last free byte; without this the
recording's row would never be closed with its stats. The reserve comes back at the next open, space permitting.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)
RESERVE_BYTES = 2 << 20


def reserve_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + "-reserve")


def make_reserve(db_path: Path) -> bool:
    """Write the reserve (real blocks, not a sparse file) where the disk has room for it many times over."""
    path = reserve_path(db_path)
    try:
        if path.exists() and path.stat().st_size >= RESERVE_BYTES:
            return True
        if shutil.disk_usage(db_path.parent).free < 16 * RESERVE_BYTES:
            return False
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        try:
            block = b"\0" * (256 << 10)
            for _ in range(RESERVE_BYTES // len(block)):
                os.write(fd, block)
            os.fsync(fd)
        finally:
            os.close(fd)
        return True
    except OSError as exc:
        log.info("no disk reserve beside %s: %s", db_path, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        return False


def release_reserve(db_path: Path) -> bool:
    """Free the reserve; True when there was one to free (then the failed write is worth one more try)."""
    try:
        reserve_path(db_path).unlink()
    except OSError:
        return False
    log.warning("the disk holding %s is full: its reserve was released so the last writes can land", db_path)
    return True
