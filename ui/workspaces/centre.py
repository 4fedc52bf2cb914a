"""Centre staff's workspace: how this room (or every room, from the centre) is used, exports and uploads."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from classroom_console.sync.room import load_settings
from classroom_console.usage import UsageSummary, local_report
from classroom_console.usage_export import write_sessions_csv
from classroom_console.usage_model import UsageFilter, UsageReport
from classroom_console.usage_remote import centre_report
from ui.bridge import RoomBridge
from ui.centre_charts import ChartCard, HeatmapWidget, chart_view, device_labels, show_bars, show_stacked_weeks
from ui.centre_filters import FilterBar
from ui.centre_format import decimal, duration, human_bytes
from ui.centre_library import LibraryPage
from ui.centre_participation import ParticipationText
from ui.centre_pdf import write_pdf
from ui.centre_sync_panel import SyncPanel
from ui.plain_text import plain
from ui.widgets import page_header, plain_tip

WEEKS_SHOWN = 12
TOP = 10


class StatTile(QFrame):
    """One number with its meaning underneath; the caption agrees with the number (1 session, 5 sessions)."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plural: Callable[[int], str] | None = None
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        self.value = QLabel("—")
        self.value.setObjectName("pageTitle")
        self.caption = QLabel(caption)
        self.caption.setObjectName("pageSubtitle")
        self.caption.setWordWrap(True)
        self.setMinimumWidth(120)  # the caption wraps ("событий в журнале") instead of widening the row
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def show_count(self, n: int | None) -> None:
        self.value.setText("—" if n is None else str(n))
        if self.plural is not None:
            self.caption.setText(self.plural(5 if n is None else n))


