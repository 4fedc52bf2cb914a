"""The centre on PostgreSQL (asyncpg), for a centre serving many universities; same tables, same queries."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import re
import socket
import time
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

try:  # only a centre on PostgreSQL needs it
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None

from classroom_console.centre import charts, online_indexes, pg_locks, pg_reports, pg_store, rollups, schema
from classroom_console.centre.db import CentreDB, Identity, RecordingState, TokenRow
from classroom_console.centre.failures import DatabaseDown, Outage, log
from classroom_console.centre.payloads import SessionRows
from classroom_console.centre.pg_batch import Batcher
from classroom_console.centre.pg_report_parts import ReportParts
from classroom_console.centre.pg_reports import Make, Mark, ReportThread, Version, filter_key
from classroom_console.centre.pg_writer import WRITERS, GroupWriter
from classroom_console.centre.tokens import scoped
from classroom_console.store import utc_iso
from classroom_console.usage_model import UsageFilter, UsageReport
from classroom_console.usage_sql import POSTGRESQL, to_numbered, used_params
from devices.tasks import cancel_and_wait


def _sql(statement: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    return to_numbered(statement, params)


def _many(statement: str, rows: list[dict[str, Any]]) -> tuple[str, list[list[Any]]]:
    """One statement, many rows: the placeholders are numbered once, not once per row (a regex each)."""
    sql, names = to_numbered(statement, {name: name for name in rows[0]})  # each name stands for itself
    return sql, [[row[n] for n in names] for row in rows]


KEPT_REPORTS = 256
# The charts' sums of BIGINT columns come back as NUMERIC, which asyncpg hands over as Decimal: decoding them and
# turning them into numbers was half of making a 300-room report out of its rows. Summed as float8 (whole
# milliseconds, exact below 2**53, so any order gives the same total) and bigint, the report is the same.
_NUMERIC_SUMS = re.compile(r"\bsum\((ms|sessions|spans|n|bytes)\)")


def plain_numbers(sql: str) -> str:
    return _NUMERIC_SUMS.sub(lambda m: f"sum({m[1]})::{'float8' if m[1] == 'ms' else 'bigint'}", sql)


# Each chart's rows come as one array per column (``charts_statement``), not as one array of rows: PostgreSQL made a row
# value of every row (its type's header, each field's length and type) and asyncpg read them back one by one. On the
# database bench/sync_rooms.py leaves (300 rooms, 1,264 devices' hours), one idle: the device hours alone 9.7 -> 4.7
# ms (client CPU 1.8 -> 0.6); a whole report whose parts were kept 15.7-18.7 -> 8.7-10.0 ms (client CPU 5.5 -> 3.9),
# the same bytes.


async def chart_width(conn: Any, query: str, params: dict[str, Any]) -> int:
    """How many columns a chart's statement gives (asked of the server once per filter: the charts' SQL is built
    from pieces, and a statement's own description is the one word on it)."""
    sql, _args = to_numbered(query, used_params(query, params))
    return len((await conn.prepare(sql)).get_attributes())


# The order of each chart whose own statement has one (its top-level ORDER BY), over its columns c0, c1, ...: an
# aggregate's input order is the plan's, not the subquery's (SQL promises nothing there, and from PostgreSQL 16
# ``array_agg`` may be combined from parallel workers' arrays), so the arrays are ordered by this (R F15): the same
# keys as the chart's own ORDER BY, each a unique order of the chart's rows (session_rows ends with the session's id),
# so the order is the SQL's and SQLite's. The keys number the rows once (``row_number``) and every column's array
# is ordered by that number: ordered by the keys column by column, rows whose keys tie could be taken in another
# order by each column's own sort (one spilling to disk, another not), mixing rows (R11 F4).
# tests/test_centre_pg_chart_order.py checks every chart statement with an ORDER BY has one here, giving its rows.
CHART_ORDER = {"room_weeks": "c1, c0", "by_lecturer": "c1 DESC, c0", "by_course": "c1 DESC, c0",
               "tablets_sessions": "c3 DESC, c1, c0", "session_rows": "c6, c0, c7"}


_ORDER_OR_PARENS = re.compile(r"[()]|\bORDER BY\b")


def orders_rows(sql: str) -> bool:
    """Whether a chart's statement orders its rows: an ORDER BY outside every parenthesis (not a window's, nor a
    subquery's)."""
    depth = 0
    for token in _ORDER_OR_PARENS.finditer(sql):
        if token[0] == "(":
            depth += 1
        elif token[0] == ")":
            depth -= 1
        elif depth == 0:
            return True
    return False


def chart_order(name: str, sql: str) -> str | None:
    """The order of a chart's arrays: ``CHART_ORDER``'s (an end's, ``<chart>__lo``/``__hi``, its chart's) where its
    statement orders its rows; None where it does not (its rows are merged or keyed after: no sort asked for)."""
    if not orders_rows(sql):
        return None
    order = CHART_ORDER.get(name.split("__", 1)[0])
    if order is None:
        raise KeyError(f"the chart {name!r} orders its rows: its arrays' order is missing from CHART_ORDER")
    return order


