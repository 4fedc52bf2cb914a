"""Indexes added to a living PostgreSQL centre, built while its writers go on writing.

A plain CREATE INDEX holds a SHARE lock on its table while it reads every row, and every upload queues behind it:
on a centre of millions of rows, minutes without ingest. CREATE INDEX CONCURRENTLY lets writes go on, but must run
outside a transaction, and when interrupted (kill -9, a restart, a cancel) it leaves an INVALID index that
IF NOT EXISTS would take for done, and that every write still has to keep up. So each index is built only when
missing, an invalid leftover dropped first, on a connection of its own after the centre has opened (so it serves
meanwhile), by one process at a time: the build lock is a session advisory lock that is tried, never waited for
(another process already building is enough), and it goes with its connection when a builder dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from classroom_console.centre import schema
from classroom_console.centre.pg_locks import BUILD_LOCK

log = logging.getLogger(__name__)

_VALID = """SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relname = $1 AND c.relnamespace = to_regnamespace(current_schema())"""


def concurrently(statement: str) -> str:
    """The ``CREATE INDEX IF NOT EXISTS`` statement as a build that does not stop writers."""
    head = "CREATE INDEX IF NOT EXISTS "
    if not statement.startswith(head):
        raise ValueError(f"not an index statement: {statement[:40]!r}")
    return "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + statement[len(head):]


# The indexes and tables there are, by name, and their columns as table.column: what the schema's transaction need
# not make nor fill again (``in_transaction``).
EXISTING = ("SELECT c.relname FROM pg_class c WHERE c.relkind IN ('i', 'r') "
            "AND c.relnamespace = to_regnamespace(current_schema()) "
            "UNION ALL SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relkind = 'r' AND c.relnamespace = to_regnamespace(current_schema()) AND a.attnum > 0 "
            "AND NOT a.attisdropped")


# The columns there are, (table, column): ALTER TABLE ... ADD COLUMN IF NOT EXISTS takes an ACCESS EXCLUSIVE lock
# even when the column is there, so the schema's transaction adds only the missing ones.
COLUMNS = ("SELECT table_name::text, column_name::text FROM information_schema.columns "
           "WHERE table_schema = current_schema()")


def in_transaction(statements: Iterable[str], existing: Iterable[str] = ()) -> tuple[str, ...]:
    """What the schema's transaction runs on PostgreSQL: all but the indexes built here and those ``existing``
    (names, from ``EXISTING``, read before it began): even IF NOT EXISTS takes its table's SHARE lock first, so
    every index statement waited for the uploads under way and held up the next ones until the schema's transaction
    ended. A fill (``schema.FILLS_WHAT``) runs only when what it fills was not there."""
    online, there = set(schema.ONLINE_INDEXES), set(existing)
    return tuple(s for s in schema.undone(statements, there) if s not in online and schema.index_name(s) not in there)


async def build_missing(conn: Any, statements: Iterable[str] = schema.ONLINE_INDEXES) -> list[str] | None:
    """Builds each missing (or invalid) index on ``conn``, which is in no transaction; the names built, or None
    when another process holds the build lock."""
    if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", BUILD_LOCK):
        return None
    built = []
    try:
        for statement in statements:
            name = schema.index_name(statement)
            valid = await conn.fetchval(_VALID, name)
            if valid:
                continue
            if valid is False:  # an interrupted build's leftover
                await conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            await conn.execute(concurrently(statement))
            built.append(str(name))
    finally:
        with contextlib.suppress(Exception):  # a connection cut mid-build has let go of its lock already
            await conn.execute("SELECT pg_advisory_unlock($1)", BUILD_LOCK)
    return built


def start(connect: Callable[[], Awaitable[Any]]) -> asyncio.Task[list[str] | None]:
    """Builds the missing indexes in the background on a connection ``connect`` makes (closed after). A failure is
    one log line: the reports work without the indexes, only slower, and the next start tries again. Cancelling
    the task interrupts a build; the next start drops its leftover."""

    async def run() -> list[str] | None:
        try:
            conn = await connect()
        except Exception as exc:  # any failure: logged, tried again on the next start
            log.warning("indexes not built: %s", exc)
            return None
        try:
            built = await build_missing(conn)
            if built:
                log.info("built indexes %s", ", ".join(built))
            return built
        except Exception as exc:
            log.warning("indexes not built: %s", exc)
            return None
        finally:
            conn.terminate()  # its lock and any build in progress go with it

    return asyncio.ensure_future(run())
