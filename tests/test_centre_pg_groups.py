"""What a PostgreSQL centre does for many requests at once, on one throwaway cluster: sessions are stored in groups
(``centre/pg_writer.py``: the sums still equal a recount, a session re-sent while its first version waits counts
once and ends as its last version, one session the server refuses fails alone, a group's new sessions go in without a
server function call each), token lookups share statements and
still see a revoke at once (``centre/pg_batch.py``), reports are made on a thread of their own once at a time
(``centre/pg_reports.py``) and come back as numbers, not decimals, and a group re-storing a
room's session never deadlocks with a group adding to that room."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import os
import random
import re
import threading
from collections.abc import Awaitable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from classroom_console.centre import charts, pg_locks, pg_store
from classroom_console.centre.db import Identity
from classroom_console.centre.db_postgres import REPORT_MARKER, PostgresCentreDB, chart_rows, plain_numbers
from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.centre.payloads import SessionRows, recording_row, session_rows
from classroom_console.centre.pg_reports import Mark
from classroom_console.centre.reports import report_bytes, report_json
from classroom_console.centre.tokens import ROOM, folder_for, issue_token, token_hash
from classroom_console.usage_model import UsageFilter, UsageReport
from classroom_console.usage_sql import POSTGRESQL, assemble
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import FILTERS, NOW, body, feed, fresh_postgres, iso, recount

BOUND_S = 60.0
WAITING = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = :cls"


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
    pg = await fresh_postgres(postgres_url)
    try:
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
            assert await pg.usage_body(f) == report_json(base), f  # reports.report_bytes: the same bytes
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


async def _tokens(db: PostgresCentreDB, n: int, prefix: str) -> list[str]:
    hashes = []
    for k in range(n):
        digest = token_hash(issue_token())
        await db.add_token(digest, f"{prefix} {k}", ROOM, folder_for(f"{prefix} {k}"))
        hashes.append(digest)
    return hashes


async def test_a_process_sends_one_group_at_a_time_and_the_sessions_meanwhile_make_the_next(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    """``pg_writer.WRITERS``: behind nginx, two groups at once from each process waited on each other's shared sums
    and split the sessions into smaller groups; one at a time, those arriving meanwhile wait and go together."""
    pg = await PostgresCentreDB.open(postgres_url)
    try:
        on_its_way, most, groups = 0, 0, []
        send = pg._writer._send

        async def counted(docs: list[str]) -> list[int]:
            nonlocal on_its_way, most
            on_its_way += 1
            most = max(most, on_its_way)
            groups.append(len(docs))
            try:
                await asyncio.sleep(0.05)  # a server storing a group: the uploads meanwhile wait for the next
                return await send(docs)
            finally:
                on_its_way -= 1

        pg._writer._send = counted
        rng = random.Random(11)
        async with asyncio.timeout(BOUND_S):
            held = await asyncio.gather(*(
                pg.store_session(session_rows(f"w{i % 3}", f"w{i}", body(rng, f"w{i}", i % 3, 4), NOW))
                for i in range(40)))
        assert all(n > 0 for n in held) and sum(groups) == 40
        assert most == 1 and len(groups) <= 3, groups  # the first alone, then the rest together
    finally:
        await pg.close()


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


async def test_reports_are_made_on_their_own_thread_once_at_a_time_each_holding_what_was_stored_before_it(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    """``pg_reports``: six asking at once get one report; unchanged data, the kept one; while a report is on its way
    a store and five requests come: they do not take that report (it read the version before the store), they share
    the next one, which holds the store, and one of them going away does not take it from the others."""
    db = await PostgresCentreDB.open(postgres_url)
    try:
        threads: set[str] = set()
        gate = threading.Event()
        gate.set()
        entered = threading.Event()
        make = db._report_and_body

        calls = 0

        async def held(f: UsageFilter, version: int, mark: Mark) -> tuple[int, UsageReport | None, bytes]:
            nonlocal calls
            calls += 1
            threads.add(threading.current_thread().name)
            entered.set()
            await asyncio.to_thread(gate.wait, BOUND_S)  # on the reports' loop: the test holds it here
            return await make(f, version, mark)

        db.reports._make = held
        f = UsageFilter(room="Report room")
        async with asyncio.timeout(BOUND_S):
            first = await asyncio.gather(*(db.usage(f) for _ in range(6)))
            assert db.reports.made == 1 and all(r is first[0] for r in first)
            assert await db.usage(f) is first[0] and db.reports.made == 1  # unchanged data: kept
            assert threads == {"centre-reports"}
            await db.store_session(session_rows("Report room", "rs1", body(random.Random(3), "rs1", 1, 4), NOW))
            gate.clear()
            entered.clear()
            on_its_way = asyncio.ensure_future(db.usage(f))
            await asyncio.to_thread(entered.wait, BOUND_S)  # made from the data before rs2
            await db.store_session(session_rows("Report room", "rs2", body(random.Random(4), "rs2", 1, 4), NOW))
            later = [asyncio.ensure_future(db.usage(f)) for _ in range(5)]
            await asyncio.sleep(0)
            later[0].cancel()
            gate.set()
            before = await on_its_way
            after = await asyncio.gather(*later[1:])
        # (the one on its way read the version before rs2: it may hold rs2 too, as its rows were read after)
        assert before.sessions >= first[0].sessions + 1
        # The next one is not made: the one on its way read the version again (after the store: it was held
        # before its lock) after every later request came, so they take it.
        assert db.reports.made == calls == 2 and all(r is after[0] for r in after)
        assert after[0].sessions == first[0].sessions + 2
        assert later[0].cancelled()
        assert (await db.usage_body(f)) == report_json(after[0])  # the JSON made beside it, the same bytes
    finally:
        await db.close()
    assert not any(t.name == "centre-reports" for t in threading.enumerate())  # closed with the database


async def test_a_report_is_made_while_the_services_loop_is_busy(postgres_url: str) -> None:  # noqa: F811 (fixture)
    """The service's loop busy with uploads' callbacks (here: held for up to 30 s) does not hold a report up: only
    handing the filter over and taking the answer need the loop."""
    db = await PostgresCentreDB.open(postgres_url)
    try:
        made = threading.Event()
        make = db._report_and_body

        async def noted(f: UsageFilter, version: int, mark: Mark) -> tuple[int, UsageReport | None, bytes]:
            got = await make(f, version, mark)
            made.set()
            return got

        db.reports._make = noted
        asking = asyncio.ensure_future(db.usage(UsageFilter()))
        await asyncio.sleep(0)  # handed over
        assert made.wait(BOUND_S)  # the loop is held right here, in this very call
        await asking
    finally:
        await db.close()


async def test_a_report_one_process_made_is_taken_by_another_and_one_on_its_way_is_waited_for(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    """Two centre processes on one database (two ``PostgresCentreDB`` here): B takes the report A left for the same
    data instead of making it again, and while A makes one B waits for it; after a store B makes a newer one."""
    a = await PostgresCentreDB.open(postgres_url)
    b = await PostgresCentreDB.open(postgres_url)
    try:
        f = UsageFilter(room="Shared room")
        await a.store_session(session_rows("Shared room", "sh1", body(random.Random(5), "sh1", 1, 4), NOW))
        async with asyncio.timeout(BOUND_S):
            first = await a.usage(f)
            assert await b.usage_body(f) == report_json(first) and (a.reports.made, b.reports.made) == (1, 0)
            assert (await b.usage(f)).as_json() == first.as_json()  # read back from the bytes
            await a.store_session(session_rows("Shared room", "sh2", body(random.Random(6), "sh2", 1, 4), NOW))
            gate, entered = threading.Event(), threading.Event()
            make_report = a._make_report

            async def held(f: UsageFilter, conn: Any) -> tuple[UsageReport, bytes]:  # A makes it under the lock
                entered.set()
                await asyncio.to_thread(gate.wait, BOUND_S)
                return await make_report(f, conn)

            a._make_report = held  # type: ignore[method-assign]
            from_a = asyncio.ensure_future(a.usage_body(f))
            await asyncio.to_thread(entered.wait, BOUND_S)
            from_b = asyncio.ensure_future(b.usage_body(f))
            for _ in range(int(BOUND_S / 0.005)):  # until B waits at the filter's lock
                if (await a.fetch(WAITING, {"cls": pg_locks.REPORT_CLASS}))[0][0]:
                    break
                await asyncio.sleep(0.005)
            gate.set()
            assert await from_a == await from_b and (a.reports.made, b.reports.made) == (2, 0)
            assert json.loads(await from_b or b"")["sessions"] == first.sessions + 1
            await b.store_session(session_rows("Shared room", "sh3", body(random.Random(7), "sh3", 1, 4), NOW))
            assert json.loads(await b.usage_body(f) or b"")["sessions"] == first.sessions + 2 and b.reports.made == 1
    finally:
        await a.close()
        await b.close()


async def test_a_serving_centre_warms_its_report_connections_up(postgres_url: str) -> None:  # noqa: F811 (fixture)
    """``serving()``: both report connections open and have run the charts' statement before any staff asks."""
    db = await PostgresCentreDB.open(postgres_url)
    try:
        db.serving()
        assert db._warming is not None
        async with asyncio.timeout(BOUND_S):
            await db._warming
        async with db.pool.acquire() as conn:
            ran = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND strpos(query, $2) > 0",
                f"classroom-centre-{os.getpid()}", REPORT_MARKER)
        assert ran == 2
    finally:
        await db.close()


