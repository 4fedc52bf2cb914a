"""Live results as a bar chart (QtCharts), shared by the Lecturer's Class tab and the projector window.

Options are the lecturer's words, but a chart's labels may render rich text: they are escaped, so even a
typed "<b>" shows as typed. Bars are drawn horizontally so long options stay readable.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries, QValueAxis
from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor("#2f6fde")
RIGHT = QColor("#2a9d8f")
LABEL_MAX = 48
QUESTION_MAX = 120  # the title wraps, so a question may run to a few lines
TITLE_SPARE_PX = 40  # the chart's margins and its rounded background's edge, either side of the title


class ResultsChart(QChartView):
    """Counts by option, the first option on top; ``scale`` enlarges every text (2.0 on the projector)."""

    def __init__(self, scale: float = 1.0, parent: QWidget | None = None) -> None:
        self._chart = QChart()
        super().__init__(self._chart, parent)
        self.text_scale = scale
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 140)
        self._chart.legend().hide()
        self._chart.setBackgroundRoundness(10)
        self._chart.setMargins(QMargins(4, 4, 4, 4))
        title = QFont()
        title.setPointSizeF(12 * scale)
        title.setBold(True)
        self._chart.setTitleFont(title)
        self.counts: dict[str, int] = {}
        self.question = ""
        self.show_counts("", {})

    def sizeHint(self) -> QSize:
        """Small: the chart takes the room it is given (Expanding). A view's own hint is its scene's largest size
        so far (480 px from the widget's first default geometry), which made the tablets tab 584 px high at
        1366x768 and scroll."""
        return QSize(round(320 * self.text_scale), round(180 * self.text_scale))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The question wraps to the new width (on one line QtCharts cut it to "Понятен ли вто…")."""
        super().resizeEvent(event)
        self._set_title()

    def _set_title(self) -> None:
        room = max(80, self.viewport().width() - TITLE_SPARE_PX)
        lines = wrap(_cut(self.question, QUESTION_MAX), QFontMetrics(self._chart.titleFont()), room)
        self._chart.setTitle("<br>".join(html.escape(line) for line in lines))

    def show_counts(self, question: str, counts: Mapping[str, int], correct: Sequence[str] = ()) -> None:
        """Redraws with these totals; fast enough for every answer (a handful of bars)."""
        self.counts = dict(counts)
        chart = self._chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.question = question
        self._set_title()
        options = list(counts)[::-1]  # a horizontal chart draws its first category at the bottom
        bars = QBarSet("")
        bars.setColor(BAR)
        bars.setLabelColor(QColor("#1d2433"))
        for option in options:
            bars.append(float(counts[option]))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        font = QFont()
        font.setPointSizeF(10.5 * self.text_scale)
        labels = QBarCategoryAxis()
        labels.append([html.escape(("✓ " if o in correct else "") + _cut(o)) for o in options] or [""])
        labels.setLabelsFont(font)
        chart.addAxis(labels, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(labels)
        values = QValueAxis()
        top = max(counts.values(), default=0)
        values.setRange(0, max(1, top) * 1.15)
        values.setLabelFormat("%d")
        values.setTickCount(2)
        values.setLabelsVisible(False)
        values.setGridLineVisible(False)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        bars.setLabelFont(font)
        if correct:
            for index, option in enumerate(options):
                if option in correct:
                    bars.selectBar(index)
            bars.setSelectedColor(RIGHT)


def _cut(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap(text: str, metrics: QFontMetrics, width: int) -> list[str]:
    """Whole words to a line while they fit ``width``; a word wider than a line has one of its own."""
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]
