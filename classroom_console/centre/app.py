"""The centre's HTTP API (aiohttp): rooms send sessions and recordings; staff read the aggregated usage.

The handlers stay thin: bodies are read and checked by ``bodies``/``payloads`` (off the loop when large),
tokens by ``auth``, failures are answered by ``failures``, and connections are guarded by ``guard``.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from classroom_console import file_proof
from classroom_console.centre import validate as v
from classroom_console.centre.auth import (
    API,
    ASIDE_KEY,
    USAGE,
    Aside,
    TokenUse,
    make_authenticate,
    unknown_token,
    who_is,
)
from classroom_console.centre.bodies import JsonReader, paced
from classroom_console.centre.db import CentreDB, Identity
from classroom_console.centre.failures import answer_failures, error, log
from classroom_console.centre.failures import who as who_sent
from classroom_console.centre.files import OffsetConflict, TooLarge, UploadBusy, Uploads
from classroom_console.centre.gzipped import Gzipped
from classroom_console.centre.library_app import install_library
from classroom_console.centre.limits import Limits
from classroom_console.centre.payloads import FILE_ID_RE, ID_RE, check_id, recording_row, session_rows
from classroom_console.centre.reports import ReportCache, report_json
from classroom_console.centre.session_fast import session_rows_fast
from classroom_console.centre.tokens import STAFF, scoped
from classroom_console.http_guard import head_clock
from classroom_console.store import utc_iso
from classroom_console.usage_model import UsageFilter

DEFAULT_MAX_FILE_BYTES = 64 << 30
DB = web.AppKey("db", CentreDB)
UPLOADS = web.AppKey("uploads", Uploads)
MAX_FILE = web.AppKey("max_file", int)
LIMITS = web.AppKey("limits", Limits)
JSON = web.AppKey("json", JsonReader)
USES = web.AppKey("uses", TokenUse)
REPORTS = web.AppKey("reports", ReportCache)
FILTERS = web.AppKey("filters", OrderedDict[str, UsageFilter])  # usage queries parsed (``_filter_of``), this app's own
GZIPPED = web.AppKey("gzipped", Gzipped)  # usage reports' gzip (``gzipped``), this app's own
_OFFSET = re.compile(r"^\d{1,19}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


async def ping(request: web.Request) -> web.Response:
    who = who_is(request)
    return web.json_response({"room": who.name, "role": who.role})


async def put_session(request: web.Request) -> web.Response:
    who = who_is(request)
    session_id = check_id(request.match_info["session_id"], ID_RE)
    now = utc_iso()
    reader, db = request.app[JSON], request.app[DB]
    async with reader.raw(request, request.app[LIMITS].session_bytes) as raw:
        stored = await db.store_session_body(who.name, session_id, raw, now)  # checked and stored by another process
        if stored is None:  # this back end cannot (PostgreSQL), or not now: checked here, stored by the back end
            rows = await reader.build(
                raw, lambda body: session_rows(who.name, session_id, body, now),
                lambda raw: session_rows_fast(who.name, session_id, raw, now),
            )
            stored = await db.store_session(rows)
    return web.json_response({"session": session_id, "events": stored})


async def create_recording(request: web.Request) -> web.Response:
    who = who_is(request)
    max_file = request.app[MAX_FILE]
    try:
        row = await request.app[JSON].read(
            request, request.app[LIMITS].announce_bytes, lambda body: recording_row(who.name, body, max_file)
        )
    except OverflowError as exc:
        return error(413, str(exc))
    request.app[UPLOADS].path(who, row["id"])
    db = request.app[DB]
    await db.add_recording(row)
    rec = await db.recording(who.name, row["id"])
    assert rec is not None
    if (rec.size, rec.sha256) != (row["size_bytes"], row["sha256"]):
        return error(409, "this recording id was announced with another size or checksum")
    return _status(rec.id, rec.received, rec.size, rec.complete, rec.sha256)


def _status(rid: str, offset: int, size: int, complete: bool, sha256: str, status: int = 200,
            proof: str | None = None) -> web.Response:
    body: dict[str, object] = {"id": rid, "offset": offset, "size": size, "complete": complete,
                               "sha256": sha256 if complete else None}
    if proof is not None:
        body["proof"] = proof
    return web.json_response(
        body,
        status=status,
        headers={"Upload-Offset": str(offset), "Upload-Length": str(size), "Cache-Control": "no-store"},
    )


def _recording_id(request: web.Request) -> tuple[Identity, str]:
    who = who_is(request)
    rid = check_id(request.match_info["recording_id"], FILE_ID_RE)
    request.app[UPLOADS].path(who, rid)
    return who, rid


async def recording_status(request: web.Request) -> web.Response:
    """HEAD or GET: how many bytes the centre holds, so a cut upload resumes from there. With ``?proof=NONCE`` on
    a complete recording, also the proof that this centre holds its bytes (``file_proof``), which a room asks for
    before it deletes its own copy."""
    who, rid = _recording_id(request)
    rec = await request.app[DB].recording(who.name, rid)
    if rec is None:
        return error(404, "no such recording for this room")
    nonce, proof = request.query.get("proof", ""), None
    if nonce and rec.complete:
        if not file_proof.NONCE_RE.fullmatch(nonce):
            return error(400, "proof must be 32 lowercase hex digits")
        path = str(request.app[UPLOADS].path(who, rid))
        proof = await asyncio.to_thread(file_proof.answer, path, nonce, rec.size)
    return _status(rec.id, rec.received, rec.size, rec.complete, rec.sha256, proof=proof)


async def patch_recording(request: web.Request) -> web.Response:
    """Append bytes at ``Upload-Offset``; the answer says the new offset, and whether the checksum held."""
    who, rid = _recording_id(request)
    header = request.headers.get("Upload-Offset", "")
    if not _OFFSET.fullmatch(header):
        return error(400, f"Upload-Offset must be a byte count, not {header[:40]!r}")
    offset = v.integer(int(header), "Upload-Offset")
    db = request.app[DB]
    rec = await db.recording(who.name, rid)
    if rec is None:
        return error(404, "no such recording for this room")
    limits = request.app[LIMITS]
    body = paced(request.content, limits)
    try:
        got = await request.app[UPLOADS].receive(who, rec, offset, request.content_length, body, limits.lock_wait_s)
    except OffsetConflict as exc:
        return error(409, str(exc), **{"Upload-Offset": str(exc.offset)})
    except TooLarge as exc:
        return error(413, str(exc))
    except UploadBusy as exc:
        return error(503, str(exc), **{"Retry-After": "5"})
    if got.client_gone:
        log.info("%s: the client went away mid-upload; the centre holds %d bytes", who_sent(request), got.offset)
    if got.stalled:
        answer = error(408, f"{got.stalled}; the centre holds {got.offset} bytes", **{"Upload-Offset": str(got.offset)})
        answer.force_close()
        return answer
    if not got.checksum_ok:
        return error(422, "SHA-256 mismatch: the upload starts again from zero", **{"Upload-Offset": "0"})
    return _status(rid, got.offset, rec.size, got.complete, rec.sha256)


def usage_filter(query: dict[str, str]) -> UsageFilter:
    """Every query value checked first: a NaN offset or year 9999 once made the report fail with 500."""
    for key in ("since", "until"):
        if query.get(key):
            if not _DATE.fullmatch(query[key]) or not "2000" <= query[key][:4] <= "2199":
                raise v.Invalid(key, "must be a date (YYYY-MM-DD) in the years 2000..2199")
    for key in ("room", "lecturer"):
        if key in query:
            v.text(query[key], key, 1000)
    try:
        offset = float(query.get("utc_offset_h", 0.0))
        rated = int(query.get("lamp_rated_hours", 3000))
    except ValueError:
        raise v.Invalid("", "utc_offset_h must be a number and lamp_rated_hours an integer") from None
    v.number(offset, "utc_offset_h", -14.0, 14.0)
    v.integer(rated, "lamp_rated_hours", 1, 1_000_000)
    try:
        return UsageFilter.from_query(query)
    except (ValueError, KeyError) as exc:
        raise v.Invalid("", str(exc)) from None


KEPT_FILTERS = 1024


def _filter_of(request: web.Request) -> UsageFilter:
    """The same query asked again (a staff screen, a room's own report) is parsed and checked once.

    Kept by the raw query text (parsing it is a pure function) in the app's own map (``FILTERS``): the service's
    app runs on its loop and the usage site's on the reports' thread (``usage_site``, in the service's process where
    its usage process is not up), and one map for the module was used from both threads at once. Each map is used by
    one loop's thread alone, so it needs no lock (CPython's GIL kept the one map's single steps whole, but the
    check, the parse, the insert and the trim were no one step, and a build without the GIL keeps nothing whole)."""
    text = request.query_string
    kept = request.app[FILTERS]
    f = kept.get(text)
    if f is None:
        f = kept[text] = usage_filter(dict(request.query))  # a bad one raises: nothing kept
        while len(kept) > KEPT_FILTERS:
            kept.popitem(last=False)
    return f


_OTHER_ROOM = "a room token may read only its own room"


def _noted(asked: Callable[[], None]) -> Middleware:
    @web.middleware
    async def noted(request: web.Request, handler: Handler) -> web.StreamResponse:
        asked()
        return await handler(request)

    return noted


async def usage(request: web.Request) -> web.Response:
    digest = request.get(ASIDE_KEY)
    if digest is not None:
        return await _usage_aside(request, digest)
    f = scoped(_filter_of(request), who_is(request))
    if f is None:
        return error(403, _OTHER_ROOM)
    db = request.app[DB]

    async def make(f: UsageFilter) -> bytes:
        body = await db.usage_body(f)  # made by another process where the back end has one
        return body if body is not None else report_json(await db.usage(f))

    body = await request.app[REPORTS].get_or_make(f, db.generation, make)  # once per generation, however many ask
    return request.app[GZIPPED].answer(request, body)


async def _usage_aside(request: web.Request, digest: str) -> web.Response:
    """The token and the report in one trip (``auth.Aside``), with the same answers in the same order as
    ``usage``: 401 for a bad token, then 400 for a bad query, then 403 for another room's."""
    db = request.app[DB]
    assert isinstance(db, Aside)
    try:
        f = _filter_of(request)
    except v.Invalid:
        if await db.identity(digest) is None:
            return unknown_token()
        raise
    who, body = await db.usage_as(digest, f)
    if who is None:
        return unknown_token()
    request.app[USES].note(digest)
    if body is None:
        return error(403, _OTHER_ROOM)
    return request.app[GZIPPED].answer(request, body)