def charts_statement(queries: dict[str, str], shapes: list[tuple[str, int]],
                     params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Every chart in one statement of one row: for each, ``array_agg`` of each of its columns over its rows,
    ordered as its own statement orders them (``CHART_ORDER``: the SQL's order, not the plan's), every column of a
    chart read from the same rows by one aggregate step."""
    parts = []
    for k, (name, width) in enumerate(shapes):
        cols = ", ".join(f"c{i}" for i in range(width))
        rows = f"({queries[name]}) AS t({cols})"
        order = chart_order(name, queries[name])
        by = ""
        if order:
            rows = f"(SELECT t.*, row_number() OVER (ORDER BY {order}) AS n FROM {rows}) AS t"
            by = " ORDER BY n"
        aggs = ", ".join(f"array_agg(c{i}{by}) AS {name}__c{i}" for i in range(width))
        parts.append(f"(SELECT {aggs} FROM {rows}) AS q{k}")
    combined = plain_numbers("SELECT * FROM " + " CROSS JOIN ".join(parts))
    return combined, used_params(combined, params)


REPORT_MARKER = "array_agg(c0)"  # what only the charts' statement holds (its totals': benches and tests find it)


def chart_rows(row: Any, name: str, width: int) -> list[tuple[Any, ...]]:
    """A chart's rows from its columns' arrays (none where it has no rows: ``array_agg`` of nothing is NULL)."""
    return list(zip(*[row[f"{name}__c{i}"] or () for i in range(width)], strict=True))


MAIN_CONNECTIONS = 10
REPORT_CONNECTIONS = 2
# On the reports' thread too, for what must never wait behind a report being made: the data version each request
# reads, and the token of a usage request answered there in full (``usage_as``: read with its version).
ASIDE_CONNECTIONS = 1
QUICK_CONNECTIONS = 2  # token lookups: never queued behind the uploads' statements
# The group writer's own connections, one per group on its way: the same few server backends run every group, so
# the procedure is compiled and its statements planned once per backend, not again on each of the main pool's ten
# (a backend's first groups cost 3-5x a warm one's; behind nginx two processes warmed twenty).
WRITER_CONNECTIONS = WRITERS
# The reports' connections run a room's statement on one plan made for any values from its first report on: on
# PostgreSQL's own choice the first five of each statement on each connection (a new one, or asyncpg's statement
# re-prepared every 5 minutes) were planned anew (2-7 ms each); one room's report there took 5.1-8.6 ms, on the
# generic plan 1.2-4.9 ms (300 rooms, load 3.7), which reads only the room's rows (tests/test_centre_one_room_plans.py)
# and which PostgreSQL chose after those five anyway. Every room's report keeps PostgreSQL's choice, set for its
# transaction by the data version's read (``EVERY_ROOM_VERSION``: no round trip more): how many rows its dates and
# lecturer select may make a plan for them faster (all rooms since a date 135 ms on five custom plans, 165 ms generic;
# the whole report under 300 syncing rooms, bench/sync_rooms.py, read 15-40 ms a time generic against 15-30 before),
# and planning is little beside its reading.
GENERIC = {"plan_cache_mode": "force_generic_plan"}
# And no parallel plan: from PostgreSQL 16 ``array_agg`` may be summed from workers' partial arrays, in any order,
# where a chart's ORDER BY must be its arrays' order (``charts_statement``); the charts read sums, small for a worker.
SERIAL = {"max_parallel_workers_per_gather": "0"}
EVERY_ROOM_VERSION = f"SELECT ({pg_store.VERSION}) FROM set_config('plan_cache_mode', 'auto', true)"
# A report's first statement, its filter's lock tried with the version read (``pg_reports.shared_try``), and its read
# again once another process let go of that lock: by one room, or every room's on the plan PostgreSQL chooses.
TRY_ROOM, TRY_ALL = pg_reports.shared_try(pg_store.VERSION), pg_reports.shared_try(EVERY_ROOM_VERSION)
GET_ROOM, GET_ALL = pg_reports.shared_get(pg_store.VERSION), pg_reports.shared_get(EVERY_ROOM_VERSION)
FIND_TOKENS = "SELECT hash, name, role, folder FROM tokens WHERE hash = ANY($1::text[]) AND revoked_at IS NULL"
# A usage request's token and the data version its report must hold, read by one statement after it came: the
# version was a round trip of its own, after the token's, on the one connection every usage request's lookups share.
FIND_USAGE_TOKENS = FIND_TOKENS.replace(" FROM tokens", f", ({pg_store.VERSION}) FROM tokens")
LARGE_BATCH = 2000  # rows whose arguments are gathered on a worker thread rather than on the loop


def _password_lookup(url: str) -> dict[str, Any]:
    """asyncpg stats ~/.pgpass on the loop for every new connection; look once here, off the loop."""
    if urlsplit(url).password or os.environ.get("PGPASSWORD"):
        return {}
    passfile = Path(os.environ.get("PGPASSFILE") or Path.home() / ".pgpass")
    return {} if passfile.exists() else {"password": ""}


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.username or os.environ.get('PGUSER') or 'the default user'}@{parts.hostname}:{parts.port or 5432}"


def unavailable(exc: BaseException, url: str) -> str | None:
    """One line for a database that cannot be reached or refuses us; None for anything else (a bug)."""
    where = _where(url)
    if asyncpg is not None:
        if isinstance(exc, asyncpg.InvalidPasswordError):
            return (f"PostgreSQL refused the password for {where}: check PGPASSWORD, ~/.pgpass "
                    "or the centre's password file")
        if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError | asyncpg.InvalidCatalogNameError):
            return f"PostgreSQL at {where} refused the connection: {str(exc).splitlines()[0]}"
        if isinstance(exc, asyncpg.CannotConnectNowError | asyncpg.PostgresConnectionError):
            return f"PostgreSQL at {where} is not accepting connections: {str(exc).splitlines()[0]}"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the database server {urlsplit(url).hostname!r}: {exc.strerror}"
    if isinstance(exc, ConnectionRefusedError):
        return f"no PostgreSQL server answers at {where} (is it running, on that port?)"
    if isinstance(exc, TimeoutError):
        return f"no answer from PostgreSQL at {where}"
    if isinstance(exc, OSError):
        return f"cannot reach PostgreSQL at {where}: {exc.strerror or exc}"
    return None


async def _keep(conn: Any) -> None:
    """A connection goes back to its pool as it is: nothing here sets session state (no SET, LISTEN, cursors or
    session locks; ``_UploadLocks`` never gives its connection back alive), and asyncpg's own reset, four
    statements and a round trip on every release, cost as much as a token lookup. An open transaction is
    still rolled back by asyncpg before this is called."""


class DatabaseUnavailable(Exception):
    """Raised when the centre starts: the database cannot be reached or refused us (one line)."""


def _down(exc: BaseException) -> bool:
    """Errors that mean the server or the connection is gone, not that a statement was wrong."""
    if isinstance(exc, OSError | TimeoutError):
        return True
    if asyncpg is None:
        return False
    if isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.CannotConnectNowError | asyncpg.AdminShutdownError
                  | asyncpg.CrashShutdownError | asyncpg.ConnectionDoesNotExistError):
        return True
    return isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc)


CUT_WAIT_S = 0.25

# When each connection was made (every pool's ``init``). Only a connection made after an outage began proves the
# server is back: during ``pg_ctl restart -m immediate`` an old pooled connection whose backend the shutdown has not
# reached yet can still answer, and that success logged "back" and then a second "down" for one restart.
_BORN: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()


async def _note_birth(conn: Any) -> None:
    _BORN[conn] = time.monotonic()


def _proves_back(conn: Any, outage: Outage) -> bool:
    """Whether a success on ``conn`` shows the server is back (asked before the connection goes back to its pool)."""
    since = outage.since
    if since is None:
        return True  # no outage: nothing to prove (``Outage.up`` returns at once)
    raw = getattr(conn, "_con", conn)  # a pool's proxy holds its connection until released
    born = _BORN.get(raw) if raw is not None else None
    return born is not None and born >= since


def _closed(conn: Any) -> bool:
    """A pool's connection that the server closed is taken back by the pool at once, and its proxy then refuses even
    ``is_closed()`` (InterfaceError: "released back to the pool")."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        return True


async def _lost(exc: BaseException, conn: Any) -> bool:
    """``_down``, or asyncpg's complaint about a connection's own state on a connection the server has cut.

    A server shutting down (``pg_ctl restart -m fast`` or ``immediate``) sends each backend's client a FATAL and then
    closes; a statement begun between the two meets a connection that read the FATAL as an unexpected message
    (``InternalClientError: cannot switch to state 12; another operation (2) is in progress``) and is still open for
    a moment. That error counts as the server going away only when the connection is closed, or closes within
    ``CUT_WAIT_S``; on a connection that stays open it is a bug and stays one (500, traceback in the log).
    """
    if _down(exc):
        return True
    if conn is None or asyncpg is None or not isinstance(exc, asyncpg.InternalClientError | asyncpg.InterfaceError):
        return False
    deadline = time.monotonic() + CUT_WAIT_S
    while not _closed(conn):
        if time.monotonic() >= deadline:
            if isinstance(exc, asyncpg.InternalClientError):
                conn.terminate()  # its protocol's state is not to be trusted: the pool makes a new one
            return False
        await asyncio.sleep(0.005)
    return True


def _declared(outage: Outage, url: str, exc: BaseException, epoch: int) -> DatabaseDown:
    why = unavailable(exc, url) or f"PostgreSQL connection lost ({type(exc).__name__})"
    outage.down(why, epoch)
    return DatabaseDown(why)


class _Watched:
    """The pool, watched: a connection error becomes ``DatabaseDown`` (a 503), and the outage is logged once."""

    def __init__(self, pool: Any, outage: Outage, url: str) -> None:
        self._pool = pool
        self._outage = outage
        self._url = url

    def acquire(self) -> _Acquired:
        return _Acquired(self)

    async def close(self) -> None:
        await self._pool.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class _Acquired:
    """The outage's epoch is read before the connection is asked for: what began before an outage was noticed proves
    nothing about the server now (a success then is no "back", a failure after "back" no second "down")."""

    def __init__(self, watched: _Watched) -> None:
        self._w = watched
        self._cm: Any = None
        self._conn: Any = None
        self._epoch = 0

    async def __aenter__(self) -> Any:
        self._epoch = self._w._outage.epoch
        self._cm = self._w._pool.acquire()
        try:
            self._conn = await self._cm.__aenter__()
        except BaseException as exc:
            self._cm = None
            await self._fail(exc)
            raise
        return self._conn

    async def __aexit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        cm, self._cm = self._cm, None
        conn, self._conn = self._conn, None
        # Judged before the connection goes back: a cut one is closed (or let go) first, never handed out again.
        try:
            lost = exc is not None and isinstance(exc, Exception) and await _lost(exc, conn)
        except BaseException:  # cancelled while it waited to see the server cut it: trusted no more, given back
            if conn is not None and not _closed(conn):
                conn.terminate()
            await cm.__aexit__(kind, exc, tb)
            raise
        back = exc is None and _proves_back(conn, self._w._outage)
        try:
            await cm.__aexit__(kind, exc, tb)
        except BaseException as release_error:
            if exc is None:
                await self._fail(release_error)  # (no connection to judge: it has gone back, or is gone)
                raise
        if back:
            self._w._outage.up(self._epoch)
        elif lost and exc is not None:
            raise _declared(self._w._outage, self._w._url, exc, self._epoch) from exc
        return False

    async def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, Exception) and await _lost(exc, None):
            raise _declared(self._w._outage, self._w._url, exc, self._epoch) from exc


