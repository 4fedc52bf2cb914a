"""Running the centre service: open the database, listen (TLS when given a certificate), stop cleanly.

The listening socket is ours, not an aiohttp site, so that every connection goes through ``guard``
(a cap per address, a deadline for each request head) before aiohttp's own handler sees it.

While it runs, the interpreter's thread switch interval is 1 ms instead of 5 ms: large bodies are decoded
and stored on worker threads, and with 5 ms the event loop waited up to 5 ms for the GIL at every turn,
so another room's ping took 100-130 ms during three 15 MB uploads; at 1 ms its p99 was 22 ms (measured).

And the objects alive once it has started (modules, classes, the app: some 44,000) are moved out of the
cyclic garbage collector's sight (``gc.freeze``) until the last centre in the process stops: every
collection walked them again, 0.39 ms per 40-event upload at 200 rooms, against 0.10 ms frozen (measured).
"""

from __future__ import annotations

import asyncio
import gc
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from classroom_console.centre import usage_process, usage_site
from classroom_console.centre.app import DEFAULT_MAX_FILE_BYTES, USES, build_app
from classroom_console.centre.backends import open_centre_db
from classroom_console.centre.db import CentreDB
from classroom_console.centre.limits import Limits
from classroom_console.http_guard import ConnectionGuard, close_listening

SWITCH_INTERVAL_S = 0.001


class _ProcessTuning:
    """While any centre runs in this process: a 1 ms switch interval, and what it started with frozen (gc).

    The interpreter's own switch interval, and a collector that sees everything, again after the last stops.
    """

    running = 0
    saved = 0.005

    @classmethod
    def enter(cls) -> None:
        if cls.running == 0:
            cls.saved = sys.getswitchinterval()
            sys.setswitchinterval(min(cls.saved, SWITCH_INTERVAL_S))
        cls.running += 1

    @classmethod
    def started(cls) -> None:
        """What a started centre holds lives as long as it: the collector need not walk it at every turn."""
        gc.freeze()

    @classmethod
    def leave(cls) -> None:
        cls.running -= 1
        if cls.running == 0:
            sys.setswitchinterval(cls.saved)
            gc.unfreeze()  # collectable again: another program in this process (a test) may have made garbage


@dataclass(slots=True)
class CentreOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    database_url: str | None = None
    cert: Path | None = None
    key: Path | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    limits: Limits = field(default_factory=Limits)
    files_dir: Path | None = None  # the recordings' store, shared by every process of one centre; else data_dir
    database_password: str | None = None  # from the configuration's password file; else PGPASSWORD or ~/.pgpass


def server_ssl(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    if cert is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class CentreServer:
    """One service in this process; ``port=0`` picks a free port (tests, benchmarks)."""

    def __init__(self, options: CentreOptions) -> None:
        self.options = options
        self.db: CentreDB | None = None
        self.guard: ConnectionGuard | None = None
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self.usage_site: usage_site.UsageSite | None = None  # usage requests on the reports' own loop
        self.usage_process: usage_process.UsageProcess | None = None  # or in a process of their own (PostgreSQL)
        self.port = options.port
        self._fast_switch = False

    @property
    def url(self) -> str:
        scheme = "https" if self.options.cert else "http"
        return f"{scheme}://{self.options.host}:{self.port}"

    async def start(self) -> str:
        o = self.options
        limits = o.limits
        if not self._fast_switch:
            self._fast_switch = True
            _ProcessTuning.enter()
        self.db = await open_centre_db(o.data_dir, o.database_url, o.database_password)
        try:
            app = build_app(self.db, o.files_dir or o.data_dir, o.max_file_bytes, limits)
            self._runner = web.AppRunner(
                app, access_log=None, shutdown_timeout=5.0,
                keepalive_timeout=limits.keepalive_s, lingering_time=limits.lingering_s,
            )
            await self._runner.setup()
            server = self._runner.server
            assert server is not None
            self.guard = ConnectionGuard(limits, server)
            loop = asyncio.get_running_loop()
            context = server_ssl(o.cert, o.key)
            self._listener = await loop.create_server(
                self.guard, o.host, o.port, ssl=context, backlog=1024, reuse_address=True,
                ssl_handshake_timeout=limits.header_timeout_s if context else None,
            )
            self.port = int(self._listener.sockets[0].getsockname()[1])
            if o.database_url and usage_site.socket_path(o.data_dir, self.port) is not None:
                # The socket served here until a request reaches it, then by a child (``usage_process``: lazy); where
                # it cannot be made here (logged) usage is answered on the port.
                db, uses = self.db, app[USES]
                child = usage_process.UsageProcess(
                    o.database_url, o.database_password, o.data_dir, self.port, limits,
                    here=lambda asked: usage_site.start(db, uses, limits, o.data_dir, self.port, asked), lazy=True)
                try:
                    if await child.start():
                        self.usage_process = child
                except BaseException:
                    await child.stop()
                    raise
            else:
                self.usage_site = await usage_site.start(self.db, app[USES], limits, o.data_dir, self.port)
        except BaseException:
            await self.stop()
            raise
        _ProcessTuning.started()
        return self.url

    async def stop(self) -> None:
        if self.usage_process is not None:
            await self.usage_process.stop()
            self.usage_process = None
        if self.usage_site is not None:
            await self.usage_site.stop()
            self.usage_site = None
        listener, runner, self._listener, self._runner = self._listener, self._runner, None, None
        await close_listening(listener, runner)
        if self.db is not None:
            await self.db.close()
            self.db = None
        if self._fast_switch:
            self._fast_switch = False
            _ProcessTuning.leave()
