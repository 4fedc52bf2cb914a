"""The real window under pytest-qt: workspaces switch, a session starts and ends, Russian loads."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.events import SceneStep
from classroom_console.room_devices import DeviceCommandError
from classroom_console.store import open_store
from devices.driver import Command, Reason
from devices.model import Availability, DeviceInfo, DeviceKind
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from ui import i18n
from ui.app import _main as app_main
from ui.bridge import RoomBridge
from ui.main_window import MainWindow
from ui.resources import stylesheet


def open_window(qtbot: QtBot, core: ConsoleCore) -> MainWindow:
    window = MainWindow(RoomBridge(core))
    qtbot.addWidget(window)
    window.show()
    return window


def test_switches_workspaces_by_clicking(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        window = open_window(qtbot, core)
        try:
            assert window.stack.currentWidget() is window.lecturer
            qtbot.mouseClick(window.nav_buttons["studio"], Qt.MouseButton.LeftButton)
            assert window.stack.currentWidget() is window.studio
            qtbot.mouseClick(window.nav_buttons["centre"], Qt.MouseButton.LeftButton)
            assert window.stack.currentWidget() is window.centre
            assert not window.studio.record_button.isEnabled()  # nothing to record without a source
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


def test_start_and_end_session_from_the_big_button(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        window = open_window(qtbot, core)
        lecturer = window.lecturer
        try:
            lecturer.lecturer_edit.setText("Aliya Nurlanovna")
            lecturer.course_edit.setText("Physics 1")
            qtbot.mouseClick(lecturer.session_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: core.room.session is not None, what="session start")
            await wait_for(lambda: lecturer.session_button.text() == "End session", what="button to flip")
            assert "Aliya Nurlanovna" in lecturer.session_label.text()
            assert not lecturer.lecturer_edit.isEnabled()
            await wait_for(lecturer.session_button.isEnabled, what="button re-enabled")
            # The session ends while its scene still applies (a projector warming up): the end cancels the scene,
            # and its chips no longer say "Applying…" over a room that is off (they stayed until the next start).
            lecturer.scene_progress.begin("Lecture")
            lecturer.scene_progress.show_step(SceneStep(scene="Lecture", target="mac:p1", name="Projector 1",
                                                        step="power", status="waiting"))
            qtbot.mouseClick(lecturer.session_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: lecturer.end_box is not None, what="the question before ending")
            assert core.room.session is not None  # nothing ends before the answer
            box = lecturer.end_box
            assert box is not None
            end = next(b for b in box.buttons() if b.text() == "End session")
            qtbot.mouseClick(end, Qt.MouseButton.LeftButton)
            await wait_for(lambda: core.room.session is None, what="session end")
            await wait_for(lambda: lecturer.session_button.text() == "Start session", what="button back")
            assert lecturer.scene_progress.isHidden()
            summary = await core.usage()
            assert summary.sessions == 1
            window.centre.show_summary(summary)
            assert window.centre.sessions_tile.value.text() == "1"
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


@pytest.mark.parametrize(("lang", "how", "said", "whole"), [
    # The store closed under the session (the console quitting): it said the log could not write its end, as for a
    # full disk.
    ("en", "closed", "The session ended as the log was closing; its end was not written.", "closing"),
    # The log turned read-only (a real SQLite refusal): the folder is named, in the window's language.
    ("en", "read-only", "The session ended; the data folder is read-only, so the log could not write its end.",
     "is read-only: sessions are not being saved"),
    ("ru", "read-only", "Занятие закончено; папка данных только для чтения, и журнал не смог записать его конец.",
     "только для чтения: занятия не сохраняются"),
], ids=["en-closed", "en-read-only", "ru-read-only"])
def test_a_session_whose_end_the_log_cannot_write_shows_it_ended_and_why(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, lang: str, how: str, said: str,
    whole: str,
) -> None:
    """The session is over and the window says so (it kept 'End session' up, and the next press started a new
    session), and why its end is not logged by the error's code (it said "could not write its end" for any)."""
    translators = i18n.install(qapp, lang)

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            start = lecturer.session_button.text()
            qtbot.mouseClick(lecturer.session_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: lecturer.session_button.text() != start, what="the session running")
            await wait_for(lecturer.session_button.isEnabled, what="button re-enabled")
            end = lecturer.session_button.text()
            assert core.store is not None
            if how == "closed":
                await core.store.close()  # every write from now on fails
            else:
                await core.store.call(lambda s: s.db.execute("PRAGMA query_only = ON"))
            qtbot.mouseClick(lecturer.session_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: lecturer.end_box is not None, what="the question before ending")
            box = lecturer.end_box
            assert box is not None
            qtbot.mouseClick(next(b for b in box.buttons() if b.text() == end), Qt.MouseButton.LeftButton)
            await wait_for(lambda: lecturer.session_button.text() == start, what="the button back")
            assert core.room.session is None
            assert lecturer.elapsed_label.text() == said
            note = lecturer.elapsed_label
            note.resize(note.width() - 40, note.height())  # laid out again: the hover keeps what it tells
            assert whole in lecturer.elapsed_label.toolTip()
            assert str(tmp_path) in lecturer.elapsed_label.toolTip() or how == "closed"

    try:
        run(qloop, scenario())
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_device_cards_appear_and_follow_state(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        window = open_window(qtbot, core)
        try:
            assert window.lecturer.empty.isVisible()
            device = DeviceInfo(
                uid="mac:00:11:22:33:44:55",
                kind=DeviceKind.BOARD,
                name="Board",
                address="127.0.0.9",
                port=4352,
                protocol="pjlink",
                availability=Availability.ONLINE,
            )
            core.room.update_device(device)
            card = window.lecturer.cards["mac:00:11:22:33:44:55"]
            assert card.badge.text() == "Online"
            assert not window.lecturer.empty.isVisible()
            core.room.lose_device(device.uid)
            assert card.badge.text() == "Offline"
            assert len(window.lecturer.cards) == 1
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


def test_russian_translation_loads(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path
) -> None:
    translators = i18n.install(qapp, "ru")
    try:
        assert translators, "no Russian translation found: scripts/setup.sh compiles assets/i18n/*.ts"

        async def scenario() -> None:
            core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
            await core.start()
            window = open_window(qtbot, core)
            try:
                assert window.nav_buttons["lecturer"].text() == "Лектор"
                assert window.lecturer.session_button.text() == "Начать занятие"
                assert window.studio.record_button.text() == "● Запись"
            finally:
                window.bridge.detach()
                await core.stop()

        run(qloop, scenario())
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


@pytest.mark.parametrize(("lang", "damaged"), [("en", "was damaged. It was moved to"),
                                               ("ru", "был повреждён. Он перенесён в")])
def test_a_corrupt_store_is_moved_aside_and_the_user_told(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, lang: str, damaged: str
) -> None:
    """The status bar and the dialog name the folder, why and where the damaged file is kept, in the window's
    language (they said only "There is a problem with the session log on this PC")."""
    (tmp_path / "console.db").write_bytes(b"this is not a database, it was a lecture's worth of data" * 64)
    translators = i18n.install(qapp, lang)

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        window = MainWindow(RoomBridge(core))  # as in the app: the window exists before the core starts
        qtbot.addWidget(window)
        window.show()
        try:
            await core.start()
            await wait_for(lambda: window._last_dialog is not None, what="the notice dialog")
            dialog = window._last_dialog
            assert dialog is not None
            await wait_for(lambda: damaged in dialog.text(), what="the dialog naming the folder and why")
            assert f"{tmp_path}/console.db.corrupt-" in dialog.text()
            assert "moved" in dialog.detailedText().lower() or "corrupt" in dialog.detailedText().lower()
            message = window.statusBar().currentMessage()
            assert str(tmp_path) in message and damaged in message, message
            await core.room.start_session("A", "B")  # the fresh store works
            await core.room.end_session()
        finally:
            window.bridge.detach()
            await core.stop()

    try:
        run(qloop, scenario())
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("console.db.corrupt-")]
    assert kept and kept[0].read_bytes().startswith(b"this is not a database")


