"""The window fits a 1366x768 laptop under a taskbar and a title bar, in English and Russian: its minimum height is
at most 698 px (768, less a ~40 px taskbar and a ~30 px title bar) in every workspace, and at 1366x698 the Studio
shows its columns whole, the record button and every side tab's buttons included, with a long status line.

The review measured a minimum of 1300x749 in Russian and 1294x749 in English: the Studio's program column (608 px:
a 216 px preview, the pickers, the lower third, the status line and the record row, 16 px apart) set it, with the
side column's Live tab close behind; 51 px of the window went under the taskbar."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLayout, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from classroom_console.media import RecordingResult, RecordingStats, StopReason
from classroom_console.media.encoder import LostAtEnd, LostReason
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_studio import add
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.main_window import MainWindow

LAPTOP = (1366, 698)  # 1366x768 less a ~40 px taskbar and a ~30 px title bar: the window's own area


def whole_inside(widget: QWidget, page: QWidget) -> bool:
    """Shown, at least its minimum height, and wholly inside ``page`` as laid out."""
    top_left = widget.mapTo(page, QPoint(0, 0))
    bottom = top_left.y() + widget.height()
    return (widget.isVisible() and widget.height() >= widget.minimumSizeHint().height() and top_left.y() >= 0
            and bottom <= page.height() and top_left.x() + widget.width() <= page.width())


def the_longest_status() -> RecordingResult:
    """The Studio's longest status: the encoder lost too often, and its end's pictures lost as well."""
    return RecordingResult("r1", Path("2026-12-02_14-11-11.mp4"), 4000.0, 1, "", StopReason.ENCODER_LOST, "",
                           RecordingStats(), lost_reason=LostReason.AGAIN,
                           lost_at_end=LostAtEnd(LostReason.NOT_ANSWERING, 30, 1.0))


def overlaps(column: QLayout, page: QWidget) -> list[str]:
    """Items of a column laid out shorter than their minimum, over the next one, or past the page's foot."""
    found, bottom = [], -1
    for index in range(column.count()):
        item = column.itemAt(index)
        assert item is not None
        box = item.geometry()
        if box.height() < item.minimumSize().height() or box.top() <= bottom:
            found.append(f"item {index} at {box.top()}-{box.bottom()} (the one above ends at {bottom})")
        bottom = box.bottom()
    if bottom >= page.height():
        found.append(f"the column ends at {bottom}, the page at {page.height()}")
    return found


def columns(studio: QWidget) -> list[QLayout]:
    """The Studio's three columns: sources, program, side (its page's second row)."""
    page = studio.layout()
    row = page.itemAt(1) if page is not None else None
    body = row.layout() if row is not None else None
    assert body is not None
    items = [body.itemAt(index) for index in range(body.count())]
    found = [item.layout() if item is not None else None for item in items]
    return [column for column in found if isinstance(column, QLayout)]


def shot(window: MainWindow, name: str, lang: str) -> None:
    folder = os.environ.get("CLASSROOM_CONSOLE_SHOTS")
    if folder:  # for a look: CLASSROOM_CONSOLE_SHOTS=/some/folder
        window.grab().save(str(Path(folder) / f"window-fits-{name}-{lang}.png"))


def test_every_workspace_fits_a_laptops_usable_height(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            window.resize(*LAPTOP)
            await core.room.start_session("Константин Константинопольский", "Теоретическая механика")
            studio = window.studio
            window.show_workspace("studio")
            for kind, detail in (("test-pattern", "320x180"), ("tone", ""), ("tone", ""), ("test-pattern", "320x180")):
                add(studio, qtbot, kind, detail)
            await wait_for(lambda: studio.sources.list.count() == 4, within=30, what="four sources")
            await wait_for(lambda: len(studio.mixer.rows) == 2, within=30, what="two meters")
            tall = {}
            for key in ("lecturer", "studio", "centre"):
                window.show_workspace(key)
                await asyncio.sleep(0.2)
                tall[key] = window.minimumSizeHint().height()
            assert all(height <= LAPTOP[1] for height in tall.values()), f"{language}: minimum heights {tall}"

            window.show_workspace("studio")
            studio.timer.stop()  # the status line as the test sets it
            studio._stopped(the_longest_status())
            assert studio.status_label.text().count(".") >= 3, studio.status_label.text()
            await asyncio.sleep(0.3)
            named = zip(("sources", "program", "side"), columns(studio), strict=True)
            cut = [f"{name}: {where}" for name, column in named for where in overlaps(column, studio)]
            tabs = studio.side_tabs
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                await asyncio.sleep(0.3)  # laid out once shown
                assert window.size().toTuple() == LAPTOP
                shot(window, f"studio-{index}", language)
                tab = tabs.widget(index)
                assert tab is not None
                for button in tab.findChildren(QPushButton):
                    if button.isVisibleTo(tab) and not whole_inside(button, tab):
                        cut.append(f"{tabs.tabText(index)}: {button.text()!r}")
            for widget in (studio.record_button, studio.marker_button, studio.status_label, studio.lower_third_edit,
                           studio.sources.add_button, studio.mixer, tabs):
                if not whole_inside(widget, studio):
                    cut.append(type(widget).__name__ + " " + (widget.text() if isinstance(widget, QPushButton) else ""))
            needs = studio.status_label.heightForWidth(studio.status_label.width())
            if studio.status_label.height() < needs:
                cut.append(f"the status line: {studio.status_label.height()} of {needs} px")
            assert cut == [], f"{language}: cut at {LAPTOP}: {cut}"
            assert studio.preview.height() >= studio.preview.minimumHeight()

    run(qloop, scenario())


def test_the_window_keeps_its_minimum_when_a_recording_starts(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    """Recording turns the side column to the live figures and the record button's text to a clock: no taller."""
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (_core, window):
            window.resize(*LAPTOP)
            studio = window.studio
            window.show_workspace("studio")
            add(studio, qtbot, "test-pattern", "320x180")
            await wait_for(lambda: studio.record_button.isEnabled(), within=30, what="the source")
            qtbot.mouseClick(studio.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: studio.recording and studio._studio().elapsed_s >= 1.0, within=30,
                           what="a second recorded")
            await asyncio.sleep(0.5)  # the figures shown
            shot(window, "recording", language)
            height = window.minimumSizeHint().height()
            assert height <= LAPTOP[1], f"{language}: {height} px while recording"
            qtbot.mouseClick(studio.record_button, Qt.MouseButton.LeftButton)
            # Stopped and its result shown (the file finished and logged): not only no longer recording.
            await wait_for(lambda: not (studio.recording or studio._busy or studio._watching), within=60,
                           what="the recording to stop")

    run(qloop, scenario())
