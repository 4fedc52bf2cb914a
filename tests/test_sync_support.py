"""Shared pieces for the sync and centre tests: a centre on loopback, a room with data, a proxy that cuts."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from classroom_console.centre.server import CentreOptions, CentreServer
from classroom_console.centre.tokens import ROOM, folder_for, issue_token, token_hash
from classroom_console.store import AsyncStore, Event, Store
from classroom_console.sync import Backoff, SyncConfig, SyncEngine
from devices.model import DeviceInfo, DeviceKind


@contextlib.asynccontextmanager
async def running_centre(data: Path, port: int = 0, **options: Any) -> AsyncIterator[CentreServer]:
    server = CentreServer(CentreOptions(data_dir=data, port=port, **options))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def add_token(server: CentreServer, name: str, role: str = ROOM) -> str:
    assert server.db is not None
    token = issue_token()
    await server.db.add_token(token_hash(token), name, role, folder_for(name))
    return token


def fill_room(
    store: Store, folder: Path, *, sessions: int = 3, events: int = 5, recording_bytes: int = 0
) -> dict[str, Any]:
    """Ended sessions with events and readings, and optionally one finished recording on disk."""
    store.upsert_room("room:A", "A")
    projector = DeviceInfo("mac:00:00:00:00:00:01", DeviceKind.PROJECTOR, "Projector", "127.0.0.1", 4352, "pjlink")
    store.upsert_device(projector, "room:A")
    ids = []
    for n in range(sessions):
        sid = store.start_session(room_id="room:A", lecturer=f"Lecturer {n % 2}", course=f"Course {n}")
        store.add_events([Event(sid, "mac:00:00:00:00:00:01", "state", {"n": i}) for i in range(events)])
        store.end_session(sid)
        ids.append(sid)
    out: dict[str, Any] = {"sessions": ids}
    if recording_bytes:
        path = folder / "lecture.mp4"
        data = os.urandom(recording_bytes)
        path.write_bytes(data)
        rid = store.add_recording(ids[0], str(path))
        sha = hashlib.sha256(data).hexdigest()
        store.finish_recording(rid, duration_s=60.0, size_bytes=len(data), sha256=sha)
        out.update(recording=rid, path=path, sha256=sha, size=len(data))
    return out


def engine_for(store: AsyncStore, url: str, token: str, **config: Any) -> SyncEngine:
    config.setdefault("backoff", Backoff(base_s=0.01, cap_s=0.05))
    return SyncEngine(store, SyncConfig(url, token, **config))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class CutProxy:
    """Loopback TCP proxy: the first ``cuts`` connections are dropped after ``after`` bytes upstream; ``sent``
    counts the bytes that went up (``cuts=0``: a counting relay)."""

    def __init__(self, target_port: int, after: int = 0, cuts: int = 1) -> None:
        self.target_port = target_port
        self.after = after
        self.cuts = cuts
        self.connections = 0
        self.sent = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> CutProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        limit = self.after if self.connections <= self.cuts else None
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:  # the centre is down (killed by the test): the client sees the connection close
            writer.close()
            return

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, budget: int | None, up: bool) -> None:
            sent = 0
            try:
                while data := await src.read(65536):
                    if budget is not None and sent + len(data) >= budget:
                        dst.write(data[: budget - sent])
                        await dst.drain()
                        if up:
                            self.sent += budget - sent
                        break
                    dst.write(data)
                    await dst.drain()
                    sent += len(data)
                    if up:
                        self.sent += len(data)
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                for w in (writer, up_writer):
                    w.close()

        tasks = [
            asyncio.ensure_future(pump(reader, up_writer, limit, True)),
            asyncio.ensure_future(pump(up_reader, writer, None, False)),
        ]
        self._tasks.update(tasks)
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.difference_update(tasks)


class StallProxy:
    """Loopback TCP proxy that, after ``after`` bytes upstream in all, stops moving bytes either way while
    keeping every socket open (a link that stalls); ``release`` ends the stalled connections, as a link
    coming back resets them, and lets new ones through."""

    def __init__(self, target_port: int, after: int) -> None:
        self.target_port = target_port
        self.after = after
        self.upstream_bytes = 0
        self.tripped = asyncio.Event()
        self.released = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> StallProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        self.released.set()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def release(self) -> None:
        self.released.set()

    def _stalled(self) -> bool:
        return self.tripped.is_set() and not self.released.is_set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, upstream: bool) -> None:
            try:
                while not self._stalled():
                    data = await src.read(65536)
                    if not data:
                        return
                    if upstream and not self.released.is_set():
                        room = max(0, self.after - self.upstream_bytes)
                        if room <= len(data):
                            data = data[:room]
                            self.tripped.set()
                        self.upstream_bytes += len(data)
                    elif self._stalled():
                        break
                    if data:
                        dst.write(data)
                        await dst.drain()
                await self.released.wait()  # hold everything, sockets open, until the link comes back
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                for w in (writer, up_writer):
                    w.close()

        tasks = [asyncio.ensure_future(pump(reader, up_writer, True)),
                 asyncio.ensure_future(pump(up_reader, writer, False))]
        self._tasks.update(tasks)
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.difference_update(tasks)
