"""Pictures from media threads to the screen: a latest-only mailbox and a label that keeps the aspect."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QResizeEvent
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


class _Scaler:
    """One worker thread for every view's scaling, started on demand and ended after a second without work
    (starting a thread per picture cost the main thread up to 19 ms while encoder threads held the GIL)."""

    IDLE_S = 1.0

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.put(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="picture-scale", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self.IDLE_S)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            job()


_SCALER = _Scaler()


def fitted(image: np.ndarray, box: tuple[int, int]) -> tuple[QImage, np.ndarray]:
    """``image`` (RGB) scaled into ``box`` with its aspect kept (any thread), as a QImage the screen takes as it is.

    The QImage is in Qt's own 32-bit layout, made by OpenCV with the GIL released, and borrows the returned array's
    pixels (keep both): turning an RGB888 image into a pixmap on the GUI thread was a per-pixel conversion there
    while holding the GIL (a QImage ``copy`` on this thread too).
    """
    h, w = image.shape[:2]
    scale = min(box[0] / w, box[1] / h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size != (w, h):
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    pixels = cv2.cvtColor(image, cv2.COLOR_RGB2BGRA)  # little-endian 0xffRRGGBB: QImage.Format_RGB32
    fh, fw = pixels.shape[:2]
    return QImage(pixels.data, fw, fh, 4 * fw, QImage.Format.Format_RGB32), pixels


class PictureView(QLabel):
    """Shows the latest picture scaled into its box with its aspect kept; a text when there is none.

    Scaling a 640x360 picture smoothly took 9 ms of the main thread per preview frame (more while encoder
    threads held the GIL): OpenCV does it on ``_SCALER``'s thread, GIL released, one picture per view at a
    time, latest-only: one that arrives meanwhile waits in ``_wanted`` and replaces any older one there.
    """

    _sig_fitted = Signal(object, int)  # fitted()'s (QImage, its pixels) and the generation it was asked in

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(placeholder, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(QSize(320, 180))
        self._image: QImage | None = None
        self._pixels: np.ndarray | None = None  # the memory self._image borrows
        self._placeholder = placeholder
        self._source: np.ndarray | None = None  # the last picture as it came, to scale again on a resize
        self._wanted: tuple[np.ndarray, tuple[int, int]] | None = None
        self._scaling = False
        self._generation = 0  # bumped by clear_frame: a picture scaled before it is dropped
        self._sig_fitted.connect(self._fitted)

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
        """Hands the picture to the scaling thread; it is shown when scaled (the caller may reuse its array)."""
        self._source = np.array(image, copy=True)  # the producer may reuse its array
        self._scale()

    def clear_frame(self, text: str | None = None) -> None:
        self._generation += 1
        self._image, self._pixels, self._source, self._wanted = None, None, None, None
        self.setText(text if text is not None else self._placeholder)
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._scale()

    def _scale(self) -> None:
        if self._source is None:
            return
        box = self.size()
        self._wanted = (self._source, (max(1, box.width()), max(1, box.height())))
        if not self._scaling:
            self._next()

    def _next(self) -> None:
        wanted, self._wanted = self._wanted, None
        if wanted is None:
            return
        self._scaling = True
        generation = self._generation

        def work() -> None:
            try:
                self._sig_fitted.emit(fitted(*wanted), generation)  # queued to the GUI thread
            except RuntimeError:
                pass  # the view was deleted meanwhile

        _SCALER.submit(work)

    def _fitted(self, image: tuple[QImage, np.ndarray], generation: int) -> None:
        self._scaling = False
        if generation == self._generation:
            self._image, self._pixels = image
            if self.text():
                self.setText("")
            self.update()  # painted as it is, centred (no pixmap made from it on this thread)
        self._next()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)  # the frame, and the placeholder when there is no picture
        image = self._image
        if image is not None:
            painter = QPainter(self)
            painter.drawImage((self.width() - image.width()) // 2, (self.height() - image.height()) // 2, image)
            painter.end()
