"""Usage reports on PostgreSQL, made on a thread of their own: its own event loop, its own connections.

Why: while 300 rooms send, the centre's loop runs hundreds of uploads' callbacks between two of its turns, and a
report made there waited for a turn at each of its steps (the data version, the charts' statement, the rows made a
report, the JSON): a second at p99. Here a request waits for the loop only to hand the filter over and to send the
answer; the rest runs beside the uploads (the interpreter hands the GIL over every millisecond: ``server.py``).

One report per filter is on its way at a time in a process, and in the whole centre: the process making one holds a
lock per filter (``SHARED_LOCK``) and leaves the report's JSON in an unlogged table under its data version
(``SHARED_TABLE``); a process whose staff ask the same meanwhile waits on that lock and takes those bytes when they
are new enough, instead of making the same report again (behind nginx every process was asked, and each made it;
without the wait, sharing only what was done, two processes did worse: bench/sync_rooms.py --rooms 300 --processes 2,
alternated, 279/304 against 271/220 sessions/s, usage p99 583/504 against 628/920 ms).

A request reads the data version as it comes, and takes the report kept for that version, or joins the one on its
way if that one read the version after the request came (or holds at least the version it saw), else waits for the
next one, made when the one on its way ends for every request that came meanwhile, to hold the newest version they
saw: the one that just ended, or another process's, is taken when it holds that much (each process made its own
before: a version read after the wait, which with 75 uploads a second no other report held). A request after an
upload's answer thus always gets a report that holds that upload, and staff screens asking over and over while rooms
send cost one report at a time, not one each.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from classroom_console.centre.pg_locks import REPORT_CLASS
from classroom_console.usage_model import UsageFilter, UsageReport

KEPT_REPORTS = 256
# The reports every process of a centre shares: derived data (UNLOGGED: no WAL; emptied when a centre starts, so a
# restored backup never meets reports of a later state of its data).
SHARED_TABLE = """CREATE UNLOGGED TABLE IF NOT EXISTS centre_reports (filter TEXT PRIMARY KEY, version BIGINT NOT NULL,
    body BYTEA NOT NULL)"""
# Stored as they are: compressing 200 KB of JSON (pglz) on every report cost the server more than it saved.
SHARED_PLAIN = "ALTER TABLE centre_reports ALTER COLUMN body SET STORAGE EXTERNAL"
SHARED_CLEAR = "TRUNCATE centre_reports"
SHARED_LOCK = f"SELECT pg_advisory_xact_lock({REPORT_CLASS}, hashtext($1))"  # (a pair of keys: pg_locks)


def shared_try(version: str) -> str:
    """The filter's lock tried, the report another process left and the data version (``version``: a statement
    giving it) read in one statement, the first of the report's transaction.

    Where no other process makes it (nginx sends usage requests to one: config_nginx) the lock is ours at once, and
    the report's round trips before its charts' statement are this one alone: it was three (the report read outside
    the transaction, its BEGIN, then the lock), then two (this and the version read apart; under 300 syncing rooms
    that read took 1 ms at p50 and 9-80 ms at p99, load 2-5). Read here, the version comes before the charts'
    statement's snapshot, so the charts hold it. The other process's report comes only when it holds the version
    the requests waiting need ($2): most often it does not (75 uploads a second), and 200 KB crossed to the reports'
    thread and were thrown away, twice a report. One left meanwhile, the snapshot having been taken before the lock,
    is missed and made again: never one too old.
    """
    return f"""SELECT pg_try_advisory_xact_lock({REPORT_CLASS}, hashtext($1)), r.version,
    CASE WHEN r.version >= $2 THEN r.body END, v.now
    FROM ({version}) AS v(now) LEFT JOIN centre_reports r ON r.filter = $1"""


def shared_get(version: str) -> str:
    """``shared_try`` once the filter's lock is ours after another process held it: its report and the version."""
    return f"""SELECT r.version, CASE WHEN r.version >= $2 THEN r.body END, v.now
    FROM ({version}) AS v(now) LEFT JOIN centre_reports r ON r.filter = $1"""


