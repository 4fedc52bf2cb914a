"""The Studio's audio mixer, as OBS draws it: for each audio source a meter in dBFS with a falling peak, the
loudness inside it, a peak-hold line and a clip mark, and the held peak in figures.

The core measures (``media/meter.py``, fed by the mixer with every block); this only paints the few numbers the
workspace reads at display rate.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from classroom_console.media.meter import MeterReading
from ui.centre_format import decimal
from ui.plain_text import plain
from ui.widgets import plain_tip

FLOOR_DB = -60.0
YELLOW_DB = -20.0  # OBS's zones: green below -20 dBFS, yellow to -9, red above
RED_DB = -9.0
CLIP_MARK_W = 10
# Each zone's range and its colours (lit, dark, loudness), made once: the meters repaint at display rate.
_ZONES = tuple((low, high, QColor(lit), QColor(dim), QColor(lit).lighter(140)) for low, high, lit, dim in (
    (FLOOR_DB, YELLOW_DB, "#2a9d4a", "#174f27"), (YELLOW_DB, RED_DB, "#e0b000", "#6b5600"),
    (RED_DB, 0.0, "#d62828", "#641414")))
_HOLD, _HOLD_RED, _CLIPPED, _CLEAR = (QColor(c) for c in ("#ffffff", "#ff8080", "#ff1f1f", "#3a3a3a"))


FIGURE_SAMPLES = ("-100.0", "-88.8", "-inf", "10.0")  # the widest texts meter_text gives


def meter_text(db: float) -> str:
    """The held peak as the meter's figure: "-6.0" (dBFS; the window's decimal separator), "-inf" for silence."""
    return "-inf" if not math.isfinite(db) or db < FLOOR_DB - 40 else decimal(db)  # «-6,0» in Russian


class LevelBar(QWidget):
    """One source's meter. Click the clip mark to clear it (it also clears itself after a while)."""

    sig_reset_clip = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reading = MeterReading()
        self.setMinimumSize(QSize(100, 12))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @property
    def peak_db(self) -> float:
        return self.reading.peak_db

    @property
    def hold_db(self) -> float:
        return self.reading.hold_db

    @property
    def clipped(self) -> bool:
        return self.reading.clipped

    def sizeHint(self) -> QSize:
        return QSize(200, 12)

    def show_reading(self, reading: MeterReading) -> None:
        if reading != self.reading:
            self.reading = reading
            self.update()

    def _x(self, db: float, width: int) -> int:
        share = (min(0.0, max(FLOOR_DB, db)) - FLOOR_DB) / -FLOOR_DB if math.isfinite(db) else 0.0
        return round(share * width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        w, h = self.width() - CLIP_MARK_W - 2, self.height()
        reading = self.reading
        for low, high, lit, dim, loud in _ZONES:
            x0, x1 = self._x(low, w), self._x(high, w)
            painter.fillRect(QRect(x0, 0, x1 - x0, h), dim)  # the scale, dark
            peak_x = min(x1, self._x(reading.peak_db, w))
            if peak_x > x0:  # the falling peak, lit
                painter.fillRect(QRect(x0, 0, peak_x - x0, h), lit)
            rms_x = min(x1, self._x(reading.rms_db, w))
            if rms_x > x0:  # the loudness, brighter, in the middle third
                painter.fillRect(QRect(x0, h // 3, rms_x - x0, h - 2 * (h // 3)), loud)
        if math.isfinite(reading.hold_db) and reading.hold_db > FLOOR_DB:
            hold_x = min(w - 2, self._x(reading.hold_db, w))
            painter.fillRect(QRect(hold_x, 0, 2, h), _HOLD if reading.hold_db < RED_DB else _HOLD_RED)
        clip = QRect(w + 2, 0, CLIP_MARK_W, h)
        painter.fillRect(clip, _CLIPPED if reading.clipped else _CLEAR)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.position().x() >= self.width() - CLIP_MARK_W - 2 and self.reading.clipped:
            self.sig_reset_clip.emit()
        super().mousePressEvent(event)


class AudioMixerPanel(QWidget):
    """Per audio source: its name and held peak in dBFS on one line, its meter under them (two lines fit the
    narrow sources column). Hidden when there is no audio."""

    sig_reset_clip = Signal(str)  # a source name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 4, 0, 0)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(0, 1)
        self.title = QLabel(self.tr("Audio"))
        self.title.setObjectName("sectionTitle")
        self.grid.addWidget(self.title, 0, 0, 1, 2)
        self.rows: dict[str, tuple[QLabel, LevelBar, QLabel]] = {}
        self._order: list[str] = []
        self.hide()

    def show_readings(self, readings: list[tuple[str, str, MeterReading]]) -> None:
        """``readings``: (source name, the name shown, its meter now), in the sources' order."""
        order = [name for name, _, _ in readings]
        if order != self._order:
            self._rebuild(order)
        for name, label, reading in readings:
            title, bar, figure = self.rows[name]
            if title.text() != label:  # on change only: a tooltip or a text set is an event
                title.setToolTip(plain_tip(label))
                title.setText(label)
            if bar.reading.clipped != reading.clipped or not bar.toolTip():  # a tooltip set is an event: on change
                bar.setToolTip(self.tr("Clipping: the loudest moments are cut off. Turn the gain down; click the red "
                                       "mark to clear it.") if reading.clipped else self.tr(
                    "Level in dBFS: the bar falls after each peak, the bright core is the loudness, the line holds the "
                    "loudest moment of the last 2 s, the mark at the end turns red when the sound clips."))
            bar.show_reading(reading)
            figure.setText(self.tr("%1 dB").replace("%1", meter_text(reading.hold_db)))
        self.setVisible(bool(readings))

    def _rebuild(self, order: list[str]) -> None:
        for name in [n for n in self.rows if n not in order]:
            row: tuple[QWidget, ...] = self.rows.pop(name)
            for gone in row:
                self.grid.removeWidget(gone)
                gone.deleteLater()
        for name in order:
            if name not in self.rows:
                title, bar, figure = plain(QLabel()), LevelBar(), QLabel()  # a source's title: a camera's, a file's
                title.setMinimumWidth(40)
                title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # long names: cut
                figure.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                bar.sig_reset_clip.connect(lambda n=name: self.sig_reset_clip.emit(n))
                self.rows[name] = (title, bar, figure)
        for line, name in enumerate(order):
            title, bar, figure = self.rows[name]
            self.grid.addWidget(title, 1 + 2 * line, 0)
            self.grid.addWidget(figure, 1 + 2 * line, 1)
            self.grid.addWidget(bar, 2 + 2 * line, 0, 1, 2)
            self._steady(figure)
        self._order = order

    def _steady(self, figure: QLabel) -> None:
        """The figure's size fixed to its widest text: a label whose size may change asks every layout up to the
        window's for a new pass at each new text, and a live microphone's figure changes 20 times a second (a pass
        of the whole window, 1-2 ms of the Qt thread's CPU each; a fixed-size label asks none)."""
        figure.ensurePolished()  # the style sheet's font, in its place in the window
        metrics = figure.fontMetrics()
        widest = max(metrics.horizontalAdvance(self.tr("%1 dB").replace("%1", text)) for text in FIGURE_SAMPLES)
        margins = figure.contentsMargins()
        figure.setFixedSize(widest + margins.left() + margins.right() + 2 * figure.margin() + 2,
                            max(figure.sizeHint().height(), metrics.height()))
