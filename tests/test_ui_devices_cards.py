"""Device cards stay cheap for the window: a poll's new figures relay out nothing, a card is built a control a
step, and the input picker drops its menu only when pressed."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot

from devices.driver import Capability, Command
from devices.model import Availability, DeviceInfo, DeviceKind
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from ui.bridge import RoomBridge
from ui.device_card import DeviceCard

NO_BRIDGE = cast(RoomBridge, object())  # a card calls its bridge only when a control is used


class Commands:
    """Stands for the bridge: the commands a card sends (the room's side is tests/test_ui_devices.py's)."""

    def __init__(self) -> None:
        self.sent: list[Command] = []

    def device_command(self, uid: str, command: Command, on_finished: Callable[[object], None]) -> None:
        self.sent.append(command)
        on_finished(None)

CAPABILITIES = frozenset({Capability.POWER, Capability.INPUT, Capability.BLANK})


def projector(i: int, hours: int = 0) -> DeviceInfo:
    return DeviceInfo(uid=f"mac:02:c2:00:00:00:{i:02x}", kind=DeviceKind.PROJECTOR, name=f"Room {i + 1}",
                      address=f"127.0.0.{i + 1}", port=4352, protocol="pjlink", availability=Availability.ONLINE,
                      capabilities=CAPABILITIES,
                      state={"power": "on", "lamp_hours": [hours], "inputs": {"11": "RGB 1", "31": "HDMI 1"},
                             "input": "31", "input_name": "HDMI 1"})


class Events(QObject):
    """Counts the events of one type the watched widgets get (layout requests by default)."""

    def __init__(self, kind: QEvent.Type = QEvent.Type.LayoutRequest) -> None:
        super().__init__()
        self.kind = kind
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self.kind:
            self.count += 1
        return False


async def settled(widget: QWidget) -> None:
    """Until no layout request is waiting for ``widget`` and its children: Qt posts one as a LayoutRequest event,
    so a posted-events pass that leaves none behind means every pass asked for has run (bounded: 10 s)."""
    waiting = Events()
    for child in [widget, *widget.findChildren(QWidget)]:
        child.installEventFilter(waiting)
    try:
        deadline = time.monotonic() + 10
        while True:
            before = waiting.count
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            await asyncio.sleep(0.02)  # a turn of the loop: timers and queued calls that might ask for more
            if waiting.count == before:
                return
            assert time.monotonic() < deadline, "layout kept asking for passes"
    finally:
        for child in [widget, *widget.findChildren(QWidget)]:
            child.removeEventFilter(waiting)


def test_new_lamp_hours_on_every_card_relay_out_nothing(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            for i in range(30):
                core.room.update_device(projector(i, hours=1000))
            await wait_for(lambda: len(lecturer.cards) == 30 and not lecturer.unbuilt and not lecturer._made,
                           within=10, what="thirty cards")
            await settled(lecturer.grid_host)  # the last card's layout pass done
            requests = Events()
            lecturer.grid_host.installEventFilter(requests)
            for card in lecturer.device_cards():
                card.installEventFilter(requests)
            for i in range(30):
                core.room.update_device(projector(i, hours=1001 + i))
            def shown() -> bool:
                return all(f"Lamp: {c.device.state['lamp_hours'][0]:,} h".replace(",", " ")
                           in c.detail_label.text().replace("\u00a0", " ") for c in lecturer.device_cards())

            await wait_for(lambda: shown() and all(c.device.state["lamp_hours"] != [1000]
                                                   for c in lecturer.device_cards()), within=10, what="new hours")
            await settled(lecturer.grid_host)  # a layout pass the new hours asked for would have run by now
            assert requests.count == 0  # each card repainted its face, no layout pass anywhere

    run(qloop, scenario())


def test_a_card_is_built_a_control_a_step_and_shows_the_same(qtbot: QtBot) -> None:
    later = DeviceCard(projector(1, hours=12345), NO_BRIDGE, later=True)
    qtbot.addWidget(later)
    assert not later.built and not hasattr(later, "power_button")
    assert later.badge.text() == "On" and later.detail_label.text() == "Input: HDMI 1 · Lamp: 12\u00a0345\u00a0h"
    steps = 0
    while later.build_step():
        steps += 1
    assert later.built and steps >= 4  # the face, then one control a step
    at_once = DeviceCard(projector(1, hours=12345), NO_BRIDGE)
    qtbot.addWidget(at_once)
    for card in (later, at_once):
        assert card.power_button.text() == "Turn off" and card.power_button.isEnabled()
        assert card.input_picker.currentText() == "HDMI 1" and card.input_picker.count() == 2


def test_a_cards_texts_changed_together_are_measured_and_told_once(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Name, state, facts and problems changed by one news: the face measures its height, repaints and tells screen
    readers once, not once a text (five times for a new card)."""
    card = DeviceCard(projector(1, hours=10), NO_BRIDGE)
    qtbot.addWidget(card)
    told: list[str] = []
    refresh = card.face._refresh_accessible

    def counted() -> None:
        told.append("once")
        refresh()

    monkeypatch.setattr(card.face, "_refresh_accessible", counted)
    news = dataclasses.replace(projector(1, hours=20), name="Hall A", availability=Availability.FAULT,
                               state={**projector(1, hours=20).state, "power": "off", "errors": {"lamp": "error"}})
    card.update_device(news)
    assert told == ["once"]
    assert card.name_label.text() == "Hall A" and card.badge.text() == "Standby"
    assert card.detail_label.text() == "Lamp: 20\u00a0h" and card.problem_label.text()
    assert card.face.accessibleName() == "Hall A" and "Lamp: 20\u00a0h" in card.face.accessibleDescription()


def test_the_input_picker_drops_its_inputs_and_reports_a_pick(qtbot: QtBot) -> None:
    commands = Commands()
    card = DeviceCard(projector(2), cast(RoomBridge, commands))
    qtbot.addWidget(card)
    card.show()
    picker = card.input_picker
    assert card.findChildren(QMenu) == []  # no menu until pressed
    picked: list[int] = []
    picker.activated.connect(picked.append)
    picker.drop_down()
    menus = card.findChildren(QMenu)
    assert len(menus) == 1
    actions = menus[0].actions()
    assert [a.text() for a in actions] == ["RGB 1", "HDMI 1"] and actions[1].isChecked()
    actions[0].trigger()
    assert picked == [0] and picker.currentData() == "11" and picker.currentText() == "RGB 1"
    assert commands.sent == [Command(Capability.INPUT, "11")]
    menus[0].close()


def test_a_painted_card_tells_screen_readers_what_it_shows_and_tabs_in_screen_order(qtbot: QtBot) -> None:
    card = DeviceCard(dataclasses.replace(projector(3, hours=777), availability=Availability.AUTH_FAILED), NO_BRIDGE)
    qtbot.addWidget(card)
    face = card.face
    assert face.accessibleName() == "Room 4"
    description = face.accessibleDescription()
    assert "127.0.0.4" in description and card.badge.text() in description and card.badge.text()
    assert card.password_button.isVisibleTo(card)
    chain: list[QWidget] = []
    widget: QWidget = card.power_button
    for _ in range(20):  # the focus chain from the first control, bounded
        if widget.isVisibleTo(card) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(widget)
        following = widget.nextInFocusChain()
        if following is None or following is card.power_button:
            break
        widget = following
    buttons = [w for w in chain if w in (card.password_button, card.details_button)]
    assert buttons == [card.password_button, card.details_button]  # as shown: password left of Details
