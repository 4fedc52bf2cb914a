"""Running the centre service: open the database, listen (TLS when given a certificate), stop cleanly."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from classroom_console.centre.app import DEFAULT_MAX_FILE_BYTES, MAX_JSON_BYTES, build_app
from classroom_console.centre.backends import open_centre_db
from classroom_console.centre.db import CentreDB


@dataclass(slots=True)
class CentreOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    database_url: str | None = None
    cert: Path | None = None
    key: Path | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_json_bytes: int = MAX_JSON_BYTES


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
        self._runner: web.AppRunner | None = None
        self.port = options.port

    @property
    def url(self) -> str:
        scheme = "https" if self.options.cert else "http"
        return f"{scheme}://{self.options.host}:{self.port}"

    async def start(self) -> str:
        o = self.options
        self.db = await open_centre_db(o.data_dir, o.database_url)
        app = build_app(self.db, o.data_dir, o.max_file_bytes, o.max_json_bytes)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, o.host, o.port, ssl_context=server_ssl(o.cert, o.key), backlog=1024)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.db is not None:
            await self.db.close()
            self.db = None
