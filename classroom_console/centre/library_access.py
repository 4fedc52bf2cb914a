"""Who may read the library: anyone on the centre's network (the default), or holders of a reader token.

A centre switches with ``classroom-console centre library-access token|open``; reader tokens are issued per
partner institution (``centre add-reader NAME``), kept as hashes in a table of their own (a reader token is
never a room's: it cannot send sessions). A reader gives it once (``?token=``, or a Bearer header for scripts);
the browser then keeps it in an HttpOnly cookie, so the video element's range requests carry it too.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from classroom_console.centre.library_db import LibraryData
from classroom_console.centre.tokens import token_hash

ACCESS = "access"  # library_settings key: "open" or "token"
OPEN, TOKEN = "open", "token"
COOKIE = "library_token"
SETTING_TTL_S = 2.0  # how soon another process's change of the access setting is seen
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Refusal = Callable[[web.Request, bool], Awaitable[web.StreamResponse]]


class AccessGate:
    def __init__(self, data: LibraryData) -> None:
        self.data = data
        self._mode: tuple[float, str] | None = None
        self._known: dict[str, tuple[float, bool]] = {}

    async def mode(self) -> str:
        now = time.monotonic()
        if self._mode is None or now - self._mode[0] > SETTING_TTL_S:
            self._mode = (now, await self.data.setting(ACCESS, OPEN))
        return self._mode[1]

    async def _valid(self, token: str) -> bool:
        digest = token_hash(token)
        now = time.monotonic()
        known = self._known.get(digest)
        if known is not None and now - known[0] < SETTING_TTL_S:
            return known[1]
        ok = await self.data.reader(digest) is not None
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[digest] = (now, ok)
        return ok

    def guarded(self, handler: Handler, refuse: Refusal) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            if await self.mode() != TOKEN:
                return await handler(request)
            given = request.query.get("token", "").strip()
            if given:
                if not await self._valid(given[:200]):
                    return await refuse(request, True)
                # Into a cookie, and out of the address bar (and the history) at once.
                query = {k: v for k, v in request.query.items() if k != "token"}
                target = request.rel_url.with_query(query)
                answer = web.HTTPSeeOther(str(target))
                answer.set_cookie(COOKIE, given[:200], httponly=True, samesite="Lax", path="/library/",
                                  max_age=180 * 86400)
                raise answer
            scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
            token = bearer.strip() if scheme.lower() == "bearer" else request.cookies.get(COOKIE, "")
            if token and await self._valid(token[:200]):
                return await handler(request)
            return await refuse(request, bool(token))

        return checked