SHARED_PUT = """INSERT INTO centre_reports (filter, version, body) VALUES ($1, $2, $3)
    ON CONFLICT (filter) DO UPDATE SET version = excluded.version, body = excluded.body
    WHERE centre_reports.version < excluded.version"""


def filter_key(f: UsageFilter) -> str:
    return hashlib.sha256(repr(f).encode()).hexdigest()


@dataclass(slots=True)
class Made:
    version: int
    asked: int  # when it asked the version, on the thread's clock of requests
    report: UsageReport | None  # None: made by another process, only its bytes came
    body: bytes  # reports.report_json(report), made on the reports' thread

    def usage(self) -> UsageReport:
        """The report, read back from its bytes when another process made it (once: only tests ask for it)."""
        if self.report is None:
            self.report = UsageReport.from_json(json.loads(self.body))
        return self.report


@dataclass(slots=True)
class _Filter:
    kept: Made | None = None
    running: asyncio.Future[Made] | None = None
    running_version: int | None = None  # known once the report on its way has read it
    running_asked: int = 0  # when it asked, on the clock of requests (ReportThread._clock)
    queued: asyncio.Future[Made] | None = None
    queued_arrived: int = 0  # when the last request waiting for the queued one came
    queued_need: int = 0  # the newest data version a request waiting for the queued one read when it came


Version = Callable[[], Awaitable[int]]
Reads = Callable[[int], None]
Mark = Callable[[], Reads]
# (filter, the data version it must hold at least, mark) -> (the version it holds, the report if made here, its JSON);
# the maker calls mark() just before each statement that reads the version its report will hold, and the call it
# gives back with that version once the report is its own to make (not another process's taken): requests that came
# before that statement, or that read no newer version, may then take this one.
Make = Callable[[UsageFilter, int, Mark], Awaitable[tuple[int, UsageReport | None, bytes]]]


