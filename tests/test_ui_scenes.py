"""The Lecturer workspace's scenes under pytest-qt: Start with a scene, per-device progress, switch, edit, fit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.events import SceneStep
from classroom_console.room_devices import RoomDevices
from devices.discovery import FinderConfig
from devices.model import Availability
from devices.pjlink.values import PowerState
from devices.sim.room import SimRoom, SimRoomConfig
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from ui import i18n
from ui.bridge import RoomBridge
from ui.main_window import MainWindow
from ui.resources import stylesheet

FIRST_HOST = 40  # 127.0.80.40-42: apart from the other tests' rooms and a running demo


def test_start_with_lecture_shows_each_device_names_the_failed_one_and_switches(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    config = SimRoomConfig(projectors=2, boards=1, warmup_s=1.0, cooling_s=0.5, advertise=False,
                           first_host=FIRST_HOST)

    async def scenario() -> None:
        async with SimRoom(config) as sim:
            good, broken = sim.devices[0], sim.devices[1]
            broken.inject_error("lamp", 2)  # refuses to turn on (PJLink ERR4)
            core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
            await core.start()
            core.scenes.tablets_port, core.scenes.tablets_advertise = 0, False
            window = MainWindow(RoomBridge(core))
            qtbot.addWidget(window)
            window.show()
            lecturer = window.lecturer
            try:
                # Only this room, swept by address: other simulated rooms on loopback are left alone.
                sweep = FinderConfig(search_targets=(), dnssd_types=(), sweep=[d.host for d in sim.devices],
                                     wsd_interfaces=())
                core.devices = RoomDevices(core.room, sweep, store=core.store, poll_interval_s=0.2)
                await core.devices.start()
                await wait_for(lambda: len(lecturer.cards) == 3 and all(
                    c.device.availability in (Availability.ONLINE, Availability.FAULT)
                    for c in lecturer.cards.values()), within=60, what="the three devices")
                lecturer.load_recent_names()
                assert lecturer.chosen_scene() == "Lecture"  # the first press needs no choice
                assert lecturer.scene_picker.currentText() == "Lecture"
                lecturer.course_edit.setText("Physics")
                lecturer.title_edit.setText("Optics")
                qtbot.mouseClick(lecturer.session_button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: core.room.session is not None, within=30, what="the session")
                assert lecturer.scene_progress.isVisible()
                await wait_for(lambda: "except" in lecturer.scene_progress.summary.text(), within=60,
                               what="the scene's outcome")
                assert "Optics" in lecturer.session_label.text()
                chips = lecturer.scene_progress.chips
                steps = lecturer.scene_progress.steps
                broken_uid = next(u for u, c in lecturer.cards.items() if c.device.name == broken.config.name)
                good_uid = next(u for u, c in lecturer.cards.items() if c.device.name == good.config.name)
                assert chips[broken_uid].property("tone") == "bad"
                assert "The device reports a fault." in chips[broken_uid].toolTip()
                assert chips[broken_uid].text().startswith(broken.config.name)
                assert chips[good_uid].property("tone") == "ok" and steps[good_uid].status == "done"
                # No camera and no Studio source: the recording says why, in words.
                assert "Nothing to record" in chips["recording"].toolTip()
                summary = lecturer.scene_progress.summary.text()
                assert broken.config.name in summary and "Nothing to record" in summary
                assert good.power_state is PowerState.ON and good.current_input == "31"

                lecturer.scene_picker.setCurrentIndex(lecturer.scene_picker.findData("Discussion"))
                assert lecturer.switch_button.isVisible()
                qtbot.mouseClick(lecturer.switch_button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: good._mute["video"] is True, within=30, what="the picture blanked")
                await wait_for(lambda: lecturer.scene_progress.scene == "Discussion" and all(
                    isinstance(s, SceneStep) and s.status in ("done", "failed", "skipped")
                    for s in lecturer.scene_progress.steps.values()), within=30, what="Discussion applied")

                await wait_for(lecturer.session_button.isEnabled, what="the button re-armed")
                qtbot.mouseClick(lecturer.session_button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: lecturer.end_box is not None, what="the question before ending")
                box = lecturer.end_box
                assert box is not None and "turned off" in box.informativeText()
                end = next(b for b in box.buttons() if b.text() == "End session")
                qtbot.mouseClick(end, Qt.MouseButton.LeftButton)
                await wait_for(lambda: core.room.session is None, within=30, what="the session to end")
                await wait_for(lambda: good.power_state in (PowerState.COOLING, PowerState.OFF), within=30,
                               what="the room turned off")
                await wait_for(lambda: "Optics" in lecturer.recent["title"].stringList(), within=10,
                               what="the title offered next time")
            finally:
                window.bridge.detach()
                await core.stop()

    run(qloop, scenario())


def test_scene_editor_copies_edits_saves_and_refuses_a_taken_name(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            lecturer.edit_scenes()
            editor = lecturer.scene_editor
            assert editor is not None and editor.isVisible()
            assert editor.list.count() == 4 and not editor.delete_button.isEnabled()  # shipped: kept
            qtbot.mouseClick(editor.copy_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: core.scenes.scenes.find("Lecture (2)") is not None, what="the copy saved")
            await wait_for(lambda: lecturer.scene_picker.findData("Lecture (2)") >= 0, what="the copy offered")
            assert editor.name_edit.text() == "Lecture (2)" and editor.delete_button.isEnabled()
            editor.name_edit.setText("Lab")
            editor.recording.setCurrentIndex(editor.recording.findData(False))
            qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: core.scenes.scenes.find("Lab") is not None, what="the renamed scene")
            lab = core.scenes.scenes.find("Lab")
            assert lab is not None and lab.recording is False and lab.projectors_on is True
            assert core.scenes.scenes.find("Lecture (2)") is None
            await wait_for(lambda: lecturer.chosen_scene() == "Lab", what="the renamed scene chosen")
            editor.name_edit.setText("Discussion")
            qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
            assert editor.problem.text() == "There is already a scene with this name."
            assert editor.isVisible() and editor.name_edit.text() == "Discussion"  # nothing typed is lost
            again = await asyncio.to_thread((core.db_path.parent / "scenes.json").read_text)
            assert '"Lab"' in again

    run(qloop, scenario())


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_lecturer_workspace_fits_1366x768_with_a_scene_that_failed_everywhere(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, lang: str
) -> None:
    translators = i18n.install(qapp, lang)
    assert isinstance(qapp, QApplication)
    qapp.setStyleSheet(stylesheet())
    try:
        async def scenario() -> None:
            async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):
                window.resize(1366, 768)
                progress = window.lecturer.scene_progress
                progress.begin("Lecture")
                for i in range(12):
                    progress.show_step(SceneStep("Lecture", f"uid{i}", f"Projector in the big hall {i} " * 3,
                                                 "power", "failed", "device-fault", "ERR4 " * 50))
                progress.finish("Lecture", tuple(progress.steps.values()))
                await asyncio.sleep(0.1)
                for index in (1, 0):  # the students' tablets, then the room
                    window.lecturer.tabs.setCurrentIndex(index)
                    await asyncio.sleep(0.1)
                    # The window's frame (sidebar, status bar) plus what this workspace needs; the other
                    # workspaces' own sizes are test_ui_main_window's to check.
                    frame = window.minimumSizeHint() - window.stack.minimumSizeHint()
                    hint = frame + window.lecturer.minimumSizeHint()
                    assert hint.width() <= 1366 and hint.height() <= 768, (index, hint)

        run(qloop, scenario())
    finally:
        qapp.setStyleSheet("")
        for translator in translators:
            qapp.removeTranslator(translator)


def test_the_next_start_offers_the_rooms_last_course_title_and_scene(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        first = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await first.start()
        first.scenes.tablets_port, first.scenes.tablets_advertise = 0, False
        await first.scenes.start("A. Lecturer", "Physics", "Optics", "Discussion")
        await first.scenes.applied()
        await first.scenes.set_turn_off_at_end(False)
        await first.scenes.end()
        await first.stop()
        async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):  # the next morning
            lecturer = window.lecturer
            lecturer.load_recent_names()
            await wait_for(lambda: lecturer.title_edit.text() == "Optics", within=30, what="the fields prefilled")
            assert lecturer.course_edit.text() == "Physics" and lecturer.lecturer_edit.text() == "A. Lecturer"
            assert lecturer.chosen_scene() == "Discussion"
            assert not lecturer.with_devices.isChecked()  # End leaves the room on, as chosen last time

    run(qloop, scenario())
