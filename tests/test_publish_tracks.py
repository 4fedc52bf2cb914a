"""Per-source tracks: a recording's presentation file goes to the centre after the program file, resumably and
checked, and the player shows it beside the program; the track's parameters are checked like any other."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from classroom_console.centre.library_db import public_key
from classroom_console.centre.publish_tracks import track_id
from classroom_console.store import AsyncStore, Store
from tests.test_library_support import add_lecture, library_centre, make_jpeg, make_mp4


def with_track(store: Store, rid: str, track: Path, source: str) -> None:
    data = track.read_bytes()
    entry = {"source": source, "path": str(track), "size_bytes": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "frames": 75, "skipped": 0, "message": ""}
    store.db.execute("UPDATE recordings SET stats = json_set(stats, '$.tracks', json(?)) WHERE id = ?",
                     (json.dumps([entry]), rid))


async def test_a_presentation_track_is_uploaded_and_shown_beside_the_program(tmp_path: Path) -> None:
    program = make_mp4(tmp_path / "lecture.mp4", seconds=3.0)
    screen = make_mp4(tmp_path / "lecture.screen-1.mp4", seconds=3.0, size="480x270")
    thumbs = [make_jpeg(tmp_path / f"{n}.jpg", "gray") for n in range(3)]
    store = await AsyncStore.open(tmp_path / "room")
    try:
        lecture = await store.call(lambda s: add_lecture(s, program, thumbs))
        await store.call(lambda s: with_track(s, lecture.recording_id, screen, "screen-1"))
        async with library_centre(tmp_path / "centre") as centre:
            await centre.sync(store)  # the program file first; its track is queued once that is done
            await centre.sync(store)
            queue = await store.call(lambda s: s.db.execute(
                "SELECT state FROM upload_queue WHERE item_kind = 'track'").fetchall())
            assert queue == [("done",)]
            key = public_key("Room 101", lecture.recording_id)
            assert await centre.publish("Room 101", lecture.recording_id, True) == 200
            tid = track_id(lecture.recording_id, "screen-1")
            page = (await centre.get(f"/library/watch/{key}"))[1].decode()
            assert f'src="/library/media/{key}/{tid}.mp4"' in page and 'class="player two"' in page
            status, body, _ = await centre.get(f"/library/media/{key}/{tid}.mp4")
            assert status == 200 and body == screen.read_bytes()
            status, body, _ = await centre.get(f"/library/media/{key}/{tid}.mp4", headers={"Range": "bytes=5-14"})
            assert status == 206 and body == screen.read_bytes()[5:15]
            # Another track id, even a real one of another recording, is not this lecture's.
            assert (await centre.get(f"/library/media/{key}/{track_id('x', 'screen-1')}.mp4"))[0] == 404
            # Announced again: the same id, complete; bytes at a wrong offset or too many are refused.
            size = screen.stat().st_size
            sha = hashlib.sha256(screen.read_bytes()).hexdigest()
            status, answer = await centre.api("POST", "/tracks", centre.room_token, json={
                "recording_id": lecture.recording_id, "source": "screen-1", "size": size, "sha256": sha})
            assert status == 200 and answer["complete"] and answer["id"] == tid
            status, answer = await centre.api("POST", "/tracks", centre.room_token, json={
                "recording_id": lecture.recording_id, "source": "screen-1", "size": size + 1, "sha256": sha})
            assert status == 409
            status, answer = await centre.api("POST", "/tracks", centre.room_token, json={
                "recording_id": lecture.recording_id, "source": "camera", "size": 4, "sha256": "0" * 64})
            other = answer["id"]
            for offset, body, expected in (("2", b"ab", 409), ("0", b"abcdef", 413), ("x", b"a", 400),
                                           ("0", b"abcd", 422)):
                status, _ = await centre.api("PATCH", f"/tracks/{other}", centre.room_token, data=body,
                                             headers={"Upload-Offset": offset})
                assert status == expected, (offset, body, status)
            assert (await centre.api("PATCH", "/tracks/..%2F..%2Fx", centre.room_token, data=b"a",
                                     headers={"Upload-Offset": "0"}))[0] == 404
            assert not list((tmp_path / "centre").rglob("x.bin"))
    finally:
        await store.close()
