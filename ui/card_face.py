"""The top of a device card, painted by one widget: picture, name, kind and address, state badge, facts, problems.

Five labels and a badge, each a styled widget, made a card cost 7-9 ms to build on a busy PC (every widget under the
app's style sheet is polished, laid out and painted on its own) and relaid the whole grid whenever a figure changed.
Painted here, a card is a few widgets fewer, and a change repaints the card's face only when it is on screen; the grid
is relaid only when the face's height changes. Fonts, colours and the badge's padding are the style sheet's own, read
once from styled labels (``CardLook``), so ``assets/style.qss`` stays the one place the look is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QSizePolicy, QWidget

from ui.widgets import plain_tip

ICON_PX = 40
ICON_GAP = 12  # between the picture and the name
ROW_GAP = 10  # between the face's rows, as the card's layout spaces its rows
BADGE_GAP = 10  # between the badge and the facts beside it
BADGE_RADIUS = 9  # assets/style.qss: QLabel#badge border-radius
TONES = ("ok", "busy", "bad", "off")
WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)
FACTS_SEPARATOR = " · "  # ui/device_card.py joins a card's facts with it


@dataclass(frozen=True)
class TextLook:
    font: QFont
    colour: QColor
    metrics: QFontMetrics


@dataclass(frozen=True)
class CardLook:
    """The card's fonts and colours as the application's style sheet gives them to its labels."""

    name: TextLook
    kind: TextLook
    detail: TextLook
    problem: TextLook
    badge: TextLook
    badge_fill: dict[str, QColor]
    badge_pad: tuple[int, int]  # left/right, top/bottom

    @staticmethod
    def read() -> CardLook:
        """Styles a few hidden labels inside a hidden card (as the card's own would be) and reads them back."""
        card = QFrame()
        card.setObjectName("card")

        def styled(name: str, tone: str = "") -> QLabel:
            label = QLabel("x", card)
            label.setObjectName(name)
            if tone:
                label.setProperty("tone", tone)
            label.ensurePolished()
            return label

        def look(label: QLabel) -> TextLook:
            font = QFont(label.font())
            return TextLook(font, label.palette().color(label.foregroundRole()), QFontMetrics(font))

        badges = {tone: styled("badge", tone) for tone in TONES}
        margins = badges["off"].contentsMargins()
        result = CardLook(
            name=look(styled("sectionTitle")), kind=look(styled("pageSubtitle")), detail=look(styled("cardDetail")),
            problem=look(styled("cardProblem")), badge=look(badges["off"]),
            badge_fill={tone: label.palette().color(label.backgroundRole()) for tone, label in badges.items()},
            badge_pad=(margins.left(), margins.top()))
        card.deleteLater()
        return result


_LOOK: dict[int, CardLook] = {}  # per application (tests make one; its style sheet is set once)


def card_look() -> CardLook:
    key = id(QApplication.instance())
    look = _LOOK.get(key)
    if look is None:
        look = _LOOK[key] = CardLook.read()
    return look


class TextPart:
    """One painted text of a face, with the part of QLabel's API the card (and whoever reads a card) uses."""

    def __init__(self, face: CardFace, text_format: Qt.TextFormat = Qt.TextFormat.PlainText) -> None:
        self._face = face
        self._text = ""
        self._tip = ""
        self._shown = True
        self._format = text_format

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._face.changed()

    def textFormat(self) -> Qt.TextFormat:
        return self._format  # always plain: a device names itself, and its name is never markup

    def isVisible(self) -> bool:
        return self._shown and bool(self._text) and self._face.isVisible()

    def setVisible(self, shown: bool) -> None:
        if shown != self._shown:
            self._shown = shown
            self._face.changed()

    def toolTip(self) -> str:
        return self._tip

    def setToolTip(self, tip: str) -> None:
        if tip != self._tip:
            self._tip = tip
            self._face.changed()

    def painted(self) -> str:
        return self._text if self._shown else ""


class BadgePart(TextPart):
    """The coloured word for the device's state; ``tone`` is ok, busy, bad or off (as ui.widgets.Badge)."""

    def __init__(self, face: CardFace) -> None:
        super().__init__(face)
        self.tone = "off"

    def set_tone(self, tone: str) -> None:
        if tone != self.tone:
            self.tone = tone
            self._face.update()


class CardFace(QWidget):
    """Paints a card's picture, name, kind, badge, facts and problems; tall enough for its wrapped lines."""

    def __init__(self, picture: QPixmap, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardFace")
        self.picture = picture
        self.name = TextPart(self)
        self.kind = TextPart(self)
        self.badge = BadgePart(self)
        self.detail = TextPart(self)
        self.problem = TextPart(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._heights: dict[int, int] = {}  # width -> height, for the texts now (cleared when one changes)
        self._names = ("", "")  # the name and kind lines measured last, and their widths
        self._advances = (0, 0)
        self._tip = ""  # the tooltip's text (shown escaped: a device's name is the device's own words)
        self._held = 0  # inside batch(): changes are taken in once at its end
        self._dirty = False

    # -- size ------------------------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Texts set together are measured, repainted and told to screen readers once, not once a text (a card
        setting its five texts did all of that five times: 1.5 ms of a new card's making)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._dirty:
                self._dirty = False
                self.changed()

    def changed(self) -> None:
        """A text changed: repaint (only if on screen), and ask for a new layout only if the height changes."""
        if self._held:
            self._dirty = True
            return
        before = self._heights.get(self.width())
        self._heights.clear()
        if before is None or self.heightForWidth(self.width()) != before:
            self.updateGeometry()
        self.update()
        self._refresh_tip()
        self._refresh_accessible()

    def _refresh_accessible(self) -> None:
        """What is painted, told to screen readers too: the name, then kind, state, facts and problems."""
        name = self.name.painted()
        description = "; ".join(part for part in (self.kind.painted(), self.badge.painted(), self.detail.painted(),
                                                  self.problem.painted()) if part)
        if name != self.accessibleName():
            self.setAccessibleName(name)
        if description != self.accessibleDescription():
            self.setAccessibleDescription(description)

    def heightForWidth(self, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = self._layout(width)[-1]
        return height

    def sizeHint(self) -> QSize:
        return QSize(300, self.heightForWidth(300))

    def minimumSizeHint(self) -> QSize:
        # As tall as at its usual width, as a word-wrapped QLabel says: the height at its narrowest would make a
        # grid of a hundred cards (and its scroll range) thousands of pixels taller than its cards.
        return QSize(ICON_PX + ICON_GAP + 80, self.heightForWidth(300))

    def _badge_size(self, look: CardLook) -> QSize:
        word = self.badge.painted()
        if not word:
            return QSize(0, 0)
        pad_x, pad_y = look.badge_pad
        metrics = look.badge.metrics
        return QSize(metrics.horizontalAdvance(word) + 2 * pad_x, metrics.height() + 2 * pad_y)

    def _layout(self, width: int) -> tuple[int, int, QSize, int, int, int]:
        """Rows' heights for ``width``: top row, status row, badge size, facts' height, problems' top, total."""
        look = card_look()
        top = max(ICON_PX, look.name.metrics.height() + look.kind.metrics.height())
        badge = self._badge_size(look)
        facts_width = max(1, width - badge.width() - (BADGE_GAP if badge.width() else 0))
        detail = self.shown_facts(facts_width)
        facts = look.detail.metrics.boundingRect(QRect(0, 0, facts_width, 1 << 16), WRAP, detail).height() if detail \
            else 0
        status = max(badge.height(), facts)
        problems_top = top + (ROW_GAP + status if status else 0)
        height = problems_top
        problem = self.problem.painted()
        if problem:
            bound = QRect(0, 0, max(1, width), 1 << 16)
            height += ROW_GAP + look.problem.metrics.boundingRect(bound, WRAP, problem).height()
        return top, status, badge, facts, problems_top, height

    def shown_facts(self, width: int) -> str:
        """The facts as drawn in ``width``: each one that fits a line kept whole on one ("Лампа:" / "1 000 ч" read
        as two facts at 1366x768), the line broken only around a "·"; one wider than a line breaks at its spaces."""
        metrics = card_look().detail.metrics
        facts = self.detail.painted().split(FACTS_SEPARATOR)
        return FACTS_SEPARATOR.join(fact.replace(" ", "\u00a0") if metrics.horizontalAdvance(fact) <= width else fact
                                    for fact in facts)

    # -- painting ----------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        look = card_look()
        width = self.width()
        top, status, badge, facts, problems_top, _height = self._layout(width)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if not self.picture.isNull():
            height = round(self.picture.height() / (self.picture.devicePixelRatio() or 1.0))
            painter.drawPixmap(QPoint(0, (top - height) // 2), self.picture)
        text_x = ICON_PX + ICON_GAP
        names_height = look.name.metrics.height() + look.kind.metrics.height()
        y = (top - names_height) // 2
        self._line(painter, look.name, QRect(text_x, y, width - text_x, look.name.metrics.height()), self.name)
        y += look.name.metrics.height()
        self._line(painter, look.kind, QRect(text_x, y, width - text_x, look.kind.metrics.height()), self.kind)
        if status:
            row = top + ROW_GAP
            x = 0
            if badge.width():
                box = QRect(0, row + (status - badge.height()) // 2, badge.width(), badge.height())
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(look.badge_fill.get(self.badge.tone, look.badge_fill["off"]))
                painter.drawRoundedRect(box, BADGE_RADIUS, BADGE_RADIUS)
                painter.setFont(look.badge.font)
                painter.setPen(look.badge.colour)
                painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), self.badge.painted())
                x = badge.width() + BADGE_GAP
            if facts:
                painter.setFont(look.detail.font)
                painter.setPen(look.detail.colour)
                painter.drawText(QRect(x, row + (status - facts) // 2, width - x, facts), WRAP,
                                 self.shown_facts(width - x))
        problem = self.problem.painted()
        if problem:
            painter.setFont(look.problem.font)
            painter.setPen(look.problem.colour)
            painter.drawText(QRect(0, problems_top + ROW_GAP, width, self.height()), WRAP, problem)
        painter.end()

    @staticmethod
    def _line(painter: QPainter, look: TextLook, box: QRect, part: TextPart) -> None:
        """One line, cut with "…" where the card is too narrow for it (the whole text is the tooltip)."""
        painter.setFont(look.font)
        painter.setPen(look.colour)
        shown = look.metrics.elidedText(part.painted(), Qt.TextElideMode.ElideRight, box.width())
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refresh_tip()

    def _refresh_tip(self) -> None:
        """The face's tooltip: a name or kind cut with "…" in full, and a failed command's technical words."""
        names = (self.name.painted(), self.kind.painted())
        if names != self._names:  # measured once per name, not at every resize (a filling grid moves cards)
            look = card_look()
            self._names = names
            self._advances = (look.name.metrics.horizontalAdvance(names[0]),
                              look.kind.metrics.horizontalAdvance(names[1]))
        room = self.width() - ICON_PX - ICON_GAP
        tips = [name for name, advance in zip(names, self._advances, strict=True) if advance > room]
        if self.problem.painted() and self.problem.toolTip():
            tips.append(self.problem.toolTip())
        tip = "\n".join(tips)
        if tip != self._tip:
            self._tip = tip
            self.setToolTip(plain_tip(tip))
