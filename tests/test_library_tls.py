"""The library through TLS (a centre given a certificate): ranges still byte-exact, many at once."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

from classroom_console.centre.library_db import public_key
from classroom_console.store import AsyncStore
from tests.test_centre_tls import certificate  # noqa: F401  (a fixture)
from tests.test_library_support import add_lecture, library_centre, make_jpeg, make_mp4
from tests.test_sync_support import engine_for


async def test_ranges_through_tls(tmp_path: Path, certificate: tuple[Path, Path]) -> None:  # noqa: F811
    cert, key = certificate
    mp4 = make_mp4(tmp_path / "lecture.mp4", seconds=3.0)
    data = mp4.read_bytes()
    thumbs = [make_jpeg(tmp_path / f"{n}.jpg", "gray") for n in range(3)]
    store = await AsyncStore.open(tmp_path / "room")
    try:
        lecture = await store.call(lambda s: add_lecture(s, mp4, thumbs))
        async with library_centre(tmp_path / "centre", cert=cert, key=key) as centre:
            engine = engine_for(store, centre.url, centre.room_token, cafile=str(cert))
            try:
                assert (await engine.run_once(force=True)).failed == 0
            finally:
                await engine.close()
            trust = ssl.create_default_context(cafile=str(cert))
            status, _ = await centre.api("POST", "/library/publish", ssl=trust,
                                         json={"room": "Room 101", "id": lecture.recording_id, "published": True})
            assert status == 200
            url = f"/library/media/{public_key('Room 101', lecture.recording_id)}.mp4"
            ranges = [(0, 99), (1000, 70_000), (len(data) - 10, len(data) - 1), (5, len(data) - 1)]

            async def fetch(start: int, end: int) -> bytes:
                status, body, _ = await centre.get(url, headers={"Range": f"bytes={start}-{end}"}, ssl=trust)
                assert status == 206
                return body

            bodies = await asyncio.gather(*(fetch(a, b) for a, b in ranges * 3))
            assert bodies == [data[a:b + 1] for a, b in ranges * 3]
    finally:
        await store.close()
