"""The centre on one SQLite file: one thread owns the connection and commits queued writes together."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classroom_console.centre import schema
from classroom_console.centre.db import CentreDB, Identity, RecordingState
from classroom_console.centre.payloads import SessionRows
from classroom_console.store import utc_iso
from classroom_console.thread_results import settle_from_thread
from classroom_console.usage import query_sqlite
from classroom_console.usage_model import UsageFilter, UsageReport

_EMPTY: Any = object()
MAX_GROUP = 64  # writes committed in one transaction (one fsync) when many rooms send at once


@dataclass(slots=True)
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    write: bool


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 5000")
    for statement in schema.SCHEMA:
        conn.execute(statement)
    return conn


class SqliteCentreDB(CentreDB):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._stopped: asyncio.Future[None] = loop.create_future()
        self._thread: threading.Thread | None = None
        self._closing = False

    @classmethod
    async def open(cls, path: Path) -> SqliteCentreDB:
        db = cls(asyncio.get_running_loop())
        opened: asyncio.Future[None] = db._loop.create_future()
        db._thread = threading.Thread(target=db._run, args=(path, opened), name="centre-db", daemon=True)
        db._thread.start()
        try:
            await opened
        except BaseException:
            await db._join()
            raise
        return db

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
        results: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in group:
                conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    results.append((job, None, exc))
                    continue
                conn.execute("RELEASE job")
                results.append((job, result, None))
            conn.execute("COMMIT")
        except Exception as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for job in group:
                self._post(job.future, error=exc)
            return
        for job, result, error in results:
            self._post(job.future, result, error)

    # the loop side

    async def _call(self, fn: Callable[[sqlite3.Connection], Any], write: bool = False) -> Any:
        if self._closing:
            raise RuntimeError("the centre database is closed")
        future: asyncio.Future[Any] = self._loop.create_future()
        self._jobs.put(_Job(fn, future, write))
        return await future

    async def add_token(self, token_hash: str, name: str, role: str, folder: str) -> None:
        params = {"hash": token_hash, "name": name, "role": role, "folder": folder, "now": utc_iso()}
        await self._call(lambda c: c.execute(schema.ADD_TOKEN, params), write=True)

    async def identity(self, token_hash: str) -> Identity | None:
        row = await self._call(lambda c: c.execute(schema.FIND_TOKEN, {"hash": token_hash}).fetchone())
        return Identity(*row) if row else None

    async def store_session(self, rows: SessionRows) -> int:
        def write(c: sqlite3.Connection) -> int:
            c.execute(schema.UPSERT_SESSION, rows.session)
            c.executemany(schema.INSERT_EVENT, rows.events)
            c.execute(schema.UPSERT_SPAN, rows.span)
            c.execute(schema.DELETE_HOURS, {"room_id": rows.span["room_id"], "session_id": rows.span["id"]})
            c.executemany(schema.INSERT_HOUR, rows.hours)
            c.executemany(schema.UPSERT_DEVICE_SPAN, rows.device_spans)
            c.executemany(schema.UPSERT_DEVICE, rows.devices)
            c.executemany(schema.INSERT_READING, rows.readings)
            key = {"room_id": rows.session["room_id"], "session_id": rows.session["id"]}
            return int(c.execute(schema.COUNT_EVENTS, key).fetchone()[0])

        result: int = await self._call(write, write=True)
        return result

    async def recording(self, room: str, recording_id: str) -> RecordingState | None:
        key = {"room_id": room, "id": recording_id}
        row = await self._call(lambda c: c.execute(schema.GET_RECORDING, key).fetchone())
        if row is None:
            return None
        return RecordingState(row[0], int(row[1]), row[2], int(row[3]), bool(row[4]))

    async def add_recording(self, row: dict[str, Any]) -> None:
        await self._call(lambda c: c.execute(schema.INSERT_RECORDING, row), write=True)

    async def set_received(self, room: str, recording_id: str, received: int, complete: bool, now: str) -> None:
        params = {"room_id": room, "id": recording_id, "received": received, "complete": int(complete),
                  "completed_at": now if complete else None}
        await self._call(lambda c: c.execute(schema.SET_RECEIVED, params), write=True)

    async def usage(self, f: UsageFilter) -> UsageReport:
        report: UsageReport = await self._call(lambda c: query_sqlite(c, f))
        return report

    async def rooms(self) -> list[dict[str, Any]]:
        rows = await self._call(lambda c: c.execute(schema.ROOMS).fetchall())
        return [{"name": n, "sessions": int(s), "last_received": last} for n, s, last in rows]

    async def close(self) -> None:
        if not self._closing:
            self._closing = True
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
