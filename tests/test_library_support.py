"""Shared pieces for the library tests: a real MP4 and JPEGs made by ffmpeg, a room that recorded a lecture
with chapters, and a centre on loopback that received it through the room's real sync."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from classroom_console.centre.server import CentreServer
from classroom_console.centre.tokens import STAFF
from classroom_console.media.chapters import Chapter
from classroom_console.media.chapters_store import replace_all
from classroom_console.store import AsyncStore, Store
from classroom_console.sync.meta import LANGUAGE, PUBLISH_ON_UPLOAD
from tests.test_sync_support import add_token, engine_for, running_centre

COURSE = "Физика 101"
LECTURER = "Dr Ada <Lovelace>"
CHAPTERS = (0.0, "Введение"), (2.0, "Second slide & more"), (4.0, "Итоги")


def ffmpeg(*args: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg (scripts/setup.sh installs it)")
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=120)


def make_mp4(path: Path, seconds: float = 6.0, size: str = "320x180", rate: str = "25") -> Path:
    """H.264 + AAC, moov first: what a browser plays from range requests."""
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}", "-f", "lavfi", "-i", "sine=frequency=440",
           "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", rate,
           "-c:a", "aac", "-movflags", "+faststart", str(path))
    return path


def make_jpeg(path: Path, colour: str) -> bytes:
    ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:size=320x180", "-frames:v", "1", str(path))
    return path.read_bytes()


@dataclass
class Lecture:
    recording_id: str
    path: Path
    sha256: str


def add_lecture(store: Store, mp4: Path, thumbs: list[bytes], *, title_course: str = COURSE,
                lecturer: str = LECTURER, seconds: float = 6.0) -> Lecture:
    """A session, its recording (the real file) and chapters with thumbnails, as the Studio leaves them."""
    store.upsert_room("room:A", "A")
    sid = store.start_session(room_id="room:A", lecturer=lecturer, course=title_course)
    data = mp4.read_bytes()
    rid = store.add_recording(sid, str(mp4))
    sha = hashlib.sha256(data).hexdigest()
    store.finish_recording(rid, duration_s=seconds, size_bytes=len(data), sha256=sha)
    store.end_session(sid)
    replace_all(store, rid, [Chapter(start, title, "auto", thumb)
                             for (start, title), thumb in zip(CHAPTERS, thumbs, strict=True)])
    return Lecture(rid, mp4, sha)


def set_room(store: Store, publish_on_upload: bool, language: str = "ru") -> None:
    for key, value in ((PUBLISH_ON_UPLOAD, "1" if publish_on_upload else "0"), (LANGUAGE, language)):
        store.db.execute("INSERT INTO sync_settings (key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


@dataclass
class LibraryCentre:
    server: CentreServer
    room_token: str
    staff_token: str
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return self.server.url

    async def sync(self, store: AsyncStore) -> None:
        engine = engine_for(store, self.url, self.room_token)
        try:
            result = await engine.run_once(force=True)
        finally:
            await engine.close()
        assert result.failed == 0 and not result.offline, result

    async def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token or self.staff_token}", **kw.pop("headers", {})}
        async with self.http.request(method, f"{self.url}/api/v1{path}", headers=headers, **kw) as resp:
            return resp.status, await resp.json(content_type=None)

    async def listing(self) -> list[dict[str, Any]]:
        status, body = await self.api("GET", "/library")
        assert status == 200, body
        return list(body["recordings"])

    async def publish(self, room: str, rid: str, published: bool, token: str | None = None) -> int:
        status, _ = await self.api("POST", "/library/publish", token,
                                   json={"room": room, "id": rid, "published": published})
        return status

    async def get(self, path: str, **kw: Any) -> tuple[int, bytes, dict[str, str]]:
        async with self.http.get(f"{self.url}{path}", allow_redirects=False, **kw) as resp:
            return resp.status, await resp.read(), dict(resp.headers)


@contextlib.asynccontextmanager
async def library_centre(data: Path, **options: Any) -> AsyncIterator[LibraryCentre]:
    async with running_centre(data, **options) as server, aiohttp.ClientSession() as http:
        room = await add_token(server, "Room 101")
        staff = await add_token(server, "Centre staff", STAFF)
        yield LibraryCentre(server, room, staff, http)
