"""A group of new sessions is stored on PostgreSQL by statements over the whole group (``pg_store.GROUP_NEW``), not
by a server function called once per session: its twenty-odd statements each were most of the server's CPU per
session. Counted by the server itself (``track_functions``); the answers are each session's events, as before, and a
re-sent session still goes through ``centre_store_session``. The sums are compared with a recount in
``tests/test_centre_pg_groups.py``."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from classroom_console.centre import pg_store
from classroom_console.centre.payloads import session_rows
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import NOW, body, fresh_postgres

asyncpg = pytest.importorskip("asyncpg")

BOUND_S = 60.0
CALLS = """SELECT funcname, calls FROM pg_stat_user_functions
    WHERE funcname IN ('centre_store_new_session', 'centre_store_session', 'centre_add_shared_sums',
                       'centre_store_sessions')"""


async def calls(conn: Any) -> dict[str, int]:
    """The server's counts of each function called so far (this connection's pending counts flushed first)."""
    await conn.execute("SELECT pg_stat_force_next_flush()")  # flushed as the connection goes idle
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    return {str(r[0]): int(r[1]) for r in await conn.fetch(CALLS)}


async def test_a_groups_new_sessions_are_stored_without_a_function_call_each(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    db = await fresh_postgres(postgres_url)  # the schema and the procedures, no sessions
    await db.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        async with asyncio.timeout(BOUND_S):
            await conn.execute("SET track_functions = 'pl'")
            before = await calls(conn)
            rng = random.Random(11)
            rows = [session_rows(f"g{i % 3}", f"gs{i}", body(rng, f"gs{i}", i % 3, 5 + i), NOW) for i in range(8)]
            docs = "[" + ",".join(pg_store.document(r) for r in rows) + "]"
            held = await conn.fetchval(pg_store.STORE_GROUP, docs)
            counted = [await conn.fetchval("SELECT count(*) FROM session_events WHERE room_id = $1 AND session_id = $2",
                                           r.session["room_id"], r.session["id"]) for r in rows]
            assert list(held) == counted and all(n > 0 for n in counted)
            # one of them again, changed: stored before, so it takes the old way (its old version taken away first)
            again = session_rows("g1", "gs1", body(rng, "gs1", 1, 20), NOW)
            (n_again,) = await conn.fetchval(pg_store.STORE_GROUP, "[" + pg_store.document(again) + "]")
            assert n_again == await conn.fetchval(
                "SELECT count(*) FROM session_events WHERE room_id = 'g1' AND session_id = 'gs1'")
            after = await calls(conn)
        made = {name: after.get(name, 0) - before.get(name, 0) for name in after}
        assert made.get("centre_store_sessions") == 2  # the server counted our calls: the figures below are real
        assert made.get("centre_store_new_session", 0) == 0 and made.get("centre_add_shared_sums", 0) == 0
        assert made.get("centre_store_session") == 1
    finally:
        await conn.close()
