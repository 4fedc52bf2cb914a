"""The room's sync: drains the durable upload queue to the centre, politely, resumably, never losing an item."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor  # noqa: F401  resolved at import: lazily, inside a loop, it stats files
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classroom_console import file_proof
from classroom_console.store import AsyncStore, Store, StoreError
from classroom_console.sync import items, meta, tracks
from classroom_console.sync.backoff import Backoff
from classroom_console.sync.client import (
    AuthRefused,
    CentreClient,
    PermanentError,
    Stalled,
    SyncError,
    TransientError,
)
from classroom_console.sync.progress import IDLE, OFFLINE, REFUSED, WAITING, Listener, ProgressMeter, SyncProgress
from classroom_console.sync.throttle import Throttle

log = logging.getLogger(__name__)
BATCH = 20
MAX_IDLE_ANSWERS = 3  # chunks answered without the offset moving before the try backs off (a 409 resync is one)


class ItemWithdrawn(Exception):
    """The item was taken out of the queue after it was picked (its file is being rewritten with chapters)."""


@dataclass(slots=True)
class SyncConfig:
    centre_url: str
    token: str
    bandwidth_bps: float = 0.0  # 0: no cap
    delete_uploaded_media: bool = False  # only after the centre confirmed the SHA-256 and proved it holds the bytes
    chunk_bytes: int = 256 << 20  # bytes per PATCH (one fsync at the centre each); a cut keeps what arrived
    cafile: str | None = None
    backoff: Backoff = field(default_factory=Backoff)
    idle_poll_s: float = 30.0
    inline_resumes: int = 5  # resumes within one attempt before the item waits for its backoff
    stall_timeout_s: float = 30.0  # no byte moved for this long: this try is given up (offset kept), back off


@dataclass(frozen=True, slots=True)
class SyncResult:
    uploaded: int = 0
    failed: int = 0
    pending: int = 0
    offline: str | None = None  # the technical message when the pass stopped because the centre is away
    reason: str = ""  # why the pass stopped short, as a code the UI words ("" when it went through)
    status: int = 0  # the centre's HTTP status behind ``reason``, when it answered one


def _offset(answer: dict[str, Any], size: int) -> int:
    """The centre's offset, checked: one outside the file is a confused centre or proxy, tried again later."""
    value = answer.get("offset")
    if type(value) is not int or not 0 <= value <= size:
        raise TransientError(f"the centre answered offset {str(value)[:40]!r} for a file of {size} bytes",
                             "bad_answer")
    return value


