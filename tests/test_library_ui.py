"""The Centre workspace's Library tab against a real centre process: the synced lecture listed with its chapters,
published with a staff token (the centre then serves it), refused in words with a room's token; the link and QR."""

from __future__ import annotations

import asyncio
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from classroom_console.centre.library_db import public_key
from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.store import Store
from classroom_console.sync import items as sync_items
from tests.qt_helpers import run, wait_for
from tests.test_library_support import add_lecture, make_jpeg, make_mp4
from tests.test_sync_cli import centre, cli  # noqa: F401  (centre is a fixture)
from tests.test_sync_support import engine_for
from ui import i18n
from ui.bridge import RoomBridge
from ui.centre_library import LibraryPage
from ui.workspaces.centre import CentreWorkspace

SHOT = os.environ.get("LIBRARY_TAB_SHOT", "")  # a path: save the tab's picture there (to look at it)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_library_tab_lists_publishes_and_explains_a_room_token(
    qtbot: QtBot, qloop: qasync.QEventLoop, qapp: QCoreApplication, tmp_path: Path,
    centre: tuple[str, Path], lang: str,  # noqa: F811 (fixture)
) -> None:
    url, data = centre
    room_token = cli("centre", "add-room", "Room 101", "--data", str(data)).stdout.strip().splitlines()[-1]
    staff_token = cli("centre", "add-staff", "Staff", "--data", str(data)).stdout.strip().splitlines()[-1]
    mp4 = make_mp4(tmp_path / "lecture.mp4", seconds=3.0)
    thumbs = [make_jpeg(tmp_path / f"{n}.jpg", "gray") for n in range(3)]
    translators = i18n.install(qapp, lang) if lang != "en" else []

    def use_token(token: str) -> Callable[[Store], None]:
        return lambda s: sync_items.put_settings(s, {"centre_url": url, "token": token, "token_in": "store"})

    def cell(page: LibraryPage, row: int, column: int) -> str:
        item = page.table.item(row, column)
        return item.text() if item is not None else ""

    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path / "room", discover=False))
        await core.start()
        store = core.store
        assert store is not None
        lecture = await store.call(lambda s: add_lecture(s, mp4, thumbs))
        engine = engine_for(store, url, room_token)
        try:
            assert (await engine.run_once(force=True)).failed == 0
        finally:
            await engine.close()
        await store.call(use_token(staff_token))
        bridge = RoomBridge(core)
        workspace = CentreWorkspace(bridge)
        qtbot.addWidget(workspace)
        workspace.resize(1366, 768)
        workspace.show()
        workspace.tabs.setCurrentWidget(workspace.library)
        page = workspace.library
        try:
            assert not workspace.filters.isVisible(), "the usage filters are not the library's"
            await wait_for(lambda: page.table.rowCount() == 1, within=30, what="the centre's recordings")
            assert f"{url}/library/" in page.link.text() and not page.qr.pixmap().isNull()
            assert cell(page, 0, 5) == "3"  # chapters
            assert not page.publish_button.isEnabled()  # nothing chosen yet
            page.table.selectRow(0)
            assert page.publish_button.isEnabled() and not page.unpublish_button.isEnabled()
            key = public_key("Room 101", lecture.recording_id)
            assert await asyncio.to_thread(_status, f"{url}/library/watch/{key}") == 404
            qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
            published = QCoreApplication.translate("LibraryPage", "Published")
            await wait_for(lambda: page.table.rowCount() == 1 and cell(page, 0, 3) == published,
                           within=30, what="published")
            assert await asyncio.to_thread(_status, f"{url}/library/watch/{key}") == 200
            if SHOT:
                workspace.grab().save(SHOT.replace(".png", f"-{lang}.png"))
            await store.call(use_token(room_token))  # a room's token may read its own, not publish
            page.table.setRowCount(0)  # so the wait below sees this answer, not the last one
            page.refresh()
            await wait_for(lambda: page.table.rowCount() == 1, within=30, what="the list again")
            page.table.selectRow(0)
            qtbot.mouseClick(page.unpublish_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: page.notice.isVisible(), within=30, what="the refusal in words")
            assert "add-staff" in page.notice.text()
            assert await asyncio.to_thread(_status, f"{url}/library/watch/{key}") == 200
        finally:
            bridge.detach()
            await core.stop()
            await asyncio.sleep(0.2)  # let closed sockets' notifiers go before the fixture closes the loop

    try:
        run(qloop, scenario())
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
