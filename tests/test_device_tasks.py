"""Stopping a background task for sure, even where Python 3.11 loses a cancellation (cpython issue 86296)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from devices.tasks import cancel_and_wait


async def test_a_loop_whose_first_cancel_is_lost_is_still_stopped() -> None:
    """The first cancel is lost, as 3.11's wait_for loses one that lands as its future completes; the loop
    then goes on polling (a sleep between rounds, like a device poller), and a second cancel ends it."""
    rounds = 0

    async def poll() -> None:
        nonlocal rounds
        lost = False
        while True:
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                if lost:
                    raise
                lost = True  # swallowed, as the race does
            rounds += 1

    task = asyncio.ensure_future(poll())
    await asyncio.sleep(0.03)
    async with asyncio.timeout(5):
        await cancel_and_wait(task)
    assert task.cancelled() and rounds > 0


async def test_a_task_that_never_stops_is_left_after_the_grace_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()

    async def stubborn() -> None:
        while not stop.is_set():
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                pass

    task = asyncio.ensure_future(stubborn())
    await asyncio.sleep(0.02)  # inside its loop (a task cancelled before its first step never runs at all)
    with caplog.at_level(logging.WARNING, logger="devices.tasks"):
        async with asyncio.timeout(5):
            await cancel_and_wait(task, grace_s=0.3)
    assert not task.done() and "did not stop" in caplog.text
    stop.set()
    await asyncio.wait({task}, timeout=2)
    assert task.done()


async def test_the_callers_own_cancellation_still_reaches_it() -> None:
    """Waiting for a slow task to stop must not make the caller itself uncancellable."""
    release = asyncio.Event()

    async def slow_to_stop() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await release.wait()  # takes its time to clean up
            raise

    task = asyncio.ensure_future(slow_to_stop())
    await asyncio.sleep(0)
    caller = asyncio.ensure_future(cancel_and_wait(task))
    await asyncio.sleep(0.05)
    caller.cancel()
    done, _ = await asyncio.wait({caller}, timeout=2)
    assert caller in done and caller.cancelled()
    release.set()
    await asyncio.wait({task}, timeout=2)
    assert task.cancelled()
