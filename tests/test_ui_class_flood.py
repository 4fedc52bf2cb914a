"""A hostile tablet's burst against the lecturer's window: the tablets tab draws the latest news at most once a
frame, never once per message (E3: a hand flood just under the tablets' rate froze the window for 25 s, every
``hand`` message rebuilding every hand label). The events go the real way: the room's bus, the bridge, the panel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import qasync
from pytestqt.qtbot import QtBot

from classroom_console.tablets import events as ev
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_class_fit import session_at_1366x768

BURST = 5000
DRAWS = 3  # the lone first change at once, the burst's latest at the frame's end, one spare for a slow machine


def _counted(calls: list[Any], method: Any) -> Any:
    def wrapper(*args: Any) -> Any:
        calls.append(args)
        return method(*args)
    return wrapper


def test_a_burst_of_hands_answers_and_joins_is_drawn_a_few_times_and_ends_right(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            panel = await session_at_1366x768(qtbot, core, window)
            window.lecturer.tabs.setCurrentWidget(panel)
            bus = core.room.events
            activity = {"id": "a1", "kind": "poll", "question": "Ready?", "options": ["Yes", "No"], "multiple": False}
            bus.emit(ev.ActivityStarted(activity))
            await wait_for(lambda: panel.chart.counts == {"Yes": 0, "No": 0}, within=30, what="the poll shown")
            hands: list[Any] = []
            charts: list[Any] = []
            joins: list[Any] = []
            panel.show_hands = _counted(hands, panel.show_hands)  # type: ignore[method-assign]
            panel.chart.show_counts = _counted(charts, panel.chart.show_counts)  # type: ignore[method-assign]
            panel.joined_label.setText = _counted(joins, panel.joined_label.setText)  # type: ignore[method-assign]

            started = time.perf_counter()
            for i in range(BURST):  # as a loop that fell behind reads them: all at once
                queue = tuple((seat, f"Hand {seat}") for seat in range(i % 20))
                bus.emit(ev.HandsChanged(queue))
                bus.emit(ev.AnswerReceived("a1", seat_id=i % 50, counts={"Yes": i, "No": 1}, responders=i + 1))
                bus.emit(ev.TabletJoined(seat_id=i, name=f"Student {i}"))
            burst_s = time.perf_counter() - started
            last = tuple((seat, f"Hand {seat}") for seat in range((BURST - 1) % 20))
            await wait_for(lambda: [label.text() for label in panel.hand_labels]
                           == [f"{n}. Hand {n - 1}" for n in range(1, 9)] + ["and 11 more"],
                           within=30, what="the burst's last hands")
            await wait_for(lambda: panel.chart.counts == {"Yes": BURST - 1, "No": 1}, within=30, what="the counts")
            await wait_for(lambda: panel.latest_label.text() == f"Latest: Student {BURST - 1}", within=30,
                           what="the last to join")
            assert panel.lower_button.text() == f"Next ({len(last)})"
            print(f"{BURST} x 3 events through the bridge in {burst_s * 1000:.0f} ms; drawn: hands {len(hands)}, "
                  f"chart {len(charts)}, joined {len(joins)}")
            assert len(hands) <= DRAWS and len(charts) <= DRAWS and len(joins) <= DRAWS

    run(qloop, scenario())
