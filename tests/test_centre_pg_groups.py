"""Sessions arriving at once on PostgreSQL are stored in groups (``centre/pg_writer.py``): the sums still equal a
recount, a session re-sent while its first version waits counts once and ends as its last version, and one session
the server refuses fails alone."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.centre.payloads import recording_row, session_rows
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import FILTERS, NOW, ROLLUPS, body, feed, iso, recount

BOUND_S = 60.0


async def add_recordings(db: PostgresCentreDB) -> None:
    """The recordings ``feed`` announces (twice each), so that whole reports compare."""
    for i in range(0, 60, 5):
        rec = {"id": f"rec{i}", "session_id": f"s{i}", "name": "x", "size": 1000 + i, "sha256": "0" * 64,
               "started_at": iso(datetime(2025, 9, 1 + i % 20, 8, tzinfo=UTC)), "duration_s": 60.5 + i}
        for _ in range(2):
            await db.add_recording(recording_row(f"r{i % 3}", rec, 1 << 40))


def uploads(db: PostgresCentreDB) -> list[Awaitable[int]]:
    """What ``feed`` sends one by one, sent all at once (so in the same order): re-sends wait behind their first."""
    rng = random.Random(7)
    calls: list[Awaitable[int]] = [
        db.store_session(session_rows(f"r{i % 3}", f"s{i}", body(rng, f"s{i}", i % 3, 8), NOW)) for i in range(60)
    ]
    calls += [db.store_session(session_rows(f"r{i % 3}", f"s{i}", body(rng, f"s{i}", i % 3, 14), NOW))
              for i in range(0, 60, 4)]
    for i in range(0, 60, 7):
        b = body(random.Random(i), f"s{i}", i % 3, 5, lecturer="L2")
        calls += [db.store_session(session_rows(f"r{i % 3}", f"s{i}", b, NOW)) for _ in range(2)]
    return calls


async def test_sessions_sent_at_once_are_stored_in_groups_with_the_same_sums_as_one_by_one(
    postgres_url: str, tmp_path: Path  # noqa: F811 (fixture)
) -> None:
    lite = await SqliteCentreDB.open(tmp_path / "centre.db")
    pg = await PostgresCentreDB.open(postgres_url)
    try:
        await pg.execute("DROP TABLE IF EXISTS " + ", ".join(ROLLUPS), {})  # a fresh start, whoever ran before
        for table in ("sessions", "session_events", "session_spans", "session_hours", "device_spans", "devices",
                      "recordings", "tablet_counts", "tablet_sessions"):
            await pg.execute(f"DELETE FROM {table}", {})
        await pg.close()
        pg = await PostgresCentreDB.open(postgres_url)
        await feed(lite)  # the reference: one by one
        groups: list[int] = []
        send = pg._writer._send

        async def counted(docs: list[str]) -> list[int]:
            groups.append(len(docs))
            return await send(docs)

        pg._writer._send = counted
        async with asyncio.timeout(BOUND_S):
            held = await asyncio.gather(*(asyncio.ensure_future(c) for c in uploads(pg)))
        assert len(held) == 60 + 15 + 18 and all(n > 0 for n in held)
        assert len(groups) < len(held) // 4, groups  # stored in groups, not one by one
        assert sum(groups) == len(held)  # every upload stored, a re-sent one in a later group than its first
        await add_recordings(pg)
        for f in FILTERS:
            _, base = await asyncio.to_thread(recount, tmp_path / "centre.db", f)
            assert await pg.usage(f) == base, f
    finally:
        await pg.close()
        await lite.close()


async def test_a_session_the_server_refuses_fails_alone_and_the_rest_of_its_group_is_stored(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    pg = await PostgresCentreDB.open(postgres_url)
    try:
        rng = random.Random(11)
        good = [session_rows("alone", f"a{i}", body(rng, f"a{i}", 9, 3), NOW) for i in range(6)]
        async with asyncio.timeout(BOUND_S):
            tasks = [asyncio.ensure_future(pg.store_session(r)) for r in good[:3]]
            bad = asyncio.ensure_future(pg._writer.store(("alone", "bad"), '{"session": {"id": 1'))  # not JSON
            tasks += [asyncio.ensure_future(pg.store_session(r)) for r in good[3:]]
            assert [await t for t in tasks] == [3] * 6
            with pytest.raises(Exception, match=r"(?i)json"):
                await bad
        assert len(await pg.fetch("SELECT id FROM sessions WHERE room_id = 'alone'", {})) == 6
    finally:
        await pg.close()
