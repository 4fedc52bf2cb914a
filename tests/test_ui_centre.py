"""The Centre workspace in the real window loop: charts from the report, exports, and the sync panel."""

from __future__ import annotations

import asyncio
import csv
import shutil
import subprocess
from pathlib import Path

import pytest
import qasync
from PySide6.QtCharts import QAbstractBarSeries, QBarCategoryAxis
from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.usage_model import DeviceUsage, RecordingTotals, UsageFilter, UsageReport
from tests.qt_helpers import run, wait_for
from tests.test_sync_cli import centre, cli  # noqa: F401  (centre is a fixture)
from tests.test_sync_support import fill_room
from ui import i18n
from ui.bridge import RoomBridge
from ui.centre_format import human_bytes
from ui.workspaces.centre import CentreWorkspace


def _series_values(view: object) -> list[float]:
    chart = view.chart()  # type: ignore[attr-defined]
    out: list[float] = []
    for series in chart.series():
        assert isinstance(series, QAbstractBarSeries)
        for bar in series.barSets():
            out += [bar.at(i) for i in range(bar.count())]
    return out


def test_report_fills_the_charts_and_exports(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path / "room"))
        await core.start()
        assert core.store is not None
        await core.store.call(lambda s: fill_room(s, tmp_path, sessions=4, events=3))
        await core.store.call(lambda s: s.record_device_reading("mac:00:00:00:00:00:01", lamp_hours=[2990]))
        bridge = RoomBridge(core)
        page = CentreWorkspace(bridge)
        qtbot.addWidget(page)
        page.filters.room.setText("room:A")
        page.show()
        try:
            await wait_for(lambda: page.report is not None and page.report.sessions == 4, what="report")
            assert page.sessions_tile.value.text() == "4"
            assert sorted(_series_values(page.lecturer_chart), reverse=True)[:2] == [2.0, 2.0]
            assert max(_series_values(page.lamp_chart)) == 2990.0
            assert page.notice.isVisible() and "near the end" in page.notice.text()
            assert "no tablets joined" in page.tablets_label.text()
            page.export_csv(tmp_path / "usage.csv")
            await wait_for(lambda: page.saved_banner.isVisible(), what="CSV")
            rows = list(csv.reader((tmp_path / "usage.csv").open(encoding="utf-8-sig")))
            assert rows[0] == ["Room", "Date", "Start", "End", "Lecturer", "Course", "Hours", "Recordings"]
            assert len(rows) == 5 and {r[0] for r in rows[1:]} == {"A"} and rows[1][4] == "Lecturer 0"
            assert str(tmp_path / "usage.csv") in page.saved_banner.text.text()
            page.export_pdf(tmp_path / "usage.pdf")
            await wait_for(lambda: page.saved_path == tmp_path / "usage.pdf", what="PDF")
            assert (tmp_path / "usage.pdf").read_bytes().startswith(b"%PDF")
            page.filters.lecturer.setText("Lecturer 1")
            qtbot.mouseClick(page.filters.apply, Qt.MouseButton.LeftButton)
            await wait_for(lambda: page.report is not None and page.report.sessions == 2, what="filtered report")
            assert page.report is not None and page.report.filter.lecturer == "Lecturer 1"
        finally:
            bridge.detach()
            await core.stop()
            await asyncio.sleep(0.2)  # let closed sockets' notifiers go before the fixture closes the loop

    run(qloop, scenario())


def test_sync_panel_sends_and_reports_a_wrong_token(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, centre: tuple[str, Path]  # noqa: F811 (fixture)
) -> None:
    """The centre runs as its own process, as it does in production; only the room's side is in the Qt loop."""
    url, data = centre
    token = cli("centre", "add-room", "Room A", "--data", str(data)).stdout.strip().splitlines()[-1]

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path / "room"))
        await core.start()
        assert core.store is not None
        await core.store.call(lambda s: fill_room(s, tmp_path, sessions=2, recording_bytes=300_000))
        bridge = RoomBridge(core)
        page = CentreWorkspace(bridge)
        qtbot.addWidget(page)
        page.show()
        panel = page.sync_panel
        try:
            await wait_for(lambda: "waiting" in panel.detail.text(), what="the panel to load")
            panel.url.setText(url)
            panel.token.setText("wrong")
            qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
            await wait_for(lambda: "refused this room's token" in panel.state.text() and panel.send.isEnabled(),
                           what="refusal")
            panel.token.setText(token)
            qtbot.mouseClick(panel.send, Qt.MouseButton.LeftButton)
            await wait_for(lambda: panel.state.text().startswith("Up to date"), within=15, what="sync")
            assert "3 sent" in panel.state.text()
            await wait_for(lambda: "3 uploaded" in panel.detail.text(), what="queue counts")
            page.filters.source.setCurrentIndex(1)  # all rooms, from the centre (a room token: its own)
            page.refresh()
            await wait_for(lambda: page.report is not None and page.report.rooms == 1
                           and page.report.filter.room == "Room A", what="centre report")
            assert page.report is not None and page.report.sessions == 2
            assert page.report.filter != UsageFilter()
        finally:
            bridge.detach()
            await core.stop()
            await asyncio.sleep(0.2)  # let closed sockets' notifiers go before the fixture closes the loop

    run(qloop, scenario())


