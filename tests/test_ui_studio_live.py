"""Going live from the Studio against a real nginx-rtmp on loopback: a destination with its key kept secret,
Go Live (the recording starts too), its health, LIVE in the Lecturer workspace, Stop with the recording going on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.qt_helpers import run, wait_for
from tests.test_stream_rtmp import Nginx, nginx  # noqa: F401  (nginx: a fixture)
from tests.test_ui_studio import add, studio_workspace
from ui.studio_live import DestinationDialog
from ui.workspaces.lecturer import LecturerWorkspace

KEY = "lecture-key-7f3a9c"


def test_go_live_from_the_studio_and_see_it_everywhere(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, nginx: Nginx  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path / "data") as (_core, workspace):
            lecturer = LecturerWorkspace(workspace.bridge)
            qtbot.addWidget(lecturer)
            lecturer.show()
            workspace.show()
            add(workspace, qtbot, "test-pattern", "320x180")
            add(workspace, qtbot, "tone")
            await wait_for(lambda: workspace.record_button.isEnabled(), within=30, what="the sources")
            panel = workspace.live_panel
            assert not panel.empty_hint.isHidden() and "Add…" in panel.empty_hint.text()  # says what to do
            qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
            dialog = panel.dialog
            assert dialog is not None
            dialog.name.setText("Hall stream")
            dialog.server.setText("http://not-rtmp/")
            dialog.key.setText(KEY)
            qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
            await wait_for(dialog.error.isVisible, within=30, what="the refusal of a URL that is not RTMP")
            assert dialog.isVisible() and "not an RTMP or SRT address" in dialog.error.text()
            dialog.server.setText(f"rtmp://127.0.0.1:{nginx.port}/live/")
            qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
            await wait_for(lambda: panel.list.count() == 1, within=30, what="the destination listed")
            item = panel.list.item(0)
            assert "Hall stream" in item.text() and KEY not in item.text() + item.toolTip()
            assert panel.empty_hint.isHidden()

            panel.list.setCurrentRow(0)
            qtbot.mouseClick(panel.go_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: "LIVE" in panel.list.item(0).text(), within=60, what="LIVE in the studio")
            assert workspace.recording  # going live started the recording too
            await wait_for(lambda: lecturer.live_badge.isVisible() and lecturer.live_badge.text().startswith("● LIVE"),
                           within=30, what="LIVE in the Lecturer workspace")
            await wait_for(lambda: bool(nginx.recordings(KEY)), within=30, what="the server receiving it")

            qtbot.mouseClick(panel.stop_all_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: "Not live" in panel.list.item(0).text(), within=60, what="the stream stopped")
            assert workspace.recording  # the recording goes on
            # Nothing live, the recording goes on: the lecturer sees REC and its time instead (there was no sign).
            await wait_for(lambda: lecturer.live_badge.text().startswith("● REC"), within=30, what="REC, not LIVE")
            assert lecturer.live_badge.isVisible()
            # The room's own network: tablets and overflow rooms open the console's /live/ page.
            qtbot.mouseClick(panel.lan_button, Qt.MouseButton.LeftButton)
            qtbot.mouseClick(panel.lan_button, Qt.MouseButton.LeftButton)  # impatient: before the first one's answer
            await wait_for(lambda: panel.lan_label.isVisible(), within=60, what="the room-network address")
            hls = [o for o in workspace.bridge.studio().output_stats() if o.kind == "hls"]
            assert len(hls) == 1, hls  # the second press started a second HLS output
            url = panel.lan_url
            assert url.endswith("/live/")
            async with aiohttp.ClientSession() as session:
                playlist = url.removesuffix("/live/") + "/live/index.m3u8"
                deadline = asyncio.get_running_loop().time() + 60
                while asyncio.get_running_loop().time() < deadline:
                    async with session.get(playlist) as response:
                        if response.status == 200 and "#EXTINF" in await response.text():
                            break
                    await asyncio.sleep(0.2)
                else:
                    raise AssertionError("no HLS segment on the room's network")
                # The same button ends it; the recording goes on, and viewers' players are told the stream ended.
                assert panel.lan_button.isEnabled() and panel.lan_button.text() == "Stop on the room's network"
                qtbot.mouseClick(panel.lan_button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: not panel.lan_label.isVisible(), within=60, what="the room's network ended")
                assert workspace.recording and panel.lan_button.text() == "On the room's network"
                async with session.get(playlist) as response:
                    assert "#EXT-X-ENDLIST" in await response.text()
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: not workspace.recording, within=60, what="the recording stopped")
            await wait_for(lambda: not lecturer.live_badge.isVisible(), within=30, what="no sign once it stopped")

    run(qloop, scenario())
    settings = (tmp_path / "data" / "settings.json").read_text(encoding="utf-8")
    assert "Hall stream" in settings and KEY not in settings  # the name is a setting, the key a secret


def test_the_centre_is_offered_as_a_destination_once_the_room_uploads_to_it(qtbot: QtBot) -> None:
    dialog = DestinationDialog(None, centre_host="centre.uni.kg")
    qtbot.addWidget(dialog)
    index = dialog.preset.findText("The centre")
    assert index == 1 and dialog.preset.itemData(index) == "rtmp://centre.uni.kg/live/"
    dialog.preset.setCurrentIndex(index)
    assert dialog.server.text() == "rtmp://centre.uni.kg/live/" and dialog.name.text() == "The centre"
    plain = DestinationDialog(None)
    qtbot.addWidget(plain)
    assert plain.preset.findText("The centre") == -1  # no centre set up: not offered
