"""The library's SQL: one parameterised statement per question, the same text on SQLite and PostgreSQL.

A recording is seen by students only when its file is complete *and* it is published; every public
lookup goes through ``PUBLIC`` so no page can forget one of the two.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from classroom_console.centre.db import CentreDB

PUBLIC = "l.published = 1 AND r.complete = 1"
_COLUMNS = """l.key, l.room_id, l.id, l.title, l.course, l.lecturer, l.language, l.chapters, l.views,
    r.duration_s, r.size_bytes, r.started_at, l.published"""
_JOIN = "FROM library l JOIN recordings r ON r.room_id = l.room_id AND r.id = l.id"
UPSERT_META = """INSERT INTO library (room_id, id, key, title, course, lecturer, language, chapters, chapter_text,
        chapters_rev, published, updated_at, published_at)
    VALUES (:room_id, :id, :key, :title, :course, :lecturer, :language, :chapters, :search, :rev, :publish, :now,
        CASE WHEN :publish = 1 THEN CAST(:now AS TEXT) END)
    ON CONFLICT (room_id, id) DO UPDATE SET title = excluded.title, course = excluded.course,
        lecturer = excluded.lecturer, language = excluded.language,
        chapters = CASE WHEN excluded.chapters_rev >= library.chapters_rev THEN excluded.chapters
            ELSE library.chapters END,
        chapter_text = CASE WHEN excluded.chapters_rev >= library.chapters_rev THEN excluded.chapter_text
            ELSE library.chapter_text END,
        chapters_rev = CASE WHEN excluded.chapters_rev >= library.chapters_rev THEN excluded.chapters_rev
            ELSE library.chapters_rev END,
        updated_at = excluded.updated_at
    RETURNING key, chapters_rev"""
# Staff's decision: a row is made for a recording that never sent its metadata (it shows by its file name).
SET_PUBLISHED = """INSERT INTO library (room_id, id, key, title, published, updated_at, published_at)
    SELECT r.room_id, r.id, CAST(:key AS TEXT), r.name, CAST(:published AS INTEGER), CAST(:now AS TEXT),
        CASE WHEN :published = 1 THEN CAST(:now AS TEXT) END
    FROM recordings r WHERE r.room_id = :room_id AND r.id = :id
    ON CONFLICT (room_id, id) DO UPDATE SET published = excluded.published, published_at = excluded.published_at
    RETURNING key"""
STAFF_LIST = """SELECT r.room_id, r.id, coalesce(l.title, ''), coalesce(l.course, ''), coalesce(l.lecturer, ''),
        coalesce(l.published, 0), coalesce(l.views, 0), coalesce(l.chapters, '[]'), r.size_bytes, r.complete,
        r.name, r.started_at, r.duration_s
    FROM recordings r LEFT JOIN library l ON l.room_id = r.room_id AND l.id = r.id
    WHERE (:room = '' OR r.room_id = :room) ORDER BY r.started_at DESC, r.room_id, r.id LIMIT :limit"""
FIND_BY_ID = """SELECT r.room_id, r.id FROM recordings r WHERE r.id = :id OR r.room_id || '/' || r.id = :id
    ORDER BY r.room_id LIMIT 2"""
PUBLIC_ONE = f"SELECT {_COLUMNS} {_JOIN} WHERE l.key = :key AND {PUBLIC}"
COURSES = f"""SELECT l.course, count(*), max(r.started_at) {_JOIN} WHERE {PUBLIC}
    GROUP BY l.course ORDER BY l.course"""
SEARCH = f"""SELECT {_COLUMNS} {_JOIN} WHERE {PUBLIC} AND (:course_any = 1 OR l.course = :course)
    AND l.chapter_text LIKE :pattern ESCAPE '!' ORDER BY r.started_at DESC LIMIT :limit"""
COUNT_VIEW = "UPDATE library SET views = views + 1 WHERE key = :key AND published = 1"
TRACKS = """SELECT t.id, t.source FROM library_tracks t
    WHERE t.room_id = :room_id AND t.recording_id = :id AND t.complete = 1 ORDER BY t.source"""
GET_SETTING = "SELECT value FROM library_settings WHERE key = :key"
PUT_SETTING = """INSERT INTO library_settings (key, value) VALUES (:key, :value)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value"""
ADD_READER = "INSERT INTO library_readers (hash, name, created_at) VALUES (:hash, :name, :now)"
FIND_READER = "SELECT name FROM library_readers WHERE hash = :hash AND revoked_at IS NULL"
READERS = "SELECT name, substr(hash, 1, 12), created_at, revoked_at FROM library_readers ORDER BY name, created_at"
REVOKE_READER = """UPDATE library_readers SET revoked_at = :now WHERE revoked_at IS NULL
    AND (name = :key OR substr(hash, 1, 12) = :key) RETURNING name, substr(hash, 1, 12)"""


def public_key(room: str, recording_id: str) -> str:
    """The id a library URL carries: stable, opaque, never a name from which a path is made."""
    return hashlib.sha256(f"{room}\0{recording_id}".encode()).hexdigest()[:20]


def like_pattern(text: str) -> str:
    """Case-folded and with LIKE's wildcards escaped: the user's ``%`` and ``_`` are letters, not patterns."""
    folded = text.casefold().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{folded}%"


@dataclass(frozen=True, slots=True)
class Chapter:
    start_s: float
    title: str
    thumbnail: bool = False  # a JPEG is stored for it (library_files.thumb_path)


@dataclass(frozen=True, slots=True)
class Lecture:
    key: str
    room: str
    id: str
    title: str
    course: str
    lecturer: str
    language: str
    chapters: tuple[Chapter, ...]
    views: int
    duration_s: float
    size_bytes: int
    started_at: str
    published: bool
    tracks: tuple[tuple[str, str], ...] = field(default=())  # (track file id, source name)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Lecture:
        chapters = tuple(Chapter(float(c["start_s"]), str(c["title"]), bool(c.get("thumbnail")))
                         for c in json.loads(row[7] or "[]"))
        return cls(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), str(row[6]),
                   chapters, int(row[8] or 0), float(row[9] or 0.0), int(row[10] or 0), str(row[11] or ""),
                   bool(row[12]))


@dataclass(frozen=True, slots=True)
class StaffRow:
    room: str
    id: str
    key: str
    title: str
    course: str
    lecturer: str
    published: bool
    views: int
    chapters: int
    size_bytes: int
    complete: bool
    started_at: str
    duration_s: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "room": self.room, "key": self.key, "course": self.course, "title": self.title,
                "lecturer": self.lecturer, "published": self.published, "views": self.views,
                "chapters": self.chapters, "size_bytes": self.size_bytes, "complete": self.complete,
                "started_at": self.started_at, "duration_s": self.duration_s}


class LibraryData:
    """The library's questions to the centre's database (either back end)."""

    def __init__(self, db: CentreDB) -> None:
        self.db = db

    async def put_meta(self, room: str, recording_id: str, meta: dict[str, Any], publish: bool,
                       now: str) -> tuple[str, bool]:
        """The public key, and whether these chapters were taken (False: the centre holds a newer list)."""
        key = public_key(room, recording_id)
        rows = await self.db.execute(UPSERT_META, {**meta, "room_id": room, "id": recording_id, "key": key,
                                                   "publish": 1 if publish else 0, "now": now})
        return key, bool(rows) and int(rows[0][1]) == int(meta["rev"])

    async def set_published(self, room: str, recording_id: str, published: bool, now: str) -> bool:
        """False when the centre holds no such recording."""
        rows = await self.db.execute(SET_PUBLISHED, {"room_id": room, "id": recording_id, "now": now,
                                                     "key": public_key(room, recording_id),
                                                     "published": 1 if published else 0})
        return bool(rows)

    async def find(self, text: str) -> list[tuple[str, str]]:
        """``ID`` or ``ROOM/ID`` to (room, id); two answers mean the id alone is ambiguous."""
        return [(str(r[0]), str(r[1])) for r in await self.db.fetch(FIND_BY_ID, {"id": text})]

    async def staff_list(self, room: str = "", limit: int = 10_000) -> list[StaffRow]:
        rows = await self.db.fetch(STAFF_LIST, {"room": room, "limit": limit})
        return [StaffRow(str(r[0]), str(r[1]), public_key(str(r[0]), str(r[1])), str(r[2] or r[10] or ""),
                         str(r[3]), str(r[4]), bool(r[5]), int(r[6] or 0), len(json.loads(r[7] or "[]")),
                         int(r[8] or 0), bool(r[9]), str(r[11] or ""), float(r[12] or 0.0)) for r in rows]

    async def lecture(self, key: str) -> Lecture | None:
        rows = await self.db.fetch(PUBLIC_ONE, {"key": key})
        if not rows:
            return None
        lecture = Lecture.from_row(rows[0])
        tracks = await self.db.fetch(TRACKS, {"room_id": lecture.room, "id": lecture.id})
        return Lecture(**{**_fields(lecture), "tracks": tuple((str(t[0]), str(t[1])) for t in tracks)})

    async def courses(self) -> list[tuple[str, int, str]]:
        return [(str(r[0]), int(r[1]), str(r[2] or "")) for r in await self.db.fetch(COURSES, {})]

    async def search(self, text: str = "", course: str | None = None, limit: int = 200) -> list[Lecture]:
        params = {"pattern": like_pattern(text), "course": course or "", "course_any": 1 if course is None else 0,
                  "limit": limit}
        return [Lecture.from_row(r) for r in await self.db.fetch(SEARCH, params)]

    async def count_view(self, key: str) -> None:
        await self.db.execute(COUNT_VIEW, {"key": key})

    async def setting(self, key: str, default: str = "") -> str:
        rows = await self.db.fetch(GET_SETTING, {"key": key})
        return str(rows[0][0]) if rows else default

    async def put_setting(self, key: str, value: str) -> None:
        await self.db.execute(PUT_SETTING, {"key": key, "value": value})

    async def add_reader(self, token_hash: str, name: str, now: str) -> None:
        await self.db.execute(ADD_READER, {"hash": token_hash, "name": name, "now": now})

    async def reader(self, token_hash: str) -> str | None:
        rows = await self.db.fetch(FIND_READER, {"hash": token_hash})
        return str(rows[0][0]) if rows else None

    async def readers(self) -> list[tuple[str, str, str, str | None]]:
        return [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in await self.db.fetch(READERS, {})]

    async def revoke_reader(self, name_or_id: str, now: str) -> list[tuple[str, str]]:
        return [(str(r[0]), str(r[1])) for r in await self.db.execute(REVOKE_READER, {"key": name_or_id, "now": now})]


def _fields(lecture: Lecture) -> dict[str, Any]:
    return {name: getattr(lecture, name) for name in Lecture.__slots__}