def build_usage_app(db: CentreDB, uses: TokenUse, asked: Callable[[], None] | None = None) -> web.Application:
    """The usage API alone, answered as ``build_app``'s is, for ``usage_site`` to serve on the reports' own loop;
    ``uses``: the service's (it notes a token's use on the service's loop); ``asked``: called at each request's
    coming (the service's own site starts its usage process at the first: ``usage_process``)."""
    middlewares: list[Middleware] = [head_clock, answer_failures, make_authenticate(db, uses)]
    if asked is not None:
        middlewares.insert(0, _noted(asked))
    app = web.Application(middlewares=middlewares)
    app[DB] = db
    app[USES] = uses
    app[REPORTS] = ReportCache()
    app[FILTERS] = OrderedDict()
    app[GZIPPED] = Gzipped()
    app.router.add_get(USAGE, usage)
    return app


async def rooms(request: web.Request) -> web.Response:
    if who_is(request).role != STAFF:
        return error(403, "only a staff token may list rooms")
    return web.json_response({"rooms": await request.app[DB].rooms()})


def build_app(
    db: CentreDB, data_dir: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, limits: Limits | None = None
) -> web.Application:
    limits = limits or Limits()
    uses = TokenUse(db)
    app = web.Application(
        middlewares=[head_clock, answer_failures, make_authenticate(db, uses)],
        client_max_size=max(limits.session_bytes, limits.announce_bytes),
    )
    app[DB] = db
    app[UPLOADS] = Uploads(data_dir, db)
    app[MAX_FILE] = max_file_bytes
    app[LIMITS] = limits
    app[JSON] = JsonReader(limits)
    app[USES] = uses
    app[REPORTS] = ReportCache()
    app[FILTERS] = OrderedDict()
    app[GZIPPED] = Gzipped()

    async def start_noting(_: web.Application) -> None:
        uses.start()
        db.serving()

    async def stop_noting(_: web.Application) -> None:
        await uses.stop()

    app.on_startup.append(start_noting)
    app.on_cleanup.append(stop_noting)
    app.router.add_get(f"{API}/ping", ping)
    app.router.add_put(API + "/sessions/{session_id}", put_session)
    app.router.add_post(f"{API}/recordings", create_recording)
    app.router.add_route("HEAD", API + "/recordings/{recording_id}", recording_status)
    app.router.add_get(API + "/recordings/{recording_id}", recording_status, allow_head=False)
    app.router.add_patch(API + "/recordings/{recording_id}", patch_recording)
    app.router.add_get(USAGE, usage)
    app.router.add_get(f"{API}/rooms", rooms)
    install_library(app, db, app[UPLOADS], data_dir, app[JSON])  # /library/ and its API (centre/library*.py)
    return app
