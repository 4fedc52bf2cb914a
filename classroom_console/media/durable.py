"""Getting a growing recording onto the disk itself, not just into the kernel's cache, every second.

A fragmented MP4 survives a killed process because each fragment is handed to the kernel as it is cut; a power
cut is different: the kernel writes dirty pages back only after about 30 s, so up to half a minute of a lecture
would be lost with the room's power. ``fdatasync`` on a thread of its own bounds that to about one fragment
without ever making the encoder wait for a slow disk.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from ._worker import Worker

log = logging.getLogger(__name__)


class FileSyncer:
    """Syncs ``path`` every ``interval_s`` while it is being written, and once more at ``finish``."""

    def __init__(self, path: Path, interval_s: float = 1.0) -> None:
        self.path = path
        self.interval_s = interval_s
        self.syncs = 0
        self.synced_bytes = 0  # the file's size at the last sync that completed: safe from a power cut
        self.error: OSError | None = None
        self._fd: int | None = None
        self._directory_synced = False
        self._worker = Worker(f"sync-{path.name}", self._run)

    def start(self) -> None:
        """The file may not exist yet (the muxer creates it with its first bytes): it is opened once it does,
        read-only (Linux syncs a file through any of its descriptors)."""
        self._worker.start()

    def finish(self) -> None:
        """The last sync, after the file was closed; then the descriptor is released."""
        self._worker.stop()
        self._worker.join()
        if self._opened():
            assert self._fd is not None
            try:
                self._sync()
            finally:
                os.close(self._fd)
                self._fd = None

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            if self._opened():
                self._sync()

    def _opened(self) -> bool:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                return False
            except OSError as exc:
                self._failed(exc)
                return False
        return True

    def _sync(self) -> None:
        assert self._fd is not None
        try:
            size = os.fstat(self._fd).st_size
            os.fdatasync(self._fd)
            if not self._directory_synced:  # a new file's name must reach the disk too, once
                _sync_directory(self.path.parent)
                self._directory_synced = True
        except OSError as exc:  # a full or failing disk: the encoder meets it too and stops the recording
            self._failed(exc)
            return
        self.syncs += 1
        self.synced_bytes = size

    def _failed(self, exc: OSError) -> None:
        if self.error is None:
            log.warning("cannot sync %s to disk: %s", self.path, exc)
        self.error = exc


def _sync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
