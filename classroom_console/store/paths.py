"""Where the console keeps its database: one place per user, overridable from the CLI."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "classroom-console"
DB_FILENAME = "console.db"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``--data-dir`` when given, else the platform's per-user data dir."""
    if override is not None:
        return Path(override).expanduser()
    return Path(user_data_dir(APP_NAME, appauthor=False))


def database_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The SQLite file inside the data folder."""
    return data_dir(override) / DB_FILENAME
