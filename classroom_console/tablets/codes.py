"""Join codes, seat secrets and display names: everything a tablet types or keeps, made safe to hold.

A code is short enough to read from the back row and type on a phone: six characters from an alphabet
without look-alikes (no 0/O, 1/I/L). A fresh one is drawn for every session.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
NAME_MAX = 40
TEXT_MAX = 500
# Look-alikes a student may type for a character the alphabet has.
_SAME = str.maketrans({"0": "O", "1": "I", "L": "I"})


def new_code(length: int = CODE_LENGTH, previous: str = "") -> str:
    """A random code from ``ALPHABET`` that differs from ``previous`` (the last session's)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if code != previous:
            return code


def normalise_code(text: object) -> str:
    """What the student meant: case, spaces and dashes ignored; at most 16 characters looked at."""
    if not isinstance(text, str):
        return ""
    return "".join(c for c in text[:16].upper() if c.isalnum()).translate(_SAME)


def new_secret() -> str:
    """The seat's rejoin secret, kept in the tablet's localStorage (128 random bits)."""
    return secrets.token_urlsafe(16)


def clean_text(text: object, limit: int = TEXT_MAX) -> str:
    """Plain text a student typed: NFC, control and bidi-override characters dropped, whitespace collapsed,
    capped at ``limit``. It is still untrusted: every screen shows it as text, never as markup."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text[: limit * 4])
    kept = "".join(" " if c.isspace() else c for c in text if c.isspace() or unicodedata.category(c)[0] != "C")
    return " ".join(kept.split())[:limit]


def clean_name(text: object) -> str:
    return clean_text(text, NAME_MAX)
