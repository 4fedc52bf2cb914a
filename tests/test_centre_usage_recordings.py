"""The centre's usage report counts a room's recordings by the room, whether or not they were made in a session."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import aiohttp

from classroom_console.centre.tokens import STAFF
from tests.test_centre_api import T0, auth, session_body
from tests.test_sync_support import add_token, running_centre


async def _announce(http: aiohttp.ClientSession, url: str, token: str, rid: str, session: str | None) -> None:
    data = os.urandom(100)
    meta = {"id": rid, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "started_at": T0,
            "duration_s": 37.0, "session_id": session}
    async with http.post(f"{url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
        assert r.status == 200


async def test_a_recording_outside_a_session_is_counted_for_its_room(tmp_path: Path) -> None:
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        a, b = await add_token(centre, "Room A"), await add_token(centre, "Room B")
        staff = await add_token(centre, "Head of centre", STAFF)
        async with http.put(f"{centre.url}/api/v1/sessions/s-a", json=session_body("s-a"), headers=auth(a)) as r:
            assert r.status == 200
        await _announce(http, centre.url, a, "rec-in", "s-a")
        await _announce(http, centre.url, a, "rec-out", None)

        async def count(token: str, **query: str) -> int:
            async with http.get(f"{centre.url}/api/v1/usage", params=query, headers=auth(token)) as r:
                assert r.status == 200
                return int((await r.json())["recordings"]["count"])

        assert await count(staff) == 2
        assert await count(staff, room="Room A") == 2  # once 1: only the one made in a session
        assert await count(a) == 2  # a room token reads its own room
        assert await count(staff, room="Room B") == 0 and await count(b) == 0
        assert await count(staff, lecturer="L") == 1  # outside a session there is no lecturer
        async with http.get(f"{centre.url}/api/v1/usage", params={"session_rows": "1"}, headers=auth(a)) as r:
            rows = (await r.json())["session_rows"]
        assert [(s["room"], s["lecturer"], s["recordings"]) for s in rows] == [("Room A", "L", 2 - 1)]
