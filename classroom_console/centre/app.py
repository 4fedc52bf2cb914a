"""The centre's HTTP API (aiohttp): rooms send sessions and recordings; staff read the aggregated usage."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from classroom_console.centre.db import CentreDB, Identity
from classroom_console.centre.files import OffsetConflict, TooLarge, Uploads
from classroom_console.centre.payloads import FILE_ID_RE, ID_RE, check_id, recording_row, session_rows
from classroom_console.centre.tokens import STAFF, token_hash
from classroom_console.store import utc_iso
from classroom_console.usage_model import UsageFilter

log = logging.getLogger(__name__)

API = "/api/v1"
MAX_JSON_BYTES = 32 << 20  # a session with a very long event log still fits; more is refused (413)
DEFAULT_MAX_FILE_BYTES = 64 << 30
READ_BLOCK = 1 << 20
WHO = web.AppKey("who", dict)
DB = web.AppKey("db", CentreDB)
UPLOADS = web.AppKey("uploads", Uploads)
MAX_FILE = web.AppKey("max_file", int)
# aiohttp >= 3.12 types request storage keys; older versions take a plain string.
WHO_KEY: Any = web.RequestKey("who", Identity) if hasattr(web, "RequestKey") else "who"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every API call carries a bearer token; the room it names is the only room it may touch."""
    if not request.path.startswith(API):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, "a bearer token is required", **{"WWW-Authenticate": "Bearer"})
    digest = token_hash(token.strip())
    cache: dict[str, Identity] = request.app[WHO]
    who = cache.get(digest)
    if who is None:
        who = await request.app[DB].identity(digest)
        if who is None:
            return _error(401, "unknown token", **{"WWW-Authenticate": 'Bearer error="invalid_token"'})
        cache[digest] = who
    request[WHO_KEY] = who
    return await handler(request)


def _who(request: web.Request) -> Identity:
    who: Identity = request[WHO_KEY]
    return who


async def ping(request: web.Request) -> web.Response:
    who = _who(request)
    return web.json_response({"room": who.name, "role": who.role})


async def put_session(request: web.Request) -> web.Response:
    who = _who(request)
    try:
        session_id = check_id(request.match_info["session_id"], ID_RE)
        body = await request.json()
        rows = session_rows(who.name, session_id, body, utc_iso())
    except (ValueError, json.JSONDecodeError) as exc:
        return _error(400, str(exc))
    stored = await request.app[DB].store_session(rows)
    return web.json_response({"session": session_id, "events": stored})


async def create_recording(request: web.Request) -> web.Response:
    who = _who(request)
    try:
        row = recording_row(who.name, await request.json(), request.app[MAX_FILE])
        request.app[UPLOADS].path(who, row["id"])
    except OverflowError as exc:
        return _error(413, str(exc))
    except (ValueError, json.JSONDecodeError) as exc:
        return _error(400, str(exc))
    db = request.app[DB]
    await db.add_recording(row)
    rec = await db.recording(who.name, row["id"])
    assert rec is not None
    if (rec.size, rec.sha256) != (row["size_bytes"], row["sha256"]):
        return _error(409, "this recording id was announced with another size or checksum")
    return _status(rec.id, rec.received, rec.size, rec.complete, rec.sha256)


def _status(rid: str, offset: int, size: int, complete: bool, sha256: str, status: int = 200) -> web.Response:
    return web.json_response(
        {"id": rid, "offset": offset, "size": size, "complete": complete, "sha256": sha256 if complete else None},
        status=status,
        headers={"Upload-Offset": str(offset), "Upload-Length": str(size), "Cache-Control": "no-store"},
    )


async def _recording_or_none(request: web.Request) -> tuple[Identity, str]:
    who = _who(request)
    rid = check_id(request.match_info["recording_id"], FILE_ID_RE)
    request.app[UPLOADS].path(who, rid)
    return who, rid


async def recording_status(request: web.Request) -> web.Response:
    """HEAD or GET: how many bytes the centre holds, so a cut upload resumes from there."""
    try:
        who, rid = await _recording_or_none(request)
    except ValueError as exc:
        return _error(400, str(exc))
    rec = await request.app[DB].recording(who.name, rid)
    if rec is None:
        return _error(404, "no such recording for this room")
    return _status(rec.id, rec.received, rec.size, rec.complete, rec.sha256)


async def patch_recording(request: web.Request) -> web.Response:
    """Append bytes at ``Upload-Offset``; the answer says the new offset, and whether the checksum held."""
    try:
        who, rid = await _recording_or_none(request)
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError as exc:
        return _error(400, f"bad recording id or Upload-Offset: {exc}")
    db = request.app[DB]
    rec = await db.recording(who.name, rid)
    if rec is None:
        return _error(404, "no such recording for this room")
    length = request.content_length
    try:
        got = await request.app[UPLOADS].receive(who, rec, offset, length, request.content.iter_chunked(READ_BLOCK))
    except OffsetConflict as exc:
        return _error(409, str(exc), **{"Upload-Offset": str(exc.offset)})
    except TooLarge as exc:
        return _error(413, str(exc))
    if not got.checksum_ok:
        return _error(422, "SHA-256 mismatch: the upload starts again from zero", **{"Upload-Offset": "0"})
    return _status(rid, got.offset, rec.size, got.complete, rec.sha256)


async def usage(request: web.Request) -> web.Response:
    """Staff see every room; a room token sees only its own room."""
    who = _who(request)
    try:
        f = UsageFilter.from_query(dict(request.query))
    except (ValueError, KeyError) as exc:
        return _error(400, str(exc))
    if who.role != STAFF:
        if f.room not in (None, who.name):
            return _error(403, "a room token may read only its own room")
        f = UsageFilter(f.since, f.until, who.name, f.lecturer, f.utc_offset_h, f.lamp_rated_hours)
    report = await request.app[DB].usage(f)
    return web.json_response(report.as_json())


async def rooms(request: web.Request) -> web.Response:
    if _who(request).role != STAFF:
        return _error(403, "only a staff token may list rooms")
    return web.json_response({"rooms": await request.app[DB].rooms()})


def build_app(
    db: CentreDB, data_dir: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, max_json_bytes: int = MAX_JSON_BYTES
) -> web.Application:
    app = web.Application(middlewares=[authenticate], client_max_size=max_json_bytes)
    app[DB] = db
    app[WHO] = {}
    app[UPLOADS] = Uploads(data_dir, db)
    app[MAX_FILE] = max_file_bytes
    app.router.add_get(f"{API}/ping", ping)
    app.router.add_put(API + "/sessions/{session_id}", put_session)
    app.router.add_post(f"{API}/recordings", create_recording)
    app.router.add_route("HEAD", API + "/recordings/{recording_id}", recording_status)
    app.router.add_get(API + "/recordings/{recording_id}", recording_status, allow_head=False)
    app.router.add_patch(API + "/recordings/{recording_id}", patch_recording)
    app.router.add_get(f"{API}/usage", usage)
    app.router.add_get(f"{API}/rooms", rooms)
    return app
