"""What a device, a camera or a source says is shown as it said it, never drawn as markup (review finding 1: a PJLink
projector on the LAN that named an input "<b>Input</b><i>Evil</i>" had its Details rows drawn bold and italic, and
could have faked rows there). Real widgets; a real simulated projector on loopback speaking PJLink."""

from __future__ import annotations

import contextlib
from pathlib import Path

import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel
from pytestqt.qtbot import QtBot

from classroom_console.media.meter import MeterReading
from classroom_console.room_devices import DeviceCommandError, RoomDevices
from devices.driver import Command, Reason
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian, with the stylesheet)
from ui.camera_card import CameraCard
from ui.device_card import DeviceCard
from ui.studio_meters import AudioMixerPanel

EVIL = "<b>Input</b><i>Evil</i>"
HOST, PORT = "127.0.80.71", 4352  # apart from other tests' simulated devices
MAC = "02:47:00:00:00:47"
UID = f"mac:{MAC}"


def drawn(tip: str) -> str:
    """What Qt draws for a tooltip (it takes anything that might be rich text for HTML)."""
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


def rows(form: QFormLayout) -> dict[str, QLabel]:
    said = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is not None and field is not None:
            name, value = label.widget(), field.widget()
            if isinstance(name, QLabel) and isinstance(value, QLabel):
                said[name.text()] = value
    return said


ROWS = {"en": ("Input", "Manufacturer", "Model", "Other information", "Error status"),
        "ru": ("Вход", "Производитель", "Модель", "Прочие сведения", "Состояние ошибок")}


def test_a_projectors_own_words_show_as_typed_in_its_details(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, language: str  # noqa: F811
) -> None:
    *said, errors = ROWS[language]
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window), contextlib.AsyncExitStack() as stack:
            sim = SimulatedProjector(SimProjectorConfig(
                name=EVIL, host=HOST, port=PORT, udp_port=PORT, mac=MAC, manufacturer=EVIL, product=EVIL, info=EVIL,
                input_names={"31": EVIL}, initial_input="31", warmup_s=0.3, cooling_s=0.3))
            await sim.start()
            stack.push_async_callback(sim.stop)
            core.devices = RoomDevices(core.room, None, store=core.store, poll_interval_s=0.2)
            await core.devices.start()
            stack.push_async_callback(core.devices.stop)
            await core.devices.adopt(DeviceInfo(UID, DeviceKind.PROJECTOR, HOST, HOST, PORT, "pjlink",
                                                found_by={"search"}))
            await wait_for(lambda: UID in window.lecturer.cards and core.room.devices[UID].availability
                           is Availability.ONLINE, within=20, what="the projector's card, online")
            for component in ("fan", "lamp", "temperature", "cover", "filter", "other"):
                sim.inject_error(component, 1)  # warnings: six on one row, wrapped
            await core.devices.command(UID, Command("power", True))  # its input is read once it is on
            await wait_for(lambda: core.room.devices[UID].state.get("input_name") == EVIL
                           and core.room.devices[UID].state.get("manufacturer") == EVIL
                           and len(core.room.devices[UID].state.get("errors") or {}) == 6, within=20,
                           what="the projector's input name and maker read")
            card = window.lecturer.cards[UID]
            assert isinstance(card, DeviceCard)
            card.show_details()
            details = card._details
            assert details is not None
            await wait_for(lambda: details.isVisible() and said[0] in rows(details.form), what="its Details")
            shown = rows(details.form)
            for row in said:
                label = shown[row]
                assert EVIL in label.text(), (row, label.text())
                assert label.textFormat() is Qt.TextFormat.PlainText, f"{row}: drawn as markup"
            # Whole: each row as tall as its wrapped words (the window grew for them; they were cut to a line)
            await wait_for(lambda: all(w.height() >= w.heightForWidth(w.width()) for w in rows(details.form).values()),
                           what="every row of Details whole")
            now = rows(details.form)  # rebuilt at each reading
            assert now[errors].height() > now[said[2]].height(), "the six warnings fit one line?"
            # Nowhere in the window does a label draw its words as markup
            assert isinstance(qapp, QApplication)
            marked = [w for w in qapp.allWidgets() if isinstance(w, QLabel) and "<b>Input" in w.text()
                      and w.textFormat() is not Qt.TextFormat.PlainText]
            assert not marked, [w.objectName() or type(w.parentWidget()).__name__ for w in marked]
            details.close()

    run(qloop, scenario())


def test_a_cameras_name_in_its_cards_problem_line_shows_as_typed(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):
            camera = DeviceInfo("mac:02:47:00:00:00:48", DeviceKind.CAMERA, EVIL, "127.0.80.72", 80, "onvif",
                                availability=Availability.ONLINE)
            card = CameraCard(camera, window.bridge)
            qtbot.addWidget(card)
            card.show()
            card._finished(DeviceCommandError(camera.uid, EVIL, Command("preset-recall", 2), Reason.NO_ANSWER,
                                              "no answer from " + EVIL))
            assert card.problem_label.isVisible() and EVIL in card.problem_label.text()
            assert card.problem_label.textFormat() is Qt.TextFormat.PlainText
            assert "no answer from " + EVIL in drawn(card.problem_label.toolTip())

    run(qloop, scenario())


def test_a_sources_title_in_the_audio_meters_shows_as_typed(qtbot: QtBot) -> None:
    mixer = AudioMixerPanel()
    qtbot.addWidget(mixer)
    mixer.show_readings([("mic", EVIL, MeterReading(-20.0, -24.0, -18.0))])
    title, _bar, _figure = mixer.rows["mic"]
    assert title.text() == EVIL and title.textFormat() is Qt.TextFormat.PlainText
    assert drawn(title.toolTip()) == EVIL
