"""Uploading the room's sessions and recordings to the centre through the store's durable queue."""

from .backoff import Backoff
from .client import AuthRefused, CentreClient, PermanentError, SyncError, TransientError
from .engine import SyncConfig, SyncEngine, SyncResult
from .progress import SyncProgress

__all__ = [
    "AuthRefused",
    "Backoff",
    "CentreClient",
    "PermanentError",
    "SyncConfig",
    "SyncEngine",
    "SyncError",
    "SyncProgress",
    "SyncResult",
    "TransientError",
]
