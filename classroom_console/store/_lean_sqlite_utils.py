"""sqlite_utils without numpy: it imports numpy (and pandas) whenever installed, only to map their scalar types
to column types. The store never writes those (its columns are made by migrations, its values are plain Python),
and numpy cost ~60 ms of every ``classroom-console device … status``. Imported first by the store package.

Once loaded here, a later ``import numpy`` elsewhere (the media stack) works as usual.
"""

from __future__ import annotations

import importlib
import sys

_HIDDEN = ("numpy", "pandas")


def load() -> None:
    if "sqlite_utils.db" in sys.modules or "numpy" in sys.modules:
        return  # numpy is there anyway (a program with media): nothing to save
    hidden = [name for name in _HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        importlib.import_module("sqlite_utils.db")
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


load()
