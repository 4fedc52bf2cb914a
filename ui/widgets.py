"""Small building blocks every workspace shares, so empty states and badges look alike."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.resources import icon


class EmptyState(QFrame):
    """Says what will appear in a place and why it is empty now."""

    def __init__(
        self, icon_name: str, title: str, body: str, parent: QWidget | None = None, text_width: int = 320
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(10)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture = QLabel()
        picture.setPixmap(icon(icon_name).pixmap(56, 56))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(title)
        self.title.setObjectName("emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QLabel(body)
        self.body.setObjectName("emptyBody")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setMinimumWidth(text_width)
        self.body.setMaximumWidth(620)
        for widget in (picture, self.title, self.body):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)


def plain_tip(text: str) -> str:
    """A tooltip that shows ``text`` as text. Qt takes any tooltip that might be rich text for HTML: a student's name
    '<font size=7 color=red>HACKED</font>' (or '<img src=…>', which loads a local file) in a cut label's tooltip was
    drawn as markup on the lecturer's screen (R7). Device, student and room names go through this."""
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


class ElidedLabel(QLabel):
    """One line that never widens its window: cut with "…" to the room it has, the whole text on hover.

    A long error or status ("4 devices did not follow: …") once stretched the window to 5,000 px, pushing its
    buttons off a lecturer's 1366-px screen.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)  # cut with "…" by characters: markup would be cut mid-tag
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self._elide()

    def text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(24, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(min(super().sizeHint().width(), 480), super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 24))
        super().setText(shown)
        self.setToolTip(plain_tip(self._full) if shown != self._full else "")


class Holder(QWidget):
    """Holds one widget outside any layout, at the holder's size (one line high).

    A label in a layout that changes its text asks the whole window to lay itself out again, and the window then
    repainted every card on screen: the devices' "N found" line, counting while 100 cards filled in, did so at each
    device found. Held here, its text changes repaint the line alone."""

    def __init__(self, child: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(child.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.child.setGeometry(self.rect())


class Badge(QLabel):
    """A coloured word for a state; ``tone`` is ok, busy, bad or off."""

    def __init__(self, text: str = "", tone: str = "off", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("badge")
        self.set_tone(tone)

    def set_tone(self, tone: str) -> None:
        self.setProperty("tone", tone)
        self.style().unpolish(self)
        self.style().polish(self)


def page_header(title: str, subtitle: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 8)
    layout.setSpacing(2)
    title_label = QLabel(title)
    title_label.setObjectName("pageTitle")
    subtitle_label = QLabel(subtitle)
    subtitle_label.setObjectName("pageSubtitle")
    subtitle_label.setWordWrap(True)
    layout.addWidget(title_label)
    layout.addWidget(subtitle_label)
    return box
