"""Where the browser tests leave their screenshots for a person to look at: the folder named in
``CLASSROOM_CONSOLE_SCREENSHOTS`` (docs/screenshots, to refresh the documentation's), else a folder of the user's
own under /tmp. Its name is predictable, so another local user could make it first, or a link by that name to a
folder of theirs (R10): one that is not a directory of this user's that only it can write to is not used."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def screenshots_folder() -> Path:
    named = os.environ.get("CLASSROOM_CONSOLE_SCREENSHOTS")
    if named:
        Path(named).mkdir(parents=True, exist_ok=True)
        return Path(named)
    folder = Path(tempfile.gettempdir()) / f"classroom-console-screenshots-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    seen = os.lstat(folder)
    if stat.S_ISDIR(seen.st_mode) and seen.st_uid == os.getuid() and not seen.st_mode & 0o022:
        return folder
    return Path(tempfile.mkdtemp(prefix="classroom-console-screenshots-"))
