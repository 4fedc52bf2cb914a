"""Closing the window while a recording runs that a scene started, the Studio never opened: the question names the
recording (it said only "A session is running.", or closed at once with nothing asked, as the window's Studio had
no studio of its own yet), and says "them" only when two things run.

The review's steps: a session with the «Лекция» scene starts a recording; the question read «Идёт занятие.» then
«При закрытии они завершатся»."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from tests.qt_helpers import run, wait_for
from tests.test_ui_main_window import _start_app, open_window
from ui import i18n
from ui.main_window import MainWindow


@pytest.fixture
def russian(qapp: QCoreApplication) -> Iterator[None]:
    translators = i18n.install(qapp, "ru")
    assert translators, "no Russian translation: scripts/setup.sh compiles assets/i18n"
    try:
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


async def record_as_a_scene_does(core: ConsoleCore) -> None:
    """The core's studio records (scenes_apply does this), the window's Studio never shown."""
    studio = core.ensure_studio()
    await studio.add_source("test-pattern:320x180")
    await studio.start_recording()
    await wait_for(lambda: studio.recording and studio.elapsed_s >= 0.5, within=30, what="the recording to run")


async def the_question(window: MainWindow) -> QMessageBox:
    window.close()
    await wait_for(lambda: window._close_box is not None, within=30, what="the question before closing")
    box = window._close_box
    assert box is not None
    return box


def answer(qtbot: QtBot, box: QMessageBox, words: str) -> None:
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == words), Qt.MouseButton.LeftButton)


async def started(qtbot: QtBot, tmp_path: Path) -> tuple[ConsoleCore, MainWindow, asyncio.Task[None]]:
    """The window on a room with no devices, its console running (``main`` ends when it has closed)."""
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    window = open_window(qtbot, core)
    main = _start_app(window, core)
    await wait_for(lambda: core.sync is not None, within=30, what="the core to start")
    return core, window, main


@pytest.mark.parametrize(("session", "said", "then"), [
    (False, "A recording is running.", "Closing ends the recording and keeps everything recorded so far."),
    (True, "A session and a recording are running.", "Closing ends them and keeps everything recorded so far."),
], ids=["recording", "session-and-recording"])
def test_a_recording_a_scene_started_is_named_before_closing_and_finished(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, session: bool, said: str, then: str
) -> None:
    async def scenario() -> Path:
        core, window, main = await started(qtbot, tmp_path)
        if session:
            await core.room.start_session("Aliya", "Physics")
        await record_as_a_scene_does(core)
        assert window.studio.studio is None  # the Studio was never opened
        studio = core.studio
        assert studio is not None and studio.recorder is not None
        path = studio.recorder.path
        box = await the_question(window)
        assert (box.text(), box.informativeText()) == (said, then)
        assert not main.done()
        answer(qtbot, box, "End and leave it on")
        await asyncio.wait_for(main, 60)
        return path

    path = run(qloop, scenario())
    assert path.exists() and path.stat().st_size > 0  # finished and kept, not left to crash recovery


def test_a_session_alone_is_one_thing_that_ends(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        core, window, main = await started(qtbot, tmp_path)
        await core.room.start_session("Aliya", "Physics")
        box = await the_question(window)
        assert (box.text(), box.informativeText()) == (
            "A session is running.", "Closing ends the session and keeps its log.")
        answer(qtbot, box, "End and leave it on")
        await asyncio.wait_for(main, 60)

    run(qloop, scenario())


def test_in_russian_the_question_names_the_recording(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, russian: None
) -> None:
    async def scenario() -> None:
        core, window, main = await started(qtbot, tmp_path)
        await core.room.start_session("Алия", "Физика")
        await record_as_a_scene_does(core)
        box = await the_question(window)
        assert box.text() == "Идут занятие и запись."
        assert box.informativeText() == "При закрытии они завершатся, всё уже записанное сохранится."
        answer(qtbot, box, "Завершить, оставив включённой")
        await asyncio.wait_for(main, 60)

    run(qloop, scenario())
