"""Recordings arriving in pieces: appended at the acknowledged offset, fsynced, SHA-256 checked at the end.

The offset is noted in the database every ``WRITE_BLOCK`` as the bytes land (written, then synced, then
noted), not once per PATCH: a centre killed in the middle of a 256 MiB chunk resumes within a few MiB.

Each room writes only under its own folder; the file name is the validated recording id, never a
name the room chose.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor  # noqa: F401  resolved at import: lazily, inside a loop, it stats files
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import aiohttp

from classroom_console.centre.bodies import BodyStalled
from classroom_console.centre.db import CentreDB, Identity, RecordingState
from classroom_console.centre.validate import Invalid
from classroom_console.store import utc_iso

LOCK_POLL_S = 0.2  # how often a PATCH waiting for another process's upload of the same recording looks again
WRITE_BLOCK = 2 << 20  # bytes handed to the writer thread at once, synced, then noted as the resume offset


class OffsetConflict(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(f"the centre holds {offset} bytes")
        self.offset = offset


class TooLarge(Exception):
    pass


class UploadBusy(Exception):
    """Another PATCH of the same recording holds it; it lets go when its body times out."""


@dataclass(slots=True)
class Received:
    offset: int
    complete: bool
    checksum_ok: bool = True
    client_gone: bool = False
    stalled: str = ""  # why the body stopped early (no bytes for too long), if it did


@dataclass(slots=True)
class _Upload:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    hasher: Any = None
    hashed: int = -1


def _open_at(path: Path, offset: int) -> IO[bytes]:
    """Unbuffered: no hidden buffer that a full disk could leave half-written behind our back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "r+b" if path.exists() else "w+b", buffering=0)
    fh.truncate(offset)  # bytes never acknowledged are dropped, so the file always equals the offset
    fh.seek(offset)
    return fh


def _hash_prefix(fh: IO[bytes], length: int) -> Any:
    hasher = hashlib.sha256()
    fh.seek(0)
    left = length
    while left > 0:
        block = fh.read(min(WRITE_BLOCK, left))
        if not block:
            break
        hasher.update(block)
        left -= len(block)
    fh.seek(length)
    return hasher


def _write(fh: IO[bytes], hasher: Any, blocks: list[bytes]) -> None:
    for block in blocks:
        view = memoryview(block)
        while view:
            view = view[fh.write(view) or 0:]  # an unbuffered write may take part of the block
        hasher.update(block)


