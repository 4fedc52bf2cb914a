"""Every tab of the window shows its name whole, in English and in Russian, with the app's stylesheet, and the
Studio still fits a 1366x768 screen beside the sidebar. The platform style's wide tabs cut the Studio's four to
"Live fig…" / "Показате…", so a technician had to guess which was which."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QStyleOptionTab, QTabWidget
from pytestqt.qtbot import QtBot

from tests.qt_helpers import run
from tests.test_ui_studio import show_on_a_lecturer_screen, studio_workspace
from ui import i18n
from ui.resources import stylesheet


@pytest.fixture(params=["en", "ru"])
def language(request: pytest.FixtureRequest, qapp: QCoreApplication) -> Iterator[str]:
    translators = i18n.install(qapp, request.param) if request.param != "en" else []
    assert request.param == "en" or translators, "no Russian translation: scripts/setup.sh compiles assets/i18n"
    assert isinstance(qapp, QApplication)
    qapp.setStyleSheet(stylesheet())
    try:
        yield request.param
    finally:
        qapp.setStyleSheet("")
        for translator in translators:
            qapp.removeTranslator(translator)


def cut_tabs(tabs: QTabWidget) -> list[str]:
    """The names as Qt draws them where that is not the whole name (it elides a name its tab is too narrow for)."""
    bar = tabs.tabBar()
    drawn = []
    for i in range(bar.count()):
        option = QStyleOptionTab()
        bar.initStyleOption(option, i)
        drawn.append(option.text)
    return [text for i, text in enumerate(drawn) if text != bar.tabText(i)]


def test_the_studios_tabs_show_their_names_whole_and_it_fits_the_screen(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            show_on_a_lecturer_screen(workspace, qtbot)
            tabs = workspace.side_tabs
            assert tabs.count() == 4
            assert cut_tabs(tabs) == [], f"{language}: tabs cut to fit: {cut_tabs(tabs)}"
            assert workspace.minimumSizeHint().width() <= 1366 - 156, f"{language}: the Studio is wider than the screen"
            assert workspace.width() <= 1366 - 156

    run(qloop, scenario())
