"""Chapters after a real recording stops: found off the loop, written into the MP4, the .vtt and the store while
the sync is held off the file; edits saved the same way before the upload, as metadata only after it begins."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from classroom_console.media import Tone, chapters_store
from classroom_console.media.artifacts import chapters_path, sha256_file
from classroom_console.media.chapters import EDITED, Chapter
from classroom_console.media.chapters_job import METADATA_ONLY, WRITTEN, ChapterJob, presentation_file, save_chapters
from classroom_console.media.chapters_synthetic import SlideDeck, SlideShow, write_deck
from classroom_console.media.studio import Studio
from classroom_console.store import AsyncStore
from classroom_console.sync import items


def listed(path: Path) -> list[tuple[float, str]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [(round(float(c["start_time"]), 3), c["tags"]["title"]) for c in json.loads(out)["chapters"]]


async def until(predicate: Callable[[], object], within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def recording_row(store: AsyncStore, rid: str) -> dict[str, Any]:
    row: dict[str, Any] | None = await store.call(lambda s: s.recording(rid))
    assert row is not None
    return row


def file_facts(path: Path) -> tuple[list[tuple[float, str]], int, str, str]:
    """Blocking (read off the loop): ffprobe's chapters, size, SHA-256 and the .vtt beside it."""
    vtt = chapters_path(path)
    return listed(path), path.stat().st_size, sha256_file(path), vtt.read_text(encoding="utf-8") if vtt.exists() else ""


async def test_a_recording_with_slide_changes_gets_its_chapters_after_stop(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "data")
    studio = Studio(None, store, tmp_path / "rec", size=(480, 270), fps=30, start_floor_bytes=0)
    deck = SlideDeck(size=(480, 270), duration_s=8.0, changes=(1.5, 6.0))
    slides = SlideShow(deck)
    try:
        studio.program.add_source(slides)
        studio.program.add_source(Tone())
        studio.program.start()
        rid = await studio.start_recording()
        recorder = studio.recorder
        assert recorder is not None
        await until(lambda: recorder.started_at is not None)
        slides.origin = recorder.started_at
        await until(lambda: recorder.elapsed_s >= 3.8, 30)
        await studio.add_marker("Definitions")  # more than 2 s from either change: a chapter of its own
        await until(lambda: recorder.elapsed_s >= 7.5, 30)
        result = await studio.stop_recording()
        # Held: the stopped recording is not queued for upload until its chapters are in the file.
        held = await recording_row(store, rid)
        assert held["chapters_state"] == chapters_store.PENDING
        assert await store.call(items.sweep) == 0
        await until(lambda: studio.chapters_progress(rid) is None)
        chapters = await studio.chapters(rid)
        starts = [c.start_s for c in chapters]
        assert [c.title for c in chapters][2] == "Definitions" and starts[0] == 0.0
        assert len(chapters) == 4 and abs(starts[1] - 1.5) <= 1.0 and abs(starts[3] - 6.0) <= 1.0, starts
        assert all(c.thumbnail and c.thumbnail[:2] == b"\xff\xd8" for c in chapters), "a JPEG each"
        atoms, size, sha, vtt = await asyncio.to_thread(file_facts, result.path)
        assert [t for _, t in atoms] == [c.title for c in chapters]
        assert "Definitions" in vtt
        row = await recording_row(store, rid)
        assert row["chapters_state"] == chapters_store.DONE and row["chapters_rev"] == 1
        assert row["size_bytes"] == size and row["sha256"] == sha, \
            "the store's checksum is the rewritten file's, so the sync sends it"
        assert await store.call(items.sweep) == 1
        payload = await store.call(lambda s: chapters_store.chapters_payload(s, rid))
        assert payload["rev"] == 1 and payload["chapters"][2]["title"] == "Definitions"
        assert base64.b64decode(payload["chapters"][0]["thumbnail_jpeg"])[:2] == b"\xff\xd8"
    finally:
        await studio.close()
        await store.close()


async def _stored_recording(store: AsyncStore, path: Path) -> str:
    rid: str = await store.add_recording(None, str(path))
    _, size, sha, _ = await asyncio.to_thread(file_facts, path)
    await store.call(lambda s: s.finish_recording(rid, duration_s=8.0, size_bytes=size, sha256=sha, stats={}))
    return rid


async def test_edits_before_upload_rewrite_the_atoms_and_after_it_only_the_metadata(tmp_path: Path) -> None:
    path = await asyncio.to_thread(write_deck, tmp_path / "lecture.mp4",
                                   SlideDeck(size=(320, 180), duration_s=8.0, changes=(4.0,)))
    store = await AsyncStore.open(tmp_path / "data")
    try:
        rid = await _stored_recording(store, path)
        assert await store.call(items.sweep) == 1, "queued, not tried yet"
        edited = [Chapter(0.0, "Opening"), Chapter(2.5, "Added at the player", EDITED),
                  Chapter(4.0, "Renamed", EDITED)]
        assert await save_chapters(store, rid, edited) == WRITTEN
        atoms, size, sha, _ = await asyncio.to_thread(file_facts, path)
        assert atoms == [(0.0, "Opening"), (2.5, "Added at the player"), (4.0, "Renamed")]
        row = await recording_row(store, rid)
        assert row["sha256"] == sha and row["size_bytes"] == size
        assert row["chapters_rev"] == 1 and row["chapters_state"] == chapters_store.DONE
        assert await store.call(items.sweep) == 1, "taken out of the queue while held, queued again after"
        # The upload has been tried: the file stays as the centre may have it; store and .vtt follow the edit.
        await store.call(lambda s: s.db.execute(
            "UPDATE upload_queue SET attempts = 1 WHERE item_kind = 'recording' AND item_id = ?", (rid,)))
        assert await save_chapters(store, rid, edited[:1]) == METADATA_ONLY
        atoms, _, after, vtt = await asyncio.to_thread(file_facts, path)
        assert after == sha and len(atoms) == 3, "the file is left as the centre may have it"
        assert [c.title for c in await store.call(lambda s: chapters_store.load(s, rid))] == ["Opening"]
        assert vtt.count("-->") == 1
        assert (await store.call(lambda s: chapters_store.chapters_payload(s, rid)))["rev"] == 2
    finally:
        await store.close()


