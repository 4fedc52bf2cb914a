"""The studio workspace on the real asyncio-in-Qt loop: sources, live preview, record, marker, playback."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest
import qasync
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.media import Layout, LowerThird, RecordingResult, RecordingStats, lower_third_rect
from classroom_console.media.compose import compose
from classroom_console.media.encoder import StopReason
from devices.model import Availability, DeviceInfo, DeviceKind
from tests.qt_helpers import run, wait_for
from tests.test_ui_devices_cards import Events, settled
from ui import i18n
from ui.bridge import RoomBridge
from ui.studio_caption import caption_picture
from ui.studio_stats import StatsPanel
from ui.workspaces.studio import StudioWorkspace

# A freeze, not a speed target: encoding or file I/O on the GUI thread would block it for seconds; a loaded 2-core
# machine alone showed 430 ms. The one-frame (16 ms) target is measured in bench/, beside stress-ng.
MAX_STALL_S = 1.5


class StallMeter:
    """The longest the Qt main thread went without running a 5 ms timer: how long it was blocked."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._last = time.monotonic()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last - 0.005)
        self._last = now

    def start(self) -> None:
        self._last = time.monotonic()
        self.timer.start()


@contextlib.asynccontextmanager
async def studio_workspace(qtbot: QtBot, tmp_path: Path) -> AsyncIterator[tuple[ConsoleCore, StudioWorkspace]]:
    """A started core (no discovery) and its studio workspace, shut down in the app's order afterwards."""
    core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, discover=False))
    await core.start()
    bridge = RoomBridge(core)
    workspace = StudioWorkspace(bridge)
    qtbot.addWidget(workspace)
    try:
        yield core, workspace
    finally:
        await workspace.shutdown()
        bridge.detach()
        await core.stop()


LECTURER_SCREEN = (1366 - 156, 740)  # a lecturer PC's 1366x768, less the sidebar and the window's edges


def show_on_a_lecturer_screen(workspace: StudioWorkspace, qtbot: QtBot) -> None:
    workspace.resize(*LECTURER_SCREEN)
    workspace.show()
    qtbot.waitExposed(workspace)


def add(workspace: StudioWorkspace, qtbot: QtBot, kind: str, detail: str = "") -> None:
    picker = workspace.sources.kind_picker
    picker.setCurrentIndex(picker.findData(kind))
    workspace.sources.detail.setEditText(detail)
    qtbot.mouseClick(workspace.sources.add_button, Qt.MouseButton.LeftButton)


def test_record_with_preview_marker_and_play_it_back(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (core, workspace):
            workspace.resize(1300, 760)
            workspace.show()
            stalls = StallMeter()
            assert not workspace.record_button.isEnabled()
            add(workspace, qtbot, "test-pattern", "640x360")
            add(workspace, qtbot, "test-pattern", "640x360")
            add(workspace, qtbot, "tone")
            await wait_for(lambda: workspace.preview_view.image is not None, within=30, what="the live preview")
            await wait_for(lambda: workspace.sources.list.count() == 3, within=30, what="three sources listed")
            await wait_for(lambda: any(bar.peak_db > -60 for _t, bar, _f in workspace.mixer.rows.values()),
                           within=30, what="the tone's meter to move")
            assert workspace.record_button.isEnabled()
            workspace.layout_picker.setCurrentIndex(workspace.layout_picker.findData("pip"))
            assert workspace.studio is not None and str(workspace.studio.layout.kind) == "pip"

            workspace.tracks_check.setChecked(True)  # each test pattern in a file of its own too
            stalls.start()
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: workspace.recording, within=30, what="recording to start")
            # two seconds on the clock, so the file holds over one however many of its last frames a busy
            # encoder skipped (skipped frames are counted, not encoded: beside stress-ng they cut 0.93 s files)
            await wait_for(lambda: workspace.record_button.text().endswith("00:00:02"), within=30, what="elapsed time")
            # A big picture and a long status must not raise the window's minimum (it once grew past the screen).
            assert workspace.minimumSizeHint().width() <= 1366 - 156, workspace.minimumSizeHint()
            qtbot.mouseClick(workspace.marker_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: "Marker at" in workspace.status_label.text(), within=30, what="the marker")
            workspace.layout_picker.setCurrentIndex(workspace.layout_picker.findData("side-by-side"))
            await wait_for(lambda: workspace.stats_panel.values["fps"].text() != "—", within=30, what="stats")
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: "Saved" in workspace.status_label.text(),
                           within=30, what="the recording to be saved")
            stalls.timer.stop()
            assert workspace.record_button.text() == "● Record"
            assert "per-source files beside it: 2" in workspace.status_label.text()
            await wait_for(lambda: workspace.recordings.list.count() == 1, within=30, what="the recordings list")
            assert workspace.recordings.list.item(0).text().endswith("+ per-source files: 2")
            listed = workspace.recordings.list.item(0).toolTip().splitlines()
            assert [Path(p).name.split(".", 1)[1] for p in listed] == ["mp4", "test-pattern.mp4", "test-pattern-2.mp4"]
            assert workspace.relay.shown < workspace.relay.offered + 1
            assert stalls.longest < MAX_STALL_S, f"the GUI thread was blocked for {stalls.longest * 1000:.0f} ms"

            rows = await workspace.studio.recordings()
            assert rows[0]["duration_s"] > 1.0 and rows[0]["sha256"]
            tracks = rows[0]["stats"]["tracks"]
            assert [t["path"] for t in tracks] == listed[1:] and all(t["size_bytes"] > 0 for t in tracks)
            assert core.store is not None
            markers = await core.store.call(lambda s: s.markers(rows[0]["id"]))
            assert len(markers) == 1

            workspace.recordings.list.setCurrentRow(0)
            qtbot.mouseClick(workspace.recordings.play_button, Qt.MouseButton.LeftButton)
            assert workspace.recordings.play_button.text() == "Pause"
            await wait_for(lambda: workspace.recordings.view.image is not None, within=30, what="playback pictures")
            await wait_for(lambda: workspace.recordings.seek_bar.maximum() > 1000, within=30, what="the seek bar")
            # A short recording may already have ended by now on a busy machine: the button follows the
            # player either way, and says Play again once the end is reached.
            await wait_for(lambda: workspace.recordings.play_button.text() == "Play", within=60,
                           what="the end of the recording")

    run(qloop, scenario())


