"""A module imported when first used, not when its importer is: aiohttp costs ~0.3 s at every start.

``classroom-console device PROJECTOR status`` loads the camera family and the finder (both name aiohttp) but never
talks HTTP; with ``aiohttp = lazy_module("aiohttp")`` it never pays for it. A program that will need the module
soon imports it up front (off its event loop) so the first use does not stall the loop.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule(ModuleType):
    """Stands in for a module; the first attribute read imports the real one and reads from it."""

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attr)


def lazy_module(name: str) -> Any:
    return LazyModule(name)
