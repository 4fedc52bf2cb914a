"""PySide6 reads the source of every module imported after it, and keeps it.

Its import hook asks of each new module whether it uses PySide6 (``shibokensupport.feature._mod_uses_pyside``, for
its ``__feature__`` switches) by ``inspect.getsource``, which leaves the text in ``linecache``: 642 files, 8.8 MB of
text, 21 MB of the window's memory at start, held for its life (issue 17 item 5: the window recording with its x264
child was 17-23 MB over its 400 MB). The same question is answered here from the file itself, not kept.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - installs the hook this replaces the question of


def _uses_pyside(module: ModuleType) -> bool:
    """What the hook asks, answered as it answers it (the text "PySide6" in the module's source), read once, by the
    module's own loader: the read is part of the import, as the import's own read is (R10: read with ``open``, it
    was a blocking call of ours on an event loop importing a module lazily)."""
    origin = getattr(getattr(module, "__spec__", None), "origin", None)
    get_data = getattr(getattr(module, "__loader__", None), "get_data", None)
    if not isinstance(origin, str) or not origin.endswith(".py") or not callable(get_data):
        return False  # built in, compiled, or no file: the hook's getsource fails there too and says no
    try:
        return b"PySide6" in get_data(origin)
    except OSError:
        return False


def keep_no_sources() -> bool:
    """Put the answer above in the hook's place; False where this PySide6 has no such hook (nothing to do)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    setattr(feature, "_mod_uses_pyside", _uses_pyside)  # noqa: B010 - a module made at run time
    return True
