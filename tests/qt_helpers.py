"""Driving the real asyncio-in-Qt loop (qasync) from a pytest-qt test; the fixture is in conftest."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import qasync
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from ui.bridge import RoomBridge
from ui.main_window import MainWindow


def run(loop: qasync.QEventLoop, scenario: Coroutine[Any, Any, Any]) -> Any:
    return loop.run_until_complete(scenario)


SLACK = 3.0  # a fresh CI clone beside other work (load 5-7 on 2 cores) took 10 s for a 1 s warm-up's "On"


async def wait_for(predicate: Callable[[], bool], within: float = 5.0, what: str = "condition") -> None:
    """Let Qt and asyncio run until ``predicate`` holds; bounded in time. ``within`` is what a quiet machine
    needs with room to spare; a busy one gets SLACK times that before the wait counts as a hang."""
    within *= SLACK
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def window_on_a_quiet_core(qtbot: QtBot, data_dir: Path) -> AsyncIterator[tuple[ConsoleCore, MainWindow]]:
    """A started core with no discovery and its window, shown; detached and stopped in the app's order after."""
    core = ConsoleCore(ConsoleOptions(data_dir=data_dir, discover=False))
    await core.start()
    window = MainWindow(RoomBridge(core))
    qtbot.addWidget(window)
    window.show()
    try:
        yield core, window
    finally:
        window.bridge.detach()
        await core.stop()
