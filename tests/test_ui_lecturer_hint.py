"""The lecturer's line under the session controls is read whole on a lecturer PC's 1366x768 screen, in English and in
Russian: cut to fit beside "Turn the room off at the end", the hint read "Start a session to log it for the c…" and
"Начните занятие, чтоб…"."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_studio_words import line_edit_room
from tests.test_ui_tab_names import language  # noqa: F401  # the fixture: each test in English and in Russian


def test_the_hint_under_the_session_controls_is_not_cut_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):
            window.resize(1360, 768)  # as the window opens on a 1366x768 screen (ui/main_window.py)
            qtbot.waitExposed(window)
            label = window.lecturer.elapsed_label
            hint = label.text()
            lecturer = window.lecturer
            for text in (hint, lecturer.tr("The session was saved to the log."),
                         lecturer.tr("The session was saved; some devices did not turn off."),
                         lecturer.tr("The session was saved; not everything ended cleanly.")):
                label.setText(text)
                assert label.isVisible()
                shown = QLabel.text(label)  # what is drawn (an ElidedLabel cuts its text with "…" to fit)
                assert shown == text, f"{language}: {text!r} shown as {shown!r}"

    run(qloop, scenario())


def test_a_lecturers_full_name_shows_whole_in_its_field_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    """Half the row each, the name field showed "Алия Нурлановн": a name is longer than a course."""
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):
            window.resize(1360, 768)
            qtbot.waitExposed(window)
            lecturer = window.lecturer
            edit = lecturer.lecturer_edit
            for name in ("Алия Нурлановна", "Aliya Nurlanovna"):
                edit.setText(name)
                lecturer.course_edit.setText("Физика 1")
                lecturer.title_edit.setText("Оптика: линзы")
                if lecturer.session_button.text() == lecturer.tr("Start session"):
                    lecturer.session_button.click()  # a running session's panel: its scene row is wider
                    await wait_for(lambda: lecturer.switch_button.isVisible(), within=30, what="the session")
                await asyncio.sleep(0.3)  # the layout settles
                room = line_edit_room(edit)
                assert edit.fontMetrics().horizontalAdvance(name) <= room, f"{language}: {name!r} in {room} px"

    run(qloop, scenario())
