"""A proof that a centre holds a recording's bytes, asked before the room deletes its own copy.

Why: the centre's "complete, SHA-256 X" can be the room's own announcement sent back (a mistyped URL pointing at
someone else's server, a proxy on the campus LAN, a hostile one): with `--delete-uploaded-media` the room deleted a
lecture that had never left it. The room draws a nonce; only a holder of the file can answer SHA-256 over the nonce
and ranges of the file the nonce picks. The centre reads a megabyte, not the whole file.
"""

from __future__ import annotations

import hashlib
import re
import secrets

SAMPLES = 16
SAMPLE_BYTES = 64 << 10
NONCE_RE = re.compile(r"[0-9a-f]{32}")


def new_nonce() -> str:
    return secrets.token_hex(16)


def ranges(nonce: str, size: int) -> list[tuple[int, int]]:
    """(offset, length) of the bytes the nonce asks for: the whole of a small file, else SAMPLES ranges it picks."""
    if size <= SAMPLES * SAMPLE_BYTES:
        return [(0, size)]
    span = size - SAMPLE_BYTES + 1
    picks = []
    for i in range(SAMPLES):
        digest = hashlib.sha256(f"{nonce}:{i}".encode()).digest()
        picks.append((int.from_bytes(digest[:8], "big") % span, SAMPLE_BYTES))
    return picks


def answer(path: str, nonce: str, size: int) -> str:
    """The proof for the file at ``path`` of ``size`` bytes (blocking: call it on a worker thread)."""
    h = hashlib.sha256(nonce.encode())
    with open(path, "rb") as fh:
        for offset, length in ranges(nonce, size):
            fh.seek(offset)
            data = fh.read(length)
            if len(data) != length:
                raise OSError(f"{path} is shorter than {size} bytes")
            h.update(data)
    return h.hexdigest()
