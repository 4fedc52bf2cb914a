"""What the class sees on the projector: the join code and QR code, the live chart, the countdown.

A second top-level window, full screen on the projector's display when the PC has a second screen (the
one the console's window is not on), else an ordinary window the lecturer can drag there. Everything it
shows is set by the Class tab; student text never reaches it (counts only, options are the lecturer's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QScreen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.class_chart import ResultsChart
from ui.class_qr import qr_pixmap

QR_SIZE = 380  # on a 1080p projector about 20 cm wide on a 3 m screen: scanned from the back row of a hall
QR_ALONE = 420  # the join card alone, before the first activity
WINDOWED = (1280, 720)


class ProjectorWindow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(self.tr("Classroom Console — projector"))
        self.setObjectName("projectorWindow")
        self.setStyleSheet(
            "QWidget#projectorWindow { background: #ffffff; }"
            "QLabel#projectorCode { font-size: 64pt; font-weight: bold; color: #1d3557; letter-spacing: 6px; }"
            "QLabel#projectorBig { font-size: 32pt; font-weight: bold; color: #1d3557; }"
            "QLabel#projectorText { font-size: 18pt; color: #34415a; }"
        )
        self.row = layout = QHBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.setSpacing(32)
        self.chart = ResultsChart(scale=2.0)
        self.question_label = QLabel()  # the whole question, wrapped (a chart title would cut it)
        self.question_label.setObjectName("projectorBig")
        self.question_label.setTextFormat(Qt.TextFormat.PlainText)
        self.question_label.setWordWrap(True)
        main = QVBoxLayout()
        main.addWidget(self.question_label)
        main.addWidget(self.chart, 1)
        layout.addLayout(main, 3)
        side = QFrame()
        column = QVBoxLayout(side)
        column.setSpacing(12)
        self.join_label = QLabel(self.tr("Join on your tablet or phone"))
        self.join_label.setObjectName("projectorText")
        self.join_label.setWordWrap(True)
        self.join_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label = QLabel("—")
        self.code_label.setObjectName("projectorCode")
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.url_label = QLabel()
        self.url_label.setObjectName("projectorText")
        self.url_label.setTextFormat(Qt.TextFormat.PlainText)
        self.url_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.url_label.setWordWrap(True)
        self.timer_label = QLabel()
        self.timer_label.setObjectName("projectorBig")
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answered_label = QLabel()
        self.answered_label.setObjectName("projectorText")
        self.answered_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.join_label, self.qr, self.code_label, self.url_label, self.timer_label,
                       self.answered_label):
            column.addWidget(widget)
        column.addStretch(1)
        layout.addWidget(side, 2)
        self.chart.hide()
        self.question_label.hide()
        layout.setStretch(0, 0)
        self._url = ""

    def show_join(self, code: str, url: str) -> None:
        self.code_label.setText(code or "—")
        self.url_label.setText(url)
        self._url = url
        self._draw_qr()

    def _draw_qr(self) -> None:
        """Bigger while nothing else is on the screen (students are joining), smaller beside a chart."""
        if self._url:
            self.qr.setPixmap(qr_pixmap(self._url, QR_SIZE if self.chart.isVisibleTo(self) else QR_ALONE))
        else:
            self.qr.clear()

    def show_counts(self, question: str, counts: Mapping[str, int], answered: str, correct: Sequence[str] = ()) -> None:
        self.chart.show_counts("", counts, correct)
        resized = self.chart.isVisibleTo(self) != bool(counts)
        self.chart.setVisible(bool(counts))
        self.question_label.setText(question)
        self.question_label.setVisible(bool(counts) and bool(question))  # none: the join card alone, centred
        if resized:
            self.row.setStretch(0, 3 if counts else 0)  # the join card alone takes the whole screen
            self._draw_qr()
        self.answered_label.setText(answered)

    def set_timer(self, text: str) -> None:
        self.timer_label.setText(text)

    def present(self, away_from: QScreen | None) -> QScreen | None:
        """Full screen on another display than ``away_from`` (the console's); a window when there is none."""
        others = [s for s in QGuiApplication.screens() if s is not away_from]
        if others:
            screen = others[0]
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
            self.showFullScreen()
            return screen
        self.resize(*WINDOWED)
        self.showNormal()
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:  # the lecturer at the projector's screen: one key gets out
            self.close()
            return
        super().keyPressEvent(event)
