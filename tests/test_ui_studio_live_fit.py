"""The Studio's Live tab at a lecturer PC's 1366x768, in English and Russian, while the program is on the room's
network: the empty list's hint shows every line whole (in Russian its last line lost its lower half, squeezed
between the tabs' top and an empty list kept at its own minimum height)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from classroom_console.live import LAN
from classroom_console.media.output import OutputStats
from tests.qt_helpers import run, wait_for
from tests.test_ui_studio_fit import studio_at_1366x768
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)


def test_the_empty_lists_hint_shows_whole_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with studio_at_1366x768(qtbot, tmp_path) as workspace:
            panel = workspace.live_panel
            panel.show_lan("http://192.0.2.2:8088/live/")
            panel.show_health({LAN: OutputStats(LAN, "hls", "live")})
            workspace.side_tabs.setCurrentWidget(panel)
            hint = panel.empty_hint
            await wait_for(lambda: hint.isVisible() and panel.lan_label.isVisible(), what="the Live tab shown")
            await asyncio.sleep(0.2)  # laid out once shown
            shot = os.environ.get("CLASSROOM_CONSOLE_SHOTS")
            if shot:  # for a look: CLASSROOM_CONSOLE_SHOTS=/some/folder
                workspace.grab().save(str(Path(shot) / f"studio-live-fit-{language}.png"))
            needs = hint.heightForWidth(hint.width())
            assert hint.height() >= needs, f"{language}: the hint has {hint.height()} px of the {needs} it needs"
            bottom = hint.mapTo(panel, hint.rect().bottomLeft()).y()
            assert bottom <= panel.height(), f"{language}: the hint runs past the tab's foot"
            for button in (panel.go_button, panel.lan_button, panel.add_button):
                assert button.isVisible() and button.height() >= button.minimumSizeHint().height()

    run(qloop, scenario())
