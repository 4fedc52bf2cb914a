"""The console's own web server for LAN HLS: the playlist, the segments and a page that plays them.

It runs on the event loop and only hands out bytes already made: the segments and playlist are the output's
latest ``HlsSnapshot`` (muxed on the output's thread), hls.js is read once at start, off the loop, and the page is
made then in each language (``hls_page.py``), one chosen per request by the browser's Accept-Language.
A slow viewer holds only its own connection, and an address only so many (``ViewerLimits``); nothing it does
reaches the encoder, the file or another output.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from classroom_console.cli_text import from_accept_language
from classroom_console.discovery_scope import SCOPE_LIMIT_ENV, Scope
from classroom_console.http_guard import bound_port, close_listening, head_clock, listen
from classroom_console.network import local_ipv4_addresses

from .hls_page import pages
from .offload import offload
from .output_hls import PLAYLIST, HlsOutput

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "live"
PAGE = "index.html"
PLAYER = "hls.light.min.js"
PREFIX = "/live/"
_TYPES = {PAGE: "text/html; charset=utf-8", PLAYER: "text/javascript; charset=utf-8"}
_NO_STORE = {"Cache-Control": "no-cache, no-store", "Access-Control-Allow-Origin": "*"}
_SEGMENT = {"Cache-Control": "max-age=60", "Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True, slots=True)
class ViewerLimits:
    """Per viewer address (``http_guard``): a hall behind one NAT address plays through a few connections a viewer;
    a request head must be whole this soon (a slowloris held every viewer out and the console's descriptors)."""

    connections_per_client: int = 200
    header_timeout_s: float = 10.0


class HlsServer:
    """Serves whichever ``HlsOutput`` is ``source`` now (None: the playlist is 404, the page still loads)."""

    def __init__(self, host: str = "0.0.0.0", port: int = 8088, source: HlsOutput | None = None,
                 assets: Path = ASSETS) -> None:
        self.host, self.port = host, port
        self.source = source
        self.assets = assets
        self._files: dict[str, bytes] = {}
        self._pages: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self.limits = ViewerLimits()

    @property
    def playlist_path(self) -> str:
        return PREFIX + PLAYLIST

    def url(self, host: str | None = None) -> str:
        """The playlist's URL as a viewer on ``host`` (default: the address bound) would type it."""
        return f"http://{host or self.host}:{self.port}{self.playlist_path}"

    def viewer_url(self) -> str:
        """The URL a viewer on the LAN would type: the address bound, or this PC's first LAN address."""
        if self.host not in ("0.0.0.0", "", "::"):
            return self.url()
        lan = [] if os.environ.get(SCOPE_LIMIT_ENV) == Scope.LOOPBACK else local_ipv4_addresses()
        return self.url(lan[0] if lan else "127.0.0.1")

    async def start(self) -> None:
        """Binds at once (an address in use is an OSError here, not later); ``port`` 0 takes a free one."""
        self._files = await offload(self._read_assets, "hls-assets")
        self._pages = pages()
        app = web.Application(middlewares=[head_clock])
        app.router.add_get("/live", self._redirect)
        app.router.add_get(PREFIX, self._page)
        app.router.add_get(PREFIX + "{name}", self._file)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self._listener = await listen(runner, self.limits, self.host, self.port)
        self._runner = runner
        self.port = bound_port(self._listener)  # the bound port, when 0 was asked for

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        listener, self._listener = self._listener, None
        await close_listening(listener, runner)

    def _read_assets(self) -> dict[str, bytes]:
        files = {}
        for name in (PLAYER,):
            try:
                files[name] = (self.assets / name).read_bytes()
            except OSError:  # no hls.js: the page falls back to the browser's own HLS
                log.warning("HLS page asset %s is missing", self.assets / name)
        return files

    # -- handlers (on the loop: only bytes already made) ---------------------------------------
    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(PREFIX)

    async def _page(self, request: web.Request) -> web.StreamResponse:
        lang = from_accept_language(request.headers.get("Accept-Language", ""), request.query.get("lang", ""))
        return web.Response(body=self._pages[lang], content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-cache", "Content-Language": lang,
                                     "Vary": "Accept-Language"})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == PAGE:
            return await self._page(request)
        if name in _TYPES:
            return self._static(request, name)
        source = self.source
        if source is None:
            raise web.HTTPNotFound(text="no live stream now")
        snapshot = source.snapshot
        if name == PLAYLIST:
            if snapshot.playlist is None:
                raise web.HTTPNotFound(text="the stream is starting", headers=_NO_STORE)
            return self._send(request, source, snapshot.playlist, "application/vnd.apple.mpegurl", _NO_STORE)
        data = snapshot.segments.get(name)
        if data is None:
            raise web.HTTPNotFound(text="no such segment (it may have left the window)")
        return self._send(request, source, data, "video/mp2t", _SEGMENT)

    def _static(self, request: web.Request, name: str) -> web.StreamResponse:
        data = self._files.get(name)
        if data is None:
            raise web.HTTPNotFound()
        return web.Response(body=data, content_type=_TYPES[name].split(";")[0], charset=_charset(_TYPES[name]),
                            headers={"Cache-Control": "max-age=300"})

    @staticmethod
    def _send(request: web.Request, source: HlsOutput, data: bytes, content_type: str,
              headers: dict[str, str]) -> web.Response:
        source.served(request.remote or "?", len(data))
        return web.Response(body=data, content_type=content_type, headers=headers)


def _charset(content_type: str) -> str | None:
    _, _, rest = content_type.partition("charset=")
    return rest or None
