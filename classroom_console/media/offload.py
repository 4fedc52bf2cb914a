"""Run blocking media work (joins, hashing, device lists) on a short-lived thread and await it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ._worker import Worker

T = TypeVar("T")


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


async def offload(fn: Callable[[], T], name: str = "media-offload") -> T:
    """Like ``asyncio.to_thread`` but the thread is ours and joined before we return (no executor left behind)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def body(stop: threading.Event) -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(_resolve, future, result, error)
        except RuntimeError:  # the loop closed meanwhile: nobody is waiting
            pass

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
