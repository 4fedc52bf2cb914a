"""Run blocking media work (joins, hashing, device lists) on a short-lived thread and await it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from classroom_console.thread_results import settle_from_thread

from ._worker import Worker

T = TypeVar("T")


async def offload(fn: Callable[[], T], name: str = "media-offload") -> T:
    """Like ``asyncio.to_thread`` but the thread is ours and joined before we return (no executor left behind)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def body(stop: threading.Event) -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:
            result, error = None, exc
        settle_from_thread(loop, future, result, error)

    worker = Worker(name, body)
    worker.start()
    try:
        return await asyncio.shield(future)
    finally:
        await wait_thread(worker.alive_check)


async def wait_thread(alive: Callable[[], bool], poll_s: float = 0.002) -> None:
    """Wait, without a blocking join, for a thread that has already said it is finishing."""
    while alive():  # noqa: ASYNC110
        await asyncio.sleep(poll_s)
