"""A PostgreSQL centre process's usage reports made by a child process of its own, out of the uploads' GIL.

Why: behind nginx under 300 syncing rooms, a report made on the centre's reports' thread waited for the GIL at each
of its Python steps (the loop's hop to the thread, the token, the data version, the rows made a report, the JSON)
behind the process's upload callbacks: usage p99 353-925 ms with two processes. Here the loop hands the request's
token hash and filter to the child (``pg_report_child``) over a Unix socket and gets the answer's bytes back; the
child does everything else on its own connections, as the thread did (the token still looked up on every request,
one report per filter at a time in the whole centre). While the child starts, or after it died, the thread makes
them as before; a child that died is started again when next needed (at most every ``RESTART_S``), one log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec

from classroom_console.centre.db import Identity
from classroom_console.centre.failures import DatabaseDown
from classroom_console.usage_model import UsageFilter

log = logging.getLogger("classroom_console.centre")
HEAD = struct.Struct("<I")  # each message: its length, then msgpack
READY = "ready"
RESTART_S = 5.0
START_S = 60.0
# The child's answer: (job, kind, name or a failure's line, role, folder, the report's JSON). Kinds: "ok", "unknown"
# (a token unknown or revoked: 401), "other" (a room's token asking for another room: 403), "down" (503), "failed".
Answer = tuple[int, str, str | None, str | None, str | None, bytes | None]
_DECODE_ANSWER = msgspec.msgpack.Decoder(Answer).decode


class ReportsGone(Exception):
    """The reports process is not there now: the caller makes the report itself."""


def frame(value: Any) -> bytes:
    body = msgspec.msgpack.encode(value)
    return HEAD.pack(len(body)) + body


class ReportProcess:
    """The loop's side: ``usage_as`` as ``PostgresCentreDB.usage_here`` answers it, made by the child."""

    def __init__(self, url: str, extra: dict[str, Any], settings: dict[str, str]) -> None:
        self._setup = frame((url, extra, settings))  # the password, if any, goes over the socket, never in argv
        self._proc: subprocess.Popen[bytes] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reading: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[Answer]] = {}
        self._next = 0
        self._closed = False
        self._tried_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def ready(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    def warm(self) -> None:
        """Start the child unless it runs, is starting, or was tried less than ``RESTART_S`` ago."""
        now = asyncio.get_running_loop().time()
        if self._closed or self.ready or self._starting is not None:
            return
        if self._tried_at is not None and now - self._tried_at < RESTART_S:
            return
        self._tried_at = now
        self._starting = asyncio.ensure_future(self._start())
        self._starting.add_done_callback(self._started)

    async def started(self) -> None:
        """Once the child is ready, or could not start (then the thread makes the reports meanwhile)."""
        if self._starting is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._starting)

    def _started(self, task: asyncio.Task[None]) -> None:
        self._starting = None
        if not task.cancelled() and task.exception() is not None:
            log.warning("the reports process did not start (reports are made in the centre process): %s",
                        task.exception())

    async def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._proc = await asyncio.to_thread(_spawn, theirs.fileno())
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=1 << 24)
        try:
            writer.write(self._setup)
            async with asyncio.timeout(START_S):
                hello = msgspec.msgpack.decode(await _message(reader))
            if hello != READY:
                raise RuntimeError(f"the reports process said {hello!r}")
        except BaseException:
            writer.close()
            await asyncio.to_thread(self._stop_child)
            raise
        self._writer = writer
        self._reading = asyncio.ensure_future(self._read(reader, writer))

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        gone: str | None = None
        try:
            while True:
                answer = _DECODE_ANSWER(await _message(reader))
                future = self._waiting.pop(answer[0], None)
                if future is not None and not future.done():
                    future.set_result(answer)
        except (asyncio.IncompleteReadError, ConnectionError, msgspec.DecodeError) as exc:
            gone = None if self._closed else type(exc).__name__
        finally:
            writer.close()
            if self._writer is writer:
                self._writer = None
            waiting, self._waiting = self._waiting, {}
            for future in waiting.values():
                if not future.done():
                    future.set_exception(ReportsGone())
            proc = self._proc
            await asyncio.to_thread(self._stop_child)
        if gone is not None:
            code = proc.returncode if proc is not None else None
            if code is not None and -code in (signal.SIGTERM, signal.SIGINT):
                log.info("the reports process was stopped by signal %d", -code)
            else:
                log.error("the reports process went away (%s, exit %s); it is started again when next needed",
                          gone, code)

    async def usage_as(self, token_hash: str, f: UsageFilter) -> tuple[Identity | None, bytes | None]:
        """``ReportsGone`` when the child is not running, or died before it answered."""
        writer = self._writer
        if self._closed or writer is None or writer.is_closing():
            raise ReportsGone()
        self._next += 1
        job = self._next
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting[job] = future
        writer.write(frame((job, token_hash, pickle.dumps(f))))
        try:
            _, kind, name, role, folder, body = await future
        finally:
            self._waiting.pop(job, None)
        if kind == "down":
            raise DatabaseDown(name or "the database is unavailable")
        if kind == "failed":
            raise RuntimeError(f"the reports process failed: {name}")
        if kind == "unknown":
            return None, None
        assert name is not None and role is not None and folder is not None
        return Identity(name, role, folder), body if kind == "ok" else None

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
        """The child ends when its socket closes; a bounded wait, then it is killed."""
        self._closed = True
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(BaseException):
                await self._starting
        if self._writer is not None:
            self._writer.close()
        if self._reading is not None:
            with contextlib.suppress(BaseException):
                await self._reading
        await asyncio.to_thread(self._stop_child)


async def _message(reader: asyncio.StreamReader) -> bytes:
    size = HEAD.unpack(await reader.readexactly(HEAD.size))[0]
    return await reader.readexactly(size)


def _spawn(fd: int) -> subprocess.Popen[bytes]:
    """On a worker thread. The child imports this very copy of the code, however this process found it."""
    import classroom_console

    root = str(Path(classroom_console.__file__).resolve().parent.parent)
    return subprocess.Popen([sys.executable, "-c", _BOOT, str(fd), str(os.getpid()), root], pass_fds=[fd],
                            stdin=subprocess.DEVNULL)


# Where this process found the package goes at the end of the child's path (an installed copy's site-packages
# must not come before the standard library).
_BOOT = (
    "import sys; sys.argv[3] in sys.path or sys.path.append(sys.argv[3]); "
    "from classroom_console.centre.pg_report_child import main; main(int(sys.argv[1]), int(sys.argv[2]))"
)