def _held(status: dict[str, Any], size: int) -> tuple[int, bool, str | None]:
    """What a recording's status says the centre holds: its offset (checked), whether complete, its SHA-256."""
    return _offset(status, size), bool(status["complete"]), status.get("sha256")


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class SyncEngine:
    def __init__(self, store: AsyncStore, config: SyncConfig) -> None:
        self.store = store
        self.config = config
        self.throttle = Throttle(config.bandwidth_bps)
        self._listeners: list[Listener] = []
        self.meter = ProgressMeter(self._emit)
        self._client: CentreClient | None = None
        self._wake = asyncio.Event()
        self._uploaded = 0
        self._offline_streak = 0

    # progress

    @property
    def progress(self) -> SyncProgress:
        return self.meter.current

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, progress: SyncProgress) -> None:
        for listener in list(self._listeners):
            try:
                listener(progress)
            except Exception:  # a broken listener must not stop the uploads
                log.exception("sync progress listener failed")

    def kick(self) -> None:
        """Try now (a session just ended) instead of waiting for the next poll."""
        self._wake.set()

    # the queue

    def _client_now(self) -> CentreClient:
        if self._client is None:
            self._client = CentreClient(self.config.centre_url, self.config.token, cafile=self.config.cafile,
                                        stall_timeout_s=self.config.stall_timeout_s)
        return self._client

    async def _refresh_counts(self) -> dict[str, int]:
        n = await self.store.call(items.counts)
        self.meter.set(pending=n.get("pending", 0), failed=n.get("failed", 0), uploaded=self._uploaded)
        return n

    async def run_once(self, force: bool = False) -> SyncResult:
        """Send everything due (``force``: everything pending); stops at the first sign the centre is away.

        Raises AuthRefused when the centre does not know the token.
        """
        await self.store.call(items.sweep)
        await self._refresh_counts()
        total = await self.store.call(lambda s: items.count_due(s, due_only=not force))
        self.meter.quiet(index=0, total=total, retry_at=None)
        uploaded = failed = 0
        tried: set[int] = set()
        while True:
            batch = await self.store.call(lambda s: items.next_items(s, BATCH, due_only=not force))
            batch = [b for b in batch if b["id"] not in tried]
            if not batch:
                break
            for item in batch:
                tried.add(item["id"])
                self.meter.quiet(index=len(tried), total=max(total, len(tried)))  # start_item tells
                try:
                    await self._send(item)
                except AuthRefused as exc:
                    self.meter.set(state=REFUSED, message=str(exc), reason=exc.reason, status=exc.status)
                    raise
                except TransientError as exc:
                    delay = self.config.backoff.delay(int(item["attempts"]))
                    await self.store.call(
                        functools.partial(Store.mark_upload, queue_id=item["id"], error=str(exc), retry_in_s=delay)
                    )
                    self._offline_streak += 1
                    n = await self._refresh_counts()
                    self.meter.set(state=OFFLINE, message=str(exc), reason=exc.reason, status=exc.status)
                    return SyncResult(uploaded, failed, n.get("pending", 0), str(exc), exc.reason, exc.status)
                except StoreError:
                    raise  # the room's own disk, not the item: nothing to set aside
                except ItemWithdrawn:
                    continue  # taken back out of the queue meanwhile; the sweep queues it again
                except Exception as exc:  # one bad item must never block the rest
                    failed += 1
                    await self._set_aside(item, exc)
                    continue
                await self.store.call(functools.partial(Store.mark_upload, queue_id=item["id"]))
                uploaded += 1
                self._uploaded += 1
                self._offline_streak = 0
        n = await self._refresh_counts()
        self.meter.set(state=IDLE, item_kind="", item_id="", message="", reason="", status=0)
        return SyncResult(uploaded, failed, n.get("pending", 0))

    async def _set_aside(self, item: dict[str, Any], exc: Exception) -> None:
        """Mark the item failed with its reason code (``internal`` for a bug), kept and visible, never dropped."""
        if isinstance(exc, PermanentError):
            reason = exc.reason
            log.warning("gave up on %s %s (%s): %s", item["item_kind"], item["item_id"], reason, exc)
        else:
            reason = "internal"
            log.exception("gave up on %s %s", item["item_kind"], item["item_id"])
        message = " ".join(str(exc).split()) or type(exc).__name__
        await self.store.call(functools.partial(items.fail, queue_id=item["id"], error=message, reason=reason))

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Until ``stop``: drain, then sleep until the next item is due, the backoff ends or ``kick``."""
        while not stop.is_set():
            wait = self.config.idle_poll_s
            self._wake.clear()  # before the pass: a kick that arrives during it must wake the next one
            try:
                result = await self.run_once()
                if result.offline:
                    wait = min(wait, self.config.backoff.delay(self._offline_streak))
                elif result.pending:
                    due_in = await self.store.call(items.seconds_to_next_due)
                    wait = min(wait, max(0.05, due_in if due_in is not None else wait))
            except AuthRefused:
                wait = max(wait, 300.0)  # a wrong token will not fix itself quickly; the UI says so
            state = self.progress.state if self.progress.state != IDLE else WAITING
            waiting_for = state != WAITING or self.progress.pending > 0
            self.meter.set(state=state, retry_at=time.time() + wait if waiting_for else None)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    stop_task = asyncio.ensure_future(stop.wait())
                    wake_task = asyncio.ensure_future(self._wake.wait())
                    try:
                        await asyncio.wait({stop_task, wake_task}, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        stop_task.cancel()
                        wake_task.cancel()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # one item

    async def _send(self, item: dict[str, Any]) -> None:
        kind, item_id = item["item_kind"], item["item_id"]
        if kind == items.SESSION:
            await self._send_session(item_id)
        elif kind == items.RECORDING:
            await self._send_recording(item_id)
        elif kind == meta.META:
            self.meter.start_item(kind, item_id, 0)
            await self._send_meta(meta.split_item(item_id))
        elif kind == tracks.TRACK:
            self.meter.start_item(kind, item_id, 0)
            await tracks.send_track(self._client_now(), self.store, item_id)
        else:
            raise PermanentError(f"unknown upload kind {kind!r}", "unknown_kind")

    async def _send_session(self, session_id: str) -> None:
        payload = await self.store.call(lambda s: items.session_payload(s, session_id))
        if payload is None:
            raise PermanentError(f"session {session_id} is no longer in the store", "not_in_store")
        self.meter.start_item(items.SESSION, session_id, len(payload["events"]))
        body = await asyncio.to_thread(_encode, payload)  # a long session's JSON would hold the loop
        held = await self._client_now().put_session(session_id, body)
        if held < len(payload["events"]):
            raise TransientError(f"the centre holds {held} of {len(payload['events'])} events; sending again")
        self.meter.advance(held)

    async def _send_meta(self, recording_id: str) -> None:
        payload = await self.store.call(lambda s: meta.meta_payload(s, recording_id))
        if payload is None:
            raise PermanentError(f"recording {recording_id} is no longer in the store", "not_in_store")
        await self._client_now().put_meta(recording_id, await asyncio.to_thread(meta.encode, payload))
        await self.store.call(lambda s: meta.mark_sent(s, recording_id, int(payload.get("rev") or 0)))

    async def _send_recording(self, recording_id: str) -> None:
        if not await self.store.call(lambda s: items.claim_recording(s, recording_id)):
            raise ItemWithdrawn(recording_id)
        try:
            await self._send_claimed_recording(recording_id)
        finally:
            await self.store.call(lambda s: items.release_recording(s, recording_id))

    async def _send_claimed_recording(self, recording_id: str) -> None:
        info = await self.store.call(lambda s: items.recording_info(s, recording_id))
        if info is None:
            raise PermanentError(f"recording {recording_id} is no longer in the store", "not_in_store")
        path = str(info["path"])
        sha, size = info.get("sha256"), info.get("size_bytes")
        problem = await asyncio.to_thread(items.file_problem, path, size if sha else None)
        if problem is not None:  # checked before the network: a bad file fails the same with the centre away
            raise PermanentError(problem[1], problem[0])
        if not sha or size is None:
            try:
                sha, size = await asyncio.to_thread(items.file_sha256, path)
            except OSError as exc:
                raise PermanentError(f"recording file {path} cannot be read: {exc}", "unreadable") from exc
            await self.store.call(lambda s: items.set_checksum(s, recording_id, str(sha), int(size or 0)))
        size = int(size or 0)
        client = self._client_now()
        status = await client.announce_recording({
            "id": recording_id, "size": size, "sha256": sha, "name": Path(path).name,
            "session_id": info.get("session_id"), "started_at": info.get("started_at"),
            "stopped_at": info.get("stopped_at"), "duration_s": info.get("duration_s") or 0.0,
        })
        offset, complete, centre_sha = _held(status, size)
        self.meter.start_item(items.RECORDING, recording_id, size, offset)
        cuts = checksum_failures = idle = 0
        while not complete:
            length = min(self.config.chunk_bytes, size - offset)
            try:
                answer = await client.send_chunk(recording_id, offset, length, self._read(path, offset, length))
            except Stalled:
                raise  # a stalled link is not retried inline: back off, the centre keeps what arrived
            except TransientError:
                cuts += 1
                if cuts > self.config.inline_resumes:
                    raise
                await asyncio.sleep(min(2.0, 0.05 * 2**cuts))
                status = await client.recording_status(recording_id)  # resume from the acknowledged byte
                offset, complete, centre_sha = _held(status, size)
                continue
            if answer.get("checksum_failed"):
                checksum_failures += 1
                if checksum_failures > 1:
                    raise PermanentError(
                        f"recording {recording_id}: the centre's SHA-256 differs twice", "checksum_mismatch")
                offset = 0
                continue
            before, offset, complete = offset, _offset(answer, size), bool(answer.get("complete"))
            centre_sha = answer.get("sha256")
            idle = 0 if complete or offset > before else idle + 1
            if idle >= MAX_IDLE_ANSWERS:  # a centre or proxy that takes the bytes and keeps none: back off
                raise TransientError(f"recording {recording_id}: the centre answered {idle} chunks without "
                                     f"taking a byte (offset {offset} of {size})", "no_progress")
            self.meter.advance(offset)
        if centre_sha != sha:
            raise PermanentError(f"recording {recording_id}: the centre confirmed {centre_sha}, the room has {sha}",
                                 "checksum_mismatch")
        with contextlib.suppress(PermanentError):  # refused: it goes again as an item of its own (sync/meta.py)
            await self._send_meta(recording_id)
        deleted = False
        if self.config.delete_uploaded_media:
            if await self._centre_holds(recording_id, path, size):
                deleted = await asyncio.to_thread(items.delete_file, path)
            else:  # the user asked for a deletion: they hear why there was none, not only the log
                self.meter.set(kept_unproven=self.progress.kept_unproven + 1)
        await self.store.call(lambda s: items.confirm_recording(s, recording_id, deleted))

    async def _centre_holds(self, recording_id: str, path: str, size: int) -> bool:
        """Whether the centre proves it holds the file's bytes (its SHA-256 alone may be ours sent back)."""
        nonce = file_proof.new_nonce()
        try:
            status = await self._client_now().recording_status(recording_id, proof=nonce)
            ours = await asyncio.to_thread(file_proof.answer, path, nonce, size)
        except (SyncError, OSError) as exc:
            log.warning("recording %s is kept: the centre's proof of holding it could not be checked: %s",
                        recording_id, exc)
            return False
        if status.get("proof") != ours:
            log.warning("recording %s is kept: the centre says it is complete but cannot prove it holds its bytes "
                        "(an older centre, or not the room's centre)", recording_id)
            return False
        return True

    async def _read(self, path: str, offset: int, length: int) -> AsyncIterator[bytes]:
        """The file's bytes from ``offset``, read on a worker thread and paced by the bandwidth cap."""
        loop = asyncio.get_running_loop()
        try:
            fh = await loop.run_in_executor(None, open, path, "rb")
        except FileNotFoundError as exc:
            raise PermanentError(f"recording file {path} is missing", "file_missing") from exc
        ahead: asyncio.Future[bytes] | None = None
        try:
            await loop.run_in_executor(None, fh.seek, offset)
            left, done = length, offset
            block = self.throttle.block_bytes
            # Read one block ahead on the worker thread while the previous one is on the wire.
            ahead = loop.run_in_executor(None, fh.read, min(block, left))
            while left > 0:
                data = await ahead
                if not data:
                    raise PermanentError(f"recording file {path} is shorter than its recorded size", "file_changed")
                left -= len(data)
                if left > 0:
                    ahead = loop.run_in_executor(None, fh.read, min(block, left))
                await self.throttle.take(len(data))
                done += len(data)
                self.meter.advance(done)
                yield data
        finally:
            if ahead is not None and not ahead.done():
                await asyncio.wait([ahead])  # never close the file under a read still running
            await loop.run_in_executor(None, fh.close)