def test_removing_a_source_and_a_bad_camera(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()
            add(workspace, qtbot, "camera", "/nonexistent/camera.mjpg")
            await wait_for(lambda: workspace.sources.list.count() == 1, within=30, what="the camera listed")
            item = workspace.sources.list.item(0)
            await wait_for(lambda: "failed" in item.text(), within=30, what="a clear failure")
            # What to check in the line, in the user's language; OpenCV's detail (the URL) only in the tooltip.
            assert "cannot be opened; check its address or connection" in item.text()
            assert "/nonexistent" not in item.text()
            assert "cannot open /nonexistent/camera.mjpg" in item.toolTip()
            assert item.foreground().color().name() == "#c1121f"  # a failed source is red, hard to miss
            workspace.sources.list.setCurrentRow(0)
            qtbot.mouseClick(workspace.sources.remove_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: workspace.sources.list.count() == 0, within=30, what="the camera removed")

    run(qloop, scenario())


def test_the_caption_is_drawn_with_qt_fonts_so_cyrillic_survives(qtbot: QtBot) -> None:
    lower = LowerThird("Алия Нурлановна", "Физика 1", "2026-11-24")
    picture = caption_picture(lower, 1280, 720)
    x, y, w, h = lower_third_rect(1280, 720)
    assert picture.shape == (h, w, 3)
    assert (picture.min(axis=2) > 200).sum() > 500, "white text pixels"
    frame = compose(Layout(lower_third=LowerThird(lower.lecturer, lower.course, lower.date, picture)),
                    [np.zeros((720, 1280, 3), np.uint8)], 1280, 720)
    assert (frame[y : y + h, x : x + w].min(axis=2) > 150).sum() > 500


def test_changing_the_output_rebuilds_the_program_with_the_same_sources(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()
            add(workspace, qtbot, "test-pattern")
            add(workspace, qtbot, "tone")
            await wait_for(lambda: workspace.preview_view.image is not None, within=30, what="the live preview")
            workspace.output_picker.setCurrentIndex(workspace.output_picker.findData("1920x1080@25"))
            studio = workspace.studio
            assert studio is not None
            await wait_for(lambda: (studio.program.size, studio.program.fps) == ((1920, 1080), 25),
                           within=30, what="rebuild")
            await wait_for(lambda: studio.program.composed > 5, within=30, what="the new program to run")
            assert [s.name for s in studio.sources] == ["test-pattern", "tone"]
            assert studio.sources[0].size == (1920, 1080)  # type: ignore[attr-defined]

    run(qloop, scenario())


@pytest.fixture
def russian(qapp: QCoreApplication) -> Iterator[None]:
    translators = i18n.install(qapp, "ru")
    assert translators, "no Russian translation found: scripts/setup.sh compiles assets/i18n/*.ts"
    try:
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


@pytest.mark.parametrize(("reason", "detail", "seconds", "said", "unsaid"), [
    (StopReason.DISK_FULL, "the disk is nearly full: the recording was stopped and saved", 42.0, "Диск заполнен", ()),
    # x264's own process killed or stuck (tests/test_media_x264_lost.py makes both): the Studio said "Details: the
    # encoder failed: [Errno 32] Broken pipe" inside a Russian sentence (R10).
    (StopReason.ENCODER_LOST, "the encoder failed: x264's process ended (exit status -9)", 95.0,
     "Процесс кодировщика", ("x264", "exit status")),
])
def test_a_recording_ended_early_is_told_in_the_users_language(
    qtbot: QtBot, qloop: qasync.QEventLoop, russian: None, tmp_path: Path,
    reason: str, detail: str, seconds: float, said: str, unsaid: tuple[str, ...],
) -> None:
    """The core's reason is a code; the sentence is the UI's, so a Russian reader gets it in Russian (the full
    disk itself is staged on a real tmpfs in test_record_disk; here the ending it produces reaches the screen)."""

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            ended = RecordingResult("r1", tmp_path / "lecture.mp4", seconds, 1_000_000, "", reason, detail,
                                    RecordingStats(frames=round(seconds * 30)))
            workspace._stopped(ended)
            text = workspace.status_label.text()
            assert said in text and "lecture.mp4" in text and f"{seconds:.0f}" in text, text
            assert not any(word in text for word in unsaid), text

    run(qloop, scenario())


def test_a_recording_ended_by_a_disk_that_stopped_answering_says_so(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """The encoder gives a hung disk's writer up and ends as disk-not-answering (tests/test_media_recording_hung_disk
    makes one with a pipe nobody reads); the Studio said "Saved lecture.mp4" as if all were well."""

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            ended = RecordingResult("r1", tmp_path / "lecture.mp4", 12.0, 500_000, "", StopReason.DISK_HUNG,
                                    "the disk did not answer for 30 s", RecordingStats(frames=360))
            workspace._stopped(ended)
            text = workspace.status_label.text()
            assert "stopped answering" in text and "lecture.mp4" in text and "Saved" not in text, text

    run(qloop, scenario())


def test_a_start_refused_for_want_of_disk_is_told_in_the_users_language(
    qtbot: QtBot, qloop: qasync.QEventLoop, russian: None, tmp_path: Path
) -> None:
    """The real free space of tmp_path against a floor no disk meets: nothing starts, nothing is registered,
    and the reader learns why with the figures, in Russian, and can try again."""

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()
            studio = workspace._studio()
            studio.start_floor_bytes = 2**60  # an exbibyte
            add(workspace, qtbot, "tone")
            await wait_for(lambda: workspace.record_button.isEnabled(), within=30, what="the record button")
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: "Недостаточно места" in workspace.status_label.text(), within=30, what="the refusal")
            text = workspace.status_label.text()
            assert str(studio.folder) in text and str(2**60 // 2**20) in text, text
            assert not workspace.recording
            await wait_for(lambda: workspace.record_button.isEnabled(),
                           within=30, what="the button back for another try")
            assert await studio.recordings() == []
            assert not list(studio.folder.glob("*.mp4"))

    run(qloop, scenario())


def test_each_source_type_starts_empty_and_offers_the_rooms_cameras(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (core, workspace):
            core.room.update_device(DeviceInfo(
                uid="mac:02:00:00:00:00:07", kind=DeviceKind.CAMERA, name="Camera 1", address="127.0.80.9", port=8899,
                protocol="onvif", availability=Availability.ONLINE, capabilities=frozenset({"stream"}),
                state={"stream_url": "http://127.0.80.9:8080/stream.mjpg"}))
            sources = workspace.sources
            sources.kind_picker.setCurrentIndex(sources.kind_picker.findData("camera"))
            assert sources.detail.count() == 1 and "Camera 1" in sources.detail.itemText(0)
            sources.detail.setCurrentIndex(0)
            assert sources.spec() == "camera:http://127.0.80.9:8080/stream.mjpg"  # its URL, not its label
            sources.detail.setEditText("rtsp://10.0.0.5/typed")
            sources.kind_picker.setCurrentIndex(sources.kind_picker.findData("test-pattern"))
            assert sources.detail.currentText() == "" and sources.spec() == "test-pattern"  # nothing left behind

    run(qloop, scenario())


def test_time_left_reads_in_hours_and_days(qtbot: QtBot) -> None:
    panel = StatsPanel()
    qtbot.addWidget(panel)
    assert panel.time_left(12059) == "over 8 days"
    assert panel.time_left(125) == "2 h 05 min" and panel.time_left(7.6) == "7 min"


def test_the_record_buttons_running_timer_lays_out_nothing(qtbot: QtBot, qloop: qasync.QEventLoop,
                                                           tmp_path: Path) -> None:
    """Its text changes every second of a recording; a button whose size could change made Qt lay out the whole
    Studio each time (U9, bench/ui_stall.py --only pip). The widest text still shows whole."""

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            show_on_a_lecturer_screen(workspace, qtbot)
            await settled(workspace)
            button = workspace.record_button
            passes = Events()  # the layout requests of the widgets that hold the button, up to the workspace
            holder = button.parentWidget()
            while holder is not None:
                holder.installEventFilter(passes)
                holder = None if holder is workspace else holder.parentWidget()
            for second in range(10):
                button.setText(workspace.tr("■ Stop  %1").replace("%1", f"00:00:{second:02d}"))
                await settled(workspace)
            assert passes.count == 0, f"{passes.count} layout passes for 10 ticks of the timer"
            assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()

    run(qloop, scenario())
