"""Token lookups on PostgreSQL share statements (``centre/pg_batch.py``) and still see a revoke at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from classroom_console.centre.db import Identity
from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.tokens import ROOM, folder_for, issue_token, token_hash
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)

BOUND_S = 30.0


async def _tokens(db: PostgresCentreDB, n: int, prefix: str) -> list[str]:
    hashes = []
    for k in range(n):
        digest = token_hash(issue_token())
        await db.add_token(digest, f"{prefix} {k}", ROOM, folder_for(f"{prefix} {k}"))
        hashes.append(digest)
    return hashes


async def test_lookups_made_at_once_share_statements_and_each_gets_its_own_answer(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    db = await PostgresCentreDB.open(postgres_url)
    try:
        hashes = await _tokens(db, 40, "Batch room")
        await db.revoke("Batch room 3", "2026-03-02T08:00:00.000000Z")
        unknown = [token_hash(issue_token()) for _ in range(5)]
        statements = 0
        fetch = db._identities._fetch

        async def counted(keys: list[str]) -> Iterable[tuple[str, Identity]]:
            nonlocal statements
            statements += 1
            return await fetch(keys)

        db._identities._fetch = counted
        asked = [*hashes, *unknown, *hashes[:10]]  # some asked twice at once
        async with asyncio.timeout(BOUND_S):
            got = await asyncio.gather(*(db.identity(h) for h in asked))
        expected = [None if k == 3 else Identity(f"Batch room {k}", ROOM, folder_for(f"Batch room {k}"))
                    for k in range(40)]
        assert got == [*expected, *[None] * 5, *expected[:10]]
        assert 1 <= statements <= 4, statements  # 55 lookups at once: a few statements, not 55
    finally:
        await db.close()


async def test_a_lookup_after_a_revoke_never_takes_the_answer_of_a_statement_sent_before_it(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    db = await PostgresCentreDB.open(postgres_url)
    try:
        (digest,) = await _tokens(db, 1, "Revoked room")
        sent, release = asyncio.Event(), asyncio.Event()
        fetch = db._identities._fetch

        async def held(keys: list[str]) -> Iterable[tuple[str, Identity]]:
            found = await fetch(keys)
            if not sent.is_set():  # the first statement's answer is held back until the revoke is done
                sent.set()
                await release.wait()
            return found

        db._identities._fetch = held
        async with asyncio.timeout(BOUND_S):
            before = asyncio.ensure_future(db.identity(digest))
            await sent.wait()  # answered by the database, not yet handed out
            assert await db.revoke("Revoked room 0", "2026-03-02T08:00:00.000000Z")
            after = asyncio.ensure_future(db.identity(digest))
            assert await after is None  # its own statement, made after the revoke
            release.set()
            assert await before == Identity("Revoked room 0", ROOM, folder_for("Revoked room 0"))
    finally:
        await db.close()
