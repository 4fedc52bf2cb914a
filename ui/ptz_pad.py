"""Driving a PTZ head by hand: an on-screen joystick, and a sender that keeps the camera's link calm.

Dragging sets a speed, releasing stops; the head keeps moving between messages, so the console only needs
to say when the speed changes, at most ten times a second and never with more than one command on its way
(a slow camera would otherwise collect a queue and keep moving after the hand let go).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

Speeds = tuple[float, float, float]
STOP: Speeds = (0.0, 0.0, 0.0)
SEND_EVERY_S = 0.1
DEAD_ZONE = 0.08  # a hand resting on the centre does not creep the head


class DriveSender(QObject):
    """Latest-only: ``set`` often; the newest speeds go out when the last command is answered and 100 ms passed."""

    def __init__(self, send: Callable[[Speeds, Callable[[], None]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._send = send  # sends and calls the callback once the device answered (or refused)
        self.wanted: Speeds = STOP
        self.sent: Speeds = STOP
        self.count = 0
        self._in_flight = False
        self._last_s = -math.inf
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._pump)

    def set(self, speeds: Speeds) -> None:
        self.wanted = tuple(round(max(-1.0, min(1.0, v)), 2) for v in speeds)  # type: ignore[assignment]
        self._pump()

    def stop(self) -> None:
        self.set(STOP)

    @property
    def idle(self) -> bool:
        return not self._in_flight and self.wanted == self.sent

    def _pump(self) -> None:
        if self._in_flight or self.wanted == self.sent:
            return
        wait = self._last_s + SEND_EVERY_S - time.monotonic()
        if wait > 0:
            if not self._timer.isActive():
                self._timer.start(max(1, math.ceil(wait * 1000)))
            return
        self._in_flight = True
        self._last_s = time.monotonic()
        self.sent = self.wanted
        self.count += 1
        self._send(self.sent, self._answered)

    def _answered(self) -> None:
        self._in_flight = False
        self._pump()


class PtzPad(QWidget):
    """A round pad: the knob's distance from the centre is the speed, its direction pan (x) and tilt (y, up +)."""

    sig_speed = Signal(float, float)  # pan, tilt speeds -1..1; (0, 0) on release

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ptzPad")
        self.setFixedSize(QSize(112, 112))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the card keeps the keyboard
        self.knob = QPointF(0, 0)  # -1..1 each way, y up

    def _radius(self) -> float:
        return min(self.width(), self.height()) / 2 - 4

    def speeds_at(self, position: QPointF) -> tuple[float, float]:
        centre = QPointF(self.width() / 2, self.height() / 2)
        radius = self._radius() - 14
        dx, dy = (position.x() - centre.x()) / radius, (centre.y() - position.y()) / radius
        length = math.hypot(dx, dy)
        if length > 1:
            dx, dy = dx / length, dy / length
        if length < DEAD_ZONE:
            return 0.0, 0.0
        return dx, dy

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self._move_to(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._move_to(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            self.release()

    def release(self) -> None:
        self.knob = QPointF(0, 0)
        self.update()
        self.sig_speed.emit(0.0, 0.0)

    def _move_to(self, position: QPointF) -> None:
        pan, tilt = self.speeds_at(position)
        self.knob = QPointF(pan, tilt)
        self.update()
        self.sig_speed.emit(pan, tilt)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = QPointF(self.width() / 2, self.height() / 2)
        radius = self._radius()
        enabled = self.isEnabled()
        painter.setPen(QPen(QColor("#c5cfdd"), 1.5))
        painter.setBrush(QColor("#eef1f6") if enabled else QColor("#f4f6fa"))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QPen(QColor("#8d99ae") if enabled else QColor("#c5cfdd"), 2))
        for dx, dy in ((0, -1), (0, 1), (-1, 0), (1, 0)):  # four chevrons: which way the head goes
            tip = centre + QPointF(dx, dy) * (radius - 6)
            side = QPointF(dy, dx) * 5
            back = tip - QPointF(dx, dy) * 6
            painter.drawLine(back + side, tip)
            painter.drawLine(back - side, tip)
        travel = radius - 14
        knob = centre + QPointF(self.knob.x(), -self.knob.y()) * travel
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#1d3557") if enabled else QColor("#c5cfdd"))
        painter.drawEllipse(knob, 14, 14)
        painter.end()
