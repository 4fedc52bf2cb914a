"""Room tokens: random, shown once, stored only as a hash (256 random bits need no slow hash)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from classroom_console.centre.db import Identity
    from classroom_console.usage_model import UsageFilter

ROOM, STAFF = "room", "staff"


def issue_token() -> str:
    """Never one that begins with "-": typed after ``--token`` it read as an option, and `sync` refused it
    ("expected one argument") for one room in 64."""
    while (token := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def folder_for(name: str) -> str:
    """A file-system-safe folder per room, unique even when two names slug alike."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40] or "room"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def scoped(f: UsageFilter, who: Identity) -> UsageFilter | None:
    """Staff see every room; a room token sees only its own room (None: it asked for another)."""
    if who.role == STAFF:
        return f
    if f.room not in (None, who.name):
        return None
    return dataclasses.replace(f, room=who.name)
