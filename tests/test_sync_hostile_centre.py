"""A centre that is not what it says: the room keeps its recording and backs off, never loops or deletes.

The "centres" here are small aiohttp servers on loopback speaking the centre's API wrongly on purpose (an echo of the
room's own SHA-256, a PATCH taken without the offset moving, an offset beyond the file): found by an attacker's walk.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from classroom_console import file_proof
from classroom_console.store import AsyncStore
from classroom_console.sync import items as sync_items
from tests.test_sync_support import add_token, engine_for, file_sha256, fill_room, running_centre


@asynccontextmanager
async def fake_centre(announce: Callable[[dict[str, Any]], dict[str, Any]],
                      patch_offset: Callable[[int], int] | None = None) -> AsyncIterator[tuple[str, list[str]]]:
    """Takes sessions; answers a recording's announcement with ``announce(meta)``, a PATCH with
    ``patch_offset(asked)``, a status with the announcement's answer; keeps no byte. Yields its URL and requests."""
    seen: list[str] = []
    answers: dict[str, dict[str, Any]] = {}

    async def session(request: web.Request) -> web.Response:
        seen.append(f"PUT {request.path}")
        body = json.loads(await request.read())
        return web.json_response({"id": request.match_info["sid"], "events": len(body.get("events", []))})

    async def recording(request: web.Request) -> web.Response:
        meta = json.loads(await request.read())
        seen.append("POST recording")
        answers[meta["id"]] = announce(meta)
        return web.json_response(answers[meta["id"]])

    async def status(request: web.Request) -> web.Response:
        seen.append(f"GET {request.path_qs}")
        return web.json_response(answers[request.match_info["rid"]])

    async def patch(request: web.Request) -> web.Response:
        await request.read()
        seen.append("PATCH")
        assert patch_offset is not None
        answer = dict(answers[request.match_info["rid"]], offset=patch_offset(int(request.headers["Upload-Offset"])))
        return web.json_response(answer)

    async def meta(request: web.Request) -> web.Response:
        await request.read()
        seen.append("PUT meta")
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_put("/api/v1/sessions/{sid}", session)
    app.router.add_post("/api/v1/recordings", recording)
    app.router.add_get("/api/v1/recordings/{rid}", status)
    app.router.add_patch("/api/v1/recordings/{rid}", patch)
    app.router.add_put("/api/v1/recordings/{rid}/meta", meta)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


async def test_an_echo_of_the_rooms_sha256_does_not_get_the_recording_deleted(tmp_path: Path) -> None:
    """The server "confirms" with the SHA-256 the room announced and never took a byte: the file stays."""
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=1, recording_bytes=50_000))

        def echo(meta: dict[str, Any]) -> dict[str, Any]:
            return {"id": meta["id"], "offset": meta["size"], "size": meta["size"], "complete": True,
                    "sha256": meta["sha256"]}

        async with fake_centre(echo) as (url, seen):
            engine = engine_for(store, url, "any-token", delete_uploaded_media=True)
            try:
                await engine.run_once()
            finally:
                await engine.close()
        assert "PATCH" not in seen  # not one byte went
        assert any("proof=" in s for s in seen)  # it was asked to prove it holds them
        assert room["path"].exists() and file_sha256(room["path"]) == room["sha256"]
        rec = await store.call(lambda s: s.recording(room["recording"]))
        assert rec is not None and not rec["stats"].get("local_file_deleted")
    finally:
        await store.close()


async def test_a_centre_that_keeps_no_byte_is_left_for_later_not_fed_forever(tmp_path: Path) -> None:
    """Every PATCH answered 200 at offset 0: the room gives up this try after a few chunks and backs off."""
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=1, recording_bytes=300_000))

        def empty(meta: dict[str, Any]) -> dict[str, Any]:
            return {"id": meta["id"], "offset": 0, "size": meta["size"], "complete": False, "sha256": None}

        async with fake_centre(empty, patch_offset=lambda asked: 0) as (url, seen):
            engine = engine_for(store, url, "any-token", chunk_bytes=64 << 10)
            try:
                result = await engine.run_once()
            finally:
                await engine.close()
        assert seen.count("PATCH") <= 5  # the old loop sent the first chunk 10,051 times in 28 s and never ended
        assert result.offline and "without taking a byte" in result.offline
        assert engine.progress.reason == "no_progress"
        assert (await store.call(sync_items.counts)).get("failed", 0) == 0  # tried again later, not set aside
    finally:
        await store.close()


