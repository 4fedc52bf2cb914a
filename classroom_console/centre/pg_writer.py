"""Sessions stored on PostgreSQL in groups: each process stores every session waiting in one transaction
(``pg_store.GROUP``), one commit and one bump of the data version for the lot, one group on its way at a time per
process (the sessions arriving meanwhile make the next group; ``WRITERS``).

Why: a session alone cost its transaction's fixed part (some 45 table and index locks taken in the server's shared
lock table, a commit, a round trip) as much as its rows, and ten connections per process storing at once mostly
waited on each other (the lock manager's LWLocks and the rollups' shared rows); a second process made it worse.
Groups pay the fixed part once. A group stores its new sessions' own rows side by side with other groups, and
then, under a cluster-wide advisory lock, the sums every room shares and any session stored before (``pg_store``),
so that two groups touching the same shared rows in their own orders never deadlock; a group with a session stored
before goes alone (``pg_store.GATE_LOCK``), as it takes its room's rows after that lock.

A session named twice while waiting is stored twice, in turn (a later group), as when each came alone; if a group
fails for anything but a lost server, each of its sessions is stored alone, so one bad session fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from devices.tasks import cancel_and_wait

MAX_GROUP = 64  # sessions in one transaction
MAX_GROUP_BYTES = 4 << 20  # or this much JSON (a huge session goes alone)
RETRIES = 3  # a session alone, chosen by the server to end a deadlock
# Groups on their way at once, per process. Two (the next sent while the server stored the last) gave one process
# nothing measurable, and behind nginx four groups at once from two processes waited on each other's shared sums and
# split the sessions into smaller groups: bench/sync_rooms.py --rooms 300 --processes 1,2, one locked run at load
# 2.1-3.9, 2 -> 1: one process 256/273/264 -> 257/243 sessions/s, two 264/284/279 -> 318/303, centre + database
# CPU a session with two 5.8-6.2 -> 5.1-5.3 ms.
WRITERS = 1


@dataclass(slots=True)
class _Waiting:
    key: tuple[str, str]
    doc: str
    done: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GroupWriter:
    """``store(key, doc)`` answers with what ``send(docs)`` returned for it; ``writers`` sends at once at most.

    A key in a group on its way is kept out of the next group until that one is answered, so that versions of one
    session are stored in the order they came.
    """

    def __init__(self, send: Callable[[list[str]], Awaitable[list[int]]], is_down: Callable[[BaseException], bool],
                 writers: int = WRITERS) -> None:
        self._send = send
        self._is_down = is_down
        self._writers = writers
        self._waiting: list[_Waiting] = []
        self._sending: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # Counted by the writers themselves: a finished task leaves _tasks only at the loop's next turn, and an
        # upload arriving in between would find every writer "running" and wait with nobody to store it.
        self._running = 0

    async def store(self, key: tuple[str, str], doc: str) -> int:
        item = _Waiting(key, doc)
        self._waiting.append(item)
        if self._running < self._writers:
            self._running += 1
            task = asyncio.ensure_future(self._run())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # Not shielded, and need not be: a client that goes away cancels only its own answer, never its session, which
        # stays in its group (a shield cost every upload one more turn of a busy loop before its answer).
        return await item.done

    def _next_group(self) -> list[_Waiting]:
        group: list[_Waiting] = []
        keys: set[tuple[str, str]] = set()
        size = 0
        rest: list[_Waiting] = []
        for item in self._waiting:
            fits = len(group) < MAX_GROUP and (not group or size + len(item.doc) <= MAX_GROUP_BYTES)
            if fits and item.key not in keys and item.key not in self._sending:
                group.append(item)
                keys.add(item.key)
                size += len(item.doc)
            else:
                rest.append(item)
        self._waiting = rest
        return group

    async def _run(self) -> None:
        try:
            while True:
                group = self._next_group()
                if not group:
                    return  # nothing, or only sessions whose earlier version is on its way: its writer takes them
                keys = {item.key for item in group}
                self._sending |= keys
                try:
                    await self._store(group)
                except BaseException as exc:
                    self._fail(group, exc)
                    if not isinstance(exc, Exception):
                        raise
                finally:
                    self._sending -= keys
        finally:
            self._running -= 1

    async def _store(self, group: list[_Waiting]) -> None:
        try:
            held = await self._send([item.doc for item in group])
        except Exception as exc:
            if len(group) == 1 or self._is_down(exc):
                raise
            for item in group:  # the group refused: each alone, so that only a bad session fails
                try:
                    one = await self._alone(item.doc)
                except Exception as alone:
                    if self._is_down(alone):
                        raise
                    self._fail([item], alone)
                else:
                    self._answer(item, one)
            return
        for item, n in zip(group, held, strict=True):
            self._answer(item, n)

    async def _alone(self, doc: str) -> int:
        """One session in a group of its own, tried again if the server chose it to end a deadlock (none is known
        since the gate of ``pg_store.GATE_LOCK``; kept as the server's last word)."""
        for attempt in range(RETRIES):
            try:
                (held,) = await self._send([doc])
                return held
            except Exception as exc:
                if getattr(exc, "sqlstate", None) not in ("40P01", "40001") or attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _answer(item: _Waiting, held: int) -> None:
        if not item.done.done():
            item.done.set_result(held)

    @staticmethod
    def _fail(group: list[_Waiting], exc: BaseException) -> None:
        for item in group:
            if item.done.done():
                continue
            if isinstance(exc, asyncio.CancelledError):
                item.done.cancel()
            else:
                item.done.set_exception(exc)
                item.done.exception()  # retrieved: a session whose client left logs nothing

    async def close(self) -> None:
        for task in list(self._tasks):
            await cancel_and_wait(task)
        self._fail(self._waiting, asyncio.CancelledError())
        self._waiting = []
