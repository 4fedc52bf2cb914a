"""The Centre workspace's charts: a painted weekday x hour heatmap and QtCharts bars, fed plain report data."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

ACCENT = QColor("#2f6fde")
WARN = QColor("#d9822b")
BAD = QColor("#c92f3b")
PALETTE = ("#2f6fde", "#35a173", "#d9822b", "#8a5cd1", "#c92f3b", "#2aa1b3", "#7a8699", "#b3832a")


class HeatmapWidget(QWidget):
    """Seven rows (Monday first) by 24 hours; darker is more hours in use."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: tuple[tuple[float, ...], ...] = tuple((0.0,) * 24 for _ in range(7))
        self.day_names = [self.tr("Mon"), self.tr("Tue"), self.tr("Wed"), self.tr("Thu"), self.tr("Fri"),
                          self.tr("Sat"), self.tr("Sun")]
        self.setMinimumSize(360, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_values(self, values: Sequence[Sequence[float]]) -> None:
        self.values = tuple(tuple(row) for row in values)
        self.setToolTip(self.tr("Busiest: %1 hours in one weekday-hour slot").replace(
            "%1", f"{max((v for row in self.values for v in row), default=0.0):.1f}"))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, top, bottom = 40.0, 6.0, 20.0
        w = (self.width() - left - 6) / 24
        h = (self.height() - top - bottom) / 7
        peak = max((v for row in self.values for v in row), default=0.0) or 1.0
        painter.setPen(QColor("#5b6578"))
        for day, row in enumerate(self.values):
            painter.drawText(QRectF(0, top + day * h, left - 6, h), Qt.AlignmentFlag.AlignVCenter
                             | Qt.AlignmentFlag.AlignRight, self.day_names[day])
            for hour, value in enumerate(row):
                shade = QColor(ACCENT)
                shade.setAlphaF(0.06 + 0.94 * (value / peak) if value > 0 else 0.04)
                painter.fillRect(QRectF(left + hour * w + 1, top + day * h + 1, w - 2, h - 2), shade)
        for hour in range(0, 24, 3):
            painter.drawText(QRectF(left + hour * w, top + 7 * h + 2, w * 3, bottom - 2),
                             Qt.AlignmentFlag.AlignLeft, f"{hour:02d}")
        painter.end()


class ChartCard(QFrame):
    """A titled card holding one chart (or any widget), so the grid looks even; an empty one says so."""

    def __init__(self, title: str, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
        self.body = body
        self.empty = QLabel(self.tr("No data for this period"))
        self.empty.setObjectName("cardDetail")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setMinimumHeight(body.minimumHeight())
        self.empty.hide()
        layout.addWidget(self.title)
        layout.addWidget(body, 1)
        layout.addWidget(self.empty, 1)
        self.setMinimumHeight(260)
        # A chart squeezes its axis labels rather than widening the page: with 12 week labels the right-hand
        # column once asked for more than a 1366-px screen has, and the page ran off to the right.
        self.setMinimumWidth(280)

    def set_empty(self, empty: bool) -> None:
        """An empty chart is replaced by the sentence, never drawn as blank axes."""
        self.body.setVisible(not empty)
        self.empty.setVisible(empty)

    def is_empty(self) -> bool:
        return not self.empty.isHidden()


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def distinct(labels: Sequence[str]) -> list[str]:
    """Category labels the chart keeps apart: a chart axis merges equal names into one bar, so two "Board 1"s
    (or two long names shortened alike) drew one bar with the wrong value. A repeat gets a number."""
    seen: dict[str, int] = {}
    out = []
    for label in (_short(label) for label in labels):
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label[:18]} #{seen[label]}")
    return out


def device_labels(names: Sequence[str], rooms: Sequence[str]) -> list[str]:
    """A device's name, with its room where the name alone is not unique: "Board 1 · Hall 3"."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [f"{name} · {room}" if counts[name] > 1 and room else name for name, room in zip(names, rooms, strict=True)]


def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(8.0)
    return font


def _value_axis(peak: float) -> QValueAxis:
    """Whole-number ticks: small counts get one tick per unit, larger ones Qt's nice numbers."""
    axis = QValueAxis()
    axis.setLabelFormat("%.0f")
    axis.setLabelsFont(_small_font())
    top = max(1, math.ceil(peak))
    if top <= 6:
        axis.setRange(0, top)
        axis.setTickCount(top + 1)
    else:
        axis.setRange(0, top * 1.05)
        axis.applyNiceNumbers()
    return axis


def chart_view() -> QChartView:
    chart = QChart()
    chart.setMargins(QMargins(0, 0, 0, 0))
    chart.setBackgroundVisible(False)
    chart.legend().setVisible(False)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(240)
    return view


def _reset(view: QChartView) -> QChart:
    chart = view.chart()
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    return chart


def show_bars(view: QChartView, labels: Sequence[str], values: Sequence[float], name: str,
              warn: Sequence[bool] | None = None, warn_name: str = "") -> None:
    """Horizontal bars, biggest first at the top; bars flagged in ``warn`` are drawn in the warning colour."""
    chart = _reset(view)
    labels, values = list(labels)[::-1], list(values)[::-1]
    flags = list(warn)[::-1] if warn is not None else [False] * len(values)
    ok, bad = QBarSet(name), QBarSet(warn_name or name)
    ok.setColor(ACCENT)
    bad.setColor(WARN)
    for v, flag in zip(values, flags, strict=True):
        ok.append(0.0 if flag else v)
        bad.append(v if flag else 0.0)
    series = QHorizontalStackedBarSeries() if warn is not None else QHorizontalBarSeries()
    series.append(ok)
    if warn is not None:
        series.append(bad)
        chart.legend().setVisible(any(flags))
    chart.addSeries(series)
    y = QBarCategoryAxis()
    # An axis label renders rich text: a course or device named "<b>…" by a room must show as typed.
    y.append([html.escape(label, quote=False) for label in distinct(labels)] or [""])
    y.setLabelsFont(_small_font())
    x = _value_axis(max(values, default=0.0))
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(y)
    series.attachAxis(x)


def show_stacked_weeks(view: QChartView, weeks: Sequence[str], rooms: dict[str, Sequence[float]]) -> None:
    """Hours per week, one colour per room."""
    chart = _reset(view)
    series = QStackedBarSeries()
    for n, (room, hours) in enumerate(rooms.items()):
        bar = QBarSet(html.escape(room, quote=False))  # the legend renders rich text too
        bar.setColor(QColor(PALETTE[n % len(PALETTE)]))
        bar.append(list(hours))
        series.append(bar)
    chart.addSeries(series)
    chart.legend().setVisible(1 < len(rooms) <= 8)
    x = QBarCategoryAxis()
    x.append([w[5:] for w in weeks] or [""])
    x.setLabelsFont(_small_font())
    totals = [sum(col) for col in zip(*rooms.values(), strict=True)] if rooms else []
    y = _value_axis(max(totals, default=0.0))
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
