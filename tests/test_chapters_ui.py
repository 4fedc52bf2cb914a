"""The Studio's Chapters tab on the real asyncio-in-Qt loop: the recording picked in Recordings, its chapters
renamed, deleted and added at the player's position, saved into the store, the .vtt and the MP4's atoms."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import numpy as np
import qasync
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.media import chapters_store
from classroom_console.media.artifacts import chapters_path, size_and_sha256
from classroom_console.media.chapters import Chapter
from classroom_console.media.chapters_detect import jpeg
from classroom_console.media.chapters_synthetic import SlideDeck, write_deck
from tests.qt_helpers import run, wait_for
from ui.bridge import RoomBridge
from ui.workspaces.studio import StudioWorkspace


def atoms(path: Path) -> list[tuple[float, str]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    return [(round(float(c["start_time"]), 3), c["tags"]["title"]) for c in json.loads(out)["chapters"]]


def test_rename_delete_and_add_at_the_player_then_save(qtbot: QtBot, qloop: qasync.QEventLoop,
                                                       tmp_path: Path) -> None:
    async def scenario() -> None:
        core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
        await core.start()
        store = core.store
        assert store is not None
        path = tmp_path / "recordings" / "lecture.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(write_deck, path, SlideDeck(size=(320, 180), duration_s=8.0, changes=(3.0,)))
        size, sha = await asyncio.to_thread(size_and_sha256, path)
        rid = await store.add_recording(None, str(path))
        await store.call(lambda s: s.finish_recording(rid, duration_s=8.0, size_bytes=size, sha256=sha, stats={}))
        picture = np.zeros((90, 160, 3), np.uint8)
        picture[:, 80:] = 200
        thumb = jpeg(picture)
        found = [Chapter(0.0, "Chapter 1", thumbnail=thumb), Chapter(3.0, "Chapter 2"), Chapter(6.0, "Chapter 3")]
        await store.call(lambda s: chapters_store.replace_all(s, rid, found))
        bridge = RoomBridge(core)
        workspace = StudioWorkspace(bridge)
        qtbot.addWidget(workspace)
        try:
            workspace.resize(1366, 768)
            workspace.show()
            panel = workspace.chapters_panel
            tabs = workspace.side_tabs
            assert tabs.tabText(tabs.indexOf(panel)) == "Chapters"
            workspace.refresh_recordings()
            await wait_for(lambda: workspace.recordings.list.count() == 1, 30, "the recording listed")
            workspace.recordings.list.setCurrentRow(0)
            await wait_for(lambda: panel.list.count() == 3, 30, "its chapters shown")
            assert not panel.save_button.isEnabled(), "nothing to save yet"
            assert not panel.list.item(0).icon().isNull() and panel.list.item(1).icon().isNull(), "its thumbnail"

            panel.rename(1, "  Fourier   series ")
            assert panel.chapters[1].title == "Fourier series" and panel.dirty
            panel.list.setCurrentRow(2)
            panel.delete_current()
            assert [c.start_s for c in panel.chapters] == [0.0, 3.0]
            panel.position = lambda: 5.25  # where the player stands
            panel.add_here()
            assert [c.start_s for c in panel.chapters] == [0.0, 3.0, 5.25]
            panel.add_here()
            assert len(panel.chapters) == 3 and "already" in panel.status.text(), "no second chapter there"
            panel.rename(0, "")
            assert panel.chapters[0].title == "Chapter 1", "an empty title is refused"
            assert panel.list.item(2).text().startswith("00:05")
            tabs.setCurrentWidget(panel)
            panel.grab().save(str(tmp_path / "chapters.png"))
            assert panel.save_button.isEnabled()
            panel.save_button.click()
            await wait_for(lambda: not panel.dirty, 60, "the chapters saved")
            assert "Saved into the recording" in panel.status.text()
            stored = await store.call(lambda s: chapters_store.load(s, rid))
            assert [(c.start_s, c.title) for c in stored] == [(0.0, "Chapter 1"), (3.0, "Fourier series"),
                                                              (5.25, "Chapter 3")]
            listed = await asyncio.to_thread(atoms, path)
            assert listed == [(0.0, "Chapter 1"), (3.0, "Fourier series"), (5.25, "Chapter 3")]
            vtt = await asyncio.to_thread(chapters_path(path).read_text, encoding="utf-8")
            assert "Fourier series" in vtt and "00:00:05.250 --> 00:00:08.000" in vtt
        finally:
            await workspace.shutdown()
            bridge.detach()
            await core.stop()

    run(qloop, scenario())
