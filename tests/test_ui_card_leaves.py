"""A stranger that leaves the room (its place for strangers given back, R9) takes its card off the grid: the cards
after it close up, the count says so, and a room left with none shows it is looking again. Real widgets, the
room's own events through the bridge."""

from __future__ import annotations

from pathlib import Path

import qasync
import shiboken6
from pytestqt.qtbot import QtBot

from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_cards_grid import projector
from tests.test_ui_devices_cards import settled


def test_a_stranger_that_leaves_the_room_leaves_the_grid(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            devices = [projector(i) for i in range(5)]
            for device in devices:
                core.room.update_device(device)
            await wait_for(lambda: len(lecturer.cards) == 5 and not lecturer.unbuilt and not lecturer._made,
                           within=30, what="five cards")
            await settled(lecturer.grid_host)
            order = lecturer.cards_in_grid_order()
            leaving, after = order[1], order[2]
            its_place = leaving.geometry()
            core.room.remove_device(leaving.device.uid)
            await wait_for(lambda: leaving.device.uid not in lecturer.cards, within=10, what="the card gone")
            await wait_for(lambda: not shiboken6.isValid(leaving), within=10, what="the card deleted")
            assert lecturer.grid.count() == 4
            await wait_for(lambda: after.geometry() == its_place, within=10, what="the next card in its place")
            assert "4" in lecturer.devices_status.text()
            for device in devices:
                core.room.remove_device(device.uid)
            await wait_for(lambda: not lecturer.cards and lecturer.empty.isVisible(), within=10,
                           what="the empty room shown")
            assert not lecturer.cards_scroll.isVisible()

    run(qloop, scenario())
