"""The session store process (``store_process``): read uploads off its socket, check them, store each batch at once.

It owns one writing connection to the centre's SQLite file. Each turn takes every upload that has arrived (up
to ``MAX_GROUP``), checks each (``session_fast``, else the reference ``payloads.session_rows``, exactly as the
loop did), stores the good ones in one transaction (``sqlite_sessions.store_many``) and sends all the answers in
one message, after the commit. Usage reports are made beside that on a read-only connection. It ends when its
socket closes.
"""

from __future__ import annotations

import pickle
import queue
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from classroom_console.centre import store_process as sp
from classroom_console.centre.payloads import SessionRows, decode, session_rows
from classroom_console.centre.session_fast import session_rows_fast
from classroom_console.centre.sqlite_sessions import store_many
from classroom_console.centre.store_process import Answer, child_answer, send

Message = tuple[int, str, str, str, str, bytes]  # store_process: (job, kind, room, session id, now, body or filter)
_DECODE = msgspec.msgpack.Decoder(Message).decode


class _Inbox:
    """Whole messages from the socket, one at a time (blocking); None once it has closed."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def next(self) -> Message | None:
        while True:
            if len(self.buffer) >= sp.HEAD.size:
                size = sp.HEAD.unpack_from(self.buffer)[0]
                if len(self.buffer) >= sp.HEAD.size + size:
                    message = bytes(self.buffer[sp.HEAD.size:sp.HEAD.size + size])
                    del self.buffer[:sp.HEAD.size + size]
                    return _DECODE(message)
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                return None
            self.buffer += chunk


def checked(room: str, session_id: str, now: str, raw: bytes) -> SessionRows:
    """The rows the loop made for this body: the compiled check first, else the reference (its 400 reason)."""
    rows = session_rows_fast(room, session_id, raw, now)
    if rows is None:
        rows = session_rows(room, session_id, decode(raw, yielding=False), now)
    return rows


Checked = tuple[int, SessionRows | None, Answer | None]  # a job's rows, or its answer already (a bad body)


def check(message: Message) -> Checked:
    job, _, room, session_id, now, raw = message
    try:
        return job, checked(room, session_id, now, raw), None
    except Exception as exc:
        return job, None, child_answer(job, None, exc)


def store_group(conn: sqlite3.Connection, group: list[Checked]) -> list[Answer]:
    """Every good upload of the group in one transaction; the answers in the group's order."""
    good = [(job, rows) for job, rows, _ in group if rows is not None]
    stored: dict[int, Answer] = {}
    if good:
        try:
            conn.execute("BEGIN IMMEDIATE")
            outcomes = store_many(conn, [rows for _, rows in good])
            conn.execute("COMMIT")
        except Exception as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(None, exc)] * len(good)
        stored = {job: child_answer(job, held, error) for (job, _), (held, error) in zip(good, outcomes, strict=True)}
    return [answer if answer is not None else stored[job] for job, _, answer in group]


def _write(conn: sqlite3.Connection, sock: socket.socket, uploads: queue.SimpleQueue[Message | None]) -> None:
    """The writer thread: whatever has arrived since its last commit, checked and stored as one group; then the
    answers. Checked here, not on the reading thread: two threads sharing the GIL cost more than they overlapped."""
    while True:
        first = uploads.get()
        if first is None:
            return
        group = [first]
        size = len(first[5])
        done = False
        while len(group) < sp.MAX_GROUP and size < sp.MAX_GROUP_BYTES:
            try:
                item = uploads.get_nowait()
            except queue.Empty:
                break
            if item is None:
                done = True
                break
            group.append(item)
            size += len(item[5])
        send(sock, store_group(conn, [check(message) for message in group]))
        if done:
            return


