"""Devices on another network segment, listed by address: the typed text and the reason stay in view.

A refused entry once closed the dialog and lost what was typed, then showed the error in grey in the
status bar; here the dialog stays open with the reason beside the field.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from devices.discovery import RangeTooLargeError, expand_targets
from ui.plain_text import plain
from ui.widgets import plain_tip


class AddressDialog(QDialog):
    sig_addresses = Signal(list)  # the entries as typed, split; the caller saves them and answers

    def __init__(self, current: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add devices by address"))
        self.setMinimumWidth(460)
        column = QVBoxLayout(self)
        hint = QLabel(self.tr("Addresses or ranges to check, separated by commas, for example "
                              "10.20.1.15, 10.20.1.0/24"))
        hint.setWordWrap(True)
        self.field = QLineEdit(", ".join(current))
        self.error = plain(QLabel())  # quotes what was typed
        self.error.setObjectName("cardProblem")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        column.addWidget(hint)
        column.addWidget(self.field)
        column.addWidget(self.error)
        column.addWidget(self.buttons)
        self.buttons.accepted.connect(self._offer)
        self.buttons.rejected.connect(self.reject)
        self.field.textEdited.connect(lambda _text: self.error.hide())

    def _offer(self) -> None:
        text = self.field.text()
        specs = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        for spec in specs:  # each entry checked alone, so the message names the one to fix (pure, no I/O)
            try:
                expand_targets([spec])
            except RangeTooLargeError as exc:
                self._refuse(self.tr("“%1” is too large a range: at most 1,024 addresses (a /22).").replace(
                    "%1", spec), str(exc))
                return
            except ValueError as exc:
                self._refuse(self.tr("“%1” is not an address or a range. Use 10.20.1.15 or 10.20.1.0/24.").replace(
                    "%1", spec), str(exc))
                return
        self.buttons.setEnabled(False)
        self.sig_addresses.emit(specs)

    def accept(self) -> None:
        self.buttons.setEnabled(True)
        super().accept()

    def show_refusal(self, detail: str) -> None:
        """The whole list was refused when saved (together too many addresses, or it could not be saved)."""
        self._refuse(self.tr("These addresses could not be saved: together they are too many (at most 4,096), "
                             "or the settings file could not be written."), detail)

    def _refuse(self, text: str, detail: str) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(text)
        self.error.setToolTip(plain_tip(detail))  # the parser's own words, for a technician
        self.error.show()
        self.field.setFocus()
