"""The room's settings dialog says its question whole in both languages on a narrow screen: Qt gives a dialog at most
2/3 of the screen's width (682 px on a PC mirrored to a 1024-px projector; the tests' offscreen screen is 800 px),
and the one-line Russian ran past it ("…преподаватели и центр (на")."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.room_settings import RoomSettingsDialog


def test_the_question_shows_whole(qtbot: QtBot, language: str) -> None:  # noqa: F811
    dialog = RoomSettingsDialog("Hall 3")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width()
    label = next(label for label in dialog.findChildren(QLabel) if label.isVisible() and label.text())
    room = label.contentsRect()
    flags = Qt.TextFlag.TextWordWrap.value if label.wordWrap() else 0
    needs = label.fontMetrics().boundingRect(QRect(0, 0, room.width(), 10_000), flags, label.text())
    assert needs.width() <= room.width() and needs.height() <= room.height(), (
        f"{language}: {label.text()!r} needs {needs.width()}x{needs.height()} px, has {room.width()}x{room.height()}")
    assert label.mapTo(dialog, room.topRight()).x() <= dialog.width()
