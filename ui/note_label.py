"""A one-line note whose hover tells more than the line: what ended how, and the technical details.

``widgets.ElidedLabel`` sets its own tooltip at each resize (the whole line when it is cut, else none), so a tooltip
set beside it lasted until the next layout: after a session ended, the window laid itself out again and the
devices that did not turn off, or why the log could not write the session's end, were no longer on hover.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ui.widgets import ElidedLabel


class NoteLabel(ElidedLabel):
    def __init__(self, text: str = "") -> None:
        self._more = ""
        super().__init__(text)

    def setText(self, text: str) -> None:
        self._more = ""  # a new note: what the last one said on hover is no longer true
        super().setText(text)

    def set_more(self, tip: str) -> None:
        """The hover text for this note, kept through every resize (plain text: ``widgets.plain_tip``)."""
        self._more = tip
        QLabel.setToolTip(self, tip)

    def _elide(self) -> None:
        super()._elide()
        if self._more:
            QLabel.setToolTip(self, self._more)
