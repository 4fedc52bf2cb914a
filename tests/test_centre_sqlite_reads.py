"""Token lookups waiting at once on SQLite are answered together (db_sqlite._Readers._identities), each exactly."""

from __future__ import annotations

import asyncio
from pathlib import Path

from classroom_console.centre.db import Identity
from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.store import utc_iso


async def test_lookups_asked_together_each_get_their_own_answer_and_a_revoke_counts_at_once(tmp_path: Path) -> None:
    db = await SqliteCentreDB.open(tmp_path / "centre.db")
    try:
        names = [f"Room \"{i}\" ü\\" for i in range(30)]  # quotes, a backslash, non-ASCII: text comes back as it is
        for i, name in enumerate(names):
            await db.add_token(f"{i:064x}", name, "room", f"folder-{i}")
        await db.revoke(names[7], utc_iso())
        asked = [f"{i % 35:064x}" for i in range(200)]  # repeated, revoked (7) and unknown (30..34) among them
        got = await asyncio.gather(*(db.identity(h) for h in asked))
        for h, who in zip(asked, got, strict=True):
            i = int(h, 16)
            assert who == (None if i == 7 or i >= 30 else Identity(names[i], "room", f"folder-{i}")), i
        await db.revoke(names[3], utc_iso())
        assert await db.identity(f"{3:064x}") is None
        assert await db.identity(f"{4:064x}") == Identity(names[4], "room", "folder-4")
    finally:
        await db.close()
