"""Free space where the recording goes: the floor to start, and the floor at which to stop in time."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

START_FLOOR_BYTES = 512 * 2**20
STOP_FLOOR_BYTES = 64 * 2**20

FreeSpace = Callable[[Path], int]


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


class DiskFullError(RuntimeError):
    """Not enough free space to start a recording; the figures ride along so a UI can word it in its language."""

    def __init__(self, folder: Path, free: int, floor: int) -> None:
        super().__init__(
            f"only {free / 2**20:.0f} MB free in {folder}; a recording needs at least {floor / 2**20:.0f} MB"
        )
        self.folder = folder
        self.free = free
        self.floor = floor


def check_floor(folder: Path, floor: int, probe: FreeSpace = free_bytes) -> int:
    """Raise before any thread starts when ``folder`` has less than ``floor`` bytes free."""
    free = probe(folder)
    if free < floor:
        raise DiskFullError(folder, free, floor)
    return free