def _open_lock(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _write_synced(fh: IO[bytes], hasher: Any, blocks: list[bytes]) -> None:
    _write(fh, hasher, blocks)
    os.fsync(fh.fileno())


def _close(fh: IO[bytes], truncate_to: int | None, failed: bool = False) -> None:
    """Sync and close; after a failure (a full disk) give back every byte not acknowledged, so space is free."""
    try:
        if truncate_to is not None:
            fh.truncate(truncate_to)
        if failed:
            with contextlib.suppress(OSError):
                os.fsync(fh.fileno())
        else:
            os.fsync(fh.fileno())
    finally:
        fh.close()


class Uploads:
    def __init__(self, root: Path, db: CentreDB) -> None:
        self.root = str(root.absolute())
        self.db = db
        self._state: dict[tuple[str, str], _Upload] = {}

    def path(self, who: Identity, recording_id: str) -> Path:
        """Under the room's own folder or nowhere: a name that escapes it is refused (lexically, no disk access)."""
        room_dir = os.path.normpath(os.path.join(self.root, "rooms", who.folder, "recordings"))
        path = os.path.normpath(os.path.join(room_dir, f"{recording_id}.bin"))
        if os.path.dirname(path) != room_dir or "/" in recording_id or "\\" in recording_id:
            raise Invalid("", "a recording id may not leave the room's folder")
        return Path(path)

    def _upload(self, who: Identity, recording_id: str) -> _Upload:
        return self._state.setdefault((who.name, recording_id), _Upload())

    async def receive(
        self, who: Identity, rec: RecordingState, offset: int, length: int | None, body: AsyncIterator[bytes],
        lock_wait_s: float = 45.0,
    ) -> Received:
        """Append one PATCH body; a body cut short, or stalled, still keeps (and acknowledges) what arrived."""
        state = self._upload(who, rec.id)
        busy = "another upload of this recording is still running; try again shortly"
        deadline = asyncio.get_running_loop().time() + lock_wait_s
        try:
            async with asyncio.timeout_at(deadline):
                await state.lock.acquire()
        except TimeoutError:
            raise UploadBusy(busy) from None
        try:
            async with self._other_processes(who, rec.id, deadline, busy):
                return await self._receive_locked(state, who, rec, offset, length, body)
        except BaseException:
            state.hasher, state.hashed = None, -1  # it may have taken bytes that were never written
            raise
        finally:
            state.lock.release()

    @contextlib.asynccontextmanager
    async def _other_processes(
        self, who: Identity, recording_id: str, deadline: float, busy: str
    ) -> AsyncIterator[None]:
        """Kept apart from every other centre process: the database's lock (PostgreSQL), else a file lock.

        Several processes behind one load balancer share the database and the file store, so a lock in one
        process's memory is not enough: two of them would append to the same file.
        """
        loop = asyncio.get_running_loop()
        key = int.from_bytes(hashlib.sha256(f"{who.name}\0{recording_id}".encode()).digest()[:8], "big", signed=True)
        taken = await self.db.try_lock_upload(key)
        if taken is None:  # no database lock: the file store's
            lock_path = self.path(who, recording_id).with_suffix(".lock")
            fd = await loop.run_in_executor(None, _open_lock, lock_path)
            try:
                while not await loop.run_in_executor(None, _try_flock, fd):
                    if loop.time() >= deadline:
                        raise UploadBusy(busy)
                    await asyncio.sleep(LOCK_POLL_S)
                yield
            finally:
                await loop.run_in_executor(None, os.close, fd)  # closing lets go of the lock
            return
        while not taken:
            if loop.time() >= deadline:
                raise UploadBusy(busy)
            await asyncio.sleep(LOCK_POLL_S)
            taken = await self.db.try_lock_upload(key)
        try:
            yield
        finally:
            await self.db.unlock_upload(key)

    async def _receive_locked(
        self, state: _Upload, who: Identity, rec: RecordingState, offset: int, length: int | None,
        body: AsyncIterator[bytes],
    ) -> Received:
        loop = asyncio.get_running_loop()
        fresh = await self.db.recording(who.name, rec.id)
        rec = fresh or rec
        if rec.complete:
            return Received(rec.size, True)
        if offset != rec.received:
            raise OffsetConflict(rec.received)
        room_left = rec.size - offset
        if length is not None and length > room_left:
            raise TooLarge(f"{length} bytes sent where {room_left} remain")
        path = self.path(who, rec.id)
        fh = await loop.run_in_executor(None, _open_at, path, offset)
        # Another process may have written this file since (PostgreSQL: no generation): hash what is on disk.
        trusted = state.hashed == offset and self.db.generation is not None
        hasher = state.hasher if trusted else None
        truncate_to: int | None = None
        written, overflow, gone, stalled = 0, False, False, ""
        committed = offset  # on disk, synced, and noted in the database: a crash resumes from here
        pending: tuple[asyncio.Future[None], int] | None = None
        failed = True

        async def settle() -> None:
            """The block in flight is on disk and synced: note its end as the offset a resume starts from."""
            nonlocal pending, committed
            if pending is not None:
                future, upto = pending
                pending = None
                await future
                await self.db.set_received(who.name, rec.id, upto, False, utc_iso())
                committed = upto

        try:
            if hasher is None:
                hasher = await loop.run_in_executor(None, _hash_prefix, fh, offset)
            blocks: list[bytes] = []
            buffered = 0
            try:
                async for data in body:
                    if written + buffered + len(data) > room_left:
                        overflow = True
                        break
                    blocks.append(data)
                    buffered += len(data)
                    if buffered >= WRITE_BLOCK:
                        await settle()  # one block written while the next arrives, never more
                        written += buffered
                        pending = (loop.run_in_executor(None, _write_synced, fh, hasher, blocks), offset + written)
                        blocks, buffered = [], 0
            except BodyStalled as exc:
                stalled = str(exc)  # keep what arrived; the lock goes with this request, the room resumes
            except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, ConnectionError, OSError):
                gone = True  # the room's connection dropped: keep what arrived, it will resume from there
            await settle()
            if overflow:
                truncate_to, written = committed, committed - offset
            else:
                await loop.run_in_executor(None, _write, fh, hasher, blocks)
                written += buffered
            failed = False
        finally:
            if failed:
                if pending is not None:
                    await asyncio.wait([pending[0]])  # never close the file under a write still running
                truncate_to = committed  # nothing after the last noted offset was acknowledged
            await loop.run_in_executor(None, _close, fh, truncate_to, failed)
        if overflow:
            state.hashed = -1
            raise TooLarge(f"more than the {room_left} bytes that remain")
        new = offset + written
        state.hasher, state.hashed = hasher, new
        if new < rec.size:
            await self.db.set_received(who.name, rec.id, new, False, utc_iso())
            return Received(new, False, client_gone=gone, stalled=stalled)
        assert hasher is not None
        if hasher.hexdigest() != rec.sha256:
            # The whole file is wrong: start again from zero rather than keep a corrupt copy.
            await loop.run_in_executor(None, _truncate, path)
            state.hasher, state.hashed = None, -1
            await self.db.set_received(who.name, rec.id, 0, False, utc_iso())
            return Received(0, False, checksum_ok=False, client_gone=gone)
        await self.db.set_received(who.name, rec.id, new, True, utc_iso())
        self._state.pop((who.name, rec.id), None)
        return Received(new, True, client_gone=gone)


def _truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(0)
