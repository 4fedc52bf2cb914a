"""The centre on one SQLite file: one thread owns the writing connection and commits queued writes together.

Reads have their own connections and threads (WAL lets them run beside a write): token checks and upload
offsets on a quick one, reports on two more, so a ping never waits behind a big session's write group or
a staff report.
"""

from __future__ import annotations

import asyncio
import functools
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classroom_console.centre import charts, gentle, rollups, schema, sqlite_damage
from classroom_console.centre.db import CentreDB, Identity, RecordingState, TokenRow
from classroom_console.centre.payloads import SessionRows
from classroom_console.centre.sqlite_sessions import store_many
from classroom_console.centre.store_process import REPORTS, SessionStore, StoreGone
from classroom_console.store import utc_iso
from classroom_console.thread_results import settle, settle_from_thread
from classroom_console.usage_model import UsageFilter, UsageReport
from classroom_console.usage_sql import SQLITE, assemble

_EMPTY: Any = object()
POST_EVERY_S = 0.002
FEW_TOKENS = 5  # from this many token lookups waiting at once, one statement for all (4 us each at 50)
# schema.FIND_TOKEN for many tokens at once, as one row (JSON of text only: nothing is rounded on the way)
_IDENTITIES = """SELECT json_group_array(json_array(hash, name, role, folder)) FROM tokens
    WHERE revoked_at IS NULL AND hash IN (SELECT value FROM json_each(?))"""
MAX_GROUP = 256  # writes committed in one transaction (one fsync) when many rooms send at once
# Processes that make usage reports only, on read-only connections: beside each other and beside the session store
# process, so 200 rooms asking at once wait for half as many reports each, and a report never waits for the
# writer's GIL nor the writer for a report's. Each answers the reports waiting at one moment from one snapshot.
REPORT_PROCESSES = 2


