"""The PDF report a centre head can send on: a cover with the figures, the charts, then readable tables.

Qt paints it into the file the user chose (QPdfWriter); every heading is in the UI's language. The rows
come from the core (``UsageReport``); this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QWidget

from classroom_console.usage_export import session_cells
from classroom_console.usage_model import UsageReport
from ui.centre_format import decimal, duration, human_bytes
from ui.centre_format import recordings as count_recordings

SHADE = QColor("#eef1f6")
INK = QColor("#1d2433")
NAVY = QColor("#1d3557")
MUTED = QColor("#5b6578")


class _Pages:
    """A cursor down A4 pages: text, pictures and tables that start a new page when they do not fit."""

    def __init__(self, path: Path, title: str) -> None:
        self.writer = QPdfWriter(str(path))
        self.writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                              QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
        self.writer.setResolution(150)
        self.writer.setTitle(title)
        self.painter = QPainter(self.writer)
        self.page = QRectF(self.painter.viewport())
        self.width = self.page.width()
        self.y = 0.0

    def new_page(self) -> None:
        self.writer.newPage()
        self.y = 0.0

    def room_for(self, height: float) -> None:
        if self.y > 0 and self.y + height > self.page.height():
            self.new_page()

    def text(self, text: str, size: float, bold: bool = False, colour: QColor = INK, gap: float = 8.0) -> None:
        font = QFont("DejaVu Sans", 1)
        font.setPointSizeF(size)
        font.setBold(bold)
        self.painter.setFont(font)
        self.painter.setPen(colour)
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        box = self.painter.boundingRect(QRectF(0, 0, self.width, 10_000), flags, text)
        self.room_for(box.height())
        self.painter.drawText(QRectF(0, self.y, self.width, box.height()), flags, text)
        self.y += box.height() + gap

    def picture(self, widget: QWidget) -> None:
        pixmap = widget.grab()
        if pixmap.isNull() or pixmap.width() == 0:
            return
        scale = min(self.width / pixmap.width(), 1.6)
        h = pixmap.height() * scale
        self.room_for(h)
        self.painter.drawPixmap(QRectF(0, self.y, pixmap.width() * scale, h), pixmap, QRectF(pixmap.rect()))
        self.y += h + 24

    def _widths(self, font: QFont, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
        """Each column as wide as its longest text; when they do not fit, only the widest give way (elided)."""
        pad = 16.0
        font.setBold(True)
        self.painter.setFont(font)
        natural = [self.painter.fontMetrics().horizontalAdvance(h) + pad for h in header]
        font.setBold(False)
        self.painter.setFont(font)
        metrics = self.painter.fontMetrics()
        for row in rows[:500]:
            natural = [max(n, metrics.horizontalAdvance(cell) + pad) for n, cell in zip(natural, row, strict=True)]
        total = sum(natural)
        if total <= self.width:
            return [n + (self.width - total) / len(natural) for n in natural]
        fair = self.width / len(natural)
        narrow = sum(n for n in natural if n <= fair)
        wide = total - narrow
        return [n if n <= fair else n * (self.width - narrow) / wide for n in natural]

    def table(self, title: str, header: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> None:
        """A heading, a shaded header row (repeated on each new page), and rows with every other one shaded."""
        self.room_for(120)  # a heading never sits alone at the foot of a page
        self.text(title, 13, bold=True, colour=NAVY, gap=6)
        if not rows:
            self.text(empty, 9, colour=MUTED, gap=24)
            return
        font = QFont("DejaVu Sans", 1)
        font.setPointSizeF(8.0)
        self.painter.setFont(font)
        line = self.painter.fontMetrics().height() * 1.6
        widths = self._widths(font, header, rows)
        xs = [sum(widths[:i]) for i in range(len(widths))]

        def draw_row(cells: Sequence[str], shade: bool, bold: bool) -> None:
            font.setBold(bold)
            self.painter.setFont(font)
            if shade:
                self.painter.fillRect(QRectF(0, self.y, self.width, line), SHADE)
            self.painter.setPen(INK)
            for x, w, cell in zip(xs, widths, cells, strict=True):
                box = QRectF(x + 6, self.y, w - 12, line)
                shown = self.painter.fontMetrics().elidedText(cell, Qt.TextElideMode.ElideRight, int(box.width()))
                self.painter.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
            self.y += line

        draw_row(header, True, True)
        for n, row in enumerate(rows):
            if self.y + line > self.page.height():
                self.new_page()
                draw_row(header, True, True)
            draw_row(row, n % 2 == 1, False)
        self.y += 28

    def finish(self) -> None:
        self.painter.end()


class ReportPdf(QObject):
    """The report's words and layout (a QObject so that lupdate finds its tr() strings)."""

    def cover_lines(self, report: UsageReport) -> list[tuple[str, str]]:
        """The figures a reader wants first, as (what, how much)."""
        rec = report.recordings
        warned = [d.name for d in report.devices if d.lamp_warning]
        faults = sum(f.fault_events + f.fault_readings for f in report.faults)
        recordings = count_recordings(rec.count)
        if rec.count:
            recordings += f" · {duration(rec.hours * 3600)} · {human_bytes(rec.size_bytes)}"
        return [
            (self.tr("Sessions"), str(report.sessions)),
            (self.tr("Hours in use"), decimal(report.hours_in_use)),
            (self.tr("Rooms"), str(report.rooms)),
            (self.tr("Recordings"), recordings),
            (self.tr("Lamps near the end of rated life"), ", ".join(warned) if warned else self.tr("none")),
            (self.tr("Faults"), str(faults)),
        ]

    def write(self, path: Path, title: str, scope: str, report: UsageReport, charts: Sequence[QWidget]) -> None:
        """A4 portrait: a cover with the figures, every chart as drawn on screen, then the tables."""
        pages = _Pages(path, title)
        pages.text(title, 20, bold=True, colour=NAVY, gap=10)
        pages.text(scope, 10, colour=MUTED, gap=4)
        made = self.tr("Made on %1").replace("%1", datetime.now().strftime("%Y-%m-%d %H:%M"))
        pages.text(made, 9, colour=MUTED, gap=30)
        pages.table(self.tr("Summary"), (self.tr("Figure"), self.tr("Value")), self.cover_lines(report), "")
        pages.new_page()
        pages.text(self.tr("Charts"), 13, bold=True, colour=NAVY)
        for widget in charts:
            pages.picture(widget)
        pages.new_page()
        sessions = [session_cells(s) for s in report.session_rows]
        pages.table(
            self.tr("Sessions"),
            (self.tr("Room"), self.tr("Date"), self.tr("Start"), self.tr("End"), self.tr("Lecturer"),
             self.tr("Course"), self.tr("Duration"), self.tr("Recordings")),
            [(*c[:6], duration(s.duration_s) if s.duration_s > 0 else "—", c[7])
             for c, s in zip(sessions, report.session_rows, strict=True)], self.tr("No sessions in this period."),
        )
        for title_text, items, who in ((self.tr("Sessions by lecturer"), report.by_lecturer, self.tr("Lecturer")),
                                       (self.tr("Sessions by course"), report.by_course, self.tr("Course"))):
            pages.table(title_text, (who, self.tr("Sessions"), self.tr("Hours in use")),
                        [(n.name or self.tr("(not given)"), str(n.sessions), decimal(n.hours)) for n in items],
                        self.tr("No sessions in this period."))
        pages.table(
            self.tr("Devices"),
            (self.tr("Device"), self.tr("Room"), self.tr("Hours in sessions"), self.tr("Lamp hours")),
            [(d.name, d.room, decimal(d.hours_in_sessions),
              "" if d.lamp_hours is None else self.tr("%1 of %2").replace("%1", str(d.lamp_hours))
              .replace("%2", str(d.lamp_rated_hours)) + (" ⚠" if d.lamp_warning else ""))
             for d in report.devices], self.tr("No devices known."),
        )
        pages.table(self.tr("Faults by device"), (self.tr("Device"), self.tr("Faults"), self.tr("Last")),
                    [(f.name, str(f.fault_events + f.fault_readings), f.last_at[:16].replace("T", " "))
                     for f in report.faults], self.tr("No faults in this period."))
        pages.finish()


def write_pdf(path: Path, title: str, scope: str, report: UsageReport, charts: Sequence[QWidget]) -> None:
    ReportPdf().write(path, title, scope, report, charts)