def test_a_reports_json_refuses_a_value_that_is_not_finite() -> None:
    report = dataclasses.replace(UsageReport.from_json(json.loads(report_json(_empty_report()))), hours_in_use=math.nan)
    with pytest.raises(ValueError):
        report_bytes(report)


def _empty_report() -> UsageReport:
    return assemble(UsageFilter(), {"totals": [(0, 0, 0)], "heatmap": [], "room_weeks": [], "by_lecturer": [],
                                    "by_course": [], "recordings": [(0, 0, 0)], "device_hours": [], "devices": [],
                                    "lamps": [], "fault_events": [], "fault_readings": []})


def test_the_charts_sums_come_back_as_numbers_not_decimals() -> None:
    """NUMERIC sums come back as Decimal, slow to decode and to turn into a report: summed as float8 and bigint."""
    queries, _, _ = charts.plan(POSTGRESQL, UsageFilter())
    combined = plain_numbers(" ".join(queries.values()))
    assert "sum(ms)::float8" in combined and "sum(sessions)::bigint" in combined and "sum(spans)::bigint" in combined
    assert re.findall(r"sum\((?:ms|sessions|spans|n|bytes)\)(?!::)", combined) == []


async def test_the_charts_statement_returns_columns_not_row_values(postgres_url: str) -> None:  # noqa: F811
    """``charts_statement``: each chart's rows come as one array a column; an array of row values (every row a
    record the server builds and asyncpg reads back field by field) cost a 300-room report twice its reading."""
    db = await PostgresCentreDB.open(postgres_url)
    try:
        for i in range(3):
            await db.store_session(session_rows(f"r{i}", f"c{i}", body(random.Random(i), f"c{i}", i, 6), NOW))
        await db.usage(UsageFilter())
        sql = db._plans[UsageFilter()][0]
        async with db.pool.acquire() as conn:
            row = await conn.fetchrow(sql, *db._plans[UsageFilter()][1])
        values = [v for column in row.values() if column is not None for v in column]
        assert values and not [v for v in values if isinstance(v, asyncpg.Record | tuple)]
    finally:
        await db.close()


