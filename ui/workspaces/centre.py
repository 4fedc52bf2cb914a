"""Centre staff's workspace: how this room (or every room, from the centre) is used, exports and uploads."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from classroom_console.sync.room import load_settings
from classroom_console.usage import UsageSummary, local_report
from classroom_console.usage_export import write_csv
from classroom_console.usage_model import UsageFilter, UsageReport
from classroom_console.usage_remote import centre_report
from ui.bridge import RoomBridge
from ui.centre_charts import ChartCard, HeatmapWidget, chart_view, device_labels, show_bars, show_stacked_weeks
from ui.centre_filters import FilterBar
from ui.centre_pdf import write_pdf
from ui.centre_sync_panel import SyncPanel, human_bytes
from ui.widgets import page_header

WEEKS_SHOWN = 12
TOP = 10


class StatTile(QFrame):
    """One number with its meaning underneath."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        self.value = QLabel("—")
        self.value.setObjectName("pageTitle")
        self.caption = QLabel(caption)
        self.caption.setObjectName("pageSubtitle")
        self.caption.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class CentreWorkspace(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.bridge = bridge
        self.report: UsageReport | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 16)
        outer.setSpacing(12)
        head = QHBoxLayout()
        head.addWidget(page_header(
            self.tr("Centre"),
            self.tr("How this room is used: sessions, hours, devices. Sent to the centre when the network allows."),
        ), 1)
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.pdf_button = QPushButton(self.tr("PDF report…"))
        head.addWidget(self.csv_button)
        head.addWidget(self.pdf_button)
        outer.addLayout(head)
        self.filters = FilterBar()
        outer.addWidget(self.filters)
        self.notice = QLabel("")
        self.notice.setObjectName("cardProblem")
        self.notice.setWordWrap(True)
        self.notice.hide()
        outer.addWidget(self.notice)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the page fits the width
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        scroll.setWidget(page)
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(14)
        self.sessions_tile = StatTile(self.tr("sessions logged"))
        self.hours_tile = StatTile(self.tr("hours in use"))
        self.devices_tile = StatTile(self.tr("devices known"))
        self.events_tile = StatTile(self.tr("events recorded"))
        self.recordings_tile = StatTile(self.tr("recordings"))
        tiles = QHBoxLayout()
        for tile in (self.sessions_tile, self.hours_tile, self.recordings_tile, self.devices_tile, self.events_tile):
            tiles.addWidget(tile)
        grid.addLayout(tiles, 0, 0, 1, 2)

        self.heatmap = HeatmapWidget()
        self.weeks_chart = chart_view()
        self.lecturer_chart = chart_view()
        self.course_chart = chart_view()
        self.lamp_chart = chart_view()
        self.fault_chart = chart_view()
        self.cards = [
            ChartCard(self.tr("When rooms are in use (hours, weekday × hour)"), self.heatmap),
            ChartCard(self.tr("Hours in use per room per week"), self.weeks_chart),
            ChartCard(self.tr("Sessions by lecturer"), self.lecturer_chart),
            ChartCard(self.tr("Sessions by course"), self.course_chart),
            ChartCard(self.tr("Lamp hours (orange: near the end of rated life)"), self.lamp_chart),
            ChartCard(self.tr("Faults by device"), self.fault_chart),
        ]
        for n, card in enumerate(self.cards):
            grid.addWidget(card, 1 + n // 2, n % 2)
        self.recordings_label = QLabel("")
        self.tablets_label = QLabel(self.tr("Tablet participation: tablet activity is not recorded yet."))
        self.tablets_label.setWordWrap(True)
        extra = QFrame()
        extra.setObjectName("card")
        extra_layout = QVBoxLayout(extra)
        extra_layout.addWidget(self.recordings_label)
        extra_layout.addWidget(self.tablets_label)
        grid.addWidget(extra, 4, 0)
        self.sync_panel = SyncPanel(bridge)
        grid.addWidget(self.sync_panel, 4, 1)
        outer.addWidget(scroll, 1)

        self.filters.sig_apply.connect(self.refresh)
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button.clicked.connect(lambda: self.export_pdf())

    def showEvent(self, event: QShowEvent) -> None:
        """Figures are read when the workspace is opened, so they are never stale when looked at."""
        super().showEvent(event)
        self.refresh()
        self.sync_panel.load()

    # reading

    def refresh(self) -> None:
        core = self.bridge.core
        self.bridge.run(core.usage(), on_done=self.show_summary, what=self.tr("read the usage figures"))
        f = self.filters.usage_filter()
        if self.filters.from_centre():
            self.bridge.run(self._centre(f), on_done=self.show_report,
                            what=self.tr("read the centre's figures"))
        else:
            self.bridge.run(local_report(core.store, f, core.room_id), on_done=self.show_report,
                            what=self.tr("read the usage figures"))

    async def _centre(self, f: UsageFilter) -> UsageReport:
        settings = await load_settings(self.bridge.core.store)
        if not settings.get("centre_url"):
            raise ValueError(self.tr("No centre is set up: enter its address and a token below."))
        return await centre_report(settings["centre_url"], settings.get("token", ""), f)

    def show_summary(self, summary: UsageSummary) -> None:
        self.sessions_tile.value.setText(str(summary.sessions))
        self.hours_tile.value.setText(f"{summary.hours_in_use:.1f}")
        self.devices_tile.value.setText(str(summary.devices))
        self.events_tile.value.setText(str(summary.events))

    def show_report(self, report: UsageReport) -> None:
        """Everything the charts show comes from this one plain report."""
        self.report = report
        self.sessions_tile.value.setText(str(report.sessions))
        self.hours_tile.value.setText(f"{report.hours_in_use:.1f}")
        self.recordings_tile.value.setText(str(report.recordings.count))
        self.heatmap.set_values(report.heatmap)
        weeks = sorted({w.week for w in report.room_weeks})[-WEEKS_SHOWN:]
        by_room: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(weeks))
        for w in report.room_weeks:
            if w.week in weeks:
                by_room[w.room][weeks.index(w.week)] += w.hours
        show_stacked_weeks(self.weeks_chart, weeks, dict(by_room))
        for view, items in ((self.lecturer_chart, report.by_lecturer), (self.course_chart, report.by_course)):
            top = items[:TOP]
            show_bars(view, [n.name or self.tr("(not given)") for n in top], [n.sessions for n in top],
                      self.tr("sessions"))
        lamps = [d for d in report.devices if d.lamp_hours is not None]
        lamps.sort(key=lambda d: -(d.lamp_hours or 0))
        shown = lamps[:TOP]  # one bar per device (by id), labelled with its name and, where names repeat, its room
        show_bars(self.lamp_chart, device_labels([d.name for d in shown], [d.room for d in shown]),
                  [float(d.lamp_hours or 0) for d in shown],
                  self.tr("lamp hours"), warn=[d.lamp_warning for d in shown],
                  warn_name=self.tr("near end of life"))
        faults = report.faults[:TOP]
        show_bars(self.fault_chart, [f.name for f in faults], [f.fault_events + f.fault_readings for f in faults],
                  self.tr("faults"))
        rec = report.recordings
        self.recordings_label.setText(self.tr("Recordings: %1, %2 hours, %3")
                                      .replace("%1", str(rec.count)).replace("%2", f"{rec.hours:.1f}")
                                      .replace("%3", human_bytes(rec.size_bytes)))
        warnings = [d.name for d in report.devices if d.lamp_warning]
        if warnings:
            names = ", ".join(warnings[:5])
            if len(warnings) > 5:
                names += self.tr(" and %1 more").replace("%1", str(len(warnings) - 5))
            self.notice.setText(self.tr("Lamp near the end of its rated life: %1").replace("%1", names))
        self.notice.setVisible(bool(warnings))

    # exporting

    def export_csv(self, path: Path | None = None) -> None:
        """The file is written by the core, off the loop; the dialog only chooses where."""
        report = self.report
        if report is None:
            return
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Export usage as CSV"), "usage.csv",
                                                    self.tr("CSV files (*.csv)"))
            if not chosen:
                return
            path = Path(chosen)
        self.bridge.run(asyncio.to_thread(write_csv, report, path), what=self.tr("export the CSV file"))

    def export_pdf(self, path: Path | None = None) -> None:
        """Qt paints the report straight into the file the user chose (QPdfWriter)."""
        report = self.report
        if report is None:
            return
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Save the usage report as PDF"), "usage.pdf",
                                                    self.tr("PDF files (*.pdf)"))
            if not chosen:
                return
            path = Path(chosen)
        f = report.filter
        subtitle = self.tr("From %1 to %2; room: %3; lecturer: %4; %5 sessions, %6 hours in use").replace(
            "%1", str(f.since or "—")).replace("%2", str(f.until or "—")).replace(
            "%3", f.room or self.tr("all")).replace("%4", f.lecturer or self.tr("all")).replace(
            "%5", str(report.sessions)).replace("%6", f"{report.hours_in_use:.1f}")
        write_pdf(path, self.tr("Classroom usage report"), subtitle, report, list(self.cards))
