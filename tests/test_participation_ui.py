"""The Centre workspace shows tablet participation from the room's own log: counts and rates in words, the
users' own text (a course name) shown as text, never as markup."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.participation import Participation
from tests.qt_helpers import run, wait_for
from ui.bridge import RoomBridge
from ui.workspaces.centre import CentreWorkspace

COURSE = '<img src=x onerror="alert(1)"><b>Optics</b>'


def test_centre_workspace_shows_participation_and_escapes_course_names(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        assert core.store is not None
        sid = await core.store.start_session(room_id=core.room_id, lecturer="Aliya", course=COURSE)
        p = Participation(core.store)
        for seat in ("1", "2", "3", "4"):
            p.joined(sid, seat, f"<script>{seat}</script>")
        p.activity_started(sid, "poll-1", "poll", {"question": "Ready?", "options": ["Yes", "No"]})
        for seat in ("1", "2", "3"):
            p.answered(sid, "poll-1", seat, "Yes")
        await p.flush()
        await core.store.end_session(sid)
        bridge = RoomBridge(core)
        page = CentreWorkspace(bridge)
        qtbot.addWidget(page)
        page.resize(1366, 768)
        page.show()
        try:
            await wait_for(lambda: page.report is not None and page.report.sessions == 1, within=30, what="report")
            text = page.tablets_label.text()
            assert page.tablets_label.textFormat() == Qt.TextFormat.PlainText
            assert "; joined: 4, activities: 1, answers: 3, response rate: 75%." in text
            assert f"{COURSE}: joined: 4, answers: 3, response rate: 75%" in text
            assert "<script>" not in text  # names are never in the figures
            page.grab().save(str(tmp_path / "centre.png"))
        finally:
            bridge.detach()
            await core.stop()
            await asyncio.sleep(0.2)  # let closed sockets' notifiers go before the fixture closes the loop

    run(qloop, scenario())