async def test_the_charts_statement_returns_no_decimal(postgres_url: str) -> None:  # noqa: F811 (fixture)
    db = await PostgresCentreDB.open(postgres_url)
    try:
        for i in range(3):
            await db.store_session(session_rows(f"r{i}", f"d{i}", body(random.Random(i), f"d{i}", i, 6), NOW))
        await add_recordings(db)
        await db.usage(UsageFilter())
        sql, args, shapes, _ = db._plans[UsageFilter()]
        async with db.pool.acquire() as conn:
            row = await conn.fetchrow(sql, *args)
        values = [v for n, k in shapes for r in chart_rows(row, n, k) for v in r]
        assert values and not [v for v in values if isinstance(v, Decimal)]
    finally:
        await db.close()


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
    """Stored by statements over the whole group (``pg_store.GROUP_NEW``), not by a server function called once
    per session (its twenty-odd statements each were most of the server's CPU per session): counted by the server
    itself (``track_functions``). The answers are still each session's events, and a re-send still goes through
    ``centre_store_session``."""
    asyncpg = pytest.importorskip("asyncpg")
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


async def _waiting(conn: Any, pid: int, event: str | None = None) -> None:
    """Until the server shows backend ``pid`` waiting on a lock (of kind ``event``, if named)."""
    while True:
        row = await conn.fetchrow("SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = $1", pid)
        if row is not None and row[0] == "Lock" and (event is None or row[1] == event):
            return
        await asyncio.sleep(0.02)


