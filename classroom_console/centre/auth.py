"""Who is calling: the bearer token checked against the database on every request, its use noted in batches.

A token cached for the life of the process kept working after it was revoked; asking the database each
time (a quick read connection of its own for SQLite, the pool for PostgreSQL) makes ``centre revoke``
take effect at the next request. Writing "last used" on every request would be a write per ping, so uses
are gathered here and written every ``FLUSH_S`` (and at shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from aiohttp import web

from classroom_console.centre.db import CentreDB, Identity
from classroom_console.centre.failures import error
from classroom_console.centre.tokens import token_hash
from classroom_console.store import utc_iso
from classroom_console.usage_model import UsageFilter

log = logging.getLogger(__name__)
API = "/api/v1"
FLUSH_S = 10.0
USAGE = f"{API}/usage"
# aiohttp >= 3.12 types request storage keys; older versions take a plain string.
WHO_KEY: Any = web.RequestKey("who", Identity) if hasattr(web, "RequestKey") else "who"
ASIDE_KEY: Any = web.RequestKey("token_aside", str) if hasattr(web, "RequestKey") else "token_aside"


@runtime_checkable
class Aside(Protocol):
    """A back end that answers a usage request's token and report in one trip away from the service's loop
    (PostgreSQL: ``db_postgres.usage_as``); the middleware then leaves that request's token to the handler."""

    async def usage_as(self, token_hash: str, f: UsageFilter) -> tuple[Identity | None, bytes | None]: ...


def unknown_token() -> web.Response:
    return error(401, "unknown or revoked token", **{"WWW-Authenticate": 'Bearer error="invalid_token"'})


class TokenUse:
    """Last use per token hash, kept in memory until the next flush."""

    def __init__(self, db: CentreDB) -> None:
        self.db = db
        self._seen: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def note(self, digest: str) -> None:
        """From another loop's thread (usage requests served on the reports' loop, ``usage_site``) by way of the
        service's loop, so a flush never reads the uses while they change."""
        loop = self._loop
        if loop is not None and _running_loop() is not loop:
            loop.call_soon_threadsafe(self._seen.__setitem__, digest, time.time())
            return
        self._seen[digest] = time.time()

    async def flush(self) -> None:
        if not self._seen:
            return
        seen, self._seen = self._seen, {}
        await self.db.touch_tokens({h: utc_iso(datetime.fromtimestamp(t, UTC)) for h, t in seen.items()})

    async def _every(self, period_s: float) -> None:
        while True:
            await asyncio.sleep(period_s)
            try:
                await self.flush()
            except Exception as exc:  # a full disk must not stop the service; the uses are noted next time
                log.warning("could not note when tokens were last used: %s", exc)

    def start(self, period_s: float = FLUSH_S) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.ensure_future(self._every(period_s))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.flush()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def make_authenticate(db: CentreDB, uses: TokenUse) -> Callable[..., Awaitable[web.StreamResponse]]:
    aside = isinstance(db, Aside)

    @web.middleware
    async def authenticate(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Every API call carries a bearer token; the room it names is the only room it may touch."""
        if not request.path.startswith(API):
            return await handler(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error(401, "a bearer token is required", **{"WWW-Authenticate": "Bearer"})
        digest = token_hash(token.strip())
        # By the route aiohttp matched, not the path: ``/api%2Fv1/usage`` reads as the usage path but routes to a 404,
        # which answered a made-up token 404 without looking it up.
        resource = getattr(request.match_info.route, "resource", None)
        if aside and request.method == "GET" and resource is not None and resource.canonical == USAGE:
            request[ASIDE_KEY] = digest  # looked up by the usage handler, with its report (``Aside``)
            return await handler(request)
        who = await db.identity(digest)
        if who is None:
            return unknown_token()
        uses.note(digest)
        request[WHO_KEY] = who
        return await handler(request)

    return authenticate


def who_is(request: web.Request) -> Identity:
    who: Identity = request[WHO_KEY]
    return who
