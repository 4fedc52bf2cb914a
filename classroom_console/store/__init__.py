"""Local SQLite store: every session, device, recording and upload, kept safe offline."""

from .async_store import AsyncStore
from .database import Store, open_store
from .errors import StoreClosedError, StoreError, StoreTooNewError, StoreUnavailableError
from .migrations import LATEST_VERSION, MIGRATIONS
from .paths import data_dir, database_path
from .records import Event, utc_iso

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
