"""The window's side of "this room's device": a banner while devices found are undecided, a chooser that writes the
lecturer's ticks through the bridge into the core and the store, and the tick in a device's Details. Real widgets,
real simulated projectors on loopback, a real store; screenshots at 1366x768 in English and Russian."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from classroom_console.room_choice import Belonging, belonging
from classroom_console.room_devices import RoomDevices
from classroom_console.scenes import Scene
from classroom_console.scenes_apply import SceneReason, apply_scene
from devices.model import Availability, DeviceInfo, DeviceKind
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.shots_folder import screenshots_folder
from tests.test_device_impostors import PORT, mac_of, projector
from ui import i18n
from ui.device_card import DeviceCard
from ui.resources import stylesheet
from ui.scene_words import status_text

OURS, THEIRS = "127.0.80.58", "127.0.80.59"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_chooser_writes_the_lecturers_ticks_through_the_bridge(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, lang: str
) -> None:
    translators = i18n.install(qapp, lang)
    assert isinstance(qapp, QApplication)
    qapp.setStyleSheet(stylesheet())
    shots = screenshots_folder()

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window), contextlib.AsyncExitStack() as stack:
            sims = {host: await stack.enter_async_context(projector(host, mac_of(host), name, password=None))
                    for host, name in ((OURS, "Projector 204"), (THEIRS, "Projector 203"))}
            core.devices = RoomDevices(core.room, None, store=core.store, poll_interval_s=0.2)
            await core.devices.start()
            stack.push_async_callback(core.devices.stop)
            ours, theirs = (f"mac:{mac_of(h)}" for h in (OURS, THEIRS))
            for host, uid in ((OURS, ours), (THEIRS, theirs)):  # found by the search: no evidence either way
                await core.devices.adopt(DeviceInfo(uid, DeviceKind.PROJECTOR, host, host, PORT, "pjlink",
                                                    found_by={"search"}))
            window.resize(1366, 768)
            lecturer = window.lecturer
            banner = lecturer.room_banner
            await wait_for(lambda: banner.isVisible() and "2" in banner.text.text(), within=10, what="the banner")
            await wait_for(lambda: len(lecturer.cards) == 2 and all(
                d.availability is Availability.ONLINE for d in core.room.devices.values()), within=20,
                what="two cards online")
            await asyncio.sleep(0.3)  # a frame or two for the cards to paint before the picture
            window.grab().save(str(shots / f"room-banner-{lang}.png"))

            qtbot.mouseClick(banner.choose_button, Qt.MouseButton.LeftButton)
            chooser = banner.chooser
            assert chooser is not None and chooser.isVisible()
            assert [d.uid for d in chooser.devices] == [theirs, ours]  # by kind, then name
            assert chooser.ticked() == {ours: False, theirs: False}  # no evidence, nothing pressed: not ticked
            chooser.grab().save(str(shots / f"room-chooser-{lang}.png"))
            buttons = chooser.findChild(QDialogButtonBox)
            assert buttons is not None
            save = buttons.button(QDialogButtonBox.StandardButton.Save)
            # Nothing ticked: Save would refuse every device, the room's own too (R11 F10); it waits, and says why
            assert not save.isEnabled() and chooser.none_ticked.isVisible()
            if lang == "ru":
                assert chooser.none_ticked.text().startswith("Отметьте хотя бы одно устройство")
            qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
            assert chooser.isVisible()
            chooser._clicked(1, 2)  # a click on the row's address ticks the row
            assert chooser.ticked() == {ours: True, theirs: False}
            assert save.isEnabled() and not chooser.none_ticked.isVisible()
            qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

            await wait_for(lambda: belonging(core.room.devices[theirs]) is Belonging.REFUSED
                           and belonging(core.room.devices[ours]) is Belonging.CHOSEN, within=10,
                           what="the choice judged by the core")
            assert core.store is not None
            rows = {r["uid"]: r["room_choice"] for r in await core.store.known_devices()}
            assert rows[ours] == 1 and rows[theirs] == 0
            await wait_for(lambda: not banner.isVisible(), within=5, what="the banner gone")
            card = lecturer.cards[theirs]
            assert isinstance(card, DeviceCard)
            word = card.tr("Not this room's")
            await wait_for(lambda: card.detail_label.text().startswith(word), within=5, what="the card says so")
            # Another room's card (R11 F13): after the room's own (203 came first by name), dimmed, and its power
            # button asks first; Cancel sends nothing
            assert [c.device.uid for c in lecturer.cards_in_grid_order()] == [ours, theirs]
            assert card.property("otherRoom") is True and lecturer.cards[ours].property("otherRoom") is False
            qtbot.mouseClick(card.power_button, Qt.MouseButton.LeftButton)
            question = card.other_rooms_question
            assert question is not None and question.isVisible()
            assert card.tr("Another room's device") == question.windowTitle()
            question.grab().save(str(shots / f"room-other-rooms-power-{lang}.png"))
            question.reject()
            await wait_for(lambda: card.other_rooms_question is None, within=5, what="the question closed")
            assert not card.pending
            await apply_scene(core, Scene("On", projectors_on=True))  # ours warms up; theirs is a chip, left alone
            assert str(sims[THEIRS].power_state.name) == "OFF"
            chips = lecturer.scene_progress.chips
            await wait_for(lambda: theirs in chips and ours in chips, within=5, what="the scene's chips")
            assert chips[theirs].full.endswith(status_text(lecturer.scene_progress.steps[theirs]))
            assert lecturer.scene_progress.steps[theirs].reason == SceneReason.NOT_THIS_ROOMS
            await asyncio.sleep(0.3)
            window.grab().save(str(shots / f"room-chosen-{lang}.png"))

            card.show_details()
            details = card._details
            assert details is not None and not details.room_tick.isChecked()
            details.grab().save(str(shots / f"room-details-{lang}.png"))
            box = details.room_tick  # clicked on its box: the row is wider than its words, its middle is no click
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(10, box.height() // 2))
            await wait_for(lambda: belonging(core.room.devices[theirs]) is Belonging.CHOSEN, within=10,
                           what="chosen from the Details")
            await wait_for(lambda: details.room_tick.isChecked() and word not in card.detail_label.text(),
                           within=5, what="the tick and the card follow")
            details.close()

    try:
        run(qloop, scenario())
    finally:
        qapp.setStyleSheet("")
        for translator in translators:
            qapp.removeTranslator(translator)


def test_the_chooser_says_a_device_without_an_id_of_its_own_is_remembered_by_its_address(
    qtbot: QtBot, qapp: QCoreApplication
) -> None:
    """R11 F6: the word on a class-1 projector (no MAC, no serial) holds for whatever answers at its address as it
    did; the chooser says so beside how it was found."""
    from ui.room_chooser import RoomChooser

    translators = i18n.install(qapp, "ru")
    try:
        by_address = DeviceInfo(f"addr:{OURS}:{PORT}", DeviceKind.PROJECTOR, "Old projector", OURS, PORT, "pjlink",
                                found_by={"sweep"})
        by_mac = DeviceInfo(f"mac:{mac_of(THEIRS)}", DeviceKind.PROJECTOR, "New projector", THEIRS, PORT, "pjlink",
                            found_by={"sweep"})
        chooser = RoomChooser([by_address, by_mac])
        qtbot.addWidget(chooser)
        cells = {chooser.devices[row].uid: chooser.table.item(row, 4) for row in range(2)}
        rows = {uid: cell.text() if cell is not None else "" for uid, cell in cells.items()}
        assert "запомнено по адресу" in rows[by_address.uid], rows
        assert "запомнено" not in rows[by_mac.uid], rows
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_banner_and_the_count_tell_another_rooms_devices_apart(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, lang: str
) -> None:
    """A refusal alone (a neighbour's Details unticked, R11 F9): before the room chose, scenes switch every device
    found but the refused, and the banner says so (it said "every device found"); the count above the cards says
    the room's and the undecided apart from another room's ("3 found" counted the neighbour's)."""
    translators = i18n.install(qapp, lang)
    assert isinstance(qapp, QApplication)
    qapp.setStyleSheet(stylesheet())
    shots = screenshots_folder()
    third = "127.0.80.60"

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window), contextlib.AsyncExitStack() as stack:
            names = ((OURS, "Projector 204"), (THEIRS, "Projector 203"), (third, "Projector 204b"))
            for host, name in names:
                await stack.enter_async_context(projector(host, mac_of(host), name, password=None))
            core.devices = RoomDevices(core.room, None, store=core.store, poll_interval_s=0.2)
            await core.devices.start()
            stack.push_async_callback(core.devices.stop)
            ours, theirs, other = (f"mac:{mac_of(h)}" for h, _ in names)
            for host, _name in names:
                await core.devices.adopt(DeviceInfo(f"mac:{mac_of(host)}", DeviceKind.PROJECTOR, host, host, PORT,
                                                    "pjlink", found_by={"search"}))
            window.resize(1366, 768)
            lecturer = window.lecturer
            banner = lecturer.room_banner
            await wait_for(lambda: len(lecturer.cards) == 3 and all(
                d.availability is Availability.ONLINE for d in core.room.devices.values()), within=20,
                what="three cards online")
            await core.devices.choose({theirs: False})  # a refusal alone: the room has not chosen
            await wait_for(lambda: belonging(core.room.devices[theirs]) is Belonging.REFUSED, within=10,
                           what="the refusal judged")
            count = {"en": "2 found · other rooms': 1", "ru": "Найдено: 2 · других аудиторий: 1"}[lang]
            await wait_for(lambda: lecturer.devices_status.text() == count, within=5, what=repr(count))
            except_refused = {"en": "except those you said are another room's",
                              "ru": "кроме тех, что вы отнесли к другой аудитории"}[lang]
            await wait_for(lambda: banner.isVisible() and except_refused in banner.text.text(), within=5,
                           what="the banner's exception")
            assert banner.text.text().startswith({"en": "2 devices found", "ru": "В сети найдено 2 устройства"}[lang])
            await asyncio.sleep(0.3)
            window.grab().save(str(shots / f"room-refused-alone-{lang}.png"))

            await core.devices.choose({ours: True})  # now the room chose: the undecided one is left alone too
            await wait_for(lambda: banner.isVisible() and except_refused not in banner.text.text()
                           and banner.text.text().startswith({"en": "1 device", "ru": "1 устройство"}[lang]),
                           within=5, what="the banner after the choice")
            assert lecturer.devices_status.text() == count
            await core.devices.choose({theirs: None})  # the word taken back: counted as found again
            await wait_for(lambda: lecturer.devices_status.text() == {"en": "3 found", "ru": "Найдено: 3"}[lang],
                           within=5, what="'3 found'")
            del other

    try:
        run(qloop, scenario())
    finally:
        qapp.setStyleSheet("")
        for translator in translators:
            qapp.removeTranslator(translator)


def test_a_refused_device_once_pressed_from_its_card_is_not_ticked_in_the_chooser(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path
) -> None:
    """The lecturer in 204 turns 203's projector on from its card to see which one it is (a command from its card:
    the chooser's hint), then refuses it in its Details. The chooser ticked it all the same (the hint outweighed the
    word), and its Save for 204 alone made 203 the room's again: off at every session's end."""
    from devices.driver import Command
    from tests.test_ui_room_choice_elsewhere import OURS_UID, THEIRS_UID, two_projectors

    async def scenario() -> None:
        async with two_projectors(qtbot, tmp_path) as (core, window, _sims):
            assert core.devices is not None
            await core.devices.command(THEIRS_UID, Command("power", True))  # from its card: marked used
            await wait_for(lambda: core.room.devices[THEIRS_UID].state.get("room_used") is True, within=10,
                           what="203 marked used")
            await core.devices.choose({THEIRS_UID: False})  # "not this room's", in its Details
            banner = window.lecturer.room_banner
            await wait_for(lambda: banner.isVisible() and THEIRS_UID in banner.refused, within=10,
                           what="the banner knows 203 refused")
            qtbot.mouseClick(banner.choose_button, Qt.MouseButton.LeftButton)
            chooser = banner.chooser
            assert chooser is not None and chooser.isVisible()
            assert chooser.ticked() == {OURS_UID: False, THEIRS_UID: False}  # the word outweighs the hint
            chooser._clicked([d.uid for d in chooser.devices].index(OURS_UID), 2)
            buttons = chooser.findChild(QDialogButtonBox)
            assert buttons is not None
            qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
            await wait_for(lambda: belonging(core.room.devices[OURS_UID]) is Belonging.CHOSEN, within=10,
                           what="204 chosen")
            assert belonging(core.room.devices[THEIRS_UID]) is Belonging.REFUSED

    run(qloop, scenario())