def test_devices_that_share_a_name_keep_their_own_lamp_bars(qtbot: QtBot, tmp_path: Path) -> None:
    """Two rooms each with a "Board 1": the one near the end of its lamp is drawn at its own hours."""
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))  # never started: only the report is shown
    workspace = CentreWorkspace(RoomBridge(core))
    qtbot.addWidget(workspace)
    boards = (
        DeviceUsage("mac:02:00:00:00:00:01", "Board 1", "board", "Hall 3", 10.0, 3190, 3000, True),
        DeviceUsage("mac:02:00:00:00:00:02", "Board 1", "board", "Hall 5", 12.0, 270, 3000, False),
    )
    workspace.show_report(UsageReport(devices=boards))
    chart = workspace.lamp_chart.chart()
    (series,) = chart.series()
    assert isinstance(series, QAbstractBarSeries)
    axis = next(a for a in chart.axes() if isinstance(a, QBarCategoryAxis))
    labels = axis.categories()
    assert sorted(labels) == ["Board 1 · Hall 3", "Board 1 · Hall 5"]
    values = {labels[i]: sum(bar.at(i) for bar in series.barSets()) for i in range(len(labels))}
    assert values == {"Board 1 · Hall 3": 3190.0, "Board 1 · Hall 5": 270.0}


def test_all_rooms_without_a_centre_says_so_in_the_workspace(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """Not this room's totals beside old charts with the reason in the status bar: empty charts, the reason above."""
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path / "room", discover=False))
        await core.start()
        assert core.store is not None
        await core.store.call(lambda s: fill_room(s, tmp_path, sessions=4, events=3))
        bridge = RoomBridge(core)
        errors: list[str] = []
        bridge.sig_error.connect(lambda text, _detail: errors.append(text))
        page = CentreWorkspace(bridge)
        qtbot.addWidget(page)
        page.resize(1300, 700)
        page.show()
        try:
            await wait_for(lambda: page.report is not None and page.report.sessions == 4, what="this room")
            assert not page.cards[2].is_empty()
            page.filters.source.setCurrentIndex(1)  # all rooms: refreshes by itself
            await wait_for(page.centre_banner.isVisible, what="the banner")
            assert "No centre is set up" in page.centre_banner.text.text() and not errors
            assert page.sessions_tile.value.text() == "—" and page.hours_tile.value.text() == "—"
            assert all(card.is_empty() for card in page.cards) and page.report is None
            assert page.cards[0].empty.text() == "No data for this period"
            qtbot.mouseClick(page.setup_button, Qt.MouseButton.LeftButton)
            await wait_for(page.sync_panel.url.hasFocus, what="the centre's address field")
            page.filters.source.setCurrentIndex(0)
            await wait_for(lambda: page.report is not None and page.report.sessions == 4, what="this room again")
            assert not page.centre_banner.isVisible()
        finally:
            bridge.detach()
            await core.stop()
            await asyncio.sleep(0.2)

    run(qloop, scenario())


def test_empty_charts_say_no_data(qtbot: QtBot, tmp_path: Path) -> None:
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    workspace = CentreWorkspace(RoomBridge(core))
    qtbot.addWidget(workspace)
    workspace.show_report(UsageReport())
    assert all(card.is_empty() for card in workspace.cards)
    assert workspace.recordings_label.text() == "Recordings: none in this period."
    workspace.show_report(UsageReport(devices=(DeviceUsage("mac:1", "Board", "board", "Hall", 1.0, 10, 3000, False),)))
    assert not workspace.cards[4].is_empty() and workspace.cards[5].is_empty()


