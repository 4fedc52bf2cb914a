"""The tablets' web server: one page (its style and script inlined) and one WebSocket per tablet, nothing else.

Every tablet is untrusted. A frame over ``max_message_bytes`` closes its socket before the frame is read, and so
does an unmasked one (``ws_mask``); messages (pings and pongs too) over the tablet's rate are dropped, and enough
of them close it; an address that opens sockets too fast gets 429 before any upgrade; any connection counts
against its address's cap and must send its request head within a deadline (``http_guard``). Each tablet has its
own bounded send queue and writer task, so a slow or stalled tablet holds only itself: the session hands a
message over in O(1) and never awaits a tablet.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import hashlib
import json
import logging
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from classroom_console.http_guard import bound_port, head_clock, listen
from classroom_console.thread_results import settle_from_thread

from .limits import AddressGuard, Bucket, Limits
from .ws_mask import early_frames
from .ws_mask import guard as guard_masks

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_DIR = Path(__file__).resolve().parent / "page"
STYLE_TAG = '<link rel="stylesheet" href="/tablet.css">'
SCRIPT_TAG = '<script src="/tablet.js"></script>'
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Vary": "Accept-Encoding",
}


def build_page(html: str, css: str, js: str) -> tuple[bytes, str]:
    """The page as one response, its style and script inlined (one round trip for a tablet on a slow Wi-Fi),
    and the Content-Security-Policy that allows exactly those two by hash: an injected tag can neither run
    nor load anything, and the page's only connection is its own socket."""
    if STYLE_TAG not in html or SCRIPT_TAG not in html:
        raise ValueError("the tablet page has lost its style or script tag")
    if "</style" in css.lower() or "</script" in js.lower():
        raise ValueError("the tablet page's style or script would end its own tag")
    page = html.replace(STYLE_TAG, f"<style>{css}</style>").replace(SCRIPT_TAG, f"<script>{js}</script>")

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    policy = (f"default-src 'none'; script-src {digest(js)}; style-src {digest(css)}; connect-src 'self'; "
              "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return page.encode(), policy


def text_frame(text: str) -> bytes:
    """One unmasked WebSocket text frame (RFC 6455, 5.2), as a server sends it. A broadcast builds it once
    and writes the same bytes to every tablet: no task, no copy and no encoding per tablet."""
    return _frame(0x81, text.encode())


def pong_frame(data: bytes) -> bytes:
    """The answer to a ping, written like any other message (a control frame's payload is at most 125 bytes)."""
    return _frame(0x8A, data)


def _frame(head: int, data: bytes) -> bytes:
    n = len(data)
    if n < 126:
        return bytes((head, n)) + data
    if n < 1 << 16:
        return struct.pack("!BBH", head, 126, n) + data
    return struct.pack("!BBQ", head, 127, n) + data


class Tablet:
    """One WebSocket: its address, its rate bucket and the seat it took (if any).

    Messages go straight onto its transport (``send_frame``), never awaited; a tablet whose unread bytes pass
    ``send_buffer_bytes`` is not reading (gone from the Wi-Fi, or hostile) and is cut off at once, so it holds
    nothing but its own buffer. It rejoins its seat when it can read again.
    """

    def __init__(self, ws: web.WebSocketResponse, address: str, limits: Limits,
                 transport: asyncio.Transport | None = None) -> None:
        self.ws, self.address, self.transport = ws, address, transport
        self.bucket = Bucket(limits.messages_per_s, limits.message_burst)
        self.max_buffer = limits.send_buffer_bytes
        self.drops = 0
        self.seat: Any = None  # the session's Seat once joined
        self.closing = False
        self._closer: asyncio.Task[None] | None = None

    def send_frame(self, frame: bytes) -> None:
        transport = self.transport
        if self.closing or transport is None or transport.is_closing():
            return
        if transport.get_write_buffer_size() + len(frame) > self.max_buffer:
            log.info("tablet %s does not read its messages: cut off", self.address)
            self.abort()
            return
        transport.write(frame)

    def send(self, text: str) -> None:
        self.send_frame(text_frame(text))

    def send_json(self, message: dict[str, Any]) -> None:
        self.send(json.dumps(message, separators=(",", ":"), ensure_ascii=False))

    def close(self, code: int = WSCloseCode.OK) -> None:
        """A clean close (the close frame follows what was sent before it)."""
        if self.closing:
            return
        self.closing = True
        self._closer = asyncio.get_running_loop().create_task(self._close(code))

    def abort(self) -> None:
        """Drop the connection now: a close frame would wait behind the unread bytes."""
        self.closing = True
        if self.transport is not None:
            self.transport.abort()

    async def _close(self, code: int) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.ws.close(code=code)

    async def finished(self) -> None:
        self.close()
        closer = self._closer
        if closer is None or closer.done():
            return
        try:
            async with asyncio.timeout(2.0):
                await asyncio.shield(closer)
        except TimeoutError:
            closer.cancel()
            self.abort()


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
        self._page: tuple[bytes, bytes, dict[str, str]] = (b"", b"", {})
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None

    async def start(self) -> None:
        self._page = await _off_the_loop(self._read_page)
        app = web.Application(client_max_size=self.limits.max_message_bytes, middlewares=[head_clock])
        app.router.add_get("/", self._file)
        app.router.add_get("/ws", self._socket)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        self._listener = await listen(runner, self.limits, self.host, self.port)
        self._runner = runner
        self.port = bound_port(self._listener)

    async def stop(self, goodbye: str | None = None) -> None:
        """Tell every tablet ``goodbye`` (a JSON text), close them all, stop listening."""
        runner, self._runner = self._runner, None
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        tablets = list(self.tablets)
        for tablet in tablets:
            if goodbye is not None:
                tablet.send(goodbye)
            tablet.close(WSCloseCode.GOING_AWAY)
        await asyncio.gather(*(t.finished() for t in tablets), return_exceptions=True)
        if runner is not None:
            await runner.cleanup()
        if listener is not None:
            await listener.wait_closed()

    def broadcast(self, text: str, where: Callable[[Tablet], bool] | None = None) -> int:
        """Send ``text`` to every joined tablet (or those ``where`` picks); returns how many."""
        return self.broadcast_frame(text_frame(text), where)

    def broadcast_frame(self, frame: bytes, where: Callable[[Tablet], bool] | None = None) -> int:
        """Write the same frame(s) to every joined tablet: one write each, never awaited."""
        sent = 0
        for tablet in self.tablets:
            if tablet.seat is not None and (where is None or where(tablet)):
                tablet.send_frame(frame)
                sent += 1
        return sent

    def _read_page(self) -> tuple[bytes, bytes, dict[str, str]]:
        html, css, js = ((self.page_dir / name).read_text(encoding="utf-8")
                         for name in ("index.html", "tablet.css", "tablet.js"))
        body, policy = build_page(html, css, js)
        return body, gzip.compress(body, 9, mtime=0), {**HEADERS, "Content-Security-Policy": policy}

    async def _file(self, request: web.Request) -> web.Response:
        body, packed, headers = self._page
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            return web.Response(body=packed, headers={**headers, "Content-Encoding": "gzip"})
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
        # autoping off: a ping is a message like the others, against the tablet's bucket (aiohttp answered every
        # one: E3 had 49,600 answered in 4.2 s); the heartbeat still works, any bytes from the tablet reset it.
        if early_frames(request):
            self.refused["bad"] += 1
            return web.Response(status=400, text="frames before the handshake's answer")
        ws = web.WebSocketResponse(max_msg_size=self.limits.max_message_bytes, heartbeat=self.limits.heartbeat_s,
                                   compress=False, timeout=1.0,  # a tablet that never answers our close
                                   autoping=False)
        await ws.prepare(request)
        masks = guard_masks(request, address)  # at once: no byte may reach aiohttp's parser unchecked
        self.guard.opened(address)
        transport = request.transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is not None:  # a fixed kernel buffer: a tablet that stops reading is found in kilobytes, not MBs
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.limits.kernel_buffer_bytes)
        tablet = Tablet(ws, address, self.limits, transport)
        self.tablets.add(tablet)
        try:
            await self._read(tablet)
        finally:
            if masks is not None and masks.refused:
                self.refused["bad"] += 1
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
            if msg.type == WSMsgType.PING:
                tablet.send_frame(pong_frame(msg.data))
                continue
            if msg.type == WSMsgType.PONG:  # the heartbeat's answer (or one nobody asked for): counted, no more
                continue
            message = _parse(msg)
            if message is None:
                self.refused["bad"] += 1
                tablet.drops += 1
                if tablet.drops >= limits.drops_before_close:  # garbage at any rate ends the same way
                    tablet.close(WSCloseCode.POLICY_VIOLATION)
                    return
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
    except (ValueError, RecursionError):  # 4 KB of '[' nests deeper than the parser recurses
        return None
    return data if isinstance(data, dict) and isinstance(data.get("t"), str) else None
