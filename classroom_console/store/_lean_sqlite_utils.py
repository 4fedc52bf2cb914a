"""sqlite_utils without numpy: it imports numpy (and pandas) whenever installed, only to map their scalar types
to column types. The store never writes those (its columns are made by migrations, its values are plain Python),
and numpy cost ~60 ms of every ``classroom-console device … status``. Imported first by the store package.

dateutil's parser (~20 ms: its time-zone tables) is imported by sqlite_utils' recipes only for functions the store
never calls: it stands in as a ``_Deferred`` module that imports the real one on first use.

Once loaded here, a later ``import numpy`` elsewhere (the media stack) works as usual.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from typing import Any

_HIDDEN = ("numpy", "pandas")
_DEFERRED = ("dateutil.parser",)


class _Deferred(types.ModuleType):
    """A module's placeholder in sys.modules: the first attribute read imports the real module in its place."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__spec__ = importlib.machinery.ModuleSpec(name, None)  # find_spec() answers "there is one", no error

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


def load() -> None:
    if "sqlite_utils.db" in sys.modules or "numpy" in sys.modules:
        return  # numpy is there anyway (a program with media): nothing to save
    hidden = [name for name in _HIDDEN if name not in sys.modules]
    for name in _DEFERRED:
        sys.modules.setdefault(name, _Deferred(name))
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        importlib.import_module("sqlite_utils.db")
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


load()
