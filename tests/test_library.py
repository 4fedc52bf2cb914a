"""The library's pages and media against hostile and odd requests: ranges byte-exact against the file, huge and
malformed ranges, path traversal in every path parameter, SQL and HTML in search strings, the reader token, and
the same on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from classroom_console.centre.library_db import public_key
from classroom_console.centre.library_media import MAX_PART, parse_range
from classroom_console.store import AsyncStore
from tests.test_centre_postgres import postgres_url  # noqa: F401  the PostgreSQL server (a fixture)
from tests.test_library_support import (
    COURSE,
    LibraryCentre,
    add_lecture,
    library_centre,
    make_jpeg,
    make_mp4,
)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[bytes]]:
    folder = tmp_path_factory.mktemp("media")
    thumbs = [make_jpeg(folder / f"{n}.jpg", colour) for n, colour in enumerate(("red", "green", "blue"))]
    return make_mp4(folder / "lecture.mp4"), thumbs


@contextlib.asynccontextmanager
async def published(tmp_path: Path, media: tuple[Path, list[bytes]], **options: Any) -> AsyncIterator[
        tuple[LibraryCentre, str, Path]]:
    """A centre holding one published lecture and one that arrived but is not published."""
    mp4, thumbs = media
    store = await AsyncStore.open(tmp_path / "room")
    try:
        shown = await store.call(lambda s: add_lecture(s, mp4, thumbs))
        hidden = await store.call(lambda s: add_lecture(s, mp4, thumbs, title_course="Secret course",
                                                        lecturer="Hidden lecturer"))
        async with library_centre(tmp_path / "centre", **options) as centre:
            await centre.sync(store)
            assert await centre.publish("Room 101", shown.recording_id, True) == 200
            assert hidden.recording_id
            yield centre, public_key("Room 101", shown.recording_id), mp4
    finally:
        await store.close()


async def test_ranges_are_byte_exact(tmp_path: Path, media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, key, mp4):
        data = mp4.read_bytes()
        size = len(data)
        url = f"/library/media/{key}.mp4"
        for header, start, end in (("bytes=0-0", 0, 0), ("bytes=0-99", 0, 99), ("bytes=100-", 100, size - 1),
                                   (f"bytes=1000-{size + 5000}", 1000, size - 1), ("bytes=-500", size - 500, size - 1),
                                   (f"bytes=-{size * 3}", 0, size - 1), (f"bytes={size - 1}-", size - 1, size - 1),
                                   ("bytes = 7 - 12", 7, 12), ("BYTES=5-9", 5, 9)):
            status, body, headers = await centre.get(url, headers={"Range": header})
            assert status == 206, header
            assert body == data[start:end + 1], header
            assert headers["Content-Range"] == f"bytes {start}-{end}/{size}", header
            assert int(headers["Content-Length"]) == end - start + 1
        status, body, headers = await centre.get(url)
        assert status == 200 and body == data and headers["Accept-Ranges"] == "bytes"
        async with centre.http.head(f"{centre.url}{url}", headers={"Range": "bytes=10-19"}) as resp:
            assert resp.status == 206 and resp.headers["Content-Length"] == "10" and await resp.read() == b""
        # If-Range with another version's tag: the whole file.
        status, body, _ = await centre.get(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
        assert status == 200 and body == data


async def test_unsatisfiable_malformed_and_huge_ranges(tmp_path: Path, media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, key, mp4):
        size = mp4.stat().st_size
        url = f"/library/media/{key}.mp4"
        for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0", "bytes=9-3", "bytes=abc",
                       "bytes=-", "bytes=1-2-3", "bytes=0x10-20", "bytes=" + "9" * 30 + "-",
                       "bytes=99999999999999999999-"):
            status, body, headers = await centre.get(url, headers={"Range": header})
            assert status == 416, header
            assert headers["Content-Range"] == f"bytes */{size}", header
        # A unit we do not know, and several ranges, are ignored: the whole file.
        for header in ("items=0-10", "bytes=0-1,5-6", "garbage"):
            status, body, _ = await centre.get(url, headers={"Range": header})
            assert status == 200 and len(body) == size, header
    part = parse_range("bytes=0-", 10 * MAX_PART)
    assert part is not None and (part.start, part.end) == (0, MAX_PART - 1)
    part = parse_range(f"bytes=5-{10**18}", 10 * MAX_PART)
    assert part is not None and (part.start, part.end) == (5, 5 + MAX_PART - 1)


async def test_a_huge_range_on_a_large_file_is_capped(tmp_path: Path, media: tuple[Path, list[bytes]]) -> None:
    """The served file made larger than one part (its bytes past the MP4 do not matter to the range code)."""
    async with published(tmp_path, media) as (centre, key, _):
        files = list((tmp_path / "centre" / "rooms").glob("*/recordings/*.bin"))
        data = files[0].read_bytes()
        for file in files:  # both lectures' files (the same bytes): the published one among them
            with file.open("ab") as fh:
                fh.truncate(MAX_PART * 2 + 12345)
        size = MAX_PART * 2 + 12345
        status, body, headers = await centre.get(f"/library/media/{key}.mp4", headers={"Range": "bytes=0-"})
        assert status == 206 and headers["Content-Range"] == f"bytes 0-{MAX_PART - 1}/{size}"
        assert len(body) == MAX_PART and body[:len(data)] == data
        status, body, headers = await centre.get(f"/library/media/{key}.mp4",
                                                 headers={"Range": f"bytes={MAX_PART}-{10**15}"})
        assert status == 206 and len(body) == MAX_PART
        assert headers["Content-Range"] == f"bytes {MAX_PART}-{2 * MAX_PART - 1}/{size}"


async def test_path_traversal_in_every_path_parameter_is_404(tmp_path: Path,
                                                             media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, key, _):
        (tmp_path / "centre" / "secret.txt").write_text("SECRET")
        hostile = ["..", "../..", "..%2F..%2Fcentre.db", "%2e%2e%2f%2e%2e%2fcentre.db", "....//....//centre.db",
                   "%00", "centre.db%00", "..\\..\\centre.db", "%5c..%5c..%5ccentre.db", key.upper(), key + "0",
                   "/etc/passwd", "%2Fetc%2Fpasswd", "secret.txt"]
        paths = []
        for bad in hostile:
            paths += [f"/library/watch/{bad}", f"/library/media/{bad}.mp4", f"/library/media/{key}/{bad}.mp4",
                      f"/library/media/{bad}/x.mp4", f"/library/thumb/{bad}/0.jpg", f"/library/thumb/{key}/{bad}.jpg",
                      f"/library/static/{bad}", f"/library/static/..%2F..%2F{bad}"]
        for path in paths:
            status, body, _ = await _raw_get(centre, path)
            assert status in (400, 404), (path, status)
            assert b"SECRET" not in body and b"SQLite format" not in body and b"root:" not in body, path


async def _raw_get(centre: LibraryCentre, path: str) -> tuple[int, bytes, dict[str, str]]:
    """The path sent as written (no client-side normalising of dots or escapes)."""
    port = centre.server.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        async with asyncio.timeout(30):
            raw = await reader.read()
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), body, {}


async def test_search_with_sql_and_html_finds_only_what_it_says(tmp_path: Path,
                                                                media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, key, _):
        async def search(q: str, **extra: str) -> str:
            status, body, _ = await centre.get("/library/", params={"q": q, **extra})
            assert status == 200, q
            return body.decode()

        assert key in await search("физика")  # case-folded Cyrillic: "Физика 101"
        assert key in await search("SECOND SLIDE")  # a chapter's title
        assert key in await search("lovelace")  # the lecturer
        assert key in await search("", course=COURSE)
        for q in ("' OR 1=1 --", "%' OR '1'='1", "\" OR \"\"=\"", "'; DROP TABLE library; --", "%", "_", "!",
                  "secret course", "Hidden"):
            page = await search(q)
            assert f"/library/watch/{key}" not in page and "Secret course" not in page, q
        html = "<script>alert(1)</script><img src=x onerror=alert(2)>"
        page = await search(html)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        page = await search("x", course='"><script>alert(3)</script>')
        assert "<script>alert(3)" not in page
        assert key in await search("")  # the tables are still there
        status, _, _ = await centre.get("/library/", params={"q": "x" * 100_000})
        assert status in (200, 400, 414, 431)


async def test_html_in_what_a_room_sends_is_escaped(tmp_path: Path, media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, key, _):
        evil = "<script>alert('t')</script>"
        rid = next(r["id"] for r in await centre.listing() if r["published"])
        status, _ = await centre.api("PUT", f"/recordings/{rid}/meta", centre.room_token, json={
            "rev": 50, "title": evil, "course": evil, "lecturer": evil,
            "chapters": [{"start_s": 0.0, "title": evil + '" onclick="x'}]})
        assert status == 200
        for path in ("/library/", f"/library/watch/{key}", "/library/?q=script"):
            page = (await centre.get(path))[1].decode()
            assert "<script>alert" not in page and '" onclick="x' not in page, path
            assert "&lt;script&gt;" in page, path
        assert (await centre.get(f"/library/watch/{key}"))[2]["Content-Security-Policy"].startswith("default-src")


async def test_a_lecture_without_chapters_shows_no_chapters_heading(
        tmp_path: Path, media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, key, _):
        rid = next(r["id"] for r in await centre.listing() if r["published"])
        with_chapters = (await centre.get(f"/library/watch/{key}"))[1].decode()
        assert 'id="chapters"' in with_chapters and 'class="chapter"' in with_chapters
        status, _ = await centre.api("PUT", f"/recordings/{rid}/meta", centre.room_token,
                                     json={"rev": 50, "title": "No chapters", "chapters": []})
        assert status == 200
        page = (await centre.get(f"/library/watch/{key}"))[1].decode()
        assert "No chapters" in page
        assert 'id="chapters"' not in page and ">Chapters</h2>" not in page and 'class="watch solo"' in page


async def test_bad_metadata_is_refused_in_one_line(tmp_path: Path, media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, _, _):
        rid = (await centre.listing())[0]["id"]
        for body in ({"chapters": [{"start_s": 5.0, "title": "b"}, {"start_s": 1.0, "title": "a"}]},
                     {"chapters": [{"start_s": "x", "title": "a"}]},
                     {"chapters": [{"start_s": 0.0, "title": "a", "thumbnail_jpeg": "bm90IGEganBlZw=="}]},
                     {"chapters": [{"start_s": 0.0, "title": "a", "thumbnail_jpeg": "***"}]},
                     {"title": "a\x00b"}, {"publish_on_upload": "yes"}, [1, 2]):
            status, answer = await centre.api("PUT", f"/recordings/{rid}/meta", centre.room_token, json=body)
            assert status == 400 and "\n" not in answer["error"], body
        status, _ = await centre.api("PUT", "/recordings/..%2Fx/meta", centre.room_token, json={})
        assert status in (400, 404)


async def test_reader_token_when_the_centre_asks_for_one(tmp_path: Path, media: tuple[Path, list[bytes]]) -> None:
    async with published(tmp_path, media) as (centre, key, mp4):
        library = centre.server  # the setting lives in the database: the same command a centre's staff run
        assert library.db is not None
        from classroom_console.centre.library_access import ACCESS, TOKEN, AccessGate
        from classroom_console.centre.library_db import LibraryData
        from classroom_console.centre.tokens import issue_token, token_hash

        data = LibraryData(library.db)
        token = issue_token()
        await data.add_reader(token_hash(token), "Partner University", "2026-01-01T00:00:00Z")
        assert (await centre.get("/library/"))[0] == 200  # open by default
        await data.put_setting(ACCESS, TOKEN)
        for gate_holder in _gates(centre):
            gate_holder._mode = None  # the running service sees the change within SETTING_TTL_S; now, in a test
        status, page, _ = await centre.get("/library/")
        assert status == 401 and b'name="token"' in page
        assert (await centre.get(f"/library/media/{key}.mp4"))[0] == 401
        assert (await centre.get("/library/", params={"token": "wrong"}))[0] == 401
        assert (await centre.get("/library/static/library.css"))[0] == 200  # the form's own style
        status, _, headers = await centre.get(f"/library/watch/{key}", params={"token": token})
        assert status == 303 and headers["Location"] == f"/library/watch/{key}"
        assert "HttpOnly" in headers["Set-Cookie"] and token in headers["Set-Cookie"]
        status, body, _ = await centre.get(f"/library/media/{key}.mp4", headers={"Range": "bytes=0-9"},
                                           cookies={"library_token": token})
        assert status == 206 and body == mp4.read_bytes()[:10]
        assert (await centre.get("/library/", headers={"Authorization": f"Bearer {token}"}))[0] == 200
        # A reader token is not a room's: the API does not know it.
        status, _ = await centre.api("GET", "/ping", token)
        assert status == 401
        assert isinstance(_gates(centre)[0], AccessGate)


def _gates(centre: LibraryCentre) -> list[Any]:
    from classroom_console.centre.library import LIBRARY

    runner = centre.server._runner
    assert runner is not None
    app = runner.app
    return [app[LIBRARY].gate]


async def test_the_library_on_postgresql(tmp_path: Path, media: tuple[Path, list[bytes]],
                                         postgres_url: str) -> None:  # noqa: F811  the fixture imported above
    """The same SQL on PostgreSQL: publish, list, search (Cyrillic, wildcards), unpublish."""
    mp4, thumbs = media
    import asyncpg

    conn = await asyncpg.connect(postgres_url)
    try:
        for table in ("library", "library_tracks", "library_readers", "library_settings", "recordings", "sessions",
                      "session_events", "tokens"):
            await conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    finally:
        await conn.close()
    store = await AsyncStore.open(tmp_path / "room")
    try:
        lecture = await store.call(lambda s: add_lecture(s, mp4, thumbs))
        async with library_centre(tmp_path / "centre", database_url=postgres_url) as centre:
            await centre.sync(store)
            key = public_key("Room 101", lecture.recording_id)
            assert (await centre.get(f"/library/watch/{key}"))[0] == 404
            assert await centre.publish("Room 101", lecture.recording_id, True) == 200
            (row,) = await centre.listing()
            assert row["published"] and row["chapters"] == 3 and row["course"] == COURSE
            for q in ("физика", "SECOND", "lovelace"):
                assert key in (await centre.get("/library/", params={"q": q}))[1].decode(), q
            for q in ("%", "_", "' OR 1=1 --"):
                assert key not in (await centre.get("/library/", params={"q": q}))[1].decode(), q
            status, body, _ = await centre.get(f"/library/media/{key}.mp4", headers={"Range": "bytes=10-29"})
            assert status == 206 and body == mp4.read_bytes()[10:30]
            status, page, _ = await centre.get(f"/library/watch/{key}")
            assert status == 200 and "Итоги" in page.decode()
            assert (await centre.listing())[0]["views"] == 1
            assert await centre.publish("Room 101", lecture.recording_id, False) == 200
            assert (await centre.get(f"/library/watch/{key}"))[0] == 404
    finally:
        await store.close()

