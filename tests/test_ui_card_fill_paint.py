"""While the room's cards fill in, the window paints little at a time: one new card on screen a turn of the builder,
and the grid growing (rows kept for the cards still to come) repaints none of the cards already on screen. A turn
that showed and painted many cards, or a grid whose every growth repainted all the cards in sight, held the window
for 30-75 ms while 100 cards came in (bench/ui_stall.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

import ui.workspaces.lecturer as lecturer_module
from classroom_console.console import ConsoleCore
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_cards_grid import projector
from tests.test_ui_devices_cards import Events, settled
from ui.main_window import MainWindow
from ui.workspaces.lecturer import LecturerWorkspace


async def found(qtbot: QtBot, window: MainWindow, core: ConsoleCore, devices: int) -> LecturerWorkspace:
    """The window as on a 1366x768 screen, and ``devices`` projectors found at once."""
    window.resize(1360, 768)
    qtbot.waitExposed(window)
    for i in range(devices):
        core.room.update_device(projector(i))
    return window.lecturer


def test_a_turn_of_the_builder_shows_one_new_card_on_screen_at_most(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = await found(qtbot, window, core, 9)
            lecturer._build_timer.stop()  # the turns are taken here, one at a time
            monkeypatch.setattr(lecturer_module, "CARD_BUILD_BUDGET_S", 3600.0)  # however fast the machine
            on_screen: list[int] = []
            for _ in range(100):
                if not lecturer.unbuilt and not lecturer._made:
                    break
                before = {uid for uid, card in lecturer.cards.items() if not card.visibleRegion().isEmpty()}
                lecturer._build_waiting()
                lecturer._build_timer.stop()
                now = {uid for uid, card in lecturer.cards.items() if not card.visibleRegion().isEmpty()}
                on_screen.append(len(now - before))
            assert len(lecturer.cards) == 9
            assert on_screen and max(on_screen) == 1, on_screen  # each turn's paint: one new card's at most
            assert sum(on_screen) >= 3  # the first row at least is on screen

    run(qloop, scenario())


def test_the_grid_growing_for_cards_to_come_repaints_no_card_on_screen(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = await found(qtbot, window, core, 6)
            await wait_for(lambda: len(lecturer.cards) == 6 and not lecturer.unbuilt and not lecturer._made,
                           within=30, what="six cards")
            # The banner above the cards ("6 devices found…") comes a moment after them (RoomBanner's SETTLE_MS): on a
            # busy machine it came after the paints were counted, and every card it moved down was painted (CI)
            banner = lecturer.room_banner
            await wait_for(lambda: banner.isVisible() and not banner._due.isActive(), within=30, what="the banner")
            lecturer.grid.reserve(30, 300)  # taller than the window: its scroll bar shown (the cards narrower)
            await settled(lecturer)
            QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)
            cards = [card for card in lecturer.cards.values() if not card.visibleRegion().isEmpty()]
            assert cards
            paints = Events(QEvent.Type.Paint)
            for card in cards:
                card.installEventFilter(paints)
            height = lecturer.grid_host.height()
            lecturer.grid.reserve(60, 300)  # as the fill keeps room for sixty cards still to come
            await settled(lecturer.grid_host)
            await wait_for(lambda: lecturer.grid_host.height() > height, within=30, what="the grid grown")
            QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)  # the window's paint, now
            assert paints.count == 0  # only the grid's new rows, off screen, needed painting
            # A card that does change is still painted.
            card = cards[0]
            lecturer.show_device(dataclasses.replace(card.device, state={**card.device.state, "lamp_hours": [9]}))

            def painted() -> bool:
                QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)
                return paints.count > 0

            await wait_for(painted, within=30, what="the changed card painted")

    run(qloop, scenario())
