"""Where the library keeps what is not the recording itself (chapter thumbnails, per-source tracks), and the
one check every file passes before it is opened: it lies inside the centre's data folder.
"""

from __future__ import annotations

import os
from pathlib import Path


class LibraryFiles:
    def __init__(self, root: str) -> None:
        """``root``: the data folder as an absolute path (the uploads' own)."""
        self.root = os.path.normpath(root)

    def thumb_dir(self, key: str) -> Path:
        return Path(self.root, "library", "thumbs", key)

    def thumb_path(self, key: str, n: int) -> Path:
        return self.thumb_dir(key) / f"{int(n)}.jpg"

    def track_path(self, room_folder: str, track_id: str) -> Path:
        return Path(self.root, "rooms", room_folder, "tracks", f"{track_id}.bin")

    def inside(self, path: Path) -> Path | None:
        """The path if it lies under the data folder, else None (lexically, so the loop never waits on a disk)."""
        real = os.path.normpath(path)
        if not os.path.isabs(real) or os.path.commonpath([real, self.root]) != self.root or real == self.root:
            return None
        return Path(real)
