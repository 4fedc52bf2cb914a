"""Local SQLite store: every session, device, recording and upload, kept safe offline.

The names below load on first use: `device ADDRESS status` reads and writes one row with the standard library's
sqlite3 (``commands/device_status.py``) and must not pay for asyncio, the migrations and the async store just
because it needs ``store.readings`` (issue 17 item 4).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .async_store import AsyncStore
    from .database import Store, open_store
    from .errors import StoreClosedError, StoreError, StoreTooNewError, StoreUnavailableError
    from .migrations import LATEST_VERSION, MIGRATIONS
    from .paths import data_dir, database_path
    from .records import Event, utc_iso

_HOMES = {
    "AsyncStore": ".async_store",
    "Store": ".database",
    "open_store": ".database",
    "StoreClosedError": ".errors",
    "StoreError": ".errors",
    "StoreTooNewError": ".errors",
    "StoreUnavailableError": ".errors",
    "LATEST_VERSION": ".migrations",
    "MIGRATIONS": ".migrations",
    "data_dir": ".paths",
    "database_path": ".paths",
    "Event": ".records",
    "utc_iso": ".records",
}

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "AsyncStore",
    "Event",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoreTooNewError",
    "StoreUnavailableError",
    "data_dir",
    "database_path",
    "open_store",
    "utc_iso",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
