"""What the centre answers when something fails under a request, and what it logs.

A full disk is the room's business too (507 "the centre's disk is full", so its sync waits and retries
instead of reading a bare 500); a room that hangs up mid-request is routine on poor links and is one
log line, not a traceback; anything else is a bug: one line to the room, the traceback in our log.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web

from classroom_console.centre.bodies import BodyError, BodyStalled
from classroom_console.centre.validate import Invalid

log = logging.getLogger("classroom_console.centre")
DISK_FULL = "the centre's disk is full"
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_SQLITE_FULL = 13
_PG_DISK_FULL = "53100"


REASONS = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found", 408: "stalled", 409: "conflict",
           413: "too_large", 422: "checksum_mismatch", 429: "too_many_connections", 500: "internal", 503: "busy",
           507: "disk_full"}


RETRY_AFTER_S = 5


class DatabaseDown(Exception):
    """The database server is unreachable: the request is answered 503 with Retry-After, not 500."""


class Outage:
    """One log line when the database goes away and one when it is back, however many requests failed between.

    ``epoch`` counts those changes; a caller reads it before it starts its work and gives it back with the result.
    Work begun before the last change says nothing about the server now: a statement that had begun before an
    outage was noticed and then succeeded is not "back" (a restart under load logged down, back, down, back), and
    one that had begun before the server came back and then failed is not a second "down". Shared by the centre's
    loop and the reports' thread.
    """

    def __init__(self) -> None:
        self.since: float | None = None
        self.epoch = 0
        self._lock = threading.Lock()

    def down(self, why: str, epoch: int | None = None) -> None:
        with self._lock:
            if self.since is None and epoch in (None, self.epoch):
                self.since = time.monotonic()
                self.epoch += 1
                log.error("the database is down (%s); answering 503 until it is back", why)

    def up(self, epoch: int | None = None) -> None:
        if self.since is None:
            return  # every statement that succeeds comes here: no lock taken while all is well
        with self._lock:
            if self.since is not None and epoch in (None, self.epoch):
                log.warning("the database is back after %.0f s", time.monotonic() - self.since)
                self.since = None
                self.epoch += 1


def error(status: int, message: str, **headers: str) -> web.Response:
    """Every refusal has the same shape: ``{"error": one line, "reason": a code a console can word itself}``."""
    line = message.splitlines()[0] if message else ""
    return web.json_response({"error": line, "reason": REASONS.get(status, "refused")}, status=status, headers=headers)


def disk_full(exc: BaseException | None) -> bool:
    """ENOSPC from a file, SQLITE_FULL from SQLite, 53100 from PostgreSQL, however deep in the chain."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL:
            return True
        if getattr(exc, "sqlstate", None) == _PG_DISK_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def went_away(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionError | aiohttp.ClientPayloadError | aiohttp.ClientConnectionResetError)


def who(request: web.Request) -> str:
    return f"{request.method} {request.path} from {request.remote}"


@web.middleware
async def answer_failures(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Invalid as exc:
        return error(400, str(exc))
    except DatabaseDown:
        return error(503, "the centre's database is unavailable; try again shortly",
                     **{"Retry-After": str(RETRY_AFTER_S)})
    except BodyError as exc:
        answer = error(exc.status, str(exc), **({"Retry-After": "5"} if exc.status == 503 else {}))
        if isinstance(exc, BodyStalled):
            answer.force_close()
        return answer
    except Exception as exc:
        if disk_full(exc):
            log.error("%s: %s (%s)", who(request), DISK_FULL, exc)
            return error(507, DISK_FULL)
        if went_away(exc):
            log.info("%s: the client went away mid-request (%s)", who(request), exc or type(exc).__name__)
            return error(400, "the connection was lost")  # nobody reads it; aiohttp drops it quietly
        log.exception("%s failed", who(request))
        return error(500, f"the centre failed ({type(exc).__name__}); its log has the details")
