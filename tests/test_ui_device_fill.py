"""100 devices found at once: counted at once, their cards built a few a frame, the grid in order, nothing lost."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from devices.model import Availability, DeviceInfo, DeviceKind
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from ui.device_card import DeviceCard
from ui.workspaces.lecturer import CARD_COLUMNS

DEVICES = 100


def projector(i: int, hours: int = 0) -> DeviceInfo:
    return DeviceInfo(uid=f"mac:02:c1:00:00:00:{i:02x}", kind=DeviceKind.PROJECTOR, name=f"Bench {i + 1}",
                      address=f"127.0.0.{i + 1}", port=4352, protocol="pjlink", availability=Availability.ONLINE,
                      state={"power": "on", "lamp_hours": [hours]})


def test_a_hundred_devices_at_once_fill_in_slices_in_order(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            for i in reversed(range(DEVICES)):  # the last first: every card placed moves the ones after it
                core.room.update_device(projector(i))
            assert lecturer.cards_scroll.isVisible() and not lecturer.empty.isVisible()
            built_at_once = len(lecturer.cards)
            assert 1 <= built_at_once < DEVICES  # the rest wait for the next frames, not one long freeze
            # a change while its card waits: the card is built showing the latest state
            core.room.update_device(dataclasses.replace(projector(DEVICES - 1, hours=7)))
            said_while_filling: set[str] = set()

            def filled() -> bool:
                if len(lecturer.cards) < DEVICES:
                    said_while_filling.add(lecturer.devices_status.text())
                return len(lecturer.cards) == DEVICES

            await wait_for(filled, within=10, what="every card built")
            assert f"{DEVICES} found" in said_while_filling  # all counted while the cards were still coming
            assert not lecturer.unbuilt
            assert lecturer.devices_status.text() == f"{DEVICES} found"
            cards = lecturer.cards_in_grid_order()
            assert [card.device.name for card in cards] == [f"Bench {i + 1}" for i in range(DEVICES)]
            grid = lecturer.grid
            for index, card in enumerate(cards):  # the layout holds each card in the cell it was given
                position = grid.getItemPosition(grid.indexOf(card))
                assert position[:2] == (index // CARD_COLUMNS, index % CARD_COLUMNS), card.device.name
            assert grid.count() == DEVICES
            last = lecturer.cards[projector(DEVICES - 1).uid]
            assert isinstance(last, DeviceCard) and "Lamp: 7\u00a0h" in last.detail_label.text()

    run(qloop, scenario())
