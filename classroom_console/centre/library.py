"""The library web pages under ``/library/``, served by the centre's own aiohttp app (``add_library``).

Only what is published *and* fully received is visible; anything else is 404 (never 403: an unpublished
lecture is not admitted to exist). Path parameters are matched by pattern, then looked up in the database;
files are named from the database row and checked to lie inside the data folder before they are opened.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from aiohttp import web

from classroom_console.centre.db import CentreDB, Identity
from classroom_console.centre.files import Uploads
from classroom_console.centre.library_access import AccessGate
from classroom_console.centre.library_db import Lecture, LibraryData
from classroom_console.centre.library_files import LibraryFiles
from classroom_console.centre.library_media import OpenFiles, send_file
from classroom_console.centre.library_pages import PREFIX, index_page, message_page, player_page, token_page
from classroom_console.centre.library_text import choose
from classroom_console.centre.tokens import ROOM, folder_for

KEY_RE = re.compile(r"^[0-9a-f]{20}$")
TRACK_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,120}$")
NUMBER_RE = re.compile(r"^\d{1,4}$")
ASSETS = Path(__file__).resolve().parents[2] / "assets" / "library"
_STATIC_TYPES = {"library.css": "text/css", "player.js": "text/javascript"}
LOOKUP_TTL_S = 2.0  # a lecture looked up serves its media requests this long (a video asks many ranges)
HTML = "text/html"
_PAGE_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
                 "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                                            "object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
                 "Referrer-Policy": "same-origin"}


def _lang(request: web.Request) -> str:
    return choose(request.headers.get("Accept-Language", ""), request.query.get("lang", ""))


def _html(text: str, status: int = 200, **headers: str) -> web.Response:
    return web.Response(text=text, status=status, content_type=HTML, charset="utf-8",
                        headers={**_PAGE_HEADERS, **headers})


class Library:
    """The pages, the media and the static files; ``gate`` decides who may read."""

    def __init__(self, db: CentreDB, uploads: Uploads, data_dir: Path) -> None:
        self.data = LibraryData(db)
        self.uploads = uploads
        self.files = LibraryFiles(uploads.root)
        self.gate = AccessGate(self.data)
        self._static: dict[str, bytes] = {}
        self.open_files = OpenFiles()
        self._paths: dict[str, Path | None] = {}
        self._lookups: dict[str, tuple[float, asyncio.Future[Lecture | None]]] = {}

    async def load(self) -> None:
        def read() -> dict[str, bytes]:
            return {name: (ASSETS / name).read_bytes() for name in _STATIC_TYPES}

        self._static = await asyncio.to_thread(read)

    def forget(self) -> None:
        """Publishing changed: no media request may use a lookup made before."""
        self._lookups.clear()

    async def lecture(self, key: str, fresh: bool = False) -> Lecture | None:
        """By its public key, published and complete, or None; ``key`` is checked before any SQL sees it.

        One question to the database at a time per key: the requests that arrive while it is asked share
        its answer (a hundred viewers' ranges once made a hundred queries each second).
        """
        if not KEY_RE.match(key):
            return None
        loop = asyncio.get_running_loop()
        now = loop.time()
        cached = self._lookups.get(key)
        if cached is not None and not (fresh and cached[1].done()) and now - cached[0] < LOOKUP_TTL_S:
            return await asyncio.shield(cached[1])
        if len(self._lookups) > 10_000:
            self._lookups.clear()
        asked: asyncio.Future[Lecture | None] = asyncio.ensure_future(self.data.lecture(key))
        self._lookups[key] = (now, asked)
        try:
            return await asyncio.shield(asked)
        except Exception:
            if self._lookups.get(key, (0.0, None))[1] is asked:
                del self._lookups[key]  # a failed question is not remembered
            raise

    def recording_path(self, lecture: Lecture) -> Path | None:
        """The stored file, checked to lie inside the file store; made once per lecture (it never moves)."""
        if lecture.key not in self._paths:
            if len(self._paths) > 10_000:
                self._paths.clear()
            made = self.uploads.path(Identity(lecture.room, ROOM, folder_for(lecture.room)), lecture.id)
            self._paths[lecture.key] = self.files.inside(made)
        return self._paths[lecture.key]

    # handlers

    async def redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(PREFIX)

    async def index(self, request: web.Request) -> web.StreamResponse:
        lang = _lang(request)
        q = request.query.get("q", "")[:200]
        raw_course = request.query.get("course")
        course = None if not raw_course else raw_course.strip()[:1000]  # " ": the lectures without a course
        courses = await self.data.courses()
        if q or course is not None:
            lectures = await self.data.search(q, course)
        else:
            lectures = await self.data.search("", None, limit=60)
        return _html(index_page(lang, courses, lectures, q, course))

    async def watch(self, request: web.Request) -> web.StreamResponse:
        lang = _lang(request)
        lecture = await self.lecture(request.match_info["key"], fresh=True)
        if lecture is None:
            return self.not_found(request)
        if request.method == "GET":
            await self.data.count_view(lecture.key)
        return _html(player_page(lang, lecture))

    def not_found(self, request: web.Request) -> web.Response:
        lang = _lang(request)
        return _html(message_page(lang, "Not found", "There is no such lecture here."), 404)

    async def media(self, request: web.Request) -> web.StreamResponse:
        lecture = await self.lecture(request.match_info["key"])
        if lecture is None:
            return self.not_found(request)
        path = self.recording_path(lecture)
        if path is None:
            return self.not_found(request)
        name = None
        if request.query.get("download"):
            name = f"{lecture.title or lecture.id}.mp4"
        return await send_file(request, path, "video/mp4", name, files=self.open_files)

    async def track(self, request: web.Request) -> web.StreamResponse:
        lecture = await self.lecture(request.match_info["key"])
        track_id = request.match_info["track"]
        if lecture is None or not TRACK_RE.match(track_id) or track_id not in {t[0] for t in lecture.tracks}:
            return self.not_found(request)
        path = self.files.inside(self.files.track_path(folder_for(lecture.room), track_id))
        if path is None:
            return self.not_found(request)
        return await send_file(request, path, "video/mp4", files=self.open_files)

    async def thumb(self, request: web.Request) -> web.StreamResponse:
        lecture = await self.lecture(request.match_info["key"])
        number = request.match_info["n"]
        if lecture is None or not NUMBER_RE.match(number):
            return self.not_found(request)
        n = int(number)
        if n >= len(lecture.chapters) or not lecture.chapters[n].thumbnail:
            return self.not_found(request)
        path = self.files.inside(self.files.thumb_path(lecture.key, n))
        if path is None:
            return self.not_found(request)
        return await send_file(request, path, "image/jpeg")

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        data = self._static.get(name)
        if data is None:
            return self.not_found(request)
        return web.Response(body=data, content_type=_STATIC_TYPES[name], charset="utf-8",
                            headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})

    async def token_form(self, request: web.Request, wrong: bool) -> web.StreamResponse:
        return _html(token_page(_lang(request), wrong), 401)


LIBRARY = web.AppKey("library", Library)


def add_library(app: web.Application, db: CentreDB, uploads: Uploads, data_dir: Path) -> Library:
    """Register ``/library/`` on the centre's app (its own routes; the API's token check does not apply)."""
    library = Library(db, uploads, data_dir)
    app[LIBRARY] = library

    async def load(_: web.Application) -> None:
        await library.load()

    async def close(_: web.Application) -> None:
        await library.open_files.close()

    app.on_startup.append(load)
    app.on_cleanup.append(close)
    gate = library.gate
    r = app.router
    r.add_get("/library", library.redirect)
    r.add_get(PREFIX, gate.guarded(library.index, library.token_form))
    r.add_get(PREFIX + "watch/{key}", gate.guarded(library.watch, library.token_form))
    r.add_get(PREFIX + "media/{key}.mp4", gate.guarded(library.media, library.token_form))
    r.add_get(PREFIX + "media/{key}/{track}.mp4", gate.guarded(library.track, library.token_form))
    r.add_get(PREFIX + "thumb/{key}/{n}.jpg", gate.guarded(library.thumb, library.token_form))
    r.add_get(PREFIX + "static/{name}", library.static)
    return library

