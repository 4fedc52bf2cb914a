"""Per-source files (the presenter and presentation tracks beside a recording) arriving at the library.

``POST /api/v1/tracks`` announces one (``recording_id``, ``source``, ``size``, ``sha256``; its id is derived
here, never a name the room chose); ``PATCH /api/v1/tracks/{id}`` appends bytes at ``Upload-Offset`` and, at the
last byte, checks the SHA-256 (a mismatch starts it again from zero, 422). The player shows a complete track
beside the program. One process writes a track at a time (an asyncio lock): tracks are small beside recordings.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from pathlib import Path
from typing import IO, Any

from aiohttp import web

from classroom_console.centre import validate as v
from classroom_console.centre.auth import API, who_is
from classroom_console.centre.bodies import JsonReader, paced
from classroom_console.centre.failures import error
from classroom_console.centre.library import LIBRARY, Library
from classroom_console.centre.payloads import FILE_ID_RE, SHA256_RE, check_id
from classroom_console.centre.tokens import folder_for
from classroom_console.media.pipe_writes import write_whole

TRACK_ID = re.compile(r"^[0-9a-f]{24}$")
MAX_TRACK = 64 << 30
MAX_PIECE = 64 << 20  # bytes of one PATCH (held in memory until written)
UPSERT = """INSERT INTO library_tracks (room_id, id, recording_id, source, size_bytes, sha256)
    VALUES (:room_id, :id, :recording_id, :source, :size, :sha256) ON CONFLICT DO NOTHING"""
GET = """SELECT size_bytes, sha256, received, complete FROM library_tracks WHERE room_id = :room_id AND id = :id"""
SET = """UPDATE library_tracks SET received = :received, complete = :complete WHERE room_id = :room_id AND id = :id"""


def track_id(recording_id: str, source: str) -> str:
    return hashlib.sha256(f"{recording_id}\0{source}".encode()).hexdigest()[:24]


def _append(path: Path, offset: int, blocks: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.ftruncate(fd, offset)  # bytes never acknowledged are dropped
        os.lseek(fd, offset, os.SEEK_SET)
        for block in blocks:
            write_whole(fd, block)
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    fh: IO[bytes]
    with open(path, "rb") as fh:
        while block := fh.read(4 << 20):
            hasher.update(block)
    return hasher.hexdigest()


class TrackApi:
    def __init__(self, library: Library, reader: JsonReader) -> None:
        self.library = library
        self.reader = reader
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def _path(self, room: str, tid: str) -> Path:
        path = self.library.files.inside(self.library.files.track_path(folder_for(room), tid))
        if path is None:
            raise v.Invalid("", "a track may not leave the room's folder")
        return path

    async def _state(self, room: str, tid: str) -> tuple[int, str, int, bool] | None:
        rows = await self.library.data.db.fetch(GET, {"room_id": room, "id": tid})
        return (int(rows[0][0]), str(rows[0][1]), int(rows[0][2]), bool(rows[0][3])) if rows else None

    @staticmethod
    def _answer(tid: str, size: int, received: int, complete: bool, status: int = 200) -> web.Response:
        return web.json_response({"id": tid, "offset": received, "size": size, "complete": complete},
                                 status=status, headers={"Upload-Offset": str(received)})

    async def announce(self, request: web.Request) -> web.Response:
        who = who_is(request)

        def row(body: Any) -> dict[str, Any]:
            body = v.obj(body, "body")
            rid = check_id(body.get("recording_id"), FILE_ID_RE)
            source = v.text(body.get("source"), "source", 200, empty=False)
            return {"room_id": who.name, "id": track_id(rid, source), "recording_id": rid, "source": source,
                    "size": v.integer(body.get("size"), "size", 1, MAX_TRACK),
                    "sha256": v.text(body.get("sha256"), "sha256", 64, pattern=SHA256_RE, empty=False)}

        values = await self.reader.read(request, 4096, row)
        await self.library.data.db.execute(UPSERT, values)
        state = await self._state(who.name, values["id"])
        assert state is not None
        if (state[0], state[1]) != (values["size"], values["sha256"]):
            return error(409, "this track was announced with another size or checksum")
        return self._answer(values["id"], state[0], state[2], state[3])

    async def patch(self, request: web.Request) -> web.Response:
        who = who_is(request)
        tid = request.match_info["track_id"]
        if not TRACK_ID.match(tid):
            return error(404, "no such track")
        header = request.headers.get("Upload-Offset", "")
        if not re.fullmatch(r"\d{1,19}", header):
            return error(400, "Upload-Offset must be a byte count")
        offset = int(header)
        if request.content_length is None or request.content_length > MAX_PIECE:
            return error(413, f"a track is sent in pieces of at most {MAX_PIECE} bytes, each with its length")
        lock = self._locks.setdefault((who.name, tid), asyncio.Lock())
        async with lock:
            state = await self._state(who.name, tid)
            if state is None:
                return error(404, "no such track for this room")
            size, sha, received, complete = state
            if complete:
                return self._answer(tid, size, size, True)
            if offset != received:
                return error(409, f"the centre holds {received} bytes", **{"Upload-Offset": str(received)})
            blocks: list[bytes] = []
            got = 0
            async for data in paced(request.content, self.reader.limits):
                got += len(data)
                if offset + got > size:
                    return error(413, f"more than the {size - offset} bytes that remain")
                blocks.append(data)
            path = self._path(who.name, tid)
            await asyncio.to_thread(_append, path, offset, blocks)
            received = offset + got
            complete = False
            if received == size:
                if await asyncio.to_thread(_sha256, path) != sha:
                    await self.library.data.db.execute(SET, {"room_id": who.name, "id": tid, "received": 0,
                                                             "complete": 0})
                    return error(422, "SHA-256 mismatch: the track starts again from zero", **{"Upload-Offset": "0"})
                complete = True
            await self.library.data.db.execute(SET, {"room_id": who.name, "id": tid, "received": received,
                                                     "complete": 1 if complete else 0})
            self.library.forget()
            return self._answer(tid, size, received, complete)


def add_tracks(app: web.Application, reader: JsonReader) -> None:
    api = TrackApi(app[LIBRARY], reader)
    app.router.add_post(f"{API}/tracks", api.announce)
    app.router.add_patch(API + "/tracks/{track_id}", api.patch)