def test_a_log_failing_write_after_write_keeps_one_dialog(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """A full disk fails every write of the session log: one dialog says it, updated, not one more per write."""

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        window = open_window(qtbot, core)
        await core.start()
        try:
            for n in range(3):
                window.bridge.sig_store_problem.emit(f"write {n} failed", f"disk full {n}")
            boxes = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.parent() is window
                     and w.windowTitle() == "Session log"]
            assert len(boxes) == 1 and boxes[0] is window._last_dialog
            assert window._last_dialog.detailedText() == "disk full 2"
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_window_fits_a_lecturer_pc_screen_after_the_longest_messages(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path, lang: str
) -> None:
    """1366x768 in both languages, even after many devices failed at once and a long error arrived."""
    translators = i18n.install(qapp, lang)
    assert isinstance(qapp, QApplication)
    qapp.setStyleSheet(stylesheet())  # as the app does: its paddings count
    try:
        async def scenario() -> None:
            core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
            await core.start()
            window = open_window(qtbot, core)
            window.resize(1366, 768)
            try:
                failures = [
                    DeviceCommandError(f"mac:02:00:00:00:00:{i:02x}", f"Projector in hall {i}", Command("power", False),
                                       Reason.BUSY, "POWR 0: ERR3 not available now (standby or warming/cooling)")
                    for i in range(12)
                ]
                window.lecturer._power_all_done(failures)
                window.lecturer.session_label.setText("Running: " + "A very long course title " * 20)
                window.show_error("Looking for devices failed: " + "no route to host; " * 40, "detail")
                window.set_network([f"10.20.{i}.15" for i in range(30)])
                for page in ("lecturer", "studio", "centre"):
                    qtbot.mouseClick(window.nav_buttons[page], Qt.MouseButton.LeftButton)
                    await asyncio.sleep(0.1)
                    hint = window.minimumSizeHint()
                    assert hint.width() <= 1366 and hint.height() <= 768, (page, hint)
                    assert window.width() <= 1366, (page, window.width())
                # The whole text is still there for whoever wants it: on hover.
                assert "Projector in hall 11" in window.lecturer.devices_status.text()
            finally:
                window.bridge.detach()
                await core.stop()

        run(qloop, scenario())
    finally:
        qapp.setStyleSheet("")
        for translator in translators:
            qapp.removeTranslator(translator)