@dataclass(slots=True)
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    write: bool
    rows: SessionRows | None = None  # a session upload: stored with the others of its group (sqlite_sessions)
    reported: bool = True  # may change what a usage report says (tokens' last use does not)
    token: str | None = None  # a token hash to look up: all those waiting are asked in one statement


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # many cached statements: a group's multi-row inserts are one statement per table and row count
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True, cached_statements=2048)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    # Two writers share the file (this process's writer thread and the session store process): one waits for
    # the other's group rather than failing the request behind it.
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MB: the indexes of a busy day stay in memory
    conn.execute("PRAGMA wal_autocheckpoint = 8192")  # checkpoint (and its fsync) every 32 MB, not 4 MB
    conn.execute("BEGIN IMMEDIATE")
    try:
        _schema(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


def _schema(conn: sqlite3.Connection) -> None:
    """The schema brought up to date in one transaction, so a fill commits with what it fills: it runs only on the
    start that makes that (``schema.FILLS_WHAT``), never again on every start, each of which read the whole of
    tablet_counts (the writer thread and the session store process both open the file at every start)."""
    there = _existing(conn)
    for statement in schema.SCHEMA:
        if schema.index_name(statement) not in schema.SQLITE_UNUSED:
            conn.execute(statement)
    drop_unused(conn)
    for table, column, kind in schema.ADDED_COLUMNS:
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    for statement in schema.undone(schema.AFTER_COLUMNS, there):
        conn.execute(statement)
    conn.execute(rollups.STATE)
    if conn.execute(rollups.IS_FILLED).fetchone()[0]:
        return
    # sums missing or of an older shape: made again from the rows
    for statement in (*rollups.DROP, *rollups.tables(sqlite=True), *rollups.fill(_epoch_hour, _date_of_hour, _LAMPS)):
        conn.execute(statement)


def _existing(conn: sqlite3.Connection) -> set[str]:
    """The names of ``schema.FILLS_WHAT`` (a table, or table.column) the file holds already."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found = set()
    for what in schema.FILLS_WHAT.values():
        table, _, column = what.partition(".")
        if table in tables and (not column or column in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}):
            found.add(what)
    return found


def drop_unused(conn: sqlite3.Connection) -> None:
    """A file made before ``schema.SQLITE_UNUSED`` loses those indexes, once: nothing reads them, and every upload
    paid for them. Reports read the same rows by the same plans as before (tests/test_centre_sqlite_indexes.py)."""
    held = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    for name in schema.SQLITE_UNUSED:
        if name in held:
            conn.execute(f"DROP INDEX IF EXISTS {name}")


connect_writer = _connect  # the session store process (store_child) opens its own writing connection so


_LAMPS = """SELECT device_uid, max(wall_time), lamp_hours FROM device_readings WHERE lamp_hours <> '[]'
    GROUP BY device_uid"""  # SQLite's bare-column rule: lamp_hours of the row holding the max


def _epoch_hour(text: str) -> str:
    return f"(CAST(strftime('%s', substr({text}, 1, 13) || ':00:00') AS INTEGER) / 3600)"


def _date_of_hour(hour: str) -> str:
    return f"date({hour} * 3600, 'unixepoch')"


def _no_commit() -> None:
    """A report process commits nothing."""


def _no_read(_: sqlite3.Connection) -> None:
    """A job answered by ``_Readers._identities``, not by running it."""


def _settle_all(results: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in results:
        settle(future, result, error)


class _Readers:
    """Read-only connections, one per thread, serving one queue; all answers ready at once go back in one hop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, path: Path, threads: int, name: str, batch: int) -> None:
        self._loop = loop
        self._batch = batch  # quick lookups: many per hop; reports: one each, so every thread gets some
        self._uri = path.absolute().as_uri() + "?mode=ro"
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True) for i in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self._uri, uri=True, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA busy_timeout = 5000")
        except sqlite3.Error:
            conn = None  # each read then says so; the writer opened the same file, so this is rare
        try:
            while True:
                job = self._jobs.get()
                batch: list[_Job | None] = [job]
                while job is not None and len(batch) < self._batch:
                    try:
                        job = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    batch.append(job)
                results = self._identities(conn, [item for item in batch if item is not None and item.token])
                posted = time.perf_counter()
                for item in batch:
                    if item is None or item.token:
                        continue
                    try:
                        if conn is None:
                            raise RuntimeError("the centre database could not be opened for reading")
                        results.append((item.future, item.fn(conn), None))
                    except Exception as exc:
                        results.append((item.future, None, exc))
                    if time.perf_counter() - posted > POST_EVERY_S:  # no answer waits long for the rest
                        self._post(results)
                        results, posted = [], time.perf_counter()
                self._post(results)
                if batch[-1] is None:
                    return
        finally:
            if conn is not None:
                conn.close()

    @staticmethod
    def _identities(
        conn: sqlite3.Connection | None, lookups: list[_Job]
    ) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        """Every token waiting, in one statement and one step (under ``FEW_TOKENS``: a statement each): asked one
        by one, each lookup gave the GIL away twice and waited behind the loop to get it back, and 200 rooms'
        requests queued behind the lookups."""
        if not lookups:
            return []
        try:
            if conn is None:
                raise RuntimeError("the centre database could not be opened for reading")
            wanted = sorted({str(job.token) for job in lookups})
            found: dict[str | None, Any]
            if len(wanted) < FEW_TOKENS:  # a statement each is cheaper for a few (7 us against 25 for one)
                found = {h: conn.execute(schema.FIND_TOKEN, {"hash": h}).fetchone() for h in wanted}
            else:
                rows = json.loads(conn.execute(_IDENTITIES, (json.dumps(wanted),)).fetchone()[0])
                found = {row[0]: tuple(row[1:]) for row in rows}
        except Exception as exc:
            return [(job.future, None, exc) for job in lookups]
        return [(job.future, found.get(job.token), None) for job in lookups]

    def _post(self, results: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
        if results:
            try:
                self._loop.call_soon_threadsafe(_settle_all, results)
            except RuntimeError:  # the loop has closed: nobody waits any more
                pass

    async def call(self, fn: Callable[[sqlite3.Connection], Any], token: str | None = None) -> Any:
        future: asyncio.Future[Any] = self._loop.create_future()
        self._jobs.put(_Job(fn, future, False, token=token))
        return await future

    async def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)
        while any(t.is_alive() for t in self._threads):  # noqa: ASYNC110
            await asyncio.sleep(0.001)


