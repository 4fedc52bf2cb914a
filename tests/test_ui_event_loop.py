"""The window's loop runs asyncio's callbacks as asyncio does (in order, the cancelled skipped, Qt's events between
turns) at a tenth of qasync's cost on the Qt thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from classroom_console.media import kernel_slice
from ui.event_loop import ConsoleEventLoop

LOOP = ConsoleEventLoop  # the loop ui/console_run.py runs the window on


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[ConsoleEventLoop]:
    made = LOOP(qapp)
    asyncio.set_event_loop(made)
    try:
        yield made
    finally:
        made.close()
        asyncio.set_event_loop(None)


def _cpu_per_callback(loop: asyncio.AbstractEventLoop, n: int) -> float:
    """CPU seconds of this thread per ``call_soon`` callback, scheduled in one go and run."""

    async def measure() -> float:
        done = loop.create_future()
        left = [n]

        def step() -> None:
            left[0] -= 1
            if not left[0]:
                done.set_result(None)

        began = time.thread_time()
        for _ in range(n):
            loop.call_soon(step)
        await done
        return (time.thread_time() - began) / n

    return min(loop.run_until_complete(measure()) for _ in range(3))


def test_callbacks_run_in_order_and_the_cancelled_do_not(loop: ConsoleEventLoop) -> None:
    seen: list[object] = []

    async def scenario() -> None:
        for i in range(500):
            loop.call_soon(seen.append, i)
        loop.call_soon(seen.append, "cancelled").cancel()
        finished = loop.create_future()

        def from_a_thread() -> None:
            for i in range(500, 1000):
                loop.call_soon_threadsafe(seen.append, i)
            loop.call_soon_threadsafe(finished.set_result, None)

        worker = threading.Thread(target=from_a_thread)
        worker.start()
        await finished
        worker.join(30)
        assert await asyncio.to_thread(lambda: 42) == 42  # an executor's result comes back through a thread too
        await asyncio.sleep(0.01)  # timers are qasync's as before

    loop.run_until_complete(scenario())
    assert seen == list(range(1000))


def test_a_callback_that_queues_itself_leaves_qt_its_turns(loop: ConsoleEventLoop) -> None:
    """Those queued while a turn runs wait for the next one: Qt's timers and paints come in between."""
    fired: list[int] = []
    turns = [0]

    async def scenario() -> None:
        done = loop.create_future()
        began = time.monotonic()

        def again() -> None:
            turns[0] += 1
            if fired or time.monotonic() - began > 30:
                done.set_result(None)
            else:
                loop.call_soon(again)

        QTimer.singleShot(20, lambda: fired.append(turns[0]))
        loop.call_soon(again)
        await done

    loop.run_until_complete(scenario())
    assert fired, "a Qt timer never fired while a callback kept queueing itself"


def test_a_callback_costs_the_qt_thread_little_more_than_in_asyncio(loop: ConsoleEventLoop) -> None:
    """qasync's own loop took 20-25 us a callback here (a Qt timer each, an inspect check), asyncio's 2."""
    ours = _cpu_per_callback(loop, 5000)
    plain = asyncio.new_event_loop()
    try:
        reference = _cpu_per_callback(plain, 5000)
    finally:
        plain.close()
    assert ours < 4 * reference, f"{ours * 1e6:.1f} us a callback against asyncio's {reference * 1e6:.1f} us"


def test_a_nested_qt_loop_inside_a_callback_leaves_nothing_behind(loop: ConsoleEventLoop) -> None:
    """A callback that runs a nested Qt loop (a modal dialog does): the callbacks queued with it all still run."""
    from PySide6.QtCore import QEventLoop

    seen: list[int] = []

    def modal() -> None:
        nested = QEventLoop()
        loop.call_soon(seen.append, 100)  # a turn is asked for inside: it runs in the nested loop
        QTimer.singleShot(50, nested.quit)
        nested.exec()  # turns run in here too, taking from the queue this turn counted
        seen.append(-1)

    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))

    async def scenario() -> None:
        loop.call_soon(modal)
        for i in range(5):
            loop.call_soon(seen.append, i)
        await asyncio.sleep(0.2)
        loop.call_soon(seen.append, 99)
        await asyncio.sleep(0.05)

    loop.run_until_complete(scenario())
    assert sorted(seen) == [-1, 0, 1, 2, 3, 4, 99, 100]
    assert not errors, errors  # the outer turn did not reach past the queue's end


def _kernel_slice_ns() -> int | None:
    """This thread's slice as the kernel has it (EEVDF's ``se.slice``), None where it shows none."""
    try:
        lines = Path("/proc/thread-self/sched").read_text().splitlines()
    except OSError:
        return None
    return next((int(line.split(":")[1]) for line in lines if line.startswith("se.slice")), None)


def test_the_thread_that_runs_the_window_gets_a_short_kernel_slice(qapp: QApplication) -> None:
    """(media/kernel_slice.py) On a busy PC the window's thread waited for its turn behind others' whole slices."""
    if not kernel_slice.shorten(0) or _kernel_slice_ns() is None:  # 0: the kernel's default again
        pytest.skip("no per-thread slice here (Linux 6.12+ with EEVDF)")
    assert _kernel_slice_ns() != kernel_slice.WINDOW_SLICE_NS
    made = LOOP(qapp)
    made.close()
    assert _kernel_slice_ns() == kernel_slice.WINDOW_SLICE_NS


def test_the_short_slice_is_the_windows_thread_alone_not_the_threads_it_starts(qapp: QApplication) -> None:
    """The kernel copies a thread's slice to the threads and processes it starts: the room's, the compositor's and
    the encoder's threads and x264's child ran in 0.3 ms turns too (R9)."""
    if not kernel_slice.shorten(0) or _kernel_slice_ns() is None:
        pytest.skip("no per-thread slice here (Linux 6.12+ with EEVDF)")
    default = _kernel_slice_ns()
    made = LOOP(qapp)
    try:
        started: list[int | None] = []
        worker = threading.Thread(target=lambda: started.append(_kernel_slice_ns()))
        worker.start()
        worker.join(30)
        assert _kernel_slice_ns() == kernel_slice.WINDOW_SLICE_NS
        assert started == [default]
    finally:
        made.close()
        kernel_slice.shorten(0)