def _start_app(window: MainWindow, core: ConsoleCore) -> asyncio.Task[None]:
    """The app's own main coroutine, as `classroom-console gui` runs it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return asyncio.ensure_future(app_main(app, window, core, argparse.Namespace(screenshot=None), "en"))


def test_closing_an_idle_window_ends_cleanly(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        window = open_window(qtbot, core)
        main = _start_app(window, core)
        await wait_for(lambda: core.store is not None, within=30, what="the core to start")
        window.close()
        await asyncio.wait_for(main, 30)  # no question when nothing runs; the core stops and the window goes
        assert core.store is None and not window.isVisible()

    run(qloop, scenario())


def test_closing_with_a_session_running_asks_then_ends_it(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> str:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        window = open_window(qtbot, core)
        main = _start_app(window, core)
        await wait_for(lambda: core.sync is not None, within=30, what="the core to start")  # its last step
        session = await core.room.start_session("Aliya", "Physics")
        window.close()
        await wait_for(lambda: window._close_box is not None, within=30, what="the question")
        assert window.isVisible() and not main.done()
        box = window._close_box
        assert box is not None
        cancel = next(b for b in box.buttons() if b.text() == "Cancel")
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        await asyncio.sleep(0.2)
        assert core.room.session is not None and window.isVisible()  # cancel keeps everything running
        window.close()
        await wait_for(lambda: window._close_box is not None, within=30, what="the question again")
        box = window._close_box
        assert box is not None
        leave_on = next(b for b in box.buttons() if b.text() == "End and leave it on")
        qtbot.mouseClick(leave_on, Qt.MouseButton.LeftButton)
        await asyncio.wait_for(main, 30)
        assert not window.isVisible()
        return session.id

    session_id = run(qloop, scenario())
    store = open_store(tmp_path)
    try:
        row = store.session(session_id)
        assert row is not None and row["ended_at"] is not None and row["status"] == "completed"
    finally:
        store.close()


def test_a_session_a_crash_left_open_is_closed_on_the_next_start(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    store = open_store(tmp_path)
    session_id = store.start_session(lecturer="Aliya", course="Physics")
    store.add_event(session_id, None, "state", {"note": "the last thing logged before the power cut"})
    store.close()  # no end: as after a crash

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        try:
            assert core.store is not None
            row = await core.store.call(lambda s: s.session(session_id))
            assert row is not None and row["status"] == "interrupted" and row["ended_at"] >= row["started_at"]
        finally:
            await core.stop()

    run(qloop, scenario())


def test_cards_sort_as_people_count_and_warm_up_counts_down(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        window = open_window(qtbot, core)
        try:
            for i, name in enumerate(("Bench 11", "Bench 2", "Bench 1", "Bench 6")):
                core.room.update_device(DeviceInfo(
                    uid=f"mac:00:11:22:33:44:{i:02x}", kind=DeviceKind.PROJECTOR, name=name, address=f"127.0.0.{i}",
                    port=4352, protocol="pjlink", availability=Availability.ONLINE, state={"power": "off"}))
            grid = window.lecturer.grid
            await wait_for(lambda: grid.count() == 4, within=10, what="four cards")  # built a few a frame
            shown = [card.device.name for card in window.lecturer.cards_in_grid_order()]
            assert shown == ["Bench 1", "Bench 2", "Bench 6", "Bench 11"]

            uid = "mac:00:11:22:33:44:00"
            card = window.lecturer.cards[uid]

            def power(word: str) -> None:
                device = core.room.devices[uid]
                core.room.update_device(dataclasses.replace(device, state={"power": word}))

            power("warming")
            assert card.badge.text() == "Warming up"  # the first time there is nothing to count down from
            await asyncio.sleep(3.0)
            power("on")
            power("cooling")
            power("off")
            power("warming")
            window.bridge.flush_devices()  # changes within one frame wait for its end (ui/bridge.py): show them now
            assert "left" in card.badge.text(), card.badge.text()  # now it knows: about 3 s
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


def test_past_lecturers_and_courses_are_offered_and_the_last_ones_prefilled(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        for name, course in (("Aliya Nurlanovna", "Physics 1"), ("Bakyt Osmonov", "Chemistry")):
            await core.room.start_session(name, course)
            await core.room.end_session()
        window = open_window(qtbot, core)
        lecturer = window.lecturer
        try:
            lecturer.load_recent_names()
            await wait_for(lambda: lecturer.recent["lecturer"].rowCount() == 2, within=30, what="the past names")
            assert lecturer.lecturer_edit.text() == "Bakyt Osmonov" and lecturer.course_edit.text() == "Chemistry"
            completer = lecturer.lecturer_edit.completer()
            assert completer is not None
            completer.setCompletionPrefix("nurl")  # anywhere in the name, any case
            assert completer.currentCompletion() == "Aliya Nurlanovna"
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


def test_the_room_is_renamed_from_its_settings_and_keeps_the_name(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario(first_start: bool) -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        window = open_window(qtbot, core)
        try:
            await core.start()
            if first_start:
                room_id = core.room_id
                qtbot.mouseClick(window.room_button, Qt.MouseButton.LeftButton)
                dialog = window._room_dialog
                assert dialog is not None
                dialog.field.setText("   ")
                dialog._save()
                assert dialog.error.isVisible() and dialog.isVisible()  # an empty name is refused in place
                dialog.field.setText("Hall 3, building B")
                dialog._save()
                await wait_for(lambda: core.room.name == "Hall 3, building B", within=30, what="the rename")
                assert core.room_id == room_id  # the log and the centre key on the id, which stays
            await wait_for(lambda: window.room_label.text() == "Hall 3, building B", within=30, what="the label")
            assert "Hall 3, building B" in window.windowTitle()
            assert "Hall 3, building B" in window.lecturer.subtitle.text()
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario(first_start=True))
    run(qloop, scenario(first_start=False))  # remembered on the next start


def first_ink_column(image: QImage, top: int, bottom: int) -> int:
    """The leftmost column in rows top..bottom holding anything but the sidebar's own colour."""
    ground = image.pixelColor(image.width() - 2, top).rgb()
    for x in range(image.width()):
        if any(image.pixelColor(x, y).rgb() != ground for y in range(top, bottom)):
            return x
    return -1


def test_the_sidebars_room_name_and_its_settings_link_start_in_one_column(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QApplication, tmp_path: Path
) -> None:
    """Under the console's name, the room's name and "Settings…" start at one edge (the link stood 4 px left of
    the name above it, in both languages)."""
    qapp.setStyleSheet(stylesheet())

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):
            await wait_for(lambda: window.room_button.isVisible(), what="the sidebar")
            bar = window.room_label.parentWidget()
            assert bar is not None
            image = bar.grab().toImage()
            columns = [first_ink_column(image, w.y() + 1, w.y() + w.height() - 1)
                       for w in (window.room_label, window.room_button)]
            assert columns[0] > 0 and abs(columns[0] - columns[1]) <= 1, columns

    try:
        run(qloop, scenario())
    finally:
        qapp.setStyleSheet("")
