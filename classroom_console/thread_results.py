"""Handing a worker thread's result to a coroutine waiting on the event loop: one way, used everywhere.

The store's writer, the centre's database thread and the media workers all finish work on their own
thread and must settle an asyncio future, which only the loop's thread may touch.
"""

from __future__ import annotations

import asyncio
from typing import Any


def settle(future: asyncio.Future[Any], result: Any = None, error: BaseException | None = None) -> None:
    """On the loop: a caller that gave up (cancelled) simply gets nothing."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def settle_from_thread(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any = None, error: BaseException | None = None
) -> None:
    """From any thread; if the loop has closed, nobody is waiting any more and the result is dropped."""
    try:
        loop.call_soon_threadsafe(settle, future, result, error)
    except RuntimeError:
        pass
