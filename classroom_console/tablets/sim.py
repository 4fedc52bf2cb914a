"""Simulated student tablets: headless WebSocket clients that join and answer, for tests, benches and demos.

Each ``SimTablet`` reads every message on its own task and stamps it (``time.monotonic``, which is one
clock for every process on Linux), so a bench can tell when each tablet got a poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp


def client_for(address: str = "127.0.0.1", limit: int = 0) -> aiohttp.ClientSession:
    """An HTTP client whose sockets come from ``address`` (give each simulated tablet group its own loopback
    address, as real tablets each have theirs)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0), limit=limit))


class SimTablet:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, code: str, name: str) -> None:
        self.http, self.code, self.name = http, code, name
        self.ws_url = base_url.split("?", 1)[0].rstrip("/") + "/ws"
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.messages: list[tuple[float, dict[str, Any]]] = []
        self.secret = ""
        self.seat = 0
        self._arrived = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.ws = await self.http.ws_connect(self.ws_url, max_msg_size=1 << 20, autoping=True)
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def join(self, *, secret: str | None = None, code: str | None = None,
                   within_s: float = 30.0) -> dict[str, Any]:
        """Connect and join (with the seat's secret: rejoin); returns the welcome or the refusal."""
        if self.ws is None or self.ws.closed:
            await self.connect()
        start = len(self.messages)
        message: dict[str, Any] = {"t": "join", "code": self.code if code is None else code}
        if secret:
            message["secret"] = secret
        else:
            message["name"] = self.name
        await self.send(message)
        reply = await self.wait_for(lambda m: m["t"] in ("welcome", "refused"), within_s, start)
        if reply["t"] == "welcome":
            self.secret, self.seat = reply["secret"], reply["seat"]
        return reply

    async def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_json(message)

    async def answer(self, activity_id: str, *choice: int, text: str | None = None) -> float:
        """Answer; returns when it was sent (monotonic)."""
        sent = time.monotonic()
        await self.send({"t": "answer", "activity": activity_id, **({"text": text} if text is not None
                                                                       else {"choice": list(choice)})})
        return sent

    def first(self, kind: str, since: int = 0) -> tuple[float, dict[str, Any]] | None:
        return next(((at, m) for at, m in self.messages[since:] if m.get("t") == kind), None)

    async def wait_for(self, check: Any, within_s: float = 30.0, since: int = 0) -> dict[str, Any]:
        """The first message from ``since`` on that ``check`` accepts (TimeoutError after ``within_s``)."""
        async with asyncio.timeout(within_s), self._arrived:
            while True:
                for _, m in self.messages[since:]:
                    if check(m):
                        return m
                since = len(self.messages)
                await self._arrived.wait()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    @property
    def closed(self) -> bool:
        return self.ws is None or self.ws.closed

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = msg.json()
            self.messages.append((time.monotonic(), data))
            async with self._arrived:
                self._arrived.notify_all()
        async with self._arrived:
            self._arrived.notify_all()