async def test_a_group_re_storing_a_rooms_session_and_a_group_adding_to_that_room_never_deadlock(
    postgres_url: str, tmp_path: Path  # noqa: F811 (fixture)
) -> None:
    """The order a reviewer found: group A has added a new session to room X's sums (holding those rows) and waits
    for the cluster-wide lock, which group B holds while it re-stores an earlier session of room X (taking that
    session's old version away from the same rows). Without one lock order the server ends one of them after its
    deadlock_timeout and the writer stores the group again one at a time; with it both go through, in turn.
    B is held at the right place by a third connection holding room W's sums, which B re-stores first."""
    asyncpg = pytest.importorskip("asyncpg")
    lite = await SqliteCentreDB.open(tmp_path / "centre.db")
    pg = await fresh_postgres(postgres_url)
    for table in ("device_readings", "roll_lamps"):  # the lamps other tests here left (fresh_postgres keeps them)
        await pg.execute(f"DELETE FROM {table}", {})
    conns = [await asyncpg.connect(postgres_url) for _ in range(4)]
    hold, group_a, group_b, watch = conns
    try:
        # t2 starts when s1 did (the same draws): it adds to the very hour and week rows s1's old version is in.
        def first() -> list[SessionRows]:  # made for each back end: SQLite's store takes the rows it is given
            return [session_rows("dl-w", "s0", body(random.Random(1), "s0", 1, 4), NOW),
                    session_rows("dl-x", "s1", body(random.Random(2), "s1", 2, 4), NOW)]

        def fresh() -> SessionRows:
            return session_rows("dl-x", "t2", body(random.Random(2), "t2", 2, 4), NOW)

        def again() -> list[SessionRows]:
            return [session_rows("dl-w", "s0", body(random.Random(3), "s0", 1, 6), NOW),
                    session_rows("dl-x", "s1", body(random.Random(4), "s1", 2, 6), NOW)]

        async with asyncio.timeout(BOUND_S):
            for db in (lite, pg):
                for rows in first():
                    await db.store_session(rows)
            for rows in (fresh(), *again()):
                await lite.store_session(rows)  # the reference: one by one
            tx = hold.transaction()
            await tx.start()
            await hold.execute("SELECT 1 FROM roll_room_hours WHERE room_id = 'dl-w' FOR UPDATE")
            docs_b = "[" + ",".join(pg_store.document(r) for r in again()) + "]"
            b = asyncio.ensure_future(group_b.fetchval(pg_store.STORE_GROUP, docs_b))
            await _waiting(watch, group_b.get_server_pid())  # B stores room W's session again: held by `hold`
            a = asyncio.ensure_future(group_a.fetchval(pg_store.STORE_GROUP, "[" + pg_store.document(fresh()) + "]"))
            await _waiting(watch, group_a.get_server_pid(), "advisory")  # A waits for a lock B holds
            await tx.rollback()  # B goes on to room X's session
            done = await asyncio.gather(a, b, return_exceptions=True)
        assert not [r for r in done if isinstance(r, BaseException)], done  # no deadlock ended either group
        assert [list(r) for r in done if not isinstance(r, BaseException)] == [[4], [6, 6]]
        for f in FILTERS[:6]:
            assert (await pg.usage(f)).as_json() == (await lite.usage(f)).as_json(), f
    finally:
        for conn in conns:
            await conn.close()
        await pg.close()
        await lite.close()


SCANS = """SELECT relname, seq_scan FROM pg_stat_user_tables
    WHERE relname IN ('sessions', 'session_spans', 'session_hours')"""  # the tablets' tables are empty here


