"""The devices' cards in rows, placed by hand: a card shown moves no other card.

A QGridLayout lays out every item whenever one is added, shown or asks for a new size: with 100 cards filling in,
each card shown cost a layout pass over the whole grid (4-5 ms on a busy PC, growing with the cards), on the window's
thread. Here each card has a cell (row, column); a column's x and width follow the grid's width, a row's height is
its tallest card's (a camera's own height, at the top of its cell), and only a card whose place or size changed is
moved. Adding a card at the end places that card alone; a resize places every card once; a card whose contents ask
for another height moves only the rows below it. Tab walks the cards in reading order, as they are seen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget


class CardGrid(QWidget):
    """Cards at computed positions in ``columns`` equal columns, ``spacing`` px apart, rows as tall as their cards."""

    def __init__(self, columns: int, spacing: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.columns = columns
        self.spacing = spacing
        self._cells: dict[QWidget, tuple[int, int, bool]] = {}  # card -> row, column, at the top of its cell
        self._rows: dict[int, set[QWidget]] = {}  # row -> its cards
        self._row_heights: dict[int, int] = {}
        self._tops: dict[int, int] = {}  # row -> its y
        self._heights: dict[QWidget, tuple[int, int]] = {}  # card -> (width, height at that width)
        self._placed: dict[QWidget, tuple[int, int, int, int]] = {}  # card -> the geometry it was given
        self._due: set[QWidget] = set()  # cards put in a new cell or asking for another height since place()
        self._due_rows: set[int] = set()  # rows a card came into or left
        self._width = -1  # the width every card was placed for
        self._chained: set[QWidget] = set()  # cards whose Tab stops are in reading order
        self._widest: int | None = None  # the largest minimum width of a card (None: to be found again)
        self._extent = 0  # height of the rows placed
        self._reserved = 0  # height kept for cards still to come (a grid growing a row at a time repaints more)
        self._replace = QTimer(self)  # a card asked for another height: placed once, after its own layout ran
        self._replace.setSingleShot(True)
        self._replace.setInterval(0)
        self._replace.setObjectName("card-grid-place")
        self._replace.timeout.connect(self.place)

    # -- cells ----------------------------------------------------------------------------------
    def put(self, card: QWidget, row: int, column: int, top: bool = False) -> None:
        """Gives ``card`` (a child of this grid) its cell; ``place()`` moves it there. ``top``: its own height,
        at the top of the cell (a camera's card), instead of the row's."""
        old = self._cells.get(card)
        if old is None:
            card.installEventFilter(self)
            if self._widest is not None:
                self._widest = max(self._widest, card.minimumWidth())
        elif old[0] != row:
            self._leave_row(card, old[0])
        self._cells[card] = (row, column, top)
        self._rows.setdefault(row, set()).add(card)
        self._due.add(card)
        self._due_rows.add(row)

    def _leave_row(self, card: QWidget, row: int) -> None:
        cards = self._rows.get(row)
        if cards is not None:
            cards.discard(card)
            if not cards:
                del self._rows[row]
        self._due_rows.add(row)

    def removeWidget(self, card: QWidget) -> None:
        old = self._cells.pop(card, None)
        if old is not None:
            card.removeEventFilter(self)
            self._widest = None
            self._leave_row(card, old[0])
            self._replace.start()  # the rows below close up once the card has gone
        self._heights.pop(card, None)
        self._placed.pop(card, None)
        self._due.discard(card)
        self._chained.discard(card)

    def count(self) -> int:
        return len(self._cells)

    def cell(self, card: QWidget) -> tuple[int, int] | None:
        where = self._cells.get(card)
        return None if where is None else (where[0], where[1])

    def indexOf(self, card: QWidget) -> int:  # as QGridLayout's, for whoever looked at the grid through it
        return list(self._cells).index(card) if card in self._cells else -1

    def getItemPosition(self, index: int) -> tuple[int, int, int, int]:
        row, column, _top = list(self._cells.values())[index]
        return row, column, 1, 1

    def reserve(self, cards: int, card_height: int) -> None:
        """Keeps the grid as tall as ``cards`` cards of ``card_height`` need (0: as tall as its cards)."""
        rows = -(-cards // self.columns)
        reserved = max(0, rows * (card_height + self.spacing) - self.spacing) if cards else 0
        self._set_height(self._extent, reserved)

    # -- size -----------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        if self._widest is None:  # asked at every card placed: kept, not found again over every card each time
            self._widest = max((card.minimumWidth() for card in self._cells), default=0)
        return QSize(self.columns * self._widest + (self.columns - 1) * self.spacing,
                     max(self._extent, self._reserved))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def _columns(self) -> list[tuple[int, int]]:
        """Each column's x and width: the width shared out as a grid layout with equal stretches does."""
        room = max(0, self.width() - (self.columns - 1) * self.spacing)
        edges = [room * column // self.columns for column in range(self.columns + 1)]
        return [(edges[c] + c * self.spacing, edges[c + 1] - edges[c]) for c in range(self.columns)]

    def _height(self, card: QWidget, width: int) -> int:
        known = self._heights.get(card)
        if known is not None and known[0] == width:
            return known[1]
        height = card.heightForWidth(width) if card.hasHeightForWidth() else -1
        if height < 0:
            height = card.sizeHint().height()
        height = max(height, card.minimumHeight())
        self._heights[card] = (width, height)
        return height

    # -- placing --------------------------------------------------------------------------------
    def place(self) -> None:
        """Moves the cards put in a new cell, and those of rows whose top or height changed; no other card.

        A card added at the end of the grid is the only card moved (a new row's height is its own)."""
        self._replace.stop()
        columns = self._columns()
        if self.width() != self._width:  # the columns' widths changed: every card once
            self._width = self.width()
            self._due.update(self._cells)
            self._due_rows.update(self._rows)
        rows = {row for row in self._due_rows if row in self._rows}
        rows.update(self._cells[card][0] for card in self._due)
        for row in self._due_rows - rows:
            self._row_heights.pop(row, None)
        moved: set[int] = set()
        for row in rows:
            height = max(self._height(card, columns[self._cells[card][1]][1]) for card in self._rows[row])
            if self._row_heights.get(row) != height:
                self._row_heights[row] = height
                moved.add(row)
        y = 0
        for row in sorted(self._row_heights):  # an empty row (a camera row's start) takes no room
            if self._tops.get(row) != y:
                self._tops[row] = y
                moved.add(row)
            y += self._row_heights[row] + self.spacing
        due = set(self._due)
        for row in moved:
            due.update(self._rows.get(row, ()))
        self._due.clear()
        self._due_rows.clear()
        for card in due:
            row, column, top = self._cells[card]
            x, width = columns[column]
            height = self._height(card, width) if top else self._row_heights[row]
            geometry = (x, self._tops[row], width, height)
            if self._placed.get(card) != geometry:
                self._placed[card] = geometry
                card.setGeometry(QRect(*geometry))
        self._set_height(max(0, y - self.spacing), self._reserved)

    def _set_height(self, extent: int, reserved: int) -> None:
        """The rows' height and the height kept for cards to come; the scroll area hears only of a real change."""
        before = max(self._extent, self._reserved)
        self._extent, self._reserved = extent, reserved
        if max(extent, reserved) != before:
            self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:
            self.place()  # the columns' widths changed: every card once (a height change moves nothing)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and watched in self._cells:
            self._heights.pop(watched, None)
            self._widest = None  # its minimum width may have changed too
            self._due.add(watched)
            self._replace.start()  # after the card's own layout has taken its new contents
        return False

    # -- Tab order --------------------------------------------------------------------------------
    def chain(self, card: QWidget, ranked: list[QWidget]) -> None:
        """Puts ``card``'s Tab stops after those of the card before it in ``ranked`` (reading order), or before the
        next one's if it is first; the other cards' stops stay as they are."""
        stops = tab_stops(card)
        if not stops:
            return
        index = ranked.index(card)
        anchor: QWidget | None = None
        for before in reversed(ranked[:index]):
            if before in self._chained:
                previous = tab_stops(before)
                if previous:
                    anchor = previous[-1]
                    break
        if anchor is None:
            after = next((found for c in ranked[index + 1:] if c in self._chained and (found := tab_stops(c))), None)
            if after is not None:
                anchor = after[0].previousInFocusChain()
                while anchor is not None and not anchor.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    anchor = anchor.previousInFocusChain()
        if anchor is not None and anchor not in stops:
            for stop in stops:
                QWidget.setTabOrder(anchor, stop)
                anchor = stop
        self._chained.add(card)


def tab_stops(card: QWidget) -> list[QWidget]:
    """The widgets of ``card`` (itself included) that Tab stops at, in reading order: line by line (widgets whose
    heights overlap share a line), left to right."""
    stops = [w for w in card.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    boxes = {w: QRect(w.mapTo(card, w.rect().topLeft()), w.size()) for w in stops}
    lines: list[list[QWidget]] = []
    bottom = -1
    for widget in sorted(stops, key=lambda w: boxes[w].center().y()):
        if not lines or boxes[widget].top() > bottom:
            lines.append([])
        lines[-1].append(widget)
        bottom = max(bottom, boxes[widget].bottom())
    first = [card] if card.focusPolicy() & Qt.FocusPolicy.TabFocus else []  # a camera's card takes the keys
    return first + [widget for line in lines for widget in sorted(line, key=lambda w: boxes[w].x())]
