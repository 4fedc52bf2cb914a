"""The Centre workspace in the real window loop: charts from the report, exports, and the sync panel."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import qasync
from PySide6.QtCharts import QAbstractBarSeries, QBarCategoryAxis
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.usage_model import DeviceUsage, UsageFilter, UsageReport
from tests.qt_helpers import run, wait_for
from tests.test_sync_cli import centre, cli  # noqa: F401  (centre is a fixture)
from tests.test_sync_support import fill_room
from ui.bridge import RoomBridge
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
            assert "not recorded yet" in page.tablets_label.text()
            page.export_csv(tmp_path / "usage.csv")
            await wait_for((tmp_path / "usage.csv").exists, what="CSV")
            rows = list(csv.reader((tmp_path / "usage.csv").open(encoding="utf-8-sig")))
            assert ["totals", "sessions", "", "4"] in rows
            page.export_pdf(tmp_path / "usage.pdf")
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
