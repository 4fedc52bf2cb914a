"""The Studio at a lecturer PC's 1366x768 as E2 used it: every button in its side tabs shows its words whole, a live
destination's status wraps, the recording just stopped is picked ready to play, the room's network still starts when
its usual port is taken, and a refusal for want of disk gives advice the window can follow.

E2 saw "›авить зд" for "Добавить здесь" in the Chapters tab, "Повторное подключение через 2 с: сер…" behind a
sideways scroll bar, Play greyed out after Stop, and "Не удалось выполнить: показ в сети аудитории." with port 8088
taken."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import qasync
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from classroom_console.live import Destination
from classroom_console.media.hls_server import HlsServer
from classroom_console.media.output import OutputStats
from tests.qt_helpers import run, wait_for
from tests.test_ui_studio import add, show_on_a_lecturer_screen, studio_workspace
from tests.test_ui_studio_words import LIST_MARGIN_PX
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.workspaces.studio import StudioWorkspace

LAN_PORT = HlsServer().port  # the room network's usual port (8088)


@contextlib.asynccontextmanager
async def studio_at_1366x768(qtbot: QtBot, tmp_path: Path) -> AsyncIterator[StudioWorkspace]:
    """The Studio on a lecturer's screen, its health as a test gives it (the refresh would read the core's: none)."""
    async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
        show_on_a_lecturer_screen(workspace, qtbot)
        workspace.timer.stop()
        yield workspace


async def a_test_pattern(workspace: StudioWorkspace, qtbot: QtBot) -> None:
    """The Studio at a lecturer's screen size with a small test pattern: enough to record."""
    show_on_a_lecturer_screen(workspace, qtbot)
    add(workspace, qtbot, "test-pattern", "320x180")
    await wait_for(lambda: workspace.record_button.isEnabled(), within=30, what="the source")


def test_every_button_in_the_side_tabs_and_a_destinations_status_show_whole_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with studio_at_1366x768(qtbot, tmp_path) as workspace:
            panel = workspace.live_panel
            panel.show_destinations([Destination("Test", "rtmp://a.rtmp.youtube.com/live2/***")])
            panel.show_health({"Test": OutputStats("Test", "rtmp", "reconnecting", reason="name-not-resolved",
                                                   next_try_s=2.0)})
            cut = []
            tabs = workspace.side_tabs
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                await asyncio.sleep(0.2)  # the page is laid out once shown
                page = tabs.widget(index)
                assert page is not None
                for button in page.findChildren(QPushButton):
                    if button.isVisible() and button.width() < button.sizeHint().width():
                        cut.append(f"{tabs.tabText(index)}: {button.text()!r} in {button.width()} px "
                                   f"(needs {button.sizeHint().width()})")
            tabs.setCurrentWidget(panel)
            await asyncio.sleep(0.2)
            if panel.list.horizontalScrollBar().isVisible():
                cut.append("the destinations scroll sideways")
            item = panel.list.item(0)
            shown = panel.list.visualItemRect(item)
            needs = panel.list.fontMetrics().boundingRect(QRect(0, 0, shown.width() - LIST_MARGIN_PX, 10_000),
                                                          Qt.TextFlag.TextWordWrap.value, item.text())
            if needs.height() > shown.height() or shown.right() > panel.list.viewport().width():
                cut.append(f"status {item.text()!r} in {shown.width()}x{shown.height()} px")
            assert cut == [], f"{language}: cut at 1366x768: {cut}"

    run(qloop, scenario())


def test_after_stop_the_new_recording_is_picked_ready_to_play_with_its_chapters(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            await a_test_pattern(workspace, qtbot)
            recordings = workspace.recordings
            for take in range(1, 3):  # the second time, the first recording is the one picked before Stop
                qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: workspace.recording, within=30, what="recording to start")
                await wait_for(lambda: workspace._studio().elapsed_s >= 1.0, within=30, what="a second recorded")
                qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: not workspace.recording, within=60, what="the recording to stop")
                await wait_for(lambda: recordings.list.count() == take, within=30,  # noqa: B023  (awaited here)
                               what="the new recording listed")
                await wait_for(lambda: recordings.list.currentRow() == 0, within=30, what="the newest picked")
                assert workspace.side_tabs.currentWidget() is recordings
                assert recordings.play_button.isEnabled()
                newest = (await workspace._studio().recordings())[0]
                assert recordings.current_path() == str(newest["path"])
                chapters, rid = workspace.chapters_panel, str(newest["id"])
                await wait_for(lambda: chapters.recording_id == rid, within=30,  # noqa: B023  (awaited here)
                               what="the Chapters tab on the new recording")

    run(qloop, scenario())


@contextlib.contextmanager
def port_taken(port: int) -> Iterator[socket.socket]:
    """Another program listening on the port (loopback); if one already is, it is taken all the same."""
    holder = socket.socket()
    try:
        with contextlib.suppress(OSError):
            holder.bind(("127.0.0.1", port))
            holder.listen()
        yield holder
    finally:
        holder.close()


def test_the_rooms_network_starts_on_another_port_when_its_own_is_taken(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            await a_test_pattern(workspace, qtbot)
            panel = workspace.live_panel
            with port_taken(LAN_PORT):
                qtbot.mouseClick(panel.lan_button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: panel.lan_label.isVisible(), within=60, what="the room-network address")
            assert panel.lan_url.endswith("/live/") and f":{LAN_PORT}/" not in panel.lan_url
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: not workspace.recording, within=60, what="the recording stopped")

    run(qloop, scenario())


def test_not_enough_disk_gives_advice_the_window_can_follow(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            await a_test_pattern(workspace, qtbot)
            workspace._studio().start_floor_bytes = 2**60  # more than any disk has free
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            words = {"en": ("Not enough free disk space", "another folder", "“Open folder”"),
                     "ru": ("Недостаточно места", "другую папку", "«Открыть папку»")}[language]
            await wait_for(lambda: words[0] in workspace.status_label.text(), within=30, what="the refusal")
            text = workspace.status_label.text()
            assert not workspace.recording
            # The window has no setting for the recordings' folder; it has Open folder in the Recordings tab.
            assert words[1] not in text and words[2] in text, text

    run(qloop, scenario())
