"""Room tokens: random, shown once, stored only as a hash (256 random bits need no slow hash)."""

from __future__ import annotations

import hashlib
import re
import secrets

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
