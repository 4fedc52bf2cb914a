"""Reading a room's request body: capped per endpoint, timed while it arrives, decoded off the loop when large.

A 32 MB session decoded on the event loop froze every other room for seconds. Here a body is refused
by its announced size before a byte is read, must keep arriving (``Limits.body_idle_s``, a minimum
rate), counts against one memory budget shared by all rooms, and, when large, is decoded and checked
in a worker thread, one such body at a time. The decoder calls back into Python for each object, which
lets the interpreter hand the GIL to the loop every few milliseconds instead of once at the end; and the
cyclic garbage collector is paused meanwhile: a 15 MB body is a million young objects, and each full
collection they set off held the GIL for 100-240 ms (measured), freezing every room. JSON has no cycles,
so reference counting frees all of it anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from aiohttp import StreamReader, web

from classroom_console.centre import gentle
from classroom_console.centre.limits import Limits
from classroom_console.centre.payloads import decode

T = TypeVar("T")
Fast = Callable[[bytes], T | None]


class BodyError(Exception):
    """A body refused for its size or pace; ``status`` is the HTTP answer, ``str()`` its one line."""

    status = 400


class BodyTooLarge(BodyError):
    status = 413


class BodyStalled(BodyError):
    status = 408


class CentreBusy(BodyError):
    status = 503


async def paced(content: StreamReader, limits: Limits) -> AsyncIterator[bytes]:
    """The body's pieces as they come; a body that stops, or trickles, raises BodyStalled."""
    loop = asyncio.get_running_loop()
    started, got = loop.time(), 0
    while True:
        try:
            async with asyncio.timeout(limits.body_idle_s):
                chunk = await content.readany()
        except TimeoutError:
            raise BodyStalled(f"no bytes of the body arrived for {limits.body_idle_s:g} s") from None
        if not chunk:
            return
        got += len(chunk)
        elapsed = loop.time() - started
        if elapsed > limits.body_idle_s and got < elapsed * limits.body_min_rate:
            raise BodyStalled(f"the body arrives slower than {limits.body_min_rate:g} bytes/s")
        yield chunk


class BodyBudget:
    """Bytes of JSON bodies held in memory at once; a request that cannot get its share soon is told to retry.

    While nobody waits and there is room, taking and giving back a share is plain arithmetic: no lock, no
    timer (at 200 rooms uploading at once, the lock and timer cost a twentieth of each upload's time).
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.free = total
        self._changed = asyncio.Condition()
        self._waiting = 0

    @contextlib.asynccontextmanager
    async def hold(self, size: int, wait_s: float) -> AsyncIterator[None]:
        size = min(size, self.total)
        if self._waiting == 0 and self.free >= size:
            self.free -= size
        else:
            self._waiting += 1
            try:
                async with asyncio.timeout(wait_s), self._changed:
                    await self._changed.wait_for(lambda: self.free >= size)
                    self.free -= size
            except TimeoutError:
                raise CentreBusy("the centre is receiving too much at once; try again shortly") from None
            finally:
                self._waiting -= 1
        try:
            yield
        finally:
            self.free += size
            if self._waiting:
                async with self._changed:
                    self._changed.notify_all()


class _CollectorPaused:
    """While any large body is decoded, the cyclic GC waits (counted, so overlapping decodes nest)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSED = _CollectorPaused()


def _decode_and_build(raw: bytes, build: Callable[[Any], T], fast: Fast[T] | None = None) -> T:
    if fast is not None:
        done = fast(raw)
        if done is not None:
            return done
    with _COLLECTOR_PAUSED:
        body = decode(raw)
        try:
            return build(body)
        finally:
            gentle.release(body)  # here, in steps, not all at once on whichever thread drops it last


class JsonReader:
    """One per app: the shared memory budget and the single lane for large bodies."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.budget = BodyBudget(limits.body_budget_bytes)
        self._heavy = asyncio.Semaphore(limits.heavy_decodes)

    @contextlib.asynccontextmanager
    async def raw(self, request: web.Request, cap: int) -> AsyncIterator[bytes]:
        """At most ``cap`` bytes of the body, held against the shared budget until the block ends."""
        length = request.content_length
        if length is not None and length > cap:
            raise BodyTooLarge(f"a body of {length} bytes is more than the {cap} this request takes")
        async with self.budget.hold(cap if length is None else length, self.limits.budget_wait_s):
            yield await _whole(request, cap, self.limits)

    async def build(self, raw: bytes, build: Callable[[Any], T], fast: Fast[T] | None = None) -> T:
        """Decode ``raw`` and run ``build`` (the field checks) on the result; large bodies on a worker thread.

        ``fast`` (raw bytes to the same result, or None when it cannot tell) is tried first on bodies up to
        ``Limits.fast_json_bytes``: a compiled check that holds the GIL in one C call, so not for huge ones.
        """
        if len(raw) <= self.limits.inline_json_bytes:
            done = fast(raw) if fast is not None else None
            return done if done is not None else build(decode(raw, yielding=False))
        async with self._heavy:
            quick = fast if len(raw) <= self.limits.fast_json_bytes else None
            return await asyncio.to_thread(_decode_and_build, raw, build, quick)

    async def read(self, request: web.Request, cap: int, build: Callable[[Any], T], fast: Fast[T] | None = None) -> T:
        """Read at most ``cap`` bytes, decode, and run ``build`` on the result (``build`` above)."""
        async with self.raw(request, cap) as raw:
            return await self.build(raw, build, fast)


async def _whole(request: web.Request, cap: int, limits: Limits) -> bytes:
    """The body's bytes: at once when all of it came with the head (most small bodies), else paced."""
    content = request.content
    if content.is_eof():
        raw = content.read_nowait(-1)
        if len(raw) > cap:
            raise BodyTooLarge(f"the body is more than the {cap} bytes this request takes")
        return raw
    chunks: list[bytes] = []
    got = 0
    async for chunk in paced(content, limits):
        got += len(chunk)
        if got > cap:
            raise BodyTooLarge(f"the body is more than the {cap} bytes this request takes")
        chunks.append(chunk)
    return b"".join(chunks)
