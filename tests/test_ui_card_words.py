"""A device card's words are read whole at a lecturer PC's 1366x768, three cards a row, in English and Russian.

Beside "Выключить" and "Скрыть" the input picker drew "Computer 1" as "Compute": a lecturer could not tell which
input was on. And the facts line wrapped "Лампа: 2" / "460 ч": the lamp's hours read as 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import qasync
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import QPushButton, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from devices.driver import Capability
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.pjlink.values import Input
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_devices_cards import settled
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.bridge import RoomBridge
from ui.card_face import card_look
from ui.device_card import DeviceCard

# Class 2 projectors' own names for their inputs (INNM), as the simulated ones give them (devices/sim), and a class 1
# projector's, which are the input's kind and number (devices/pjlink/values.py).
INPUTS = {"31": "HDMI 1", "11": "Computer 1", "21": "Video 1", "51": "Network 1", "41": "USB 1",
          **{code: Input(code).name for code in ("12", "22", "32", "42", "52", "62")}}
CARDS = 6  # two rows: the card area scrolls, so its scroll bar takes its width from the three columns
NO_BRIDGE = cast(RoomBridge, object())  # a card calls its bridge only when a control is used


def board(i: int, power: str = "on", hours: int = 2460) -> DeviceInfo:
    return DeviceInfo(
        uid=f"mac:02:c4:00:00:00:{i:02x}", kind=DeviceKind.BOARD, name=f"Board {i + 1}", address=f"127.0.80.{58 + i}",
        port=4352, protocol="pjlink", availability=Availability.ONLINE,
        capabilities=frozenset({Capability.POWER, Capability.INPUT, Capability.BLANK}),
        state={"power": power, "lamp_hours": [hours], "inputs": INPUTS, "input": "11", "input_name": INPUTS["11"]})


def cut_button(button: QPushButton) -> str:
    """The button's text where the room Qt gives it inside its padding is narrower than the text ("" if whole)."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button).width()
    advance = button.fontMetrics().horizontalAdvance(button.text())
    return f"{button.text()!r} ({advance} px in {room})" if advance > room else ""


def test_the_current_input_and_the_buttons_show_whole_three_cards_a_row_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            for i in range(CARDS):
                core.room.update_device(board(i))
            window.resize(1360, 768)  # as the window opens on a 1366x768 screen (ui/main_window.py)
            qtbot.waitExposed(window)
            await wait_for(lambda: len(lecturer.cards) == CARDS and all(c.built and c.isVisible()
                                                                        for c in lecturer.device_cards()),
                           within=10, what="the cards on screen")
            scroll = lecturer.cards_scroll
            await wait_for(lambda: scroll.verticalScrollBar().isVisible(), what="the cards' scroll bar")
            cut: list[str] = []
            for power in ("on", "off", "warming", "cooling"):
                for i in range(CARDS):
                    core.room.update_device(board(i, power))
                await wait_for(lambda power=power: all(c.device.state["power"] == power  # type: ignore[misc]
                                                       for c in lecturer.device_cards()), what=f"cards {power}")
                await settled(lecturer.grid_host)  # every layout pass the new words asked for has run
                card = lecturer.device_cards()[2]  # the row's last: the one a wider card would push out
                assert not scroll.horizontalScrollBar().isVisible(), f"{language}: the cards are wider than 3 a row"
                inside = card.contentsRect()
                for widget in (card.power_button, card.input_picker, card.mute_button):
                    assert widget.isVisible() and inside.contains(widget.geometry()), \
                        f"{language}, {power}: {widget.text()!r} at {widget.geometry()} outside the card's {inside}"
                cut += [f"{power}: {text}" for text in (cut_button(card.power_button), cut_button(card.mute_button))
                        if text]
                if power != "on":
                    continue  # off, the input is not shown (the picker gives way to "Охлаждение…" while cooling)
                picker = card.input_picker
                for index in range(picker.count()):
                    picker.setCurrentIndex(index)
                    if picker.shown_text() != picker.currentText():
                        cut.append(f"input {picker.currentText()!r} shown as {picker.shown_text()!r} "
                                   f"in a picker {picker.width()} px wide")
            assert cut == [], f"{language}: cut at 1366x768: {cut}"

    run(qloop, scenario())


def test_the_facts_line_never_breaks_inside_a_figure(
    qtbot: QtBot, language: str  # noqa: F811
) -> None:
    look = card_look().detail
    for hours in (2460, 1_234_567):
        card = DeviceCard(board(0, hours=hours), NO_BRIDGE)
        qtbot.addWidget(card)
        text = card.detail_label.text()
        lamp = text.split(" · ")[-1]
        figure = lamp[lamp.index(": ") + 2:]  # "2 460 h": the figure and its unit, never a unit alone
        start = text.rindex(figure)
        end = start + len(figure)
        broken = []
        # The face draws it with QPainter.drawText(..., Qt.TextWordWrap), which lays it out as QTextLayout does with
        # QTextOption.WordWrap; every width a face can give its facts, from a word's to the whole line's.
        for width in range(40, look.metrics.horizontalAdvance(text) + 2):
            layout = QTextLayout(text, look.font)
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WordWrap)
            layout.setTextOption(option)
            layout.beginLayout()
            starts = []
            while (line := layout.createLine()).isValid():
                line.setLineWidth(width)
                starts.append(line.textStart())
            layout.endLayout()
            broken += [f"{text[:at]!r} / {text[at:]!r} at {width} px" for at in starts if start < at < end]
        assert broken == [], f"{language}: the figure broken: {broken[:3]}"