class Banner(QFrame):
    """A sentence where the user looks, with the one action that helps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.row = layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        self.text = plain(QLabel(""))  # a file's path, a centre's answer: as they are
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: list[QPushButton] = []
        layout.addWidget(self.text, 1)
        self.hide()

    def add_button(self, text: str, action: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(action)
        self.row.addWidget(button)
        self.buttons.append(button)
        return button


class CentreWorkspace(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.bridge = bridge
        self.report: UsageReport | None = None
        self.saved_path: Path | None = None
        self._asked = 0  # answers to an older question are dropped (the source or filters changed meanwhile)
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
        self.centre_banner = Banner()
        self.centre_banner.text.setObjectName("cardProblem")
        self.setup_button = self.centre_banner.add_button(self.tr("Set up the centre…"), self.open_centre_setup)
        outer.addWidget(self.centre_banner)
        self.saved_banner = Banner()
        self.saved_banner.add_button(self.tr("Open folder"), self.open_saved_folder)
        self.saved_banner.add_button(self.tr("Open"), self.open_saved_file)
        close = self.saved_banner.add_button("✕", self.saved_banner.hide)
        close.setObjectName("linkButton")
        close.setToolTip(self.tr("Close"))
        outer.addWidget(self.saved_banner)
        self.notice = plain(QLabel(""))  # names devices: their own words
        self.notice.setObjectName("cardProblem")
        self.notice.setWordWrap(True)
        self.notice.hide()
        outer.addWidget(self.notice)

        self.page_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the page fits the width
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        scroll.setWidget(page)
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(14)
        self.sessions_tile = StatTile("")
        self.sessions_tile.plural = lambda n: self.tr("session(s) logged", "", n)
        self.hours_tile = StatTile(self.tr("hours in use"))
        self.devices_tile = StatTile("")
        self.devices_tile.plural = lambda n: self.tr("device(s) known", "", n)
        self.events_tile = StatTile("")
        self.events_tile.plural = lambda n: self.tr("event(s) recorded", "", n)
        self.recordings_tile = StatTile("")
        self.recordings_tile.plural = lambda n: self.tr("recording(s)", "", n)
        tiles = QHBoxLayout()
        for tile in (self.sessions_tile, self.hours_tile, self.recordings_tile, self.devices_tile, self.events_tile):
            tile.show_count(None)
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
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.recordings_label = QLabel("")
        self.recordings_label.setWordWrap(True)
        self.tablets_label = QLabel(self.tr("Tablet participation: tablet activity is not recorded yet."))
        self.tablets_label.setWordWrap(True)
        self.tablets_label.setTextFormat(Qt.TextFormat.PlainText)  # course names are users' words, not markup
        self._participation = ParticipationText(self)
        extra = QFrame()
        extra.setObjectName("card")
        extra_layout = QVBoxLayout(extra)
        extra_layout.addWidget(self.recordings_label)
        extra_layout.addWidget(self.tablets_label)
        extra_layout.addStretch(1)
        grid.addWidget(extra, 4, 0)
        self.sync_panel = SyncPanel(bridge)
        grid.addWidget(self.sync_panel, 4, 1)
        self.tabs = QTabWidget()  # usage figures, and the centre's library (ui/centre_library.py)
        self.tabs.addTab(scroll, self.tr("Usage"))
        self.library = LibraryPage(bridge)
        self.tabs.addTab(self.library, self.tr("Library"))
        self.tabs.currentChanged.connect(lambda i: [w.setVisible(i == 0) for w in (self.filters, self.csv_button,
                                                                                    self.pdf_button)])
        outer.addWidget(self.tabs, 1)

        self.filters.sig_apply.connect(self.refresh)
        self.filters.source.currentIndexChanged.connect(lambda _: self.refresh())
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
        self._asked += 1
        asked = self._asked
        f = self.filters.usage_filter()
        if self.filters.from_centre():
            self.bridge.run(self._centre(f), on_done=lambda r: self._centre_answered(asked, f, r),
                            what=self.tr("read the centre's figures"),
                            on_error=lambda message: self._centre_failed(asked, f, message), owner=self)
            return
        self.centre_banner.hide()
        self.bridge.run(core.usage(), on_done=lambda s: self._answered(asked, self.show_summary, s),
                        what=self.tr("read the usage figures"), owner=self)
        self.bridge.run(local_report(core.store, f, core.room_id),
                        on_done=lambda r: self._answered(asked, self.show_report, r),
                        what=self.tr("read the usage figures"), owner=self)

    def _answered(self, asked: int, show: Callable[[Any], None], answer: Any) -> None:
        if asked == self._asked:
            show(answer)

    async def _centre(self, f: UsageFilter) -> UsageReport | None:
        """None when no centre is set up: a state to explain, not an error."""
        settings = await load_settings(self.bridge.core.store)
        if not settings.get("centre_url"):
            return None
        return await centre_report(settings["centre_url"], settings.get("token", ""), f)

    def _centre_answered(self, asked: int, f: UsageFilter, report: UsageReport | None) -> None:
        if asked != self._asked:
            return
        if report is None:
            self._show_centre_problem(f, self.tr(
                "No centre is set up, so there are no figures for all rooms. Enter the centre's address and "
                "this room's token in “Upload to the centre”, or choose “This room”."), "")
            return
        self.centre_banner.hide()
        self.show_report(report)
        self.devices_tile.show_count(len(report.devices))
        self.events_tile.show_count(None)  # the centre does not count events

    def _centre_failed(self, asked: int, f: UsageFilter, message: str) -> None:
        if asked == self._asked:
            self._show_centre_problem(f, self.tr(
                "The centre's figures could not be read, so none are shown. Check the centre's address and "
                "token, or try again when the network is back."), message)

    def _show_centre_problem(self, f: UsageFilter, text: str, detail: str) -> None:
        """Never this room's figures under an "All rooms" heading: the charts empty, the reason above them."""
        self.centre_banner.text.setText(text)
        self.centre_banner.text.setToolTip(plain_tip(detail))
        self.centre_banner.show()
        self.show_report(UsageReport(filter=f))
        self.report = None  # nothing to export
        for tile in (self.sessions_tile, self.hours_tile, self.recordings_tile, self.devices_tile, self.events_tile):
            tile.show_count(None)
        self.hours_tile.value.setText("—")

    def open_centre_setup(self) -> None:
        """The centre connection is the sync panel: bring it into view and put the cursor in it."""
        self.page_scroll.ensureWidgetVisible(self.sync_panel)
        panel = self.sync_panel
        (panel.token if panel.url.text() else panel.url).setFocus(Qt.FocusReason.OtherFocusReason)

    def show_summary(self, summary: UsageSummary) -> None:
        """The whole log's totals; the session and hour tiles keep the filtered report's once it is in."""
        self.devices_tile.show_count(summary.devices)
        self.events_tile.show_count(summary.events)
        if self.report is None:
            self.sessions_tile.show_count(summary.sessions)
            self.hours_tile.value.setText(decimal(summary.hours_in_use))

    def show_report(self, report: UsageReport) -> None:
        """Everything the charts show comes from this one plain report."""
        self.report = report
        self.sessions_tile.show_count(report.sessions)
        self.hours_tile.value.setText(decimal(report.hours_in_use))
        self.recordings_tile.show_count(report.recordings.count)
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
        empty = (not any(v for row in report.heatmap for v in row), not by_room, not report.by_lecturer,
                 not report.by_course, not shown, not faults)
        for card, nothing in zip(self.cards, empty, strict=True):
            card.set_empty(nothing)
        rec = report.recordings
        if rec.count:
            self.recordings_label.setText(self.tr("Recordings: %1, %2 in all, %3").replace(
                "%1", self.tr("%n recording(s)", "", rec.count)).replace(
                "%2", duration(rec.hours * 3600)).replace("%3", human_bytes(rec.size_bytes)))
        else:
            self.recordings_label.setText(self.tr("Recordings: none in this period."))
        self.tablets_label.setText(self._participation.text(report.tablets))
        warnings = [d.name for d in report.devices if d.lamp_warning]
        if warnings:
            names = ", ".join(warnings[:5])
            if len(warnings) > 5:
                names += self.tr(" and %n more", "", len(warnings) - 5)
            self.notice.setText(self.tr("Lamp near the end of its rated life: %1").replace("%1", names))
        self.notice.setVisible(bool(warnings))

    # exporting

    def _rows_report(self, report: UsageReport) -> Coroutine[Any, Any, UsageReport | None]:
        """The shown report again, with one row per session, from where the shown one came (off the Qt thread)."""
        f = dataclasses.replace(report.filter, session_rows=True)
        if self.filters.from_centre():
            return self._centre(f)
        return local_report(self.bridge.core.store, f, self.bridge.core.room_id)

    def _choose(self, title: str, name: str, kinds: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, name, kinds)
        return Path(chosen) if chosen else None

    def export_csv(self, path: Path | None = None) -> None:
        """The rows are read and the file written by the core, off the Qt thread; the dialog only chooses where."""
        report = self.report
        if report is None:
            return
        path = path or self._choose(self.tr("Export sessions as CSV"), "sessions.csv", self.tr("CSV files (*.csv)"))
        if path is None:
            return
        header = (self.tr("Room"), self.tr("Date"), self.tr("Start"), self.tr("End"), self.tr("Lecturer"),
                  self.tr("Course"), self.tr("Hours"), self.tr("Recordings"))
        rows = self._rows_report(report)

        async def export() -> Path:
            full = await rows
            return await asyncio.to_thread(write_sessions_csv, full or report, path, header)

        self.bridge.run(export(), on_done=self.show_saved, what=self.tr("export the CSV file"), owner=self)

    def export_pdf(self, path: Path | None = None) -> None:
        """The rows come from the core off the Qt thread; Qt then paints the report into the file (QPdfWriter)."""
        report = self.report
        if report is None:
            return
        path = path or self._choose(self.tr("Save the usage report as PDF"), "usage.pdf",
                                    self.tr("PDF files (*.pdf)"))
        if path is None:
            return
        target = path

        def paint(full: UsageReport | None) -> None:
            write_pdf(target, self.tr("Classroom usage report"), self.pdf_scope(full or report), full or report,
                      list(self.cards))
            self.show_saved(target)

        self.bridge.run(self._rows_report(report), on_done=paint,
                        what=self.tr("read the sessions for the report"), owner=self)

    def pdf_scope(self, report: UsageReport) -> str:
        f = report.filter
        source = self.tr("all rooms, from the centre") if self.filters.from_centre() else self.tr("this room")
        return self.tr("From %1 to %2; %3; room: %4; lecturer: %5").replace(
            "%1", str(f.since or "—")).replace("%2", str(f.until or "—")).replace("%3", source).replace(
            "%4", f.room or self.tr("all")).replace("%5", f.lecturer or self.tr("all"))

    def show_saved(self, path: Path) -> None:
        """Say where the file went, with the way to it."""
        self.saved_path = path
        self.saved_banner.text.setText(self.tr("Saved to %1").replace("%1", str(path)))
        self.saved_banner.show()

    def open_saved_folder(self) -> None:
        if self.saved_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved_path.parent)))

    def open_saved_file(self) -> None:
        if self.saved_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.saved_path)))
