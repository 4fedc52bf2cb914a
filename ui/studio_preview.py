"""Pictures from media threads to the screen: a latest-only mailbox and a label that keeps the aspect."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class FrameRelay(QObject):
    """A worker thread ``offer``s frames; the GUI thread gets one signal and ``take``s the newest.

    No lock: one reference swap and a flag. A frame offered while the last is still unread replaces it,
    so a busy GUI never builds a backlog and never sees every frame.
    """

    sig_frame = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._latest: np.ndarray | None = None
        self._pending = False
        self.offered = 0
        self.shown = 0

    def offer(self, image: np.ndarray) -> None:
        self._latest = image
        self.offered += 1
        if not self._pending:
            self._pending = True
            self.sig_frame.emit()  # queued to the GUI thread: this object lives there

    def take(self) -> np.ndarray | None:
        self._pending = False
        image, self._latest = self._latest, None
        if image is not None:
            self.shown += 1
        return image


def to_qimage(image: np.ndarray) -> QImage:
    """A QImage that owns its pixels (the array may be reused by its producer)."""
    h, w = image.shape[:2]
    data = np.ascontiguousarray(image)
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class PictureView(QLabel):
    """Shows the latest picture scaled into its box with its aspect kept; a text when there is none."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(placeholder, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(QSize(320, 180))
        self._image: QImage | None = None
        self._placeholder = placeholder

    @property
    def image(self) -> QImage | None:
        return self._image

    def minimumSizeHint(self) -> QSize:
        # A QLabel asks for its pixmap's size: a picture scaled to the view then held the window at that width,
        # and each larger window made a larger picture (a Russian Studio grew to 1,507 px on a 1,366-px screen).
        return self.minimumSize()

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def show_frame(self, image: np.ndarray) -> None:
        self._image = to_qimage(image)
        self._paint()

    def clear_frame(self, text: str | None = None) -> None:
        self._image = None
        self.setPixmap(QPixmap())
        self.setText(text if text is not None else self._placeholder)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._paint()

    def _paint(self) -> None:
        if self._image is None:
            return
        pixmap = QPixmap.fromImage(self._image).scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.setPixmap(pixmap)
