"""One room cannot stall the centre: raw sockets that never finish, bodies that never arrive, too many
connections from one address, and a room sending huge sessions while another room pings."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import aiohttp

from classroom_console.centre.app import JSON
from classroom_console.centre.limits import Limits
from classroom_console.centre.server import CentreServer
from tests.test_centre_api import T0, auth
from tests.test_centre_api import session_body as session_body_of
from tests.test_sync_support import add_token, running_centre

QUICK = Limits(header_timeout_s=0.5, body_idle_s=0.5, lock_wait_s=10.0, lingering_s=0.5)
BOUND_S = 10.0  # generous upper bound for anything the centre must do "soon"


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """Everything the centre sent before it closed the connection; fails if it is still open after ``seconds``."""
    got = b""
    async with asyncio.timeout(seconds):
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionError:
                return got
            if not chunk:
                return got
            got += chunk


async def _raw(centre: CentreServer, head: bytes = b"", local: str | None = None) -> tuple[Any, Any]:
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", centre.port, local_addr=(local, 0) if local else None
    )
    if head:
        writer.write(head)
        await writer.drain()
    return reader, writer


async def _wait_until(condition: Any, seconds: float = BOUND_S) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_connections_that_never_finish_their_head_are_closed(tmp_path: Path) -> None:
    async with running_centre(tmp_path, limits=QUICK) as centre:
        token = await add_token(centre, "Room A")
        silent = [await _raw(centre) for _ in range(10)]
        partial = [await _raw(centre, b"GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n") for _ in range(10)]
        assert centre.guard is not None
        await _wait_until(lambda: sum(centre.guard.open.values()) == 20 if centre.guard else False)
        started = time.monotonic()
        for reader, writer in silent + partial:
            writer.write(b"X-Drip: 1\r\n")  # a drip of header bytes does not reset the clock
            await _closed_within(reader, BOUND_S)
            writer.close()
        assert time.monotonic() - started < BOUND_S
        await _wait_until(lambda: not centre.guard.open if centre.guard else True)
        # A well-behaved room is served as ever, and may keep its connection alive between requests.
        async with aiohttp.ClientSession() as http:
            for _ in range(3):
                async with http.get(f"{centre.url}/api/v1/ping", headers=auth(token)) as r:
                    assert r.status == 200


async def test_a_body_that_is_announced_but_never_sent_is_given_up(tmp_path: Path) -> None:
    async with running_centre(tmp_path, limits=QUICK) as centre:
        token = await add_token(centre, "Room A")
        head = (f"PUT /api/v1/sessions/s-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                "Content-Type: application/json\r\nContent-Length: {n}\r\n\r\n")
        reader, writer = await _raw(centre, head.replace("{n}", str(10 << 30)).encode() + b'{"session":')
        answer = await _closed_within(reader, BOUND_S)
        assert answer.startswith(b"HTTP/1.1 413") and b"more than the" in answer
        writer.close()
        reader, writer = await _raw(centre, head.replace("{n}", "1000").encode() + b'{"session":')
        answer = await _closed_within(reader, BOUND_S)
        assert answer.startswith(b"HTTP/1.1 408") and b"no bytes of the body arrived" in answer
        writer.close()
        assert centre.guard is not None
        await _wait_until(lambda: not centre.guard.open if centre.guard else True)


async def test_a_stalled_upload_lets_go_of_its_recording_and_the_room_resumes_from_the_stored_offset(
    tmp_path: Path,
) -> None:
    async with running_centre(tmp_path, limits=QUICK) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        data = os.urandom(100_000)
        meta = {"id": "rec-1", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "started_at": T0}
        async with http.post(f"{centre.url}/api/v1/recordings", json=meta, headers=auth(token)) as r:
            assert r.status == 200
        head = (f"PATCH /api/v1/recordings/rec-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                f"Upload-Offset: 0\r\nContent-Length: {len(data)}\r\n\r\n").encode()
        reader, writer = await _raw(centre, head + data[:11])  # then nothing: the link stalled
        url = f"{centre.url}/api/v1/recordings/rec-1"
        # A new attempt while the stalled one still holds the recording: it waits, then learns the offset.
        async with http.patch(url, data=data, headers={**auth(token), "Upload-Offset": "0"}) as r:
            assert r.status == 409 and r.headers["Upload-Offset"] == "11"
        stalled = await _closed_within(reader, BOUND_S)
        assert stalled.startswith(b"HTTP/1.1 408") and b"Upload-Offset: 11" in stalled
        writer.close()
        async with http.patch(url, data=data[11:], headers={**auth(token), "Upload-Offset": "11"}) as r:
            done = await r.json()
        assert done["complete"] is True and done["sha256"] == meta["sha256"]


async def test_one_address_may_hold_only_so_many_connections(tmp_path: Path) -> None:
    limits = Limits(connections_per_client=4, header_timeout_s=30.0)
    async with running_centre(tmp_path, limits=limits) as centre:
        token = await add_token(centre, "Room A")
        held = [await _raw(centre) for _ in range(4)]
        assert centre.guard is not None
        await _wait_until(lambda: centre.guard.open.get("127.0.0.1") == 4 if centre.guard else False)
        reader, writer = await _raw(centre)
        refused = await _closed_within(reader, BOUND_S)
        assert refused.startswith(b"HTTP/1.1 429") and b"too many connections" in refused
        writer.close()
        # Another address (another room) is not affected.
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
        async with aiohttp.ClientSession(connector=connector) as other:
            async with other.get(f"{centre.url}/api/v1/ping", headers=auth(token)) as r:
                assert r.status == 200
        # A connection given back makes room for the next one.
        held.pop()[1].close()
        await _wait_until(lambda: centre.guard.open.get("127.0.0.1") == 3 if centre.guard else False)
        async with aiohttp.ClientSession() as http, http.get(f"{centre.url}/api/v1/ping", headers=auth(token)) as r:
            assert r.status == 200
        for _, w in held:
            w.close()


def big_session(sid: str, events: int) -> bytes:
    """A valid session near the size cap, encoded once (the client must not block the shared loop)."""
    body = {
        "session": {"id": sid, "lecturer": "L", "course": "C", "started_at": T0,
                    "ended_at": "2026-11-23T20:00:00.000000Z", "status": "completed"},
        "events": [{"id": i + 1, "device_uid": f"mac:{i % 7}", "kind": "state",
                    "payload": {"power": "on", "lamp_hours": [i], "detail": "x" * 40},
                    "wall_time": "2026-11-23T08:10:00.000000Z"} for i in range(events)],
    }
    return json.dumps(body).encode()


async def _pings(http: aiohttp.ClientSession, url: str, token: str, stop: asyncio.Event) -> list[float]:
    took: list[float] = []
    for _ in range(5000):  # bounded; ends when ``stop`` is set
        if stop.is_set():
            break
        started = time.perf_counter()
        async with http.get(url, headers=auth(token)) as r:
            assert r.status == 200
            await r.read()
        took.append(time.perf_counter() - started)
        await asyncio.sleep(0.01)
    return took


async def test_a_room_sending_huge_sessions_does_not_delay_another_rooms_requests(tmp_path: Path) -> None:
    async with running_centre(tmp_path) as centre:
        a, b = await add_token(centre, "Room A"), await add_token(centre, "Room B")
        first = await asyncio.to_thread(big_session, "big-0", 80_000)
        # The others differ only in the session's id: the same bytes big_session would build, without building them.
        bodies = [first] + [first.replace(b'"big-0"', f'"big-{n}"'.encode(), 1) for n in (1, 2)]
        assert all(12 << 20 < len(body) <= 16 << 20 for body in bodies)
        # What one body's parse costs this machine now: a centre parsing on its loop would hold every request that
        # long (the bug this tests); a busy machine's own jitter is far less, and grows with it
        parse_started = time.perf_counter()
        await asyncio.to_thread(json.loads, first)
        parse_s = time.perf_counter() - parse_started
        ping = f"{centre.url}/api/v1/ping"
        heavy = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.3", 0)))
        light = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.4", 0)))
        try:
            stop = asyncio.Event()
            idle_task = asyncio.ensure_future(_pings(light, ping, b, stop))
            await asyncio.sleep(1.0)
            stop.set()
            idle = await idle_task

            async def upload(n: int) -> None:
                url = f"{centre.url}/api/v1/sessions/big-{n}"
                headers = {**auth(a), "Content-Type": "application/json"}
                async with heavy.put(url, data=bodies[n], headers=headers) as r:
                    assert r.status == 200, await r.text()
                    assert (await r.json())["events"] == 80_000

            stop = asyncio.Event()
            busy_task = asyncio.ensure_future(_pings(light, ping, b, stop))
            await asyncio.gather(*(upload(n) for n in range(3)))
            stop.set()
            busy = await busy_task
        finally:
            await heavy.close()
            await light.close()
    idle.sort()
    busy.sort()
    worst_idle, worst_busy = idle[-1], busy[-1]
    p99 = busy[int(len(busy) * 0.99) - 1] if len(busy) >= 100 else worst_busy
    print(f"room B's ping: idle worst {worst_idle * 1000:.1f} ms; while room A sends 3 x "
          f"{len(bodies[0]) >> 20} MB: p99 {p99 * 1000:.1f} ms, worst {worst_busy * 1000:.1f} ms over {len(busy)}; "
          f"one body's parse {parse_s * 1000:.0f} ms")
    assert len(busy) >= 10
    # 100 ms over the idle worst, or half a parse where that is more: beside stress-ng a run gave 122 ms against
    # 14 + 100 with nothing held
    assert p99 < worst_idle + max(0.100, parse_s / 2)


async def test_bodies_held_at_once_are_bounded_and_a_room_over_the_budget_is_told_to_retry(tmp_path: Path) -> None:
    limits = Limits(body_budget_bytes=100_000, budget_wait_s=0.3, body_idle_s=5.0)
    async with running_centre(tmp_path, limits=limits) as centre, aiohttp.ClientSession() as http:
        a, b = await add_token(centre, "Room A"), await add_token(centre, "Room B")
        head = (f"PUT /api/v1/sessions/s-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {a}\r\n"
                "Content-Length: 90000\r\n\r\n{")
        reader, writer = await _raw(centre, head.encode())  # holds 90 KB of the budget while it dawdles
        body = json.dumps(session_body_of("s-2", 200)).encode()
        assert 10_000 < len(body) < 90_000
        assert centre._runner is not None
        budget = centre._runner.app[JSON].budget
        await _wait_until(lambda: budget.free <= 100_000 - 90_000)  # the first body has begun: its 90 KB are held
        async with http.put(f"{centre.url}/api/v1/sessions/s-2", data=body, headers=auth(b)) as r:
            assert r.status == 503 and "too much at once" in (await r.json())["error"]
        writer.close()
        await _wait_until(lambda: centre.guard is not None and not centre.guard.open.get("127.0.0.1", 0) > 1)
        for _ in range(100):  # once the first body is gone, the same upload goes through
            async with http.put(f"{centre.url}/api/v1/sessions/s-2", data=body, headers=auth(b)) as r:
                if r.status == 200:
                    break
            await asyncio.sleep(0.05)
        assert r.status == 200
        del reader
