"""Publishing end to end: a lecture synced from a room's store to a real centre on loopback, described with its
chapters, published by staff, seen in the library, then unpublished and gone (404)."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from pathlib import Path

import pytest

from classroom_console import cli
from classroom_console.centre.library_db import public_key
from classroom_console.media.chapters import Chapter
from classroom_console.media.chapters_store import replace_all
from classroom_console.store import AsyncStore
from tests.test_library_support import COURSE, add_lecture, library_centre, make_jpeg, make_mp4, set_room
from tests.test_sync_cli import centre  # noqa: F401  (a fixture: the centre as its own process)
from tests.test_sync_cli import cli as sync_cli


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[bytes]]:
    folder = tmp_path_factory.mktemp("media")
    thumbs = [make_jpeg(folder / f"{n}.jpg", colour) for n, colour in enumerate(("red", "green", "blue"))]
    return make_mp4(folder / "lecture.mp4"), thumbs


async def test_synced_published_listed_played_then_unpublished_is_404(tmp_path: Path,
                                                                      media: tuple[Path, list[bytes]]) -> None:
    mp4, thumbs = media
    store = await AsyncStore.open(tmp_path / "room")
    try:
        lecture = await store.call(lambda s: add_lecture(s, mp4, thumbs))
        async with library_centre(tmp_path / "centre") as centre:
            await centre.sync(store)
            key = public_key("Room 101", lecture.recording_id)
            (row,) = await centre.listing()
            assert (row["id"], row["room"], row["course"], row["published"], row["chapters"]) == (
                lecture.recording_id, "Room 101", COURSE, False, 3)
            assert row["complete"] and row["size_bytes"] == mp4.stat().st_size
            # Not published yet: nowhere in the library, and 404 (not 403) everywhere.
            status, page, _ = await centre.get("/library/")
            assert status == 200 and COURSE.encode() not in page
            for path in (f"/library/watch/{key}", f"/library/media/{key}.mp4", f"/library/thumb/{key}/0.jpg"):
                assert (await centre.get(path))[0] == 404, path
            # A room may not publish; staff may.
            assert await centre.publish("Room 101", lecture.recording_id, True, centre.room_token) == 403
            assert await centre.publish("Room 101", "no-such-recording", True) == 404
            assert await centre.publish("Room 101", lecture.recording_id, True) == 200
            status, page, _ = await centre.get("/library/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
            text = page.decode()
            assert status == 200 and f"/library/watch/{key}" in text and COURSE in text
            assert "Записи лекций" in text  # Russian from Accept-Language
            status, page, _ = await centre.get(f"/library/watch/{key}")
            text = page.decode()
            assert status == 200 and "Введение" in text and "Second slide &amp; more" in text
            assert "Dr Ada &lt;Lovelace&gt;" in text and "<Lovelace>" not in text
            assert re.findall(r'data-start="([0-9.]+)"', text) == ["0.000", "2.000", "4.000"]
            assert f'src="/library/media/{key}.mp4"' in text and f"/library/media/{key}.mp4?download=1" in text
            status, body, headers = await centre.get(f"/library/media/{key}.mp4")
            assert status == 200 and body == mp4.read_bytes() and headers["Content-Type"] == "video/mp4"
            status, body, headers = await centre.get(f"/library/media/{key}.mp4?download=1")
            assert status == 200 and headers["Content-Disposition"].startswith("attachment;")
            for n, thumb in enumerate(thumbs):
                status, body, _ = await centre.get(f"/library/thumb/{key}/{n}.jpg")
                assert status == 200 and body == thumb
            assert (await centre.get(f"/library/thumb/{key}/3.jpg"))[0] == 404
            # Views are counted by the library (the player page), nothing else about the viewer is kept.
            (row,) = await centre.listing()
            assert row["published"] and row["views"] == 1
            # Unpublished: gone from the list, 404 again, at once.
            assert await centre.publish("Room 101", lecture.recording_id, False) == 200
            status, page, _ = await centre.get("/library/")
            assert f"/library/watch/{key}" not in page.decode()
            for path in (f"/library/watch/{key}", f"/library/media/{key}.mp4", f"/library/thumb/{key}/0.jpg"):
                assert (await centre.get(path))[0] == 404, path
    finally:
        await store.close()


async def test_chapters_edited_after_upload_reach_the_centre_once(tmp_path: Path,
                                                                  media: tuple[Path, list[bytes]]) -> None:
    mp4, thumbs = media
    store = await AsyncStore.open(tmp_path / "room")
    try:
        lecture = await store.call(lambda s: add_lecture(s, mp4, thumbs))
        await store.call(lambda s: set_room(s, publish_on_upload=True))
        async with library_centre(tmp_path / "centre") as centre:
            await centre.sync(store)
            key = public_key("Room 101", lecture.recording_id)
            (row,) = await centre.listing()
            assert row["published"], "the room's default publishes on upload"
            # Edited in the Studio after the upload: one chapter renamed, one deleted; a new revision.
            edited = [Chapter(0.0, "Introduction (edited)", "edited", thumbs[0]), Chapter(4.0, "Итоги", "auto")]
            await store.call(lambda s: replace_all(s, lecture.recording_id, edited))
            await centre.sync(store)
            status, page, _ = await centre.get(f"/library/watch/{key}")
            text = page.decode()
            assert status == 200 and "Introduction (edited)" in text and "Second slide" not in text
            assert (await centre.get(f"/library/thumb/{key}/1.jpg"))[0] == 404, "the deleted picture went too"
            again = await store.call(lambda s: s.db.execute(
                "SELECT count(*) FROM upload_queue WHERE item_kind = 'meta' AND state = 'pending'").fetchone()[0])
            assert again == 0
            # An older revision sent late does not undo the edit.
            status, body = await centre.api("PUT", f"/recordings/{lecture.recording_id}/meta", centre.room_token,
                                            json={"rev": 1, "title": "Old", "chapters": [
                                                {"start_s": 0.0, "title": "Stale chapter"}]})
            assert status == 200 and body["chapters_taken"] is False
            text = (await centre.get(f"/library/watch/{key}"))[1].decode()
            assert "Stale chapter" not in text and "Introduction (edited)" in text
            # Staff's unpublish holds when the room describes the recording again.
            assert await centre.publish("Room 101", lecture.recording_id, False) == 200
            status, _ = await centre.api("PUT", f"/recordings/{lecture.recording_id}/meta", centre.room_token,
                                         json={"rev": 9, "title": "T", "publish_on_upload": True, "chapters": []})
            assert status == 200 and (await centre.get(f"/library/watch/{key}"))[0] == 404
    finally:
        await store.close()


def test_the_command_line_lists_publishes_and_unpublishes(tmp_path: Path, media: tuple[Path, list[bytes]],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    mp4, thumbs = media

    async def received() -> str:
        store = await AsyncStore.open(tmp_path / "room")
        try:
            lecture = await store.call(lambda s: add_lecture(s, mp4, thumbs))
            async with library_centre(tmp_path / "centre") as centre:
                await centre.sync(store)
            return lecture.recording_id
        finally:
            await store.close()

    rid = asyncio.run(received())

    def centre_cli(*args: str) -> tuple[int, str, str]:
        code = cli.main(["centre", *args, "--data", str(tmp_path / "centre")])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = centre_cli("recordings", "--json")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert {k: row[k] for k in ("id", "room", "course", "published")} == {
        "id": rid, "room": "Room 101", "course": COURSE, "published": False}
    assert row["title"].startswith(COURSE)
    code, out, _ = centre_cli("publish", rid)
    assert code == 0 and "published" in out
    code, out, _ = centre_cli("recordings")
    assert rid in out and "yes" in out and "title" in out.splitlines()[0]
    assert centre_cli("unpublish", rid)[0] == 0
    assert json.loads(centre_cli("recordings", "--json")[1])["published"] is False
    code, _, err = centre_cli("publish", "nope")
    assert code == 1 and err.count("\n") == 1 and "no recording 'nope'" in err


def test_a_room_that_publishes_on_upload_from_the_command_line(tmp_path: Path, media: tuple[Path, list[bytes]],
                                                               centre: tuple[str, Path]) -> None:  # noqa: F811
    """`sync --publish-on-upload yes --language uz` is kept by the room and honoured by the centre on arrival."""
    url, data = centre
    mp4, thumbs = media
    token = sync_cli("centre", "add-room", "Room 7", "--data", str(data)).stdout.strip().splitlines()[-1]

    async def recorded() -> str:
        store = await AsyncStore.open(tmp_path / "room")
        try:
            return (await store.call(lambda s: add_lecture(s, mp4, thumbs))).recording_id
        finally:
            await store.close()

    rid = asyncio.run(recorded())
    sent = sync_cli("--data-dir", str(tmp_path / "room"), "sync", "--centre", url, "--token", token, "--once",
                    "--publish-on-upload", "yes", "--language", "uz")
    assert sent.returncode == 0, sent.stderr
    listed = sync_cli("centre", "recordings", "--json", "--data", str(data))
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["id"] == rid and row["published"] is True
    with urllib.request.urlopen(f"{url}/library/watch/{public_key('Room 7', rid)}", timeout=30) as page:
        assert page.status == 200 and "<dd>uz</dd>" in page.read().decode()
