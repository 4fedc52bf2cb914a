"""The centre's API on its own: tokens, idempotence, one room never touching another, hostile input refused."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import aiohttp

from classroom_console.centre.limits import Limits
from classroom_console.centre.tokens import STAFF
from tests.test_sync_support import add_token, running_centre

T0 = "2026-11-23T08:00:00.000000Z"


def session_body(sid: str, events: int = 3) -> dict[str, Any]:
    return {
        "session": {"id": sid, "lecturer": "L", "course": "C", "started_at": "2026-11-23T08:00:00.000000Z",
                    "ended_at": "2026-11-23T09:30:00.000000Z", "status": "completed"},
        "events": [{"id": i + 1, "device_uid": "mac:1", "kind": "state", "payload": {"i": i},
                    "wall_time": "2026-11-23T08:10:00.000000Z"} for i in range(events)],
        "devices": [{"uid": "mac:1", "kind": "projector", "name": "Projector"}],
        "readings": [{"device_uid": "mac:1", "wall_time": "2026-11-23T09:00:00.000000Z", "power": "on",
                      "lamp_hours": [2950], "error_status": {"lamp": "warning"}}],
    }


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_tokens_are_checked_and_stored_only_as_hashes(tmp_path: Path) -> None:
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room 101")
        async with http.get(f"{centre.url}/api/v1/ping", headers=auth(token)) as r:
            assert r.status == 200 and (await r.json())["room"] == "Room 101"
        for headers in ({}, auth("wrong"), {"Authorization": "Basic abc"}):
            async with http.get(f"{centre.url}/api/v1/ping", headers=headers) as r:
                assert r.status == 401 and "error" in await r.json()
    assert token.encode() not in (tmp_path / "centre.db").read_bytes()
    assert hashlib.sha256(token.encode()).hexdigest().encode() in (tmp_path / "centre.db").read_bytes()


async def test_session_sent_twice_is_stored_once(tmp_path: Path) -> None:
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room 101")
        for _ in range(2):
            url = f"{centre.url}/api/v1/sessions/s-1"
            async with http.put(url, json=session_body("s-1"), headers=auth(token)) as r:
                assert r.status == 200 and (await r.json())["events"] == 3
        async with http.get(f"{centre.url}/api/v1/usage", headers=auth(token)) as r:
            report = await r.json()
    assert report["sessions"] == 1 and abs(report["hours_in_use"] - 1.5) < 1e-6
    assert report["devices"][0]["lamp_hours"] == 2950 and report["devices"][0]["lamp_warning"]
    assert report["faults"][0]["fault_readings"] == 1
    assert report["tablets"]["joins"] == 0 and report["tablets"]["response_rate"] is None


async def test_a_room_cannot_read_or_write_another_rooms_data(tmp_path: Path) -> None:
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        a, b = await add_token(centre, "Room A"), await add_token(centre, "Room B")
        staff = await add_token(centre, "Head of centre", STAFF)
        data = os.urandom(1000)
        meta = {"id": "rec-a", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(a)) as r:
            assert r.status == 200
        async with http.put(f"{centre.url}/api/v1/sessions/s-a", json=session_body("s-a"), headers=auth(a)) as r:
            assert r.status == 200
        async with http.get(f"{centre.url}/api/v1/recordings/rec-a", headers=auth(b)) as r:
            assert r.status == 404  # B's namespace has no such recording
        patch = {**auth(b), "Upload-Offset": "0"}
        async with http.patch(f"{centre.url}/api/v1/recordings/rec-a", data=data, headers=patch) as r:
            assert r.status == 404
        async with http.get(f"{centre.url}/api/v1/usage", params={"room": "Room A"}, headers=auth(b)) as r:
            assert r.status == 403
        async with http.get(f"{centre.url}/api/v1/usage", headers=auth(b)) as r:
            assert (await r.json())["sessions"] == 0  # B sees only B
        async with http.get(f"{centre.url}/api/v1/rooms", headers=auth(b)) as r:
            assert r.status == 403
        async with http.get(f"{centre.url}/api/v1/usage", params={"room": "Room A"}, headers=auth(staff)) as r:
            assert (await r.json())["sessions"] == 1
        async with http.get(f"{centre.url}/api/v1/rooms", headers=auth(staff)) as r:
            assert [room["name"] for room in (await r.json())["rooms"]] == ["Room A", "Room B"]


async def test_path_traversal_is_refused(tmp_path: Path) -> None:
    async with running_centre(tmp_path / "centre") as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        sha = hashlib.sha256(b"x").hexdigest()
        for bad in ("../../escape", "..", "a/../../b", "/etc/passwd", "a\\..\\b", ".hidden"):
            meta = {"id": bad, "size": 1, "sha256": sha, "started_at": T0}
            async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
                assert r.status == 400, bad
        for bad_url in ("..%2F..%2Fescape", "%2e%2e", "a%5C..%5Cb"):
            url = f"{centre.url}/api/v1/recordings/{bad_url}"
            async with http.patch(url, data=b"x", headers={**auth(token), "Upload-Offset": "0"}) as r:
                assert r.status in (400, 404), bad_url
        url = f"{centre.url}/api/v1/sessions/..%2Fx"
        async with http.put(url, json=session_body("../x"), headers=auth(token)) as r:
            assert r.status in (400, 404)
        # A hostile display name is only metadata: the file is named by the validated id, inside the room.
        meta = {"id": "ok-1", "size": 1, "sha256": sha, "name": "../../../../etc/cron.d/x", "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
            assert r.status == 200
        async with http.patch(f"{centre.url}/api/v1/recordings/ok-1", data=b"x",
                              headers={**auth(token), "Upload-Offset": "0"}) as r:
            assert (await r.json())["complete"] is True
    written = [p for p in tmp_path.rglob("*.bin") if p.is_file()]  # noqa: ASYNC240 (the test's own check)
    assert len(written) == 1 and written[0].parent.parent.parent.parent == tmp_path / "centre"
    assert not (tmp_path / "escape").exists()


async def test_oversized_bodies_are_refused(tmp_path: Path) -> None:
    async with running_centre(tmp_path, max_file_bytes=10_000, limits=Limits(session_bytes=64_000)) as centre, \
            aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        big = session_body("s-big", events=2000)
        async with http.put(f"{centre.url}/api/v1/sessions/s-big", json=big, headers=auth(token)) as r:
            assert r.status == 413
        sha = hashlib.sha256(b"").hexdigest()
        too_big = {"id": "huge", "size": 10_001, "sha256": sha, "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=too_big, headers=auth(token)) as r:
            assert r.status == 413
        data = os.urandom(100)
        meta = {"id": "small", "size": 100, "sha256": hashlib.sha256(data).hexdigest(), "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
            assert r.status == 200
        headers = {**auth(token), "Upload-Offset": "0"}
        async with http.patch(f"{centre.url}/api/v1/recordings/small", data=data + b"extra", headers=headers) as r:
            assert r.status == 413

        async def chunked() -> Any:  # no Content-Length: the limit holds while reading
            yield data
            yield b"more than announced"

        async with http.patch(f"{centre.url}/api/v1/recordings/small", data=chunked(), headers=headers) as r:
            assert r.status == 413
        async with http.head(f"{centre.url}/api/v1/recordings/small", headers=auth(token)) as r:
            assert r.headers["Upload-Offset"] == "0"
        async with http.patch(f"{centre.url}/api/v1/recordings/small", data=data, headers=headers) as r:
            assert (await r.json())["complete"] is True


async def test_wrong_checksum_starts_again_and_offsets_must_match(tmp_path: Path) -> None:
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        data = os.urandom(5000)
        meta = {"id": "r1", "size": 5000, "sha256": hashlib.sha256(b"other").hexdigest(), "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
            assert r.status == 200
        url = f"{centre.url}/api/v1/recordings/r1"
        async with http.patch(url, data=data[:2000], headers={**auth(token), "Upload-Offset": "0"}) as r:
            assert (await r.json())["offset"] == 2000
        async with http.patch(url, data=data[2000:], headers={**auth(token), "Upload-Offset": "0"}) as r:
            assert r.status == 409 and r.headers["Upload-Offset"] == "2000"
        async with http.patch(url, data=data[2000:], headers={**auth(token), "Upload-Offset": "2000"}) as r:
            assert r.status == 422
        async with http.get(url, headers=auth(token)) as r:
            assert (await r.json())["offset"] == 0
