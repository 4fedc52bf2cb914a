"""The PDF report a centre head can send on: Qt paints the charts and tables into a file the user chose."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QWidget

from classroom_console.usage_export import report_rows
from classroom_console.usage_model import UsageReport


def write_pdf(path: Path, title: str, subtitle: str, report: UsageReport, charts: list[QWidget]) -> None:
    """A4 portrait: title, the filter line, every chart as drawn on screen, then every figure as a table."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    writer.setTitle(title)
    painter = QPainter(writer)
    page = QRectF(painter.viewport())
    y = 0.0
    painter.setFont(QFont("Sans", 16, QFont.Weight.Bold))
    painter.drawText(QRectF(0, y, page.width(), 60), Qt.AlignmentFlag.AlignLeft, title)
    y += 60
    painter.setFont(QFont("Sans", 9))
    painter.drawText(QRectF(0, y, page.width(), 40), Qt.AlignmentFlag.AlignLeft, subtitle)
    y += 50
    for widget in charts:
        pixmap = widget.grab()
        if pixmap.isNull() or pixmap.width() == 0:
            continue
        scale = min(page.width() / pixmap.width(), 1.6)
        h = pixmap.height() * scale
        if y + h > page.height():
            writer.newPage()
            y = 0.0
        painter.drawPixmap(QRectF(0, y, pixmap.width() * scale, h), pixmap, QRectF(pixmap.rect()))
        y += h + 20
    painter.setFont(QFont("Sans", 8))
    line = 26.0
    for row in report_rows(report):
        if y + line > page.height():
            writer.newPage()
            y = 0.0
        cols = (0.0, 0.22, 0.48, 0.86)
        for x, text in zip(cols, row, strict=True):
            painter.drawText(QRectF(x * page.width(), y, page.width() * 0.37, line), Qt.AlignmentFlag.AlignLeft, text)
        y += line
    painter.end()
