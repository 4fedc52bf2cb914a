"""Stopping a background task for sure.

On Python 3.11 a cancellation can be lost: ``asyncio.wait_for`` (and code like it) returns normally when the
awaited thing finishes in the same loop step as the cancel (cpython issue 86296, fixed in 3.12), and a polling
loop then simply runs on, so ``task.cancel(); await task`` waits forever. Here the cancel is repeated until the
task is really done, waiting with ``asyncio.wait``, which neither raises the task's own CancelledError nor
swallows one aimed at the caller.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)

RECANCEL_S = 0.5


async def cancel_and_wait(task: asyncio.Future[Any] | None, grace_s: float = 10.0) -> None:
    """Cancel ``task`` and wait until it is done (re-cancelling each ``RECANCEL_S``), for at most ``grace_s``."""
    if task is None:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    while not task.done():
        if loop.time() >= deadline:
            log.warning("task %r did not stop within %.0f s of being cancelled; left behind", task, grace_s)
            return
        task.cancel()
        await asyncio.wait({task}, timeout=RECANCEL_S)
    if not task.cancelled() and task.exception() is not None:
        log.debug("task %r ended with %r while being stopped", task, task.exception())
