"""A camera's live picture in a tile: frames from the core's preview thread, painted at display rate at most.

The tile watches its stream only while it is on screen (another workspace, or a camera that is offline,
costs no decoding) and asks for frames at its own size, so the main thread only copies pixels to the screen.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QHideEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from classroom_console.media.preview import PreviewState, PreviewStatus, StreamPreview
from ui.bridge import RoomBridge
from ui.reasons import reason_text
from ui.resources import icon

BACKGROUND = QColor("#1d2433")
TEXT = QColor("#f1faee")
MUTED = QColor("#a8b3c7")


POLL_MS = 33  # the view looks for a new picture about 30 times a second; the preview offers at most 15


class Mailbox:
    """The preview thread's latest picture and state, in plain Python: the thread never touches a Qt object.

    A queued signal emitted from the preview thread raced the widget's deletion when a card went away (a
    segmentation fault in a long test run); here the thread only swaps references, and the view, on its own
    thread, takes them with a timer that dies with it.
    """

    def __init__(self) -> None:
        self.frame: np.ndarray | None = None
        self.status: PreviewStatus | None = None

    def offer_frame(self, frame: np.ndarray) -> None:
        self.frame = frame

    def offer_status(self, status: PreviewStatus) -> None:
        self.status = status

    def take(self) -> tuple[np.ndarray | None, PreviewStatus | None]:
        frame, self.frame = self.frame, None
        status, self.status = self.status, None
        return frame, status


class CameraView(QWidget):
    """The newest frame with its aspect kept; while there is none, a card with the camera's name and why."""

    sig_double_clicked = Signal()

    def __init__(self, bridge: RoomBridge, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraView")
        self.bridge = bridge
        self.name = name
        self.url: str | None = None
        self.status = PreviewStatus(PreviewState.STOPPED)
        self.preview: StreamPreview | None = None
        self.painted = 0  # paint events with a picture (a resize repaints too)
        self.frames = 0  # pictures taken from the preview thread
        self.on_painted: Callable[[np.ndarray], None] | None = None  # a bench reads each frame's stamp here
        self.note = ""  # a line over the picture's bottom-left corner ("Going to preset 2…")
        self.corner: QWidget | None = None  # a button over the bottom-right corner
        self._frame: np.ndarray | None = None
        self._image: QImage | None = None
        self._mail = Mailbox()
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._drain)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(QSize(240, 135))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width * 9 // 16

    def sizeHint(self) -> QSize:
        return QSize(352, 198)

    # -- what to watch ---------------------------------------------------------------------------
    def set_source(self, url: str | None, name: str) -> None:
        """None while the camera is offline or has no stream: the card says so instead."""
        self.name = name
        if url != self.url:
            self.url = url
            self._stop()
            self._start()
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_double_clicked.emit()
        super().mouseDoubleClickEvent(event)

    def set_note(self, text: str) -> None:
        self.note = text
        self.update()

    def set_corner(self, widget: QWidget) -> None:
        """Lays ``widget`` over the picture's bottom-right corner: a card saves a row of buttons."""
        widget.setParent(self)
        self.corner = widget
        self._place_corner()

    def _place_corner(self) -> None:
        if self.corner is not None:
            size = self.corner.sizeHint()
            self.corner.setGeometry(self.width() - size.width() - 8, self.height() - size.height() - 8,
                                    size.width(), size.height())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._stop()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_corner()
        if self.preview is not None:
            self.preview.size = self._pixels()

    def _pixels(self) -> tuple[int, int]:
        ratio = self.devicePixelRatioF()
        return max(16, round(self.width() * ratio)), max(9, round(self.height() * ratio))

    def _start(self) -> None:
        if self.preview is not None or self.url is None or not self.isVisible():
            return
        self.status = PreviewStatus(PreviewState.CONNECTING)
        self._mail = Mailbox()  # a fresh one: a stopped preview's last words go to the old one
        self.preview = self.bridge.watch_stream(self.url, self._pixels(), self._mail.offer_frame,
                                                self._mail.offer_status)
        self._poll.start()

    def _stop(self) -> None:
        self._poll.stop()
        if self.preview is not None:
            self.bridge.stop_stream(self.preview)
            self.preview = None
        self.status = PreviewStatus(PreviewState.STOPPED)
        self._frame, self._image = None, None
        self.update()

    def close_stream(self) -> None:
        """The card is going away: stop decoding now rather than when Qt collects the widget."""
        self.url = None
        self._stop()

    # -- from the preview thread, via the mailbox -------------------------------------------------
    def _drain(self) -> None:
        frame, status = self._mail.take()
        if status is not None:
            self._on_status(status)
        if frame is not None:
            self._take(frame)

    def _on_status(self, status: PreviewStatus) -> None:
        if self.preview is None:
            return  # a late word from a preview already stopped
        self.status = status
        if status.state is not PreviewState.LIVE:
            self._frame, self._image = None, None
        self.update()

    def _take(self, frame: np.ndarray) -> None:
        if self.preview is None:
            return
        height, width = frame.shape[:2]
        self._frame = np.ascontiguousarray(frame)  # kept: the QImage below borrows these pixels
        self._image = QImage(self._frame.data, width, height, 3 * width, QImage.Format.Format_RGB888)
        self.frames += 1
        self.status = PreviewStatus(PreviewState.LIVE)
        self.update()

    @property
    def live(self) -> bool:
        return self._image is not None

    def message(self) -> tuple[str, str]:
        """The card's two lines when there is no picture."""
        if self.url is None:
            return self.tr("No signal"), self.tr("The camera is not reachable.")
        if self.status.state is PreviewState.LOST:
            return self.tr("No signal"), reason_text(self.status.reason)
        return self.tr("Connecting…"), ""

    # -- painting --------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BACKGROUND)
        painter.drawRoundedRect(self.rect(), 10, 10)
        if self._image is not None and self._frame is not None:
            self._paint_frame(painter)
        else:
            self._paint_card(painter)
        if self.note:
            self._paint_note(painter)
        painter.end()

    def _paint_note(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF() - 1.5))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        right = self.corner.x() - 6 if self.corner is not None and self.corner.isVisible() else self.width() - 8
        text = metrics.elidedText(self.note, Qt.TextElideMode.ElideRight, max(24, right - 20))
        box = QRect(8, self.height() - metrics.height() - 16, metrics.horizontalAdvance(text) + 12,
                    metrics.height() + 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(29, 36, 51, 200))
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(TEXT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_frame(self, painter: QPainter) -> None:
        image = self._image
        assert image is not None and self._frame is not None
        ratio = self.devicePixelRatioF()
        size = QSize(round(image.width() / ratio), round(image.height() / ratio))
        size = size.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(0, 0, size.width(), size.height())
        target.moveCenter(self.rect().center())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, image)
        self.painted += 1
        if self.on_painted is not None:
            self.on_painted(self._frame)

    def _paint_card(self, painter: QPainter) -> None:
        title, body = self.message()
        box = self.rect().adjusted(12, 10, -12, -10)
        picture = icon("camera").pixmap(36, 36)
        tint = QPainter(picture)  # the navy icon, in the card's muted light grey
        tint.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        tint.fillRect(picture.rect(), MUTED)
        tint.end()
        top = box.top() + max(0, (box.height() - 36 - 70) // 2)
        painter.drawPixmap(box.center().x() - 18, top, picture)
        painter.setPen(TEXT)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        lines = QRect(box.left(), top + 42, box.width(), box.bottom() - top - 42)
        painter.drawText(lines, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         f"{title} · {self.name}" if self.name else title)
        if body:
            font.setBold(False)
            font.setPointSizeF(max(8.0, font.pointSizeF() - 1.5))
            painter.setFont(font)
            painter.setPen(MUTED)
            painter.drawText(lines.adjusted(0, 24, 0, 0),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                             body)

