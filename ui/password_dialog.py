"""A device's password, offered to the room: most rooms give every projector and board the same one.

Asking device by device made a lecturer type one password four times; here it is typed once and tried on the
room's own devices that ask (remembered in its setup, or confirmed here before). PJLink hands a digest of the
password to whoever asks, so a device new to the room gets it only when the lecturer ticks it, by its name and
address: a laptop on the LAN can answer as any number of "projectors".
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

NAMED_AT_MOST = 5  # strangers named in the dialog; the rest are counted


class PasswordDialog(QDialog):
    # the password; whether it is the room's (for its own devices, now and later); whether the strangers get it too
    sig_password = Signal(str, bool, bool)

    def __init__(self, device_name: str, where: str, room_asking: int, strangers: Sequence[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Device password"))
        self.setMinimumWidth(480)
        column = QVBoxLayout(self)
        label = QLabel(self.tr("Password for %1.").replace("%1", device_name) + "\n" + where)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)  # a device names itself: its name is not markup
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        advice = _note(self.tr("Use a long password (16 characters or more): a device on the network can obtain a "
                               "scrambled copy of it and try to guess it."))
        self.whole_room = QCheckBox(self.tr("Use it as this room's password"))
        self.whole_room.setChecked(True)
        self.room_note = _note(
            self.tr("It is tried now on this room's other %1 device(s) that ask for a password, and later on those "
                    "that ask.").replace("%1", str(room_asking)) if room_asking else
            self.tr("This room's devices that ask for a password later get it too."))
        self.strangers = QCheckBox(self.tr("Also send it to devices new to this room"))
        self.strangers.setChecked(False)  # the lecturer vouches for them by name, or they are not sent it
        self.strangers_note = _note(self.tr("%1 device(s) new to this room ask for a password: %2").replace(
            "%1", str(len(strangers))).replace("%2", self._named(strangers)))
        self.strangers.setVisible(bool(strangers))
        self.strangers_note.setVisible(bool(strangers))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        for widget in (label, self.field, advice, self.whole_room, self.room_note, self.strangers,
                       self.strangers_note, buttons):
            column.addWidget(widget)
        buttons.accepted.connect(self._chosen)
        buttons.rejected.connect(self.reject)

    def _chosen(self) -> None:
        self.sig_password.emit(self.field.text(), self.whole_room.isChecked(),
                               self.strangers.isVisibleTo(self) and self.strangers.isChecked())
        self.accept()

    def _named(self, strangers: Sequence[str]) -> str:
        named = ", ".join(strangers[:NAMED_AT_MOST])
        more = len(strangers) - NAMED_AT_MOST
        return named if more <= 0 else named + " " + self.tr("and %1 more").replace("%1", str(more))


def _note(text: str) -> QLabel:
    """A wrapped line of plain text under the control it explains (device names are not markup)."""
    note = QLabel(text)
    note.setWordWrap(True)
    note.setTextFormat(Qt.TextFormat.PlainText)
    note.setObjectName("pageSubtitle")
    return note
