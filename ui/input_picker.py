"""A device card's input picker: a button that drops a menu of the device's inputs.

A QComboBox builds its whole popup (a list view in a frame, with scroll bars) as soon as the style sheet polishes
it: on a busy PC that was the costliest part of a card (a millisecond and a half alone, seven in the filling
window), for a list most cards never open. This button makes its menu when it is pressed. It keeps the part of
QComboBox's API a card uses (items with their codes, the current one, ``activated``), and is drawn as the card's
other buttons, its text at the left and a small arrow at the right.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPolygonF
from PySide6.QtWidgets import QMenu, QPushButton, QStyle, QStyleOptionButton, QWidget

ARROW_W = 8  # the arrow's width at the right, in pixels
ARROW_GAP = 4  # between the text and the arrow
# The text and the arrow sit this far inside the button's edges (5 px inside its border), not inside the card
# buttons' 10 px padding: beside "Выключить" and "Скрыть" in a card of three a row at 1366x768, that padding and the
# arrow left "Computer 1" 72 px of its 89 and cut it to "Compu…"; now 92.
EDGE = 6


class InputPicker(QPushButton):
    activated = Signal(int)  # the index a user picked (as QComboBox.activated)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[tuple[str, Any]] = []
        self._current = -1
        self._menu: QMenu | None = None  # while dropped
        self.clicked.connect(self.drop_down)

    # -- the QComboBox part a card uses -------------------------------------------------------
    def addItem(self, text: str, data: Any = None) -> None:
        self._items.append((text, data))
        if self._current < 0:
            self.setCurrentIndex(0)

    def clear(self) -> None:
        self._items.clear()
        self.setCurrentIndex(-1)

    def count(self) -> int:
        return len(self._items)

    def itemText(self, index: int) -> str:
        return self._items[index][0] if 0 <= index < len(self._items) else ""

    def itemData(self, index: int) -> Any:
        return self._items[index][1] if 0 <= index < len(self._items) else None

    def findData(self, data: Any) -> int:
        return next((i for i, (_text, code) in enumerate(self._items) if code == data), -1)

    def currentIndex(self) -> int:
        return self._current

    def currentData(self) -> Any:
        return self.itemData(self._current)

    def currentText(self) -> str:
        return self.itemText(self._current)

    def setCurrentIndex(self, index: int) -> None:
        index = index if 0 <= index < len(self._items) else -1
        if index != self._current:
            self._current = index
            self.setText(self.itemText(index))

    # -- the menu ---------------------------------------------------------------------------------
    def drop_down(self) -> None:
        """The inputs as a menu under the button, the current one checked; a pick is ``activated``."""
        menu = QMenu(self)
        for index, (text, _code) in enumerate(self._items):
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(index == self._current)
            action.triggered.connect(lambda _checked=False, index=index: self._picked(index))
        menu.setMinimumWidth(self.width())
        menu.aboutToHide.connect(menu.deleteLater)
        self._menu = menu
        menu.popup(self.mapToGlobal(QPoint(0, self.height())))

    def _picked(self, index: int) -> None:
        self.setCurrentIndex(index)
        self.activated.emit(index)

    # -- drawn as a button, the text at the left ---------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""
        painter = QPainter(self)
        style = self.style()
        style.drawControl(QStyle.ControlElement.CE_PushButton, option, painter, self)  # the button, no words
        room, arrow_x = self.text_box(option)
        enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, room.width())
        style.drawItemText(painter, room, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                           option.palette, enabled, shown, self.foregroundRole())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        group = QPalette.ColorGroup.Active if enabled else QPalette.ColorGroup.Disabled
        painter.setBrush(option.palette.color(group, self.foregroundRole()))
        x, y, half = arrow_x, room.center().y() - ARROW_W / 4, ARROW_W / 2
        painter.drawPolygon(QPolygonF([QPointF(x, y), QPointF(x + ARROW_W, y), QPointF(x + half, y + half)]))
        painter.end()

    def shown_text(self) -> str:
        """The current input's name as it is drawn: cut with "…" where the button is too narrow for it."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        room, _arrow_x = self.text_box(option)
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, room.width())

    def text_box(self, option: QStyleOptionButton) -> tuple[QRect, int]:
        """Where the current input's name is drawn (cut with "…" only if wider), and the arrow's left edge."""
        inside = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        left = min(inside.left(), self.rect().left() + EDGE)
        arrow_x = max(inside.right(), self.rect().right() - EDGE) - ARROW_W
        return QRect(left, inside.top(), arrow_x - ARROW_GAP - left, inside.height()), arrow_x

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width() + ARROW_W + ARROW_GAP, hint.height())