class _UploadLocks:
    """Session advisory locks on one connection this process keeps: if the process dies, PostgreSQL frees them.

    A connection per upload would hold a pool connection for an hour-long upload; one connection holds any
    number of locks (the process's own requests are kept apart by ``files.Uploads`` first: a session's
    advisory lock is re-entrant).
    """

    def __init__(self, pool: Any, outage: Outage, url: str) -> None:
        self._pool = pool
        self._outage = outage
        self._url = url
        self._conn: Any = None
        self._guard = asyncio.Lock()

    async def call(self, sql: str, key: int) -> Any:
        """``DatabaseDown`` when the server or the connection went away (the outage noted as any request's)."""
        async with self._guard:
            epoch = self._outage.epoch
            if self._conn is not None and _closed(self._conn):
                await self._drop()
            try:
                if self._conn is None:
                    self._conn = await self._pool.acquire()
                found = await self._conn.fetchval(sql, key)
            except BaseException as exc:
                lost = isinstance(exc, Exception) and await _lost(exc, self._conn)
                # Dropped, a connection is closed and its locks go with it: only when it is gone already or
                # was cut mid-statement (nothing about it to trust).
                if self._conn is not None and (lost or _closed(self._conn) or not isinstance(exc, Exception)):
                    await self._drop()
                if lost:
                    raise _declared(self._outage, self._url, exc, epoch) from exc
                raise
            if _proves_back(self._conn, self._outage):
                self._outage.up(epoch)
            return found

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.terminate()  # its session locks die with it (the pool does not reset what it gets back)
                await self._pool.release(conn)
            except Exception:
                pass  # a broken connection is the pool's to replace

    async def close(self) -> None:
        async with self._guard:
            await self._drop()


