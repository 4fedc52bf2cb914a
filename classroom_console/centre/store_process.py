"""Session uploads checked and stored by a process of their own, so the centre's event loop only moves their bytes.

Why: with 200 rooms uploading at once, each upload cost ~1.4 ms of CPU, 86 % of it holding the one GIL the event
loop, the body checks and the SQLite writer thread shared (py-spy --gil), so every upload queued behind all the
others' Python. Here the loop reads a body and passes its bytes, with the room, the session id and the time it
arrived, over a Unix socket to a child process; the child checks them with the very functions the loop used
(``session_fast``, else ``payloads.session_rows``: the same rows, the same one-line 400 reasons), stores everything
that reached it since its last commit as one write group (``sqlite_sessions.store_many``, one transaction) and
answers the group in one message. Its GIL is its own, so the loop's turn per upload is about a ping's.

The child writes to the same SQLite file beside the centre's writer thread (tokens, recordings); SQLite lets one
write at a time and each waits for the other (busy_timeout). A group not committed is answered as failed, never
as stored: a child that dies takes nothing with it that a room was told is kept, and its rooms send again.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import os
import pickle
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from classroom_console.usage_model import UsageFilter

log = logging.getLogger(__name__)
HEAD = struct.Struct("<I")  # each message: its length, then msgpack
MAX_GROUP = 256  # uploads stored in one transaction at most
# and bodies of this many bytes at most: a group of big sessions held SQLite's write lock past the centre's writer
# thread's 5 s busy timeout (8 x 12 MB: 7.6 s), and a recording announced meanwhile failed with a 500
MAX_GROUP_BYTES = 16 * 2**20
SWITCH_INTERVAL_S = 0.0005  # the child's: its writer gets the GIL back soon after each SQLite step
READY = "ready"
POST_EVERY_S = 0.002  # the child sends the reports made so far at least this often
RESTART_S = 5.0  # a child that could not start, or died, is started again at most this often (uploads go on meanwhile)
STORE, REPORTS = "store", "reports"  # a child's role: check and store uploads (and make reports), or make reports only
# Asked of the child: (job, SESSION, room, session id, arrival time, body) or (job, REPORT, "", "", "", pickled filter).
SESSION, REPORT = "s", "r"
# What the child answers: (job, events held, failure kind, one line, a report's JSON). Kinds: "invalid" (a 400),
# "full" (a 507), "failed" (a 500 with the child's log line).
Answer = tuple[int, int | None, str | None, str | None, bytes | None]


class StoreGone(Exception):
    """The store process is not there (it died, or could not start): the upload is answered 503, try again."""


def _encode(value: Any) -> bytes:
    body = msgspec.msgpack.encode(value)
    return HEAD.pack(len(body)) + body


class SessionStore:
    """The loop's side: one child process, started on first use, started again if it dies."""

    def __init__(self, path: Path, on_commit: Callable[[], None], role: str = STORE) -> None:
        self.path = path
        self.role = role
        self._on_commit = on_commit  # called on the loop before the answers of a group that stored something
        self._proc: subprocess.Popen[bytes] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._next = 0
        self._closed = False
        self._tried_at = -RESTART_S  # loop time of the last start: a child that fails is not restarted at once

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def asked(self) -> int:
        return self._next

    @property
    def waiting(self) -> int:
        """Asks sent and not yet answered (the loop gives a report to the report process with the fewest)."""
        return len(self._waiting)

    @property
    def ready(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    def warm(self) -> None:
        """Start the child now, without waiting for it (the app's startup: the first upload then finds it)."""
        now = asyncio.get_running_loop().time()
        if not self._closed and not self.ready and self._starting is None and now - self._tried_at >= RESTART_S:
            self._tried_at = now
            self._starting = asyncio.ensure_future(self._start())
            self._starting.add_done_callback(self._started)

    def _started(self, task: asyncio.Task[None]) -> None:
        self._starting = None
        if not task.cancelled() and task.exception() is not None:
            log.warning("the session store process did not start: %s", task.exception())

    async def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._proc = await asyncio.to_thread(_spawn, theirs.fileno(), self.path, self.role)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=1 << 20)
        try:
            async with asyncio.timeout(60):
                head = await reader.readexactly(HEAD.size)
                hello = msgspec.msgpack.decode(await reader.readexactly(HEAD.unpack(head)[0]))
            if hello != READY:
                raise RuntimeError(f"the session store process said {hello!r}")
        except BaseException:
            writer.close()
            self._stop_child()
            raise
        self._writer = writer
        self._reading = asyncio.ensure_future(self._read(reader, writer))

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decode = msgspec.msgpack.Decoder(list[tuple[int, int | None, str | None, str | None, bytes | None]]).decode
        gone: str | None = None  # why the child's answers stopped, when it was not closed by us
        try:
            while True:
                head = await reader.readexactly(HEAD.size)
                answers = decode(await reader.readexactly(HEAD.unpack(head)[0]))
                if any(held is not None for _, held, _, _, _ in answers):
                    self._on_commit()
                for job, held, kind, line, body in answers:
                    future = self._waiting.pop(job, None)
                    if future is None or future.done():
                        continue  # its request went away; the session is stored all the same
                    if kind is not None:
                        future.set_exception(_failure(kind, line))
                    else:
                        future.set_result(body if body is not None else held)
        except (asyncio.IncompleteReadError, ConnectionError, msgspec.DecodeError) as exc:
            gone = None if self._closed else type(exc).__name__
        finally:
            writer.close()
            if self._writer is writer:
                self._writer = None
            self._fail_waiting()
            proc = self._proc
            await asyncio.to_thread(self._stop_child)
        if gone is not None:
            self._say_gone(gone, proc.returncode if proc is not None else None)

    def _say_gone(self, why: str, code: int | None) -> None:
        """Which child, and whether it was told to stop: SIGTERM or SIGINT to the centre's whole process group
        (systemd stopping the service, Ctrl+C) reaches the children first, which is no fault."""
        who = "the session store process" if self.role == STORE else "a report process"
        if code is not None and -code in (signal.SIGTERM, signal.SIGINT):
            log.info("%s was stopped by signal %d", who, -code)
        else:
            log.error("%s went away (%s); it is started again when next needed", who, why)

    def _fail_waiting(self) -> None:
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(StoreGone("the session store process stopped before it answered"))

    async def store(self, room: str, session_id: str, raw: bytes, now: str) -> int:
        """The events the session holds once stored; ``validate.Invalid`` for a bad body, as on the loop."""
        held: int = await self._ask(SESSION, room, session_id, now, raw)
        return held

    async def report(self, f: UsageFilter) -> bytes:
        """The usage report's JSON (``reports.report_json``), made by the child from a snapshot read after every
        commit the loop has seen, as the centre's own readers would."""
        body: bytes = await self._ask(REPORT, "", "", "", pickle.dumps(f))
        return body

    async def _ask(self, kind: str, room: str, session_id: str, now: str, raw: bytes) -> Any:
        if self._closed:
            raise StoreGone("the centre is stopping")
        if not self.ready:
            self.warm()
            if self._starting is not None:
                await asyncio.shield(self._starting)
        writer = self._writer
        if writer is None or writer.is_closing():
            raise StoreGone("the session store process is not running")
        self._next += 1
        job = self._next  # also how many were asked of it (tests see which process made a report)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[job] = future
        writer.write(_encode((job, kind, room, session_id, now, raw)))
        return await future

    def _stop_child(self, wait_s: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=wait_s)

    async def close(self) -> None:
        """The child ends when its socket closes (after answering what it has); bounded wait, then killed."""
        self._closed = True
        if self._starting is not None:
            with contextlib.suppress(BaseException):
                await self._starting
        if self._writer is not None:
            self._writer.close()
        if self._reading is not None:
            with contextlib.suppress(BaseException):
                await self._reading
        await asyncio.to_thread(self._stop_child)
        self._fail_waiting()


