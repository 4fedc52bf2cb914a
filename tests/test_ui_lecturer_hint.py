"""The lecturer's line under the session controls is read whole on a lecturer PC's 1366x768 screen, in English and in
Russian: cut to fit beside "Turn the room off at the end", the hint read "Start a session to log it for the c…" and
"Начните занятие, чтоб…"."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.qt_helpers import run, window_on_a_quiet_core
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
                         lecturer.tr("The session was saved; some devices did not turn off.")):
                label.setText(text)
                assert label.isVisible()
                shown = QLabel.text(label)  # what is drawn (an ElidedLabel cuts its text with "…" to fit)
                assert shown == text, f"{language}: {text!r} shown as {shown!r}"

    run(qloop, scenario())
