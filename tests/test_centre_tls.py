"""The centre over TLS when given a certificate: the sync trusts it via --cafile; plain HTTP is not served."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import aiohttp
import pytest

from classroom_console.store import AsyncStore
from tests.test_sync_support import add_token, engine_for, fill_room, running_centre


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


async def test_sync_over_tls(tmp_path: Path, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=2, recording_bytes=100_000))
        async with running_centre(tmp_path / "centre", cert=cert, key=key) as centre:
            assert centre.url.startswith("https://")
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, token, cafile=str(cert))
            try:
                result = await engine.run_once()
            finally:
                await engine.close()
            assert (result.uploaded, result.failed, result.pending) == (3, 0, 0)
            async with aiohttp.ClientSession() as http:
                with pytest.raises(aiohttp.ClientError):
                    await http.get(f"http://127.0.0.1:{centre.port}/api/v1/ping")
            untrusted = engine_for(store, centre.url, token)  # the system CAs do not know this certificate
            try:
                await store.call(lambda s: s.db.execute("UPDATE upload_queue SET state = 'pending'"))
                refused = await untrusted.run_once()
            finally:
                await untrusted.close()
            assert refused.offline and "certificate" in refused.offline.lower()
    finally:
        await store.close()