@functools.lru_cache(maxsize=256)
def _plan(f: UsageFilter) -> tuple[dict[str, str], dict[str, Any], frozenset[str]]:
    """``charts.plan`` depends on the filter alone: a filter asked again after new data is not planned again
    (only read here, never changed: the same statement texts also find their parameter names at once)."""
    return charts.plan(SQLITE, f)


def query_charts(c: sqlite3.Connection, f: UsageFilter, timings: dict[str, float] | None = None) -> UsageReport:
    """Every chart's statement (charts.plan) on one connection; ``timings``: seconds per statement, for the bench."""
    queries, params, rolled = _plan(f)
    rows: dict[str, list[Any]] = {}
    for name, sql in queries.items():
        started = time.perf_counter()
        rows[name] = c.execute(sql, charts.params_for(sql, params)).fetchall()
        if timings is not None:
            timings[name] = time.perf_counter() - started
    return assemble(f, charts.merge(rows, rolled))


class SqliteCentreDB(CentreDB):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._stopped: asyncio.Future[None] = loop.create_future()
        self._thread: threading.Thread | None = None
        self._closing = False
        self._quick: _Readers | None = None
        self._generation = 0  # bumped by the writer thread after each commit (an int: atomic under the GIL)
        self._reports: _Readers | None = None
        self._bodies: SessionStore | None = None  # the session store process (store_process), once opened
        self._bodies_generation = 0  # bumped on the loop by each group the session store process commits
        self._report_procs: list[SessionStore] = []  # report processes (REPORT_PROCESSES), once opened
        self.store_process = True  # False: every upload is checked on the loop and stored by the writer thread

    @classmethod
    async def open(cls, path: Path) -> SqliteCentreDB:
        db = cls(asyncio.get_running_loop())
        opened: asyncio.Future[None] = db._loop.create_future()
        db._thread = threading.Thread(target=db._run, args=(path, opened), name="centre-db", daemon=True)
        db._thread.start()
        try:
            await opened
        except BaseException as exc:
            await db._join()
            damage = sqlite_damage.as_damage(path, exc)
            if damage is not None:
                raise damage from None
            raise
        db._quick = _Readers(db._loop, path, 1, "centre-db-quick", MAX_GROUP)
        db._reports = _Readers(db._loop, path, 2, "centre-db-reports", 1)
        db._bodies = SessionStore(path, db._bodies_committed)
        db._report_procs = [SessionStore(path, _no_commit, REPORTS) for _ in range(REPORT_PROCESSES)]
        return db

    def serving(self) -> None:
        """The session store process starts now, so that the first uploads find it running."""
        if self._bodies is not None and self.store_process and not self._closing:
            self._bodies.warm()
            for reporter in self._report_procs:
                reporter.warm()

    def _bodies_committed(self) -> None:
        self._bodies_generation += 1

    # the thread

    def _post(self, future: asyncio.Future[Any], result: Any = None, error: BaseException | None = None) -> None:
        settle_from_thread(self._loop, future, result, error)

    def _run(self, path: Path, opened: asyncio.Future[None]) -> None:
        try:
            try:
                conn = _connect(path)
            except BaseException as exc:
                self._post(opened, error=exc)
                return
            self._post(opened)
            try:
                self._serve(conn)
            finally:
                conn.close()
        finally:
            self._post(self._stopped)

    def _serve(self, conn: sqlite3.Connection) -> None:
        pending: Any = self._jobs.get()
        while pending is not None:
            if not pending.write:
                try:
                    self._post(pending.future, pending.fn(conn))
                except Exception as exc:
                    self._post(pending.future, error=exc)
                pending = self._jobs.get()
                continue
            group = [pending]
            pending = _EMPTY
            while len(group) < MAX_GROUP:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is not None and nxt.write:
                    group.append(nxt)
                    continue
                pending = nxt  # a read, or the stop sentinel: after this group
                break
            self._write_group(conn, group)
            if pending is _EMPTY:
                pending = self._jobs.get()

    def _write_group(self, conn: sqlite3.Connection, group: list[_Job]) -> None:
        results: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            start = 0
            while start < len(group):
                end = start
                while end < len(group) and group[end].rows is not None:
                    end += 1
                if end > start:  # a run of session uploads: stored together
                    uploads = group[start:end]
                    outcomes = store_many(conn, [job.rows for job in uploads if job.rows is not None])
                    results += [(job.future, held, error) for job, (held, error) in zip(uploads, outcomes, strict=True)]
                    start = end
                    continue
                job = group[start]
                start += 1
                conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    results.append((job.future, None, exc))
                    continue
                conn.execute("RELEASE job")
                results.append((job.future, result, None))
            conn.execute("COMMIT")
            if any(job.reported for job in group):
                self._generation += 1
        except Exception as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            results = [(job.future, None, exc) for job in group]
        self._post_all(results)
        for job in group:
            if job.rows is not None:
                job.fn(conn)  # lets go of the rows here, in steps, not on the loop

    def _post_all(self, results: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
        """Every answer of a group in one hop to the loop (one wake-up, not one per upload)."""
        try:
            self._loop.call_soon_threadsafe(_settle_all, results)
        except RuntimeError:  # the loop has closed: nobody waits any more
            pass

    # the loop side

    async def _call(
        self, fn: Callable[[sqlite3.Connection], Any], write: bool = False, rows: SessionRows | None = None,
        reported: bool = True,
    ) -> Any:
        if self._closing:
            raise RuntimeError("the centre database is closed")
        future: asyncio.Future[Any] = self._loop.create_future()
        self._jobs.put(_Job(fn, future, write, rows, reported))
        return await future

    async def add_token(self, token_hash: str, name: str, role: str, folder: str) -> None:
        params = {"hash": token_hash, "name": name, "role": role, "folder": folder, "now": utc_iso()}
        await self._call(lambda c: c.execute(schema.ADD_TOKEN, params), write=True)

    @property
    def generation(self) -> int | None:
        """Sessions and recordings reach this file only through this service, so its commits are all of them.

        Bumped by every commit that may change a usage report: not by noting when tokens were last used. Two
        counters, each written by one thread only (the writer's, and the loop's for the session store process)."""
        return self._generation + self._bodies_generation

    async def _read(self, fn: Callable[[sqlite3.Connection], Any], quick: bool = True) -> Any:
        readers = self._quick if quick else self._reports
        if self._closing or readers is None:
            raise RuntimeError("the centre database is closed")
        return await readers.call(fn)

    async def identity(self, token_hash: str) -> Identity | None:
        readers = self._quick
        if self._closing or readers is None:
            raise RuntimeError("the centre database is closed")
        row = await readers.call(_no_read, token=token_hash)  # looked up with the others waiting (_identities)
        return Identity(*row) if row else None

    async def tokens(self) -> list[TokenRow]:
        rows = await self._read(lambda c: c.execute(schema.LIST_TOKENS).fetchall(), quick=False)
        return [TokenRow(*row) for row in rows]

    async def revoke(self, room_or_id: str, now: str) -> list[tuple[str, str]]:
        def write(c: sqlite3.Connection) -> list[tuple[str, str]]:
            params = {"key": room_or_id, "now": now}
            found = c.execute(schema.REVOKE_ID, params).fetchall() or c.execute(schema.REVOKE_NAME, params).fetchall()
            return [(str(name), str(tid)) for name, tid in found]

        revoked: list[tuple[str, str]] = await self._call(write, write=True)
        return revoked

    async def touch_tokens(self, last_used: dict[str, str]) -> None:
        rows = [{"hash": h, "at": at} for h, at in last_used.items()]
        # no report reads the tokens: a flush every 10 s no longer throws away every kept report
        await self._call(lambda c: c.executemany(schema.TOUCH_TOKEN, rows), write=True, reported=False)

    async def store_session(self, rows: SessionRows) -> int:
        def release(_: sqlite3.Connection) -> None:
            for table in (rows.events, rows.hours, rows.device_spans, rows.devices, rows.readings):
                gentle.release_list(table)  # freed on the writer thread in steps, not in one go on the loop

        result: int = await self._call(release, write=True, rows=rows)
        return result

    def _ready_store_process(self) -> SessionStore | None:
        """The session store process when it can take work now; else None, and it is started for the next time."""
        bodies = self._bodies
        if self._closing or bodies is None or not self.store_process:
            return None
        if not bodies.ready:
            bodies.warm()
            return None
        return bodies

    async def store_session_body(self, room: str, session_id: str, raw: bytes, now: str) -> int | None:
        """In the session store process once it runs (the first upload starts it and is stored here meanwhile);
        if it stops before answering, the caller stores the upload itself (a session stored twice counts once)."""
        bodies = self._ready_store_process()
        if bodies is None:
            return None
        try:
            held: int = await bodies.store(room, session_id, raw, now)
        except StoreGone:
            return None
        return held

    async def recording(self, room: str, recording_id: str) -> RecordingState | None:
        key = {"room_id": room, "id": recording_id}
        row = await self._read(lambda c: c.execute(schema.GET_RECORDING, key).fetchone())
        if row is None:
            return None
        return RecordingState(row[0], int(row[1]), row[2], int(row[3]), bool(row[4]))

    async def add_recording(self, row: dict[str, Any]) -> None:
        def write(c: sqlite3.Connection) -> None:
            if c.execute(schema.INSERT_RECORDING, row).rowcount == 1:  # counted once, when first announced
                c.executemany(rollups.ADD_RECORDING, rollups.recording_rows(row))

        await self._call(write, write=True)

    async def set_received(self, room: str, recording_id: str, received: int, complete: bool, now: str) -> None:
        params = {"room_id": room, "id": recording_id, "received": received, "complete": int(complete),
                  "completed_at": now if complete else None}
        await self._call(lambda c: c.execute(schema.SET_RECEIVED, params), write=True)

    async def usage(self, f: UsageFilter) -> UsageReport:
        def read(c: sqlite3.Connection) -> UsageReport:
            c.execute("BEGIN")  # one snapshot for every chart's query
            try:
                return query_charts(c, f)
            finally:
                c.execute("COMMIT")

        report: UsageReport = await self._read(read, quick=False)
        return report

    async def usage_body(self, f: UsageFilter) -> bytes | None:
        """Made by the report process with the fewest reports waiting, in turn (their GILs are their own; the loop
        only sends the bytes); while none runs, by the session store process; else None (the loop's readers)."""
        running = self.store_process and not self._closing
        makers = [p for p in self._report_procs if p.ready] if running else []
        if running and len(makers) < len(self._report_procs):
            for reporter in self._report_procs:
                reporter.warm()  # started (again) for the next reports
        maker = min(makers, key=lambda p: (p.waiting, p.asked)) if makers else self._ready_store_process()
        if maker is None:
            return None
        try:
            return await maker.report(f)
        except StoreGone:
            return None

    async def rooms(self) -> list[dict[str, Any]]:
        rows = await self._read(lambda c: c.execute(schema.ROOMS).fetchall(), quick=False)
        return [{"name": n, "sessions": int(s), "last_received": last} for n, s, last in rows]

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = await self._read(lambda c: c.execute(sql, params).fetchall(), quick=False)
        return rows

    async def execute(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = await self._call(lambda c: c.execute(sql, params).fetchall(), write=True)
        return rows

    async def close(self) -> None:
        if not self._closing:
            self._closing = True
            if self._bodies is not None:
                await self._bodies.close()
            for reporter in self._report_procs:
                await reporter.close()
            for readers in (self._quick, self._reports):
                if readers is not None:
                    await readers.close()
            self._jobs.put(None)
        await self._join()

    async def _join(self) -> None:
        thread = self._thread
        if thread is None:
            return
        await asyncio.shield(self._stopped)
        while thread.is_alive():  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        thread.join(timeout=0)