class PostgresCentreDB(CentreDB):
    def __init__(self, pool: Any, report_pool: Any = None, quick_pool: Any = None, writer_pool: Any = None) -> None:
        self.pool = pool
        self.writer_pool = writer_pool if writer_pool is not None else pool
        # Reports have connections of their own: in the main pool a staff screen queued behind hundreds of uploads.
        self.report_pool = report_pool if report_pool is not None else pool
        # So does the token lookup every request makes.
        self.quick_pool = quick_pool if quick_pool is not None else self.report_pool
        self.aside_pool = self.report_pool  # (its own once the reports' thread has opened it)
        self._url = pool._url if isinstance(pool, _Watched) else ""
        self._locks = _UploadLocks(pool._pool if isinstance(pool, _Watched) else pool,
                                   pool._outage if isinstance(pool, _Watched) else Outage(), self._url)
        # Made on a thread of their own once ``open`` has started it (``pg_reports``), else on this loop.
        self.reports = ReportThread()
        self.reports.use(self._version, self._report_and_body)
        self._warming: asyncio.Future[Any] | None = None
        self._plans: dict[UsageFilter, tuple[str, list[Any], list[tuple[str, int]], Any]] = {}
        self._parts = ReportParts()  # the last reports' parts, on the reports' thread
        self._sharing: set[asyncio.Task[None]] = set()  # reports given, still being left for the other processes
        self._identities: Batcher[str, Identity] = Batcher(self._find_tokens, QUICK_CONNECTIONS)
        # Usage requests' tokens, on the reports' loop, gathered alike: a flood of made-up tokens at /usage asked one
        # at a time on the one connection there, and the staff's real requests (and the data version each reads)
        # queued behind them; now a flood costs the centre a statement per batch, not a round trip each.
        self._usage_identities: Batcher[str, tuple[Identity, int]] = Batcher(self._find_usage_tokens,
                                                                             ASIDE_CONNECTIONS)
        self._writer = GroupWriter(self._store_group, lambda exc: isinstance(exc, DatabaseDown) or _down(exc))
        self.indexes: asyncio.Task[list[str] | None] | None = None  # made after open, writers going on

    @classmethod
    async def open(cls, url: str, password: str | None = None) -> PostgresCentreDB:
        if asyncpg is None:
            raise RuntimeError("a PostgreSQL centre needs the asyncpg package: pip install asyncpg")
        extra: dict[str, Any] = ({"password": password} if password is not None
                                 else await asyncio.to_thread(_password_lookup, url))
        extra["init"] = _note_birth  # every pool's connections, the reports' thread's too
        settings = {"application_name": f"classroom-centre-{os.getpid()}"}
        pool = None
        try:
            async with asyncio.timeout(30):
                # No connection floor: asyncpg restores one with a logged traceback every second of an outage.
                pool = await asyncpg.create_pool(url, min_size=0, max_size=MAIN_CONNECTIONS, server_settings=settings,
                                                 reset=_keep, **extra)
                async with pool.acquire() as conn:  # the first connection: a wrong password shows here
                    await conn.fetchval("SELECT 1")
            # Not under the 30 s: the first start after an upgrade may make the chart sums from millions of rows.
            await cls._create_schema(pool)
        except Exception as exc:
            if pool is not None:
                await pool.close()
            line = unavailable(exc, url)
            if line is None:
                raise
            raise DatabaseUnavailable(line) from None
        outage = Outage()
        pools: list[Any] = [pool]
        for size in (QUICK_CONNECTIONS, WRITER_CONNECTIONS):
            pools.append(await asyncpg.create_pool(url, min_size=0, max_size=size, server_settings=settings,
                                                   reset=_keep, **extra))
        main, quick, writer = (_Watched(p, outage, url) for p in pools)
        db = cls(main, main, quick, writer)  # the reports' own connections are opened on their thread
        connect = {k: v for k, v in extra.items() if k != "init"}
        db.indexes = online_indexes.start(functools.partial(asyncpg.connect, url, server_settings=settings, **connect))
        try:
            await db.reports.start(functools.partial(db._open_reports, url, settings, extra, outage))
        except BaseException:
            await db.close()
            raise
        return db

    @classmethod
    async def open_reports(cls, url: str, password: str | None = None) -> PostgresCentreDB:
        """Only what answering usage requests needs, for the usage process (``usage_process``): the reports' thread
        and its connections, and one more to note tokens' use. The schema is the service's, made before it starts
        this one; nothing is stored here."""
        if asyncpg is None:
            raise RuntimeError("a PostgreSQL centre needs the asyncpg package: pip install asyncpg")
        extra: dict[str, Any] = ({"password": password} if password is not None
                                 else await asyncio.to_thread(_password_lookup, url))
        extra["init"] = _note_birth
        settings = {"application_name": f"classroom-centre-usage-{os.getpid()}"}
        pool = await asyncpg.create_pool(url, min_size=0, max_size=1, server_settings=settings, reset=_keep, **extra)
        outage = Outage()
        main = _Watched(pool, outage, url)
        db = cls(main, main, main, main)
        try:
            async with asyncio.timeout(30):
                await db.reports.start(functools.partial(db._open_reports, url, settings, extra, outage))
                await db.reports.run(db._version())  # a wrong password or no server shows here, as one line
        except Exception as exc:
            await db.close()
            line = unavailable(exc, url)
            if line is None:
                raise
            raise DatabaseUnavailable(line) from None
        return db

    async def _open_reports(self, url: str, settings: dict[str, str], extra: dict[str, Any],
                            outage: Outage) -> tuple[Version, Make]:
        """On the reports' thread: their pool, bound to that thread's loop (its statements on one plan: ``GENERIC``)."""
        pool = await asyncpg.create_pool(url, min_size=0, max_size=REPORT_CONNECTIONS,
                                         server_settings={**settings, **GENERIC, **SERIAL}, reset=_keep, **extra)
        self.report_pool = _Watched(pool, outage, url)
        aside = await asyncpg.create_pool(url, min_size=0, max_size=ASIDE_CONNECTIONS, server_settings=settings,
                                          reset=_keep, **extra)
        self.aside_pool = _Watched(aside, outage, url)
        return self._version, self._report_and_body

    @staticmethod
    async def _create_schema(pool: Any) -> None:
        async with pool.acquire() as conn:
            # Two services starting at once must not race on CREATE TABLE IF NOT EXISTS.
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", pg_locks.SCHEMA_LOCK)
                existing = [r[0] for r in await conn.fetch(online_indexes.EXISTING)]
                for statement in online_indexes.in_transaction(schema.SCHEMA, existing):
                    await conn.execute(statement)
                there = {tuple(r) for r in await conn.fetch(online_indexes.COLUMNS)}
                for table, column, kind in schema.ADDED_COLUMNS:  # even IF NOT EXISTS locks out every reader
                    if (table, column) not in there:
                        await conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
                for statement in online_indexes.in_transaction(schema.AFTER_COLUMNS, existing):
                    await conn.execute(statement)
                await conn.execute(rollups.STATE)
                if not await conn.fetchval(rollups.IS_FILLED):  # sums missing or of an older shape: made again
                    for statement in (*rollups.DROP, *rollups.tables(sqlite=False),
                                      *rollups.fill(pg_store.sql_epoch_hour, pg_store.sql_date_of_hour,
                                                   pg_store.LATEST_LAMPS)):
                        await conn.execute(statement)
                await conn.execute(pg_store.VERSION_SEQUENCE)
                await conn.execute(pg_reports.SHARED_TABLE)
                await conn.execute(pg_reports.SHARED_PLAIN)
                await conn.execute(pg_reports.SHARED_CLEAR)
                await conn.execute(pg_store.FUNCTION)
                for statement in (pg_store.NEW_FUNCTION, pg_store.SHARED_FUNCTION, pg_store.GROUP):
                    await conn.execute(statement)

    async def _execute(self, statement: str, params: dict[str, Any]) -> None:
        sql, args = _sql(statement, params)
        async with self.pool.acquire() as conn:
            await conn.execute(sql, *args)

    async def _fetchrow(self, statement: str, params: dict[str, Any]) -> Any:
        sql, args = _sql(statement, params)
        async with self.pool.acquire() as conn:
            return await conn.fetchrow(sql, *args)

    async def add_token(self, token_hash: str, name: str, role: str, folder: str) -> None:
        params = {"hash": token_hash, "name": name, "role": role, "folder": folder, "now": utc_iso()}
        await self._execute(schema.ADD_TOKEN, params)

    async def identity(self, token_hash: str) -> Identity | None:
        """On the reports' loop (a request ``usage_site`` serves there) by that loop's own lookups: each loop's
        connections are its own."""
        if self.reports.serving_apart() and self.reports.on_thread():
            found = await self._usage_identities.get(token_hash)
            return None if found is None else found[0]
        return await self._identities.get(token_hash)

    async def _find_tokens(self, hashes: list[str]) -> list[tuple[str, Identity]]:
        """The tokens of every request waiting at once, in one statement (``pg_batch``)."""
        async with self.quick_pool.acquire() as conn:
            rows = await conn.fetch(FIND_TOKENS, hashes)
        return [(r[0], Identity(r[1], r[2], r[3])) for r in rows]

    async def _find_usage_tokens(self, hashes: list[str]) -> list[tuple[str, tuple[Identity, int]]]:
        """``_find_tokens`` for usage requests, each found with the data version read after it came."""
        async with self.aside_pool.acquire() as conn:
            rows = await conn.fetch(FIND_USAGE_TOKENS, hashes)
        return [(r[0], (Identity(r[1], r[2], r[3]), int(r[4]))) for r in rows]

    async def tokens(self) -> list[TokenRow]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(schema.LIST_TOKENS)
        return [TokenRow(*tuple(r)) for r in rows]

    async def revoke(self, room_or_id: str, now: str) -> list[tuple[str, str]]:
        params = {"key": room_or_id, "now": now}
        async with self.pool.acquire() as conn, conn.transaction():
            for statement in (schema.REVOKE_ID, schema.REVOKE_NAME):
                sql, args = _sql(statement, params)
                found = await conn.fetch(sql, *args)
                if found:
                    return [(str(r[0]), str(r[1])) for r in found]
        return []

    async def touch_tokens(self, last_used: dict[str, str]) -> None:
        if not last_used:
            return
        # In the hashes' order: behind nginx every process notes the same tokens, and two flushes updating the
        # same rows in different orders (one transaction each) could deadlock.
        sql, args = _many(schema.TOUCH_TOKEN, [{"hash": h, "at": last_used[h]} for h in sorted(last_used)])
        try:
            async with self.pool.acquire() as conn:
                await conn.executemany(sql, args)
        except DatabaseDown:
            pass  # a note of last use is not worth a log line each flush during an outage (logged once already)

    async def store_session(self, rows: SessionRows) -> int:
        """Stored with the other sessions waiting in this process, in one transaction (``pg_writer``)."""
        if len(rows.events) > LARGE_BATCH:
            doc = await asyncio.to_thread(pg_store.document, rows)
        else:
            doc = pg_store.document(rows)
        return await self._writer.store((str(rows.session["room_id"]), str(rows.session["id"])), doc)

    async def _store_group(self, docs: list[str]) -> list[int]:
        async with self.writer_pool.acquire() as conn:
            held = await conn.fetchval(pg_store.STORE_GROUP, "[" + ",".join(docs) + "]")
        return [int(n) for n in held]

    async def recording(self, room: str, recording_id: str) -> RecordingState | None:
        row = await self._fetchrow(schema.GET_RECORDING, {"room_id": room, "id": recording_id})
        if row is None:
            return None
        return RecordingState(row[0], int(row[1]), row[2], int(row[3]), bool(row[4]))

    async def add_recording(self, row: dict[str, Any]) -> None:
        sql, args = _sql(pg_store.ADD_RECORDING, row)
        async with self.pool.acquire() as conn:
            await conn.execute(sql, *args)
            await conn.fetchval(pg_store.BUMP)

    async def set_received(self, room: str, recording_id: str, received: int, complete: bool, now: str) -> None:
        params = {"room_id": room, "id": recording_id, "received": received, "complete": int(complete),
                  "completed_at": now if complete else None}
        await self._execute(schema.SET_RECEIVED, params)

    async def usage(self, f: UsageFilter) -> UsageReport:
        """Made on the reports' thread (``pg_reports``): once per filter at a time, however many ask, and kept
        under the database's data version (a sequence every process bumps after each commit that changes the
        charts), so every process answers alike and an unchanged one costs one tiny query."""
        return (await self.reports.get(f)).usage()

    async def usage_body(self, f: UsageFilter) -> bytes | None:
        """The same report's JSON, made beside it on the reports' thread."""
        return (await self.reports.get(f)).body

    async def usage_as(self, token_hash: str, f: UsageFilter) -> tuple[Identity | None, bytes | None]:
        """A usage request's token looked up and its report made in one trip to the reports' thread (``auth.Aside``):
        (None, None) for a token unknown or revoked, (who, None) where ``tokens.scoped`` refuses, else (who, JSON).

        Why: the token lookup every request makes ran on the service's loop, on its asyncpg connections; with 300 rooms
        sending, each of its turns waited for the loop (p99 75-200 ms before the report was even asked for). Looked up
        on the reports' thread (its own connection, never behind a report) it is still asked every time: a revoke
        takes effect at the next request, as before.
        """
        return await self.reports.run(self.usage_here(token_hash, f))

    async def usage_here(self, token_hash: str, f: UsageFilter) -> tuple[Identity | None, bytes | None]:
        """``usage_as`` on the reports' own loop."""
        arrived = self.reports.arrive()
        found = await self._usage_identities.get(token_hash)
        if found is None:
            return None, None
        who, version = found
        mine = scoped(f, who)
        if mine is None:
            return who, None
        return who, (await self.reports.here(mine, (arrived, version))).body

    def serving(self) -> None:
        """The reports' connections warmed up now: the first staff screen after a start finds them open, the charts'
        statement planned and the server's caches of its tables loaded (a cold backend's first report took some
        40-65 ms more); where another process makes the reports, this one would otherwise meet that at a busy time."""
        if self._warming is None:
            self._warming = asyncio.ensure_future(self.reports.run(self.warm_here()))
            self._warming.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def warm_here(self) -> None:
        async def one() -> None:
            async with self.report_pool.acquire() as conn:
                await self._make_report(UsageFilter(), conn)

        try:
            await asyncio.gather(*(one() for _ in range(REPORT_CONNECTIONS)), self._version())
        except Exception:
            pass  # only warming: a database down now is answered (503) when staff ask

    async def _version(self) -> int:
        async with self.aside_pool.acquire() as conn:
            return int(await conn.fetchval(pg_store.VERSION))

    async def _report_and_body(self, f: UsageFilter, version: int, mark: Mark = lambda: lambda _version: None,
                               ) -> tuple[int, UsageReport | None, bytes]:
        """A report holding at least ``version``: the one another process left (``pg_reports.SHARED``) when it is
        new enough, else made here under the filter's lock, which another process making it holds meanwhile (the
        data version read with the lock, and again once it is ours after waiting, ``mark`` called before each).

        Answered as soon as its JSON is made: leaving it for the other processes (``SHARED_PUT``, 200 KB for a
        centre of 300 rooms, and the commit that lets go of the filter's lock) goes on after, by a task of its own
        (6 ms at p50 and 13-31 ms at p99 under 300 syncing rooms, that every request waiting here waited too).
        """
        made: asyncio.Future[tuple[int, UsageReport | None, bytes]] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(self._make_and_share(f, version, mark, made))
        self._sharing.add(task)
        task.add_done_callback(self._shared)
        try:
            return await asyncio.shield(made)  # (the task goes on if the report is cancelled: it holds the lock)
        except asyncio.CancelledError:
            if not made.done():
                task.cancel()
            raise

    def _shared(self, task: asyncio.Task[None]) -> None:
        self._sharing.discard(task)
        exc = None if task.cancelled() else task.exception()
        if exc is not None and not isinstance(exc, DatabaseDown):  # (an outage has its own line)
            log.warning("a usage report was made but not left for the centre's other processes: %s", exc)

    async def _make_and_share(self, f: UsageFilter, version: int, mark: Mark,
                              made: asyncio.Future[tuple[int, UsageReport | None, bytes]]) -> None:
        key = filter_key(f)
        one_room = bool(f.room)
        try:
            async with self.report_pool.acquire() as conn, conn.transaction():
                reads = mark()  # the version is read by the lock's statement: the charts then hold it
                locked, shared, theirs, now = await conn.fetchrow(TRY_ROOM if one_room else TRY_ALL, key, version)
                if theirs is None and not locked:  # another process makes it: its report may hold ours
                    await conn.execute(pg_reports.SHARED_LOCK, key)
                    reads = mark()
                    shared, theirs, now = await conn.fetchrow(GET_ROOM if one_room else GET_ALL, key, version)
                if theirs is not None:
                    made.set_result((int(shared), None, bytes(theirs)))
                    return
                version = int(now)
                reads(version)
                report, body = await self._make_report(f, conn)
                made.set_result((version, report, body))
                await conn.execute(pg_reports.SHARED_PUT, key, version, body)
        except BaseException as exc:
            if made.done():
                raise  # the report was given already: only sharing it failed (_shared logs it)
            if isinstance(exc, asyncio.CancelledError):
                made.cancel()
            else:
                made.set_exception(exc)
            if not isinstance(exc, Exception):
                raise

    async def _make_report(self, f: UsageFilter, conn: Any) -> tuple[UsageReport, bytes]:
        """The report and its JSON, made from the parts of the last one its rows leave as they were
        (``pg_report_parts``)."""
        planned = self._plans.get(f)
        if planned is None:  # a filter's statement is the same every time: made once (a regex pass over 12 queries)
            queries, params, rolled = charts.plan(POSTGRESQL, f)
            shapes = [(n, await chart_width(conn, queries[n], params)) for n in queries]
            sql, args = to_numbered(*charts_statement(queries, shapes, params))
            planned = self._plans[f] = (sql, args, shapes, rolled)
            while len(self._plans) > KEPT_REPORTS:
                self._plans.pop(next(iter(self._plans)))
        sql, args, shapes, rolled = planned
        row = await conn.fetchrow(sql, *args)
        return self._parts.make(f, charts.merge({n: chart_rows(row, n, k) for n, k in shapes}, rolled))

    async def rooms(self) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            found = await conn.fetch(schema.ROOMS)
        return [{"name": r[0], "sessions": int(r[1]), "last_received": r[2]} for r in found]

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        statement, args = _sql(sql, params)
        async with self.pool.acquire() as conn:
            return [tuple(r) for r in await conn.fetch(statement, *args)]

    async def execute(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return await self.fetch(sql, params)  # each statement commits on its own (autocommit)

    async def try_lock_upload(self, key: int) -> bool | None:
        return bool(await self._locks.call("SELECT pg_try_advisory_lock($1)", key))

    async def unlock_upload(self, key: int) -> None:
        with contextlib.suppress(DatabaseDown):  # a lost connection has let go of its locks already
            await self._locks.call("SELECT pg_advisory_unlock($1)", key)

    async def close(self) -> None:
        if self.indexes is not None:  # a build cut short leaves an invalid index, which the next start makes again
            await cancel_and_wait(self.indexes)
        await self._writer.close()
        await self._identities.close()
        if self._warming is not None:
            self._warming.cancel()
            await asyncio.wait([self._warming])
        await self.reports.close(self._close_reports)
        await self._locks.close()
        await self.pool.close()
        for other in {id(p): p for p in (self.quick_pool, self.writer_pool)
                      if p is not self.pool and p is not self.report_pool}.values():
            await other.close()

    async def _close_reports(self) -> None:
        """On the reports' thread, whose loop their pool belongs to."""
        await self._usage_identities.close()
        for task in list(self._sharing):
            await cancel_and_wait(task)
        for pool in {id(p): p for p in (self.report_pool, self.aside_pool) if p is not self.pool}.values():
            await pool.close()