async def test_a_held_recording_is_neither_queued_nor_handed_to_the_engine(tmp_path: Path) -> None:
    path = tmp_path / "x.mp4"
    store = await AsyncStore.open(tmp_path / "data")
    try:
        rid = await store.add_recording(None, str(path))
        assert await store.call(lambda s: chapters_store.hold(s, rid, started=True))
        await store.call(lambda s: s.finish_recording(rid, duration_s=1.0, size_bytes=100, sha256="x", stats={}))
        assert await store.call(items.sweep) == 0
        await store.call(lambda s: s.db.execute(
            "INSERT INTO upload_queue (item_kind, item_id, created_at, next_attempt_at) VALUES "
            "('recording', ?, '2000-01-01', '2000-01-01')", (rid,)))
        assert await store.call(lambda s: items.next_items(s, 10)) == []
        assert await store.call(chapters_store.release_stale) == [rid], "a crash's hold is let go at start"
        assert [i["item_id"] for i in await store.call(lambda s: items.next_items(s, 10))] == [rid]
    finally:
        await store.close()


@pytest.mark.parametrize("bad", ["not-a-recording"])
async def test_saving_chapters_of_an_unknown_recording_is_refused(tmp_path: Path, bad: str) -> None:
    store = await AsyncStore.open(tmp_path / "data")
    try:
        with pytest.raises(LookupError):
            await save_chapters(store, bad, [Chapter(0.0, "x")])
    finally:
        await store.close()


async def test_a_job_stopped_on_close_releases_the_hold_and_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = await asyncio.to_thread(write_deck, tmp_path / "lecture.mp4",
                                   SlideDeck(size=(320, 180), duration_s=4.0, changes=(2.0,)))
    store = await AsyncStore.open(tmp_path / "data")
    try:
        rid = await store.add_recording(None, str(path))
        assert await store.call(lambda s: chapters_store.hold(s, rid, started=True))
        _, size, sha, _ = await asyncio.to_thread(file_facts, path)
        await store.call(lambda s: s.finish_recording(rid, duration_s=4.0, size_bytes=size, sha256=sha, stats={}))
        job = ChapterJob(store, rid, path, [])
        job.cancel()  # the console closing right after Stop
        assert await job.run() is None and job.done and job.error == "Stopped"
        row = await recording_row(store, rid)
        assert row["chapters_state"] == chapters_store.DONE and row["sha256"] == sha and row["chapters_rev"] == 0
        assert (await asyncio.to_thread(file_facts, path))[2] == sha
        assert await store.call(items.sweep) == 1, "the recording goes to the centre without chapters"
    finally:
        await store.close()


def test_the_presentation_track_is_looked_at_when_there_is_one(tmp_path: Path) -> None:
    program, screen, camera = (tmp_path / n for n in ("l.mp4", "l.screen.mp4", "l.camera.mp4"))
    for f in (program, screen, camera):
        f.write_bytes(b"x")
    assert presentation_file(program, [("camera", camera), ("screen", screen)]) == screen
    assert presentation_file(program, [("camera", camera)]) == program
    assert presentation_file(program, [("screen-2", tmp_path / "missing.mp4")]) == program


async def test_chapters_and_the_sync_never_touch_one_file_at_once(tmp_path: Path) -> None:
    """The sync picks a queued recording, then the lecturer saves chapters before its upload starts (or the other
    way round): whichever comes second stands back, so a file is never rewritten while it is being sent."""
    from classroom_console.sync.engine import ItemWithdrawn, SyncConfig, SyncEngine

    store = await AsyncStore.open(tmp_path / "data")
    try:
        rid = await store.add_recording(None, str(tmp_path / "x.mp4"))
        await store.call(lambda s: s.finish_recording(rid, duration_s=1.0, size_bytes=100, sha256="x", stats={}))
        assert await store.call(items.sweep) == 1
        picked = await store.call(lambda s: items.next_items(s, 10))
        assert [i["item_id"] for i in picked] == [rid]

        # The chapters came second: the item picked a moment ago is withdrawn before any byte is read or sent.
        assert await store.call(lambda s: chapters_store.hold(s, rid))
        engine = SyncEngine(store, SyncConfig(centre_url="http://127.0.0.1:9", token="t"))
        with pytest.raises(ItemWithdrawn):
            await engine._send_recording(rid)
        await store.call(lambda s: chapters_store.release(s, rid))

        # The sync came first: while it reads the file, the chapters may not take it.
        assert await store.call(lambda s: items.claim_recording(s, rid))
        assert not await store.call(lambda s: chapters_store.hold(s, rid))
        await store.call(lambda s: items.release_recording(s, rid))
    finally:
        await store.close()
