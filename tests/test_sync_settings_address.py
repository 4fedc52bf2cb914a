"""The centre's address: the window saves none that `classroom-console sync --centre` refuses, by the same rule.

The sync panel saved "centre.local" and "ftp://127.0.0.1/", then "Sync now" never said why nothing went.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from classroom_console.store import AsyncStore
from classroom_console.sync import SyncError, SyncProgress
from classroom_console.sync.progress import OFFLINE
from classroom_console.sync.room import BAD_ADDRESS, address_problem, load_settings, save_settings
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_sync_cli import cli
from tests.test_sync_support import fill_room

REFUSED = ["centre.local", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999", "127.0.0.1:8765"]
TAKEN = ["http://127.0.0.1:1", "https://centre.example.edu:8765", "  http://centre.local/  "]


def test_the_command_line_and_the_core_refuse_the_same_addresses(tmp_path: Path) -> None:
    for url in REFUSED:
        said = cli("--lang", "en", "--data-dir", str(tmp_path / "cli"), "sync", "--centre", url, "--once")
        assert said.returncode == 2 and "is not a centre's address" in said.stderr, (url, said.stderr)
        assert address_problem(url) == BAD_ADDRESS, url
    for url in TAKEN:
        assert address_problem(url) == "", url


def test_saving_a_refused_address_saves_nothing(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = await AsyncStore.open(tmp_path)
        try:
            await save_settings(store, "http://127.0.0.1:8765", "tok", False)
            for url in REFUSED:
                with pytest.raises(SyncError) as refused:
                    await save_settings(store, url, "other", True)
                assert refused.value.reason == BAD_ADDRESS
            settings = await load_settings(store)
            assert settings["centre_url"] == "http://127.0.0.1:8765" and settings["token"] == "tok"
            assert settings["delete_uploaded_media"] == "0"
            await save_settings(store, "", "", False)  # an empty address turns the sync off: allowed
            assert (await load_settings(store))["centre_url"] == ""
        finally:
            await store.close()

    asyncio.run(scenario())


def test_the_panel_refuses_the_address_with_a_message_and_keeps_the_saved_one(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """The saved address stays in use: the background upload's news of it (unreachable) does not hide the refusal
    of the address in the field."""

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path / "room") as (core, window):
            assert core.store is not None
            await core.store.call(lambda s: fill_room(s, tmp_path, sessions=3, events=2))
            window.show_workspace("centre")
            panel = window.centre.sync_panel
            news: list[SyncProgress] = []
            window.bridge.sig_sync_progress.connect(news.append)
            panel.url.setText("http://127.0.0.1:1")
            panel.token.setText("tok")
            qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
            await wait_for(lambda: panel.state.text() == "Saved.", what="the first save")
            for url, button in (("ftp://127.0.0.1/", panel.save), ("centre.local", panel.send)):
                panel.url.setText(url)
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                await wait_for(lambda: "is not a centre's address" in panel.state.text(), what="the refusal")
                said = panel.state.text()
                assert said.startswith(f"“{url}” is not a centre's address: give it as http(s)://HOST[:PORT]"), said
                assert "Nothing was saved or sent." in said and panel.send.isEnabled()
                news.clear()
                assert core.sync is not None and core.sync.engine is not None
                core.sync.engine.kick()  # the background pass on the saved address: unreachable
                await wait_for(lambda: any(p.state == OFFLINE for p in news), within=20, what="the background pass")
                assert panel.state.text() == said
                assert (await load_settings(core.store))["centre_url"] == "http://127.0.0.1:1"
                panel.state.setText("")

    run(qloop, scenario())