def _report(path: str, sock: socket.socket, reports: queue.SimpleQueue[Message | None]) -> None:
    """The report thread: the reports asked for at one moment made from one snapshot on a read-only connection, as
    the centre's readers make each (``db_sqlite.query_charts``, ``reports.report_json``), sent as their JSON bytes
    every ``sp.POST_EVERY_S`` (so the first made do not wait for the last). When 200 rooms ask at once, a snapshot
    and a message each cost as much as a small report."""
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 5000")
    except sqlite3.Error:
        conn = None  # each report then says so
    try:
        done = False
        while not done and (message := reports.get()) is not None:
            batch = [message]
            while True:
                try:
                    item = reports.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    done = True
                    break
                batch.append(item)
            make_reports(conn, batch, lambda answers: send(sock, answers))
    except OSError:
        pass  # the centre went away: nobody to answer
    finally:
        if conn is not None:
            conn.close()


def make_reports(conn: sqlite3.Connection | None, batch: list[Message], post: Callable[[list[Answer]], None]) -> None:
    """Every report of the batch from one snapshot, read after each of them was asked (so after every commit the
    loop had seen when it asked); the same filter asked twice is made once."""
    from classroom_console.centre.db_sqlite import query_charts
    from classroom_console.centre.reports import report_json

    answers: list[Answer] = []
    made: dict[bytes, bytes] = {}
    posted = time.perf_counter()
    try:
        for message in batch:
            job, wanted = message[0], message[5]
            try:
                if conn is None:
                    raise RuntimeError("the centre database could not be opened for reading")
                body = made.get(wanted)
                if body is None:
                    if not conn.in_transaction:
                        conn.execute("BEGIN")  # one snapshot for every chart's query of every report here
                    f = pickle.loads(wanted)  # from the centre's own process, over a socketpair
                    body = made[wanted] = report_json(query_charts(conn, f))
                answers.append(child_answer(job, None, None, body))
            except Exception as exc:
                answers.append(child_answer(job, None, exc))
            if time.perf_counter() - posted > sp.POST_EVERY_S:
                post(answers)
                answers, posted = [], time.perf_counter()
    finally:
        if conn is not None and conn.in_transaction:
            conn.execute("COMMIT")
    if answers:
        post(answers)


def main(fd: int, path: str, role: str = sp.STORE) -> None:
    """Three threads: this one reads messages as they come; the writer checks and stores the uploads that have
    arrived as one group; the report thread makes reports. Checking on the reading thread, beside the writer, cost
    more CPU (1.03-1.14 ms an upload against 0.82-0.97, the GIL passed between them at every SQLite step).
    A report process (``role`` REPORTS) has no writer: it makes reports only, beside the store's own process."""
    from classroom_console.centre.db_sqlite import connect_writer

    sock = socket.socket(fileno=fd)
    writer: threading.Thread | None = None
    reporter: threading.Thread | None = None
    uploads: queue.SimpleQueue[Message | None] = queue.SimpleQueue()
    reports: queue.SimpleQueue[Message | None] = queue.SimpleQueue()
    try:
        sp.child_gc()
        sys.setswitchinterval(sp.SWITCH_INTERVAL_S)
        opened: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()

        def run_writer() -> None:
            try:
                own = connect_writer(Path(path))
            except BaseException as exc:
                opened.put(exc)
                return
            opened.put(None)
            try:
                _write(own, sock, uploads)
            except OSError:
                pass  # the centre went away: nobody to answer
            finally:
                own.close()

        if role == sp.STORE:
            writer = threading.Thread(target=run_writer, name="centre-store", daemon=True)
            writer.start()
            failed = opened.get()
            if failed is not None:
                raise failed
        reporter = threading.Thread(target=_report, args=(path, sock, reports), name="centre-reports", daemon=True)
        reporter.start()
        send(sock, sp.READY)
        inbox = _Inbox(sock)
        while (message := inbox.next()) is not None:
            if message[1] == sp.REPORT:
                reports.put(message)
            elif writer is not None:
                uploads.put(message)
            else:
                send(sock, [child_answer(message[0], None, RuntimeError("a report process stores nothing"))])
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        return
    finally:
        uploads.put(None)
        reports.put(None)
        for thread in (writer, reporter):
            if thread is not None:
                thread.join(timeout=60)
        sock.close()