def test_a_short_recording_is_in_seconds_and_counts_agree(qtbot: QtBot, qapp: QCoreApplication, tmp_path: Path) -> None:
    """A 37 s recording was "0.0 hours"; English counts agree with their number too (its plural forms)."""
    translators = i18n.install(qapp, "en")
    assert translators, "no English plural forms found: scripts/setup.sh compiles assets/i18n/*.ts"
    try:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        workspace = CentreWorkspace(RoomBridge(core))
        qtbot.addWidget(workspace)
        workspace.show_report(UsageReport(sessions=1, recordings=RecordingTotals(1, 37 / 3600, 1_300_000)))
        assert workspace.recordings_label.text() == "Recordings: 1 recording, 37 s in all, 1.3 MB"
        assert workspace.recordings_tile.caption.text() == "recording"
        assert workspace.sessions_tile.caption.text() == "session logged"
        workspace.show_report(UsageReport(sessions=2, recordings=RecordingTotals(5, 0.5, 2_000)))
        assert workspace.recordings_label.text() == "Recordings: 5 recordings, 30 min in all, 2.0 KB"
        assert workspace.sessions_tile.caption.text() == "sessions logged"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_russian_counts_and_units(qtbot: QtBot, qapp: QCoreApplication, tmp_path: Path) -> None:
    translators = i18n.install(qapp, "ru")
    assert translators, "no Russian translation found: scripts/setup.sh compiles assets/i18n/*.ts"
    try:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        workspace = CentreWorkspace(RoomBridge(core))
        qtbot.addWidget(workspace)
        for n, word in ((1, "1 запись"), (3, "3 записи"), (5, "5 записей"), (21, "21 запись")):
            workspace.show_report(UsageReport(recordings=RecordingTotals(n, 37 / 3600, 1_300_000)))
            assert word in workspace.recordings_label.text()
        assert "1,3 МБ" in workspace.recordings_label.text() and "37 с" in workspace.recordings_label.text()
        assert human_bytes(2_500_000_000) == "2,5 ГБ" and human_bytes(999) == "999 Б"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_export_says_where_it_saved_and_opens_the_folder(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path / "room", discover=False))
        await core.start()
        bridge = RoomBridge(core)
        page = CentreWorkspace(bridge)
        qtbot.addWidget(page)
        page.show()
        try:
            await wait_for(lambda: page.report is not None, what="report")
            assert not page.saved_banner.isVisible()
            (tmp_path / "out").mkdir()
            page.export_csv(tmp_path / "out" / "sessions.csv")
            await wait_for(page.saved_banner.isVisible, what="confirmation")
            assert page.saved_banner.text.text() == f"Saved to {tmp_path / 'out' / 'sessions.csv'}"
            open_folder, open_file, _close = page.saved_banner.buttons
            qtbot.mouseClick(open_folder, Qt.MouseButton.LeftButton)
            qtbot.mouseClick(open_file, Qt.MouseButton.LeftButton)
            assert opened == [str(tmp_path / "out"), str(tmp_path / "out" / "sessions.csv")]
        finally:
            bridge.detach()
            await core.stop()
            await asyncio.sleep(0.2)

    run(qloop, scenario())


def test_the_pdf_reads_as_a_report_in_the_chosen_language(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path
) -> None:
    """Once pages of internal keys (heatmap_hours, lecturer_sessions); now a cover, charts and headed tables."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    translators = i18n.install(qapp, "ru")
    assert translators, "no Russian translation found: scripts/setup.sh compiles assets/i18n/*.ts"

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path / "room", discover=False))
        await core.start()
        assert core.store is not None
        await core.store.call(lambda s: fill_room(s, tmp_path, sessions=3, events=1, recording_bytes=1000))
        bridge = RoomBridge(core)
        page = CentreWorkspace(bridge)
        qtbot.addWidget(page)
        page.show()
        try:
            await wait_for(lambda: page.report is not None and page.report.sessions == 3, what="report")
            page.export_pdf(tmp_path / "report.pdf")
            await wait_for(lambda: page.saved_path == tmp_path / "report.pdf", what="PDF")
        finally:
            bridge.detach()
            await core.stop()
            await asyncio.sleep(0.2)

    try:
        run(qloop, scenario())
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True, timeout=30).stdout
    for heading in ("Отчёт об использовании аудиторий", "Сводка", "Графики", "Занятия по преподавателям",
                    "Преподаватель", "Длительность", "1 запись"):
        assert heading in text, heading
    assert text.count("Lecturer 0") >= 2 and "Course 2" in text  # one row per session, and the per-lecturer table
    assert "heatmap_hours" not in text and "lecturer_sessions" not in text
