"""Room tokens: random, shown once, stored only as a hash (256 random bits need no slow hash)."""

from __future__ import annotations

import hashlib
import re
import secrets

ROOM, STAFF = "room", "staff"


def issue_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def folder_for(name: str) -> str:
    """A file-system-safe folder per room, unique even when two names slug alike."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40] or "room"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"