def _spawn(fd: int, path: Path, role: str = STORE) -> subprocess.Popen[bytes]:
    """On a worker thread (it touches the disk). The child imports this very copy of the code, however this
    process found it (installed or not)."""
    import classroom_console

    root = str(Path(classroom_console.__file__).resolve().parent.parent)
    return subprocess.Popen([sys.executable, "-P", "-c", _BOOT, str(fd), str(path), root, role], pass_fds=[fd],
                            stdin=subprocess.DEVNULL)


def _failure(kind: str | None, line: str | None) -> Exception:
    from classroom_console.centre.validate import Invalid

    text = line or "the session store failed"
    if kind == "invalid":
        return Invalid("", text)
    if kind == "full":
        return OSError(errno.ENOSPC, text)
    return RuntimeError(f"the session store failed: {text}")


# The child, started with -c: the package is entered without its __init__ (which imports aiohttp and the whole
# app, 0.6 s), so the child imports only what it uses and answers its first upload sooner.
# Where this process found the package is added at the end of the child's path (not first, where an installed
# copy's site-packages would come before the standard library).
_BOOT = (
    "import os, sys, types; sys.argv[3] in sys.path or sys.path.append(sys.argv[3]); import classroom_console; "
    "package = types.ModuleType('classroom_console.centre'); "
    "package.__path__ = [os.path.join(os.path.dirname(classroom_console.__file__), 'centre')]; "
    "sys.modules['classroom_console.centre'] = package; "
    "from classroom_console.centre.store_child import main; main(int(sys.argv[1]), sys.argv[2], sys.argv[4])"
)


def child_answer(job: int, held: int | None, exc: BaseException | None, body: bytes | None = None) -> Answer:
    """One answer as the child sends it."""
    if exc is None:
        return job, held, None, None, body
    from classroom_console.centre.validate import Invalid

    if isinstance(exc, Invalid):
        return job, None, "invalid", str(exc), None
    if _full(exc):
        return job, None, "full", str(exc), None
    return job, None, "failed", f"{type(exc).__name__}: {exc}".splitlines()[0], None


def _full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == 13  # SQLITE_FULL


_SENDING = threading.Lock()  # the child's writer and report threads answer on one socket


def send(sock: socket.socket, value: Any) -> None:
    data = _encode(value)
    with _SENDING:
        sock.sendall(data)


def child_gc() -> None:
    """Decoded bodies hold no cycles: the collector need not walk them at every few hundred objects."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 50)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