class ReportThread:
    """``get(f)``: the report for ``f`` at least as new as the data when asked, made once however many ask.

    ``start(setup)`` starts the thread and runs ``setup()`` on its loop (the reports' connections are opened there),
    which gives back ``(version, make)``: the data version's reader and the report's maker, both run there. Without
    ``start`` (or after ``close``) everything runs on the caller's loop, as one.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._version: Version | None = None
        self._make: Make | None = None
        self._filters: OrderedDict[UsageFilter, _Filter] = OrderedDict()
        self.made = 0  # reports made here: what joining saves shows here (tests)
        self._clock = 0  # counts requests and version reads on the thread, in the order they happen there

    async def start(self, setup: Callable[[], Awaitable[tuple[Version, Make]]]) -> None:
        ready: Future[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = Future()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            stopped = asyncio.Event()
            ready.set_result((loop, stopped))
            try:
                loop.run_until_complete(stopped.wait())
            finally:
                loop.close()

        self._thread = threading.Thread(target=serve, name="centre-reports", daemon=True)
        self._thread.start()
        loop, stopped = await asyncio.wrap_future(ready)
        self._loop, self._stopped = loop, stopped
        try:
            self._version, self._make = await self._on_thread(setup())
        except BaseException:
            await self.close()
            raise

    def use(self, version: Version, make: Make) -> None:
        """No thread: reports are made on the caller's loop."""
        self._version, self._make = version, make

    def serving_apart(self) -> bool:
        """Whether reports are made on a thread of their own (``start``) rather than on the caller's loop."""
        return self._loop is not None

    def on_thread(self) -> bool:
        """Whether the caller runs on the reports' loop (or there is no thread: the caller's loop is theirs)."""
        return self._loop is None or _running_loop() is self._loop

    async def _on_thread(self, coro: Awaitable[Any]) -> Any:
        loop = self._loop
        if loop is None or _running_loop() is loop:  # (a usage request served on that loop: usage_site)
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_awaited(coro), loop))

    async def run(self, coro: Awaitable[Any]) -> Any:
        """Any other work on the reports' connections, on the thread's loop."""
        return await self._on_thread(coro)

    async def get(self, f: UsageFilter) -> Made:
        """Called on the service's loop; the work is done on the reports' thread."""
        made: Made = await self._on_thread(self._get(f))
        return made

    async def here(self, f: UsageFilter, seen: tuple[int, int] | None = None) -> Made:
        """``get`` for a coroutine already on the reports' thread (one that ``run`` took there); ``seen``: when the
        request came (``arrive``) and the data version it read after that, where its caller read it already."""
        return await self._get(f, seen)

    # On the reports' thread from here on.

    def arrive(self) -> int:
        """A request's coming on the clock of requests, for a caller that reads its data version itself."""
        self._clock += 1
        return self._clock

    def _state(self, f: UsageFilter) -> _Filter:
        st = self._filters.get(f)
        if st is None:
            st = self._filters[f] = _Filter()
            while len(self._filters) > KEPT_REPORTS:
                old = next(iter(self._filters))
                if self._filters[old].running or self._filters[old].queued:
                    break  # busy filters are few; the map shrinks once they are done
                del self._filters[old]
        self._filters.move_to_end(f)
        return st

    async def _get(self, f: UsageFilter, seen: tuple[int, int] | None = None) -> Made:
        assert self._version is not None
        st = self._state(f)
        if seen is None:
            arrived = self.arrive()
            version = await self._version()
        else:
            arrived, version = seen
        # A report whose version was asked after this request came, or that read at least the version this one
        # did, holds every upload answered before this request came.
        if st.kept is not None and (st.kept.asked > arrived or st.kept.version >= version):
            return st.kept
        if st.running is not None and (st.running_asked > arrived or (
                st.running_version is not None and st.running_version >= version)):
            return await asyncio.shield(st.running)
        if st.queued is None:  # (another request may have queued one while this one read the version)
            st.queued = asyncio.ensure_future(self._next(f, st))
            st.queued.add_done_callback(_retrieved)
        st.queued_arrived = max(st.queued_arrived, arrived)
        st.queued_need = max(st.queued_need, version)
        return await asyncio.shield(st.queued)

    async def _next(self, f: UsageFilter, st: _Filter) -> Made:
        """Made when the one on its way ends, by a task of its own: a request that goes away (its client gone)
        does not take the report with it for the others waiting."""
        before = st.running
        if before is not None:
            await asyncio.wait([before])
            if not before.cancelled() and before.exception() is None and (
                    before.result().asked > st.queued_arrived or before.result().version >= st.queued_need):
                st.queued = None  # it read the version again after the last request waiting here came: theirs too
                return before.result()
        me = asyncio.current_task()
        assert isinstance(me, asyncio.Task) and self._make is not None
        need = st.queued_need
        # Until the maker has read the version itself (``mark``), only a request whose version it holds may join it.
        st.running, st.running_version, st.running_asked, st.queued, st.queued_need = me, need, 0, None, 0

        def mark() -> Reads:
            self._clock += 1
            asked = self._clock

            def reads(version: int) -> None:
                if st.running is me:
                    st.running_asked, st.running_version = asked, version

            return reads

        try:
            version, report, body = await self._make(f, need, mark)
            self.made += report is not None
            made = Made(version, st.running_asked, report, body)
            if st.kept is None or st.kept.version <= version:
                st.kept = made
            return made
        finally:
            if st.running is me:
                st.running = st.running_version = None

    async def close(self, teardown: Callable[[], Awaitable[None]] | None = None) -> None:
        """The reports on their way cancelled, then ``teardown()`` on the thread's loop (its connections closed)."""
        try:
            await self._on_thread(self._close(teardown))
        finally:
            loop, stopped, thread = self._loop, self._stopped, self._thread
            self._loop = self._thread = self._stopped = None
            if loop is not None and stopped is not None and thread is not None:
                loop.call_soon_threadsafe(stopped.set)
                await asyncio.to_thread(thread.join, 30)

    async def _close(self, teardown: Callable[[], Awaitable[None]] | None) -> None:
        tasks = [t for st in self._filters.values() for t in (st.running, st.queued) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self._filters.clear()
        if teardown is not None:
            await teardown()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


async def _awaited(coro: Awaitable[Any]) -> Any:
    return await coro


def _retrieved(done: asyncio.Future[Made]) -> None:
    if not done.cancelled():
        done.exception()  # every request waiting has been given it
