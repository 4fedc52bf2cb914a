"""The Studio's status line under the program: wraps, at most a few lines, the whole text on hover.

Its longest words (the encoder lost three times, then the recording's end lost too: seven lines in Russian) pushed
the record row off a 1366x768 laptop's window; a failure's details can be any length.
"""

from __future__ import annotations

from math import ceil

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from ui.widgets import plain_tip

MAX_LINES = 4


class StatusLine(QLabel):
    """A wrapped plain-text label of at most ``MAX_LINES`` lines: a longer text ends there in "…". ``text()`` is the
    whole text, as set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # file names, what was typed, a core's details: never markup
        self._whole = ""

    def setText(self, text: str) -> None:
        self._whole = text
        self._fit()

    def text(self) -> str:
        return self._whole

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        shown, width = self._whole, self.contentsRect().width()
        if width > 0 and self._lines(shown, width) > MAX_LINES:
            low, high = 0, len(shown)  # the longest start that fits with its "…"
            while low < high:
                middle = (low + high + 1) // 2
                if self._lines(shown[:middle].rstrip() + "…", width) <= MAX_LINES:
                    low = middle
                else:
                    high = middle - 1
            shown = shown[:low].rstrip() + "…"
        if super().text() != shown:  # five times a second while a recording finishes: only when it changes
            super().setText(shown)
        tip = plain_tip(self._whole) if shown != self._whole else ""
        if self.toolTip() != tip:
            self.setToolTip(tip)

    def _lines(self, text: str, width: int) -> int:
        metrics = self.fontMetrics()
        needs = metrics.boundingRect(QRect(0, 0, width, 1_000_000), Qt.TextFlag.TextWordWrap.value, text)
        return ceil(needs.height() / max(1, metrics.lineSpacing()))
