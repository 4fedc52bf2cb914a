"""The library's API (under ``/api/v1``, so the centre's token check applies).

* ``PUT /recordings/{id}/meta`` (a room): what the recording is about and its chapters (``rev`` and a list
  of ``{start_s, title, thumbnail_jpeg}``, see /work/briefs/chapters_api.md), sent again whenever they
  change; a list replaces the centre's when its ``rev`` is not older, so sending twice is harmless. The room's
  "publish on upload" is honoured when the recording is first described, never over staff's later choice.
* ``GET /library`` (staff: every room; a room: its own): recordings with published state, views, chapters.
* ``POST /library/publish`` (staff only): ``{"room", "id", "published"}``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import shutil
from pathlib import Path
from typing import Any

from aiohttp import web

from classroom_console.centre import validate as v
from classroom_console.centre.auth import API, who_is
from classroom_console.centre.bodies import JsonReader
from classroom_console.centre.failures import error
from classroom_console.centre.library import LIBRARY, Library
from classroom_console.centre.payloads import FILE_ID_RE, check_id
from classroom_console.centre.tokens import STAFF
from classroom_console.store import utc_iso

META_BYTES = 8 << 20  # chapters with their thumbnails
MAX_CHAPTERS = 500
MAX_THUMB = 256 << 10
MAX_TEXT = 1000
_JPEG = b"\xff\xd8\xff"


def meta_row(body: Any) -> tuple[dict[str, Any], list[bytes | None], bool]:
    """The row's values, each chapter's thumbnail (JPEG bytes or None), and the room's publish-on-upload."""
    body = v.obj(body, "body")
    chapters: list[dict[str, Any]] = []
    thumbs: list[bytes | None] = []
    last = -1.0
    for i, c in enumerate(v.array(body.get("chapters") or [], "chapters", MAX_CHAPTERS)):
        c = v.obj(c, f"chapters[{i}]")
        start = v.number(c.get("start_s"), f"chapters[{i}].start_s", 0.0, 86400.0 * 30)
        if start < last:
            raise v.Invalid(f"chapters[{i}].start_s", "chapters must be in order of time")
        last = start
        title = v.text(c.get("title") or "", f"chapters[{i}].title", MAX_TEXT)
        thumb = c.get("thumbnail_jpeg")
        data: bytes | None = None
        if thumb is not None:
            if not isinstance(thumb, str) or len(thumb) > MAX_THUMB * 4 // 3 + 4:
                raise v.Invalid(f"chapters[{i}].thumbnail_jpeg", f"must be a base64 JPEG of at most {MAX_THUMB} bytes")
            try:
                data = base64.b64decode(thumb, validate=True)
            except (binascii.Error, ValueError):
                raise v.Invalid(f"chapters[{i}].thumbnail_jpeg", "is not base64") from None
            if not data.startswith(_JPEG):
                raise v.Invalid(f"chapters[{i}].thumbnail_jpeg", "is not a JPEG")
        chapters.append({"start_s": round(start, 3), "title": title, "thumbnail": data is not None})
        thumbs.append(data)
    row: dict[str, Any] = {n: v.text(body.get(n) or "", n, MAX_TEXT) for n in ("title", "course", "lecturer")}
    row["language"] = v.text(body.get("language") or "", "language", 35)
    row["rev"] = v.integer(body.get("rev") or 0, "rev")
    row["chapters"] = json.dumps(chapters, ensure_ascii=False, separators=(",", ":"))
    words = [row["title"], row["course"], row["lecturer"], *(c["title"] for c in chapters)]
    row["search"] = "\n".join(words).casefold()  # what the library's search looks in (LIKE, case-folded)
    publish = body.get("publish_on_upload", False)
    if not isinstance(publish, bool):
        raise v.Invalid("publish_on_upload", "must be true or false")
    return row, thumbs, publish


def _write_thumbs(folder: Path, thumbs: list[bytes | None]) -> None:
    """The whole set replaced: a chapter deleted in the Studio loses its picture here too."""
    fresh = folder.with_name(folder.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True, exist_ok=True)
    for n, data in enumerate(thumbs):
        if data is not None:
            (fresh / f"{n}.jpg").write_bytes(data)
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


class PublishApi:
    def __init__(self, library: Library, reader: JsonReader) -> None:
        self.library = library
        self.reader = reader

    async def put_meta(self, request: web.Request) -> web.Response:
        who = who_is(request)
        rid = check_id(request.match_info["recording_id"], FILE_ID_RE)
        row, thumbs, publish = await self.reader.read(request, META_BYTES, meta_row)
        lib = self.library
        key, taken = await lib.data.put_meta(who.name, rid, row, publish, utc_iso())
        if taken:
            await asyncio.to_thread(_write_thumbs, lib.files.thumb_dir(key), thumbs)
        lib.forget()
        return web.json_response({"id": rid, "key": key, "rev": row["rev"], "chapters_taken": taken})

    async def list(self, request: web.Request) -> web.Response:
        who = who_is(request)
        room = "" if who.role == STAFF else who.name
        rows = await self.library.data.staff_list(room)
        return web.json_response({"recordings": [r.as_json() for r in rows]})

    async def publish(self, request: web.Request) -> web.Response:
        who = who_is(request)
        if who.role != STAFF:
            return error(403, "only centre staff may publish or unpublish")
        body = await self.reader.read(request, 4096, lambda b: v.obj(b, "body"))
        room = v.text(body.get("room"), "room", MAX_TEXT, empty=False)
        rid = check_id(body.get("id"), FILE_ID_RE)
        published = body.get("published")
        if not isinstance(published, bool):
            return error(400, "published must be true or false")
        if not await self.library.data.set_published(room, rid, published, utc_iso()):
            return error(404, f"the centre holds no recording {rid!r} of room {room!r}")
        self.library.forget()
        return web.json_response({"room": room, "id": rid, "published": published})


def add_publishing(app: web.Application, reader: JsonReader) -> None:
    api = PublishApi(app[LIBRARY], reader)
    app.router.add_put(API + "/recordings/{recording_id}/meta", api.put_meta)
    app.router.add_get(API + "/library", api.list)
    app.router.add_post(API + "/library/publish", api.publish)
