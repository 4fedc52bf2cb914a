"""The room's name as its people call it, editable: the PC's host name ("vm", "PC-0413") told nobody anything.

The centre connection lives in the Centre workspace's sync panel; this dialog points there.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

MAX_NAME = 80


class RoomSettingsDialog(QDialog):
    sig_name = Signal(str)
    sig_centre = Signal()  # "Connect to the centre…": the window shows the Centre workspace

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Room settings"))
        self.setMinimumWidth(420)
        column = QVBoxLayout(self)
        label = QLabel(self.tr("Room name, as lecturers and the centre know it (e.g. “Hall 3, building B”)"))
        # Wrapped: Qt gives a dialog at most 2/3 of the screen's width, and on one line the Russian ran past it on a
        # PC mirrored to a 1024-px projector ("…преподаватели и центр (на").
        label.setWordWrap(True)
        column.addWidget(label)
        self.field = QLineEdit(name)
        self.field.setMaxLength(MAX_NAME)
        self.error = QLabel(self.tr("A room needs a name."))
        self.error.setObjectName("cardProblem")
        self.error.hide()
        centre = QPushButton(self.tr("Connect to the centre…"))
        centre.setObjectName("linkButton")
        centre.clicked.connect(self._centre)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        column.addWidget(self.field)
        column.addWidget(self.error)
        column.addWidget(centre)
        column.addWidget(buttons)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)

    def _save(self) -> None:
        name = " ".join(self.field.text().split())
        if not name:
            self.error.show()
            return
        self.sig_name.emit(name)
        self.accept()

    def _centre(self) -> None:
        self.sig_centre.emit()
        self.reject()
