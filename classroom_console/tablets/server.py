"""The tablets' web server: the page, its two assets and one WebSocket per tablet, nothing else.

Every tablet is untrusted. A frame over ``max_message_bytes`` closes its socket before the frame is read;
messages over the tablet's rate are dropped, and enough of them close it; an address that opens sockets
too fast gets 429 before any upgrade. Each tablet has its own bounded send queue and writer task, so a slow
or stalled tablet holds only itself: the session hands a message over in O(1) and never awaits a tablet.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from classroom_console.thread_results import settle_from_thread

from .limits import AddressGuard, Bucket, Limits

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_DIR = Path(__file__).resolve().parent / "page"
FILES = {"/": ("index.html", "text/html; charset=utf-8"),
         "/tablet.js": ("tablet.js", "text/javascript; charset=utf-8"),
         "/tablet.css": ("tablet.css", "text/css; charset=utf-8")}
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Only the console's own script, style and socket: an injected tag could neither run nor call out.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}


class Tablet:
    """One WebSocket: its address, its rate bucket, the seat it took (if any) and its outgoing queue."""

    def __init__(self, ws: web.WebSocketResponse, address: str, limits: Limits,
                 transport: asyncio.Transport | None = None) -> None:
        self.ws, self.address, self.transport = ws, address, transport
        self.bucket = Bucket(limits.messages_per_s, limits.message_burst)
        self.drops = 0
        self.seat: Any = None  # the session's Seat once joined
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(limits.send_queue)
        self.closing = False
        self._writer = asyncio.get_running_loop().create_task(self._write())

    def send(self, text: str) -> None:
        """Queue one message; a tablet that lets its queue fill is closed (it rejoins when it can read again)."""
        if self.closing:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.info("tablet %s does not read its messages: closed", self.address)
            self.close(WSCloseCode.TRY_AGAIN_LATER)

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(json.dumps(message, separators=(",", ":")))

    def close(self, code: int = WSCloseCode.OK) -> None:
        if self.closing:
            return
        self.closing = True
        self._close_code = code
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)
        if self.queue.full():  # no room for the end mark: the writer is stuck behind a peer that does not read
            self._writer.cancel()
            if self.transport is not None:
                self.transport.abort()  # a close frame would wait behind the same full buffers

    async def _write(self) -> None:
        try:
            while (text := await self.queue.get()) is not None:
                await self.ws.send_str(text)
            await self.ws.close(code=getattr(self, "_close_code", WSCloseCode.OK))
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            pass

    async def finished(self) -> None:
        self.close()
        with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
            async with asyncio.timeout(2.0):
                await asyncio.shield(self._writer)
        self._writer.cancel()


class Handler(Protocol):
    def on_message(self, tablet: Tablet, message: dict[str, Any]) -> None: ...

    def on_close(self, tablet: Tablet) -> None: ...


class TabletServer:
    """Listens from ``start`` to ``stop``; ``port`` 0 takes a free one (read it back after ``start``)."""

    def __init__(self, handler: Handler, host: str = "0.0.0.0", port: int = 0, limits: Limits | None = None,
                 page_dir: Path = PAGE_DIR) -> None:
        self.handler, self.host, self.port = handler, host, port
        self.limits = limits or Limits()
        self.page_dir = page_dir
        self.guard = AddressGuard(self.limits)
        self.tablets: set[Tablet] = set()
        self.refused = {"rate": 0, "connects": 0, "too-big": 0, "bad": 0, "origin": 0}
        self._files: dict[str, tuple[bytes, bytes, str]] = {}
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._files = await _off_the_loop(self._read_page)
        app = web.Application(client_max_size=self.limits.max_message_bytes)
        for path in FILES:
            app.router.add_get(path, self._file)
        app.router.add_get("/ws", self._socket)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True, backlog=1024)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        if runner.addresses:
            self.port = int(runner.addresses[0][1])

    async def stop(self, goodbye: str | None = None) -> None:
        """Tell every tablet ``goodbye`` (a JSON text), close them all, stop listening."""
        runner, self._runner = self._runner, None
        tablets = list(self.tablets)
        for tablet in tablets:
            if goodbye is not None:
                tablet.send(goodbye)
            tablet.close(WSCloseCode.GOING_AWAY)
        await asyncio.gather(*(t.finished() for t in tablets), return_exceptions=True)
        if runner is not None:
            await runner.cleanup()

    def broadcast(self, text: str, where: Callable[[Tablet], bool] | None = None) -> int:
        """Queue ``text`` to every joined tablet (or those ``where`` picks); returns how many."""
        sent = 0
        for tablet in self.tablets:
            if tablet.seat is not None and (where is None or where(tablet)):
                tablet.send(text)
                sent += 1
        return sent

    def _read_page(self) -> dict[str, tuple[bytes, bytes, str]]:
        out = {}
        for path, (name, kind) in FILES.items():
            body = (self.page_dir / name).read_bytes()
            out[path] = (body, gzip.compress(body, 9, mtime=0), kind)
        return out

    async def _file(self, request: web.Request) -> web.Response:
        body, packed, kind = self._files[request.path]
        headers = dict(HEADERS)
        headers["Content-Type"] = kind
        headers["Vary"] = "Accept-Encoding"
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            headers["Content-Encoding"] = "gzip"
            body = packed
        return web.Response(body=body, headers=headers)

    def _same_origin(self, request: web.Request) -> bool:
        """A browser's socket must come from this page (another site's script cannot drive a tablet)."""
        origin = request.headers.get("Origin")
        return origin is None or urlsplit(origin).netloc == request.host

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        address = request.remote or "?"
        if not self._same_origin(request):
            self.refused["origin"] += 1
            return web.Response(status=403, text="wrong origin")
        if not self.guard.may_connect(address):
            self.refused["connects"] += 1
            return web.Response(status=429, text="too many connections", headers={"Retry-After": "2"})
        ws = web.WebSocketResponse(max_msg_size=self.limits.max_message_bytes, heartbeat=self.limits.heartbeat_s,
                                   compress=False, timeout=1.0)  # a tablet that never answers our close
        await ws.prepare(request)
        self.guard.opened(address)
        tablet = Tablet(ws, address, self.limits, request.transport)
        self.tablets.add(tablet)
        try:
            await self._read(tablet)
        finally:
            self.tablets.discard(tablet)
            self.guard.closed(address)
            self.handler.on_close(tablet)
            await tablet.finished()
        return ws

    async def _read(self, tablet: Tablet) -> None:
        limits = self.limits
        async for msg in tablet.ws:
            if tablet.closing:
                return
            if msg.type == WSMsgType.ERROR:
                if getattr(msg.data, "code", None) == WSCloseCode.MESSAGE_TOO_BIG:  # aiohttp closed it with 1009
                    self.refused["too-big"] += 1
                return
            if not tablet.bucket.take():
                self.refused["rate"] += 1
                tablet.drops += 1
                if tablet.drops >= limits.drops_before_close:
                    log.info("tablet %s floods: closed", tablet.address)
                    tablet.close(WSCloseCode.POLICY_VIOLATION)
                    return
                continue
            message = _parse(msg)
            if message is None:
                self.refused["bad"] += 1
                tablet.drops += 1
                tablet.send_json({"t": "error", "reason": "bad-message"})
                continue
            try:
                self.handler.on_message(tablet, message)
            except Exception:  # one odd message must not end the session for everyone
                log.exception("tablet message %r failed", message.get("t"))


async def _off_the_loop(fn: Callable[[], T]) -> T:
    """Read files on a short-lived thread of our own, joined before we return (nothing left behind)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def body() -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:
            result, error = None, exc
        settle_from_thread(loop, future, result, error)

    thread = threading.Thread(target=body, name="tablet-page", daemon=True)
    thread.start()
    try:
        return await future
    finally:
        while thread.is_alive():  # noqa: ASYNC110 (it has settled the future: it is about to end)
            await asyncio.sleep(0.002)


def _parse(msg: Any) -> dict[str, Any] | None:
    if msg.type != WSMsgType.TEXT:
        return None
    try:
        data = json.loads(msg.data)
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("t"), str) else None