async def test_an_offset_beyond_the_file_is_a_confused_centre_not_a_lost_recording(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=1, recording_bytes=50_000))

        def beyond(meta: dict[str, Any]) -> dict[str, Any]:
            return {"id": meta["id"], "offset": 99_999_999, "size": meta["size"], "complete": False, "sha256": None}

        async with fake_centre(beyond) as (url, seen):
            engine = engine_for(store, url, "any-token")
            try:
                result = await engine.run_once()
            finally:
                await engine.close()
        assert "PATCH" not in seen
        assert result.offline and engine.progress.reason == "bad_answer"
        assert (await store.call(sync_items.counts)).get("failed", 0) == 0  # it was set aside as 'internal' before
    finally:
        await store.close()


async def test_the_real_centre_proves_a_large_recording_and_the_copy_goes(tmp_path: Path) -> None:
    """Past a megabyte the proof samples ranges the room's nonce picks; the real centre answers them."""
    store = await AsyncStore.open(tmp_path / "room")
    try:
        room = await store.call(lambda s: fill_room(s, tmp_path, sessions=1, recording_bytes=3_000_000))
        assert len(file_proof.ranges("0" * 32, 3_000_000)) == file_proof.SAMPLES
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, token, delete_uploaded_media=True)
            try:
                await engine.run_once()
            finally:
                await engine.close()
        assert not room["path"].exists()
        rec = await store.call(lambda s: s.recording(room["recording"]))
        assert rec is not None and rec["stats"]["local_file_deleted"] == 1
    finally:
        await store.close()


def test_the_proof_depends_on_the_nonce_and_every_sampled_byte(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    data = bytearray(range(256)) * 8192  # 2 MiB
    path.write_bytes(data)
    one, two = file_proof.new_nonce(), file_proof.new_nonce()
    assert file_proof.answer(str(path), one, len(data)) != file_proof.answer(str(path), two, len(data))
    offset, _ = file_proof.ranges(one, len(data))[5]
    data[offset] ^= 0xFF
    changed = tmp_path / "g.bin"
    changed.write_bytes(data)
    assert file_proof.answer(str(changed), one, len(data)) != file_proof.answer(str(path), one, len(data))


async def test_an_endless_answer_is_cut_and_a_redirect_is_named_not_followed() -> None:
    """A wrong or hostile server's 1 GB answer took 3 GB of the room's memory; a redirect was followed with the
    token and then failed in a library's words (E3)."""
    import pytest

    from classroom_console.sync.client import MAX_ANSWER_BYTES, CentreClient, PermanentError, TransientError

    written = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal written
        answer = web.StreamResponse(headers={"Content-Type": "application/json"})
        await answer.prepare(request)
        block = b'"' + b"x" * (1 << 20)
        for _ in range(2 * (MAX_ANSWER_BYTES >> 20)):  # twice the cap, then stops whatever happens
            try:
                await answer.write(block)
            except ConnectionError:
                break
            written += len(block)
        return answer

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://127.0.0.9:1/elsewhere")

    app = web.Application()
    app.router.add_get("/api/v1/ping", endless)
    app.router.add_get("/api/v1/library", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    client = CentreClient(f"http://127.0.0.1:{runner.addresses[0][1]}", "token")
    try:
        with pytest.raises(TransientError) as cut:
            await client.ping()
        assert cut.value.reason == "bad_answer" and written < 2 * MAX_ANSWER_BYTES
        with pytest.raises(PermanentError) as redirected:
            await client.library()
        assert redirected.value.reason == "redirected" and "127.0.0.9:1/elsewhere" in str(redirected.value)
    finally:
        await client.close()
        await runner.cleanup()
