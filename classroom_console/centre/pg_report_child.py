"""The reports process of one PostgreSQL centre process (``pg_report_process``): usage requests in, JSON out.

It makes the reports exactly as the centre's reports' thread did (``PostgresCentreDB.usage_here``: the token looked
up on every request, the report per filter once at a time in the whole centre, shared through ``centre_reports``),
on connections and a GIL of its own. It says nothing about outages (its parent's connections log them, once each
way); it ends when its parent's socket closes, or when its parent is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
from typing import Any

import msgspec

from classroom_console.centre.db_postgres import PostgresCentreDB
from classroom_console.centre.failures import DatabaseDown, Outage
from classroom_console.centre.pg_report_process import HEAD, READY, Answer, frame

log = logging.getLogger("classroom_console.centre.reports")
PARENT_CHECK_S = 1.0
_DECODE_ASK = msgspec.msgpack.Decoder(tuple[int, str, bytes]).decode


async def _message(reader: asyncio.StreamReader) -> bytes | None:
    try:
        size = HEAD.unpack(await reader.readexactly(HEAD.size))[0]
        return await reader.readexactly(size)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None


async def _answer(db: PostgresCentreDB, writer: asyncio.StreamWriter, job: int, digest: str, f: Any) -> None:
    answer: Answer
    try:
        who, body = await db.usage_here(digest, f)
        if who is None:
            answer = (job, "unknown", None, None, None, None)
        else:
            answer = (job, "ok" if body is not None else "other", who.name, who.role, who.folder, body)
    except DatabaseDown as exc:
        answer = (job, "down", str(exc), None, None, None)
    except Exception as exc:
        log.exception("a usage report failed in the reports process")
        answer = (job, "failed", f"{type(exc).__name__}: {exc}".splitlines()[0], None, None, None)
    writer.write(frame(answer))
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _orphaned(parent: int) -> None:
    """A parent killed outright closes the socket too; this is the belt to that brace."""
    while os.getppid() == parent:  # noqa: ASYNC110  (nothing to wait on: the kernel re-parents us)
        await asyncio.sleep(PARENT_CHECK_S)


async def _serve(sock: socket.socket, parent: int) -> None:
    reader, writer = await asyncio.open_unix_connection(sock=sock, limit=1 << 20)
    setup = await _message(reader)
    if setup is None:
        return
    url, extra, settings = msgspec.msgpack.decode(setup)
    db = await PostgresCentreDB.for_reports(url, extra, settings, Outage(say=False))
    await db.warm_here()  # (its connections opened and the charts' statement planned before it says so)
    writer.write(frame(READY))
    watch = asyncio.ensure_future(_orphaned(parent))
    asks: set[asyncio.Task[None]] = set()
    try:
        while True:
            read = asyncio.ensure_future(_message(reader))
            await asyncio.wait([read, watch], return_when=asyncio.FIRST_COMPLETED)
            message = read.result() if read.done() else None
            if message is None:
                read.cancel()
                break
            job, digest, f = _DECODE_ASK(message)
            task = asyncio.ensure_future(_answer(db, writer, job, digest, pickle.loads(f)))
            asks.add(task)
            task.add_done_callback(asks.discard)
    finally:
        for task in (watch, *asks):
            task.cancel()
        await asyncio.gather(watch, *asks, return_exceptions=True)
        writer.close()
        await db.close_reports()


def main(fd: int, parent: int) -> None:
    """Ctrl+C reaches the whole group: the parent decides when this ends (it closes the socket)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=logging.WARNING, format="centre reports process %(process)d: %(message)s")
    asyncio.run(_serve(socket.socket(fileno=fd), parent))