async def test_a_groups_new_sessions_are_told_apart_by_index_not_by_reading_every_session_stored(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    """Which sessions of a group are new is asked by an index probe each (``pg_store._NEW_AND_STALE``): as NOT
    EXISTS over the group's JSON the server planned a hash anti-join that read every session stored, each group
    (2 ms at 4,000 sessions and growing). The server's own counts of whole-table reads stay still."""
    asyncpg = pytest.importorskip("asyncpg")
    db = await fresh_postgres(postgres_url)
    await db.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        rng = random.Random(5)
        docs = [pg_store.document(session_rows(f"ix{i % 40}", f"ixs{i}", body(rng, f"ixs{i}", i % 3, 3), NOW))
                for i in range(480)]
        async with asyncio.timeout(BOUND_S):
            for k in range(0, 400, 50):  # stored before, and known to the planner
                await conn.fetchval(pg_store.STORE_GROUP, "[" + ",".join(docs[k:k + 50]) + "]")
            await conn.execute("ANALYZE")
            await calls(conn)  # flushed
            before = dict(await conn.fetch(SCANS))
            for k in range(400, 480, 8):  # ten groups: the server's custom plans, then its generic one
                held = await conn.fetchval(pg_store.STORE_GROUP, "[" + ",".join(docs[k:k + 8]) + "]")
                assert all(n == 3 for n in held)
            await calls(conn)
            after = dict(await conn.fetch(SCANS))
        assert after == before
    finally:
        await conn.close()


PLAIN_PROBE = """ALTER TABLE session_events ADD CONSTRAINT plain_probe UNIQUE (room_id, session_id, local_id, kind)
    DEFERRABLE"""  # the server refuses ON CONFLICT on a table with a deferrable unique constraint (55000)


async def test_a_groups_clean_new_sessions_insert_their_events_without_on_conflict(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    """A new session whose event ids are each once and which has no events stored inserts its events by a plain
    INSERT (the server's speculative insertion for ON CONFLICT was a third of the events' cost): with a deferrable
    unique constraint on session_events, which the server's ON CONFLICT refuses to work with, such a group still
    goes in. A session naming an id twice, or whose events outlived its own row, still takes ON CONFLICT DO NOTHING:
    the first event of a repeated id stays, and nothing is doubled."""
    asyncpg = pytest.importorskip("asyncpg")
    db = await fresh_postgres(postgres_url)
    await db.close()
    conn = await asyncpg.connect(postgres_url)

    def doc(room: str, sid: str, events: int, seed: int) -> tuple[SessionRows, str]:
        rows = session_rows(room, sid, body(random.Random(seed), sid, seed % 3, events), NOW)
        return rows, pg_store.document(rows)

    async def held_of(docs: list[str]) -> list[int]:
        return [int(n) for n in await conn.fetchval(pg_store.STORE_GROUP, "[" + ",".join(docs) + "]")]

    try:
        async with asyncio.timeout(BOUND_S):
            await conn.execute(PLAIN_PROBE)
            assert await held_of([doc(f"pc{i % 2}", f"pcs{i}", 4 + i, i)[1] for i in range(6)]) == [4, 5, 6, 7, 8, 9]
            twice = body(random.Random(9), "pcd", 0, 5)
            twice["events"][3]["id"] = twice["events"][1]["id"]  # id 2 twice: the second is not stored
            twice["events"][1]["kind"], twice["events"][3]["kind"] = "first", "second"
            twice_doc = pg_store.document(session_rows("pc0", "pcd", twice, NOW))
            with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError):
                await held_of([twice_doc])  # the ON CONFLICT way, which the probe refuses
            await conn.execute("ALTER TABLE session_events DROP CONSTRAINT plain_probe")
            assert await held_of([twice_doc]) == [4]
            assert await conn.fetchval("SELECT kind FROM session_events WHERE room_id = 'pc0' AND session_id = 'pcd' "
                                       "AND local_id = 2") == "first"
            # events that outlived their session's own rows: stored again without doubling, beside a clean one
            await conn.execute("DELETE FROM sessions WHERE room_id = 'pc1' AND id = 'pcs1'")
            await conn.execute("DELETE FROM session_spans WHERE room_id = 'pc1' AND id = 'pcs1'")
            again = [doc("pc1", "pcs1", 5, 1)[1], doc("pc1", "pcs7", 3, 7)[1]]
            assert await held_of(again) == [5, 3]
            assert await conn.fetchval("SELECT count(*) FROM sessions WHERE room_id = 'pc1' AND id = 'pcs1'") == 1
    finally:
        await conn.close()


async def test_a_sessions_events_travel_to_the_server_as_arrays_and_come_back_as_sent(
    postgres_url: str,  # noqa: F811 (fixture)
) -> None:
    """Each event is an array of five values in the document the server parses (``pg_store._EVENT_ROWS``), not an
    object naming every field and its room and session again (the document was twice the bytes); what is stored is
    what was sent, through a group and through a re-send's per-session function: no device, the largest id, text
    that JSON escapes."""
    asyncpg = pytest.importorskip("asyncpg")
    db = await fresh_postgres(postgres_url)
    await db.close()
    conn = await asyncpg.connect(postgres_url)
    sent = body(random.Random(3), "arr", 0, 3)
    sent["events"][0].update(id=(1 << 63) - 1, device_uid=None, payload={"t": "Ünïcode \"q\" \\ \t"})
    rows = session_rows("pa", "arr", sent, NOW)
    doc = pg_store.document(rows)
    first = rows.events[0]
    assert json.loads(doc)["events"][0] == [first["local_id"], None, first["kind"], first["payload"],
                                            first["wall_time"]]
    wanted = sorted((e["local_id"], e["device_uid"], e["kind"], e["payload"], e["wall_time"]) for e in rows.events)
    read = ("SELECT local_id, device_uid, kind, payload, wall_time FROM session_events WHERE session_id = 'arr' "
            "ORDER BY 1")
    try:
        async with asyncio.timeout(BOUND_S):
            for _ in range(2):  # new (the group's statements), then stored before (centre_store_session)
                assert list(await conn.fetchval(pg_store.STORE_GROUP, "[" + doc + "]")) == [3]
                assert [tuple(r) for r in await conn.fetch(read)] == wanted
    finally:
        await conn.close()
