"""A device's password, offered to the whole room: most rooms give every projector and board the same one.

Asking device by device made a lecturer type one password four times; here it is typed once and tried on the
devices asking now (the lecturer sees their cards) and on those the room knew before; a device new to the room
that asks later is not sent it (PJLink hands a digest of it to whoever asks) and shows that it needs a password.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class PasswordDialog(QDialog):
    sig_password = Signal(str, bool)  # the password, and whether to try it on every device that asks

    def __init__(self, device_name: str, where: str, others_asking: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Device password"))
        self.setMinimumWidth(420)
        column = QVBoxLayout(self)
        label = QLabel(self.tr("Password for %1.").replace("%1", device_name) + "\n" + where)
        label.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.whole_room = QCheckBox(
            self.tr("Also try it on the other %1 device(s) here that ask for a password").replace(
                "%1", str(others_asking)) if others_asking else
            self.tr("Also use it for devices here that ask for a password later")
        )
        self.whole_room.setChecked(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        column.addWidget(label)
        column.addWidget(self.field)
        column.addWidget(self.whole_room)
        column.addWidget(buttons)
        buttons.accepted.connect(self._chosen)
        buttons.rejected.connect(self.reject)

    def _chosen(self) -> None:
        self.sig_password.emit(self.field.text(), self.whole_room.isChecked())
        self.accept()
