"""A usage report goes gzipped to a client that accepts it (``centre/gzipped.py``), the same JSON once unpacked, and
plain to one that does not; each report is compressed once however many ask. Real centres (SQLite on the port,
PostgreSQL on its usage socket), real HTTP."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

import aiohttp
import pytest

from classroom_console.centre import usage_site
from classroom_console.centre.app import GZIPPED
from classroom_console.centre.gzipped import accepts_gzip
from classroom_console.centre.payloads import session_rows
from classroom_console.centre.tokens import STAFF
from tests.test_centre_api import auth, session_body
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_sync_support import add_token, running_centre

BOUND_S = 30.0


async def _get(http: aiohttp.ClientSession, url: str, token: str, encoding: str | None) -> tuple[int, str, bytes]:
    headers = auth(token) | ({"Accept-Encoding": encoding} if encoding is not None else {})
    async with http.get(url, headers=headers) as r:
        return r.status, r.headers.get("Content-Encoding", ""), await r.read()


@pytest.mark.parametrize("on_postgres", [False, True], ids=["sqlite-port", "postgres-socket"])
async def test_the_report_is_gzipped_for_a_client_that_accepts_it(
        on_postgres: bool, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    options = {"database_url": request.getfixturevalue("postgres_url")} if on_postgres else {}
    async with running_centre(tmp_path / "c", **options) as centre:
        assert centre.db is not None
        staff = await add_token(centre, "Gzip staff", STAFF)
        for n in range(3):
            await centre.db.store_session(session_rows("room-g", f"g{n}", session_body(f"g{n}", 20), "2026-01-01"))
        if on_postgres:
            path = usage_site.socket_path(tmp_path / "c", centre.port)
            assert path is not None
            connector: aiohttp.BaseConnector = aiohttp.UnixConnector(path=str(path))
            url = "http://centre/api/v1/usage"
        else:
            connector, url = aiohttp.TCPConnector(), f"{centre.url}/api/v1/usage"
        async with aiohttp.ClientSession(connector=connector, auto_decompress=False,
                                         skip_auto_headers=["Accept-Encoding"]) as http, asyncio.timeout(BOUND_S):
            status, encoding, plain = await _get(http, url, staff, None)
            assert (status, encoding) == (200, "") and b'"sessions": 3' in plain
            for accepted in ("gzip, deflate", "br;q=1.0, gzip;q=0.5", "*"):
                status, encoding, packed = await _get(http, url, staff, accepted)
                assert (status, encoding) == (200, "gzip"), accepted
                assert gzip.decompress(packed) == plain and len(packed) < len(plain) // 2
            for refused in ("identity", "gzip;q=0", "deflate"):
                assert (await _get(http, url, staff, refused))[1:] == ("", plain), refused
        if not on_postgres:  # (the socket's app is in the usage process)
            assert centre._runner is not None
            assert centre._runner.app[GZIPPED].made == 1  # one report, compressed once for three asks


def test_accept_encoding_is_read_as_http_says() -> None:
    assert accepts_gzip("gzip") and accepts_gzip("GZIP;q=0.1") and accepts_gzip("deflate, *;q=0.5")
    assert not accepts_gzip("") and not accepts_gzip("gzip;q=0") and not accepts_gzip("gzip;q=0.000")
    assert not accepts_gzip("x-gzip2, deflate") and not accepts_gzip("gzip;q=nonsense")
