"""Driving the real asyncio-in-Qt loop (qasync) from a pytest-qt test; the fixture is in conftest."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import qasync


def run(loop: qasync.QEventLoop, scenario: Coroutine[Any, Any, Any]) -> Any:
    return loop.run_until_complete(scenario)


async def wait_for(predicate: Callable[[], bool], within: float = 5.0, what: str = "condition") -> None:
    """Let Qt and asyncio run until ``predicate`` holds; bounded in time."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)
