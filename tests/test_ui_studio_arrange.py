"""The Studio as OBS users expect it: sources by their own names (kept across a restart), the main picture and the
inset chosen, studio scenes switched by hotkey, a meter per audio source in dBFS with hold and clip, and a stats
warning that names the late source. Real widgets on the real asyncio-in-Qt loop, real media sources."""

from __future__ import annotations

import http.server
import json
import math
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from classroom_console.media import Layout, LayoutKind, RecordingStats
from classroom_console.media.meter import CLIP_LEVEL
from classroom_console.settings import FILE_NAME
from tests.qt_helpers import run, wait_for
from tests.test_ui_studio import add, russian, studio_workspace
from ui.resources import stylesheet
from ui.studio_meters import LevelBar
from ui.workspaces.studio import StudioWorkspace

__all__ = ["russian"]  # the fixture, shared with test_ui_studio

BEEP_DB = 20 * math.log10(0.5)  # the test tone's beep: a 1 kHz sine at half scale, -6.02 dBFS
HUM_DB = 20 * math.log10(0.03)  # between beeps its 220 Hz hum: -30.46 dBFS peak
HUM_RMS_DB = HUM_DB - 10 * math.log10(2)  # a sine's RMS is 3.01 dB under its peak


def saved_setup(data_dir: Path) -> dict[str, object]:
    path = data_dir / FILE_NAME
    if not path.exists():
        return {}
    studio: dict[str, object] = json.loads(path.read_text(encoding="utf-8")).get("studio", {})
    return studio


def test_a_renamed_source_shows_its_name_and_comes_back_after_a_restart(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def first_run() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()
            add(workspace, qtbot, "test-pattern", "320x180")
            add(workspace, qtbot, "tone")
            sources = workspace.sources.list
            await wait_for(lambda: sources.count() == 2, within=30, what="two sources listed")
            # People's words, not the program's keys ("test-pattern", "tone — live").
            await wait_for(lambda: sources.item(1).text().startswith("Test tone — "),
                           within=30, what="the tone's words")
            assert sources.item(0).text().startswith("Test pattern — ")
            assert workspace.pickers.main_picker.currentText() == "Test pattern"

            # Renamed in place, as a user does: select, F2 / double-click, type, Enter.
            sources.setCurrentRow(0)
            sources.editItem(sources.item(0))
            editor = sources.findChild(QLineEdit, "sourceNameEditor")
            assert editor is not None and editor.text() == "Test pattern"  # the name alone, not the status line
            editor.setText("Board camera")
            workspace.refresh()  # the list's five-a-second refresh must not put the old name back while typing
            workspace.refresh()
            assert editor.text() == "Board camera"
            qtbot.keyClick(editor, Qt.Key.Key_Return)
            await wait_for(lambda: sources.item(0).text().startswith("Board camera — "),
                           within=30, what="the new name shown")
            await wait_for(lambda: workspace.pickers.main_picker.currentText() == "Board camera",
                           within=30, what="the Main picker to follow")
            await wait_for(lambda: "Board camera" in json.dumps(saved_setup(tmp_path)),
                           within=30, what="the name saved")
            workspace.save_scene("Board only")
            await wait_for(lambda: "Board only" in json.dumps(saved_setup(tmp_path)), within=30, what="the scene saved")

    async def second_run() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()  # the Studio opens: the room's sources come back with their names
            sources = workspace.sources.list
            await wait_for(lambda: sources.count() == 2, within=30, what="the saved sources back")
            await wait_for(lambda: sources.item(0).text().startswith("Board camera — "),
                           within=30, what="the given name")
            assert sources.item(1).text().startswith("Test tone — ")
            await wait_for(lambda: workspace.preview_view.image is not None, within=30, what="the program running")
            await wait_for(lambda: list(workspace.scene_bar.buttons) == ["Board only"], within=30,
                           what="the studio scene back too")
            assert workspace.scene_bar.buttons["Board only"].isChecked(), "and on show: it is the arrangement"

    run(qloop, first_run())
    run(qloop, second_run())


def _rgb(image: QImage, x: float, y: float) -> tuple[int, int, int]:
    colour = image.pixelColor(round(x * image.width()), round(y * image.height()))
    return colour.red(), colour.green(), colour.blue()


def _blue(rgb: tuple[int, int, int]) -> bool:
    """The first test pattern's stripes (navy and blue)."""
    r, _, b = rgb
    return b > r + 40


def _orange(rgb: tuple[int, int, int]) -> bool:
    """The second test pattern's stripes (brown and orange)."""
    r, _, b = rgb
    return r > b + 40


def test_swapping_main_and_inset_changes_the_program_picture(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.resize(1200, 740)
            workspace.show()
            add(workspace, qtbot, "test-pattern", "640x360")
            add(workspace, qtbot, "test-pattern", "640x360")
            await wait_for(lambda: workspace.pickers.main_picker.count() == 2,
                           within=30, what="both in the Main picker")
            workspace.layout_picker.setCurrentIndex(workspace.layout_picker.findData("pip"))
            studio = workspace.studio
            assert studio is not None
            slots = Layout(LayoutKind.PIP).slots(*studio.program.size)
            inset_x, inset_y, inset_w, inset_h = slots[1][1]
            width, height = studio.program.size
            inset_at = ((inset_x + inset_w / 2) / width, (inset_y + inset_h / 2) / height)

            def shows(main: object, inset: object) -> bool:
                image = workspace.preview_view.image
                # the main picture away from its burnt-in text and the inset; the inset at its centre
                return image is not None and main(_rgb(image, 0.35, 0.6)) and inset(_rgb(image, *inset_at))  # type: ignore[operator]

            await wait_for(lambda: shows(_blue, _orange), within=30, what="the first pattern as the main picture")
            # The pickers follow the studio on their own refresh: the swap is offered once both pictures are listed.
            await wait_for(workspace.pickers.swap_button.isEnabled, within=30, what="the swap button enabled")
            qtbot.mouseClick(workspace.pickers.swap_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: workspace.pickers.main_picker.currentText() == "Test pattern 2",
                           within=30, what="the second pattern in the Main picker")
            assert studio.layout.main_source == "test-pattern-2" and studio.layout.inset_source == "test-pattern"
            assert studio.program.placed_layout().main == 1
            await wait_for(lambda: shows(_orange, _blue), within=30, what="the swapped picture in the program")

            # Chosen by name: a source added later does not move the main picture.
            add(workspace, qtbot, "test-pattern", "640x360")
            await wait_for(lambda: len(studio.program.video_sources) == 3, within=30, what="a third source")
            assert studio.program.placed_layout().main == 1 and studio.program.placed_layout().inset == 0

    run(qloop, scenario())


def test_a_saved_studio_scene_switches_back_with_its_hotkey(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()
            workspace.activateWindow()
            await wait_for(workspace.isActiveWindow, within=30, what="the window active (shortcuts need it)")
            add(workspace, qtbot, "test-pattern", "320x180")
            add(workspace, qtbot, "test-pattern", "320x180")
            await wait_for(lambda: workspace.pickers.main_picker.count() == 2, within=30, what="both sources")
            workspace.layout_picker.setCurrentIndex(workspace.layout_picker.findData("pip"))
            workspace.corner_picker.setCurrentIndex(workspace.corner_picker.findData("top-left"))
            studio = workspace.studio
            assert studio is not None

            qtbot.mouseClick(workspace.scene_bar.save_button, Qt.MouseButton.LeftButton)
            dialog = workspace.scene_bar.dialog
            assert dialog is not None
            dialog.setTextValue("Lecturer + board")
            dialog.accept()
            await wait_for(lambda: "Lecturer + board" in workspace.scene_bar.buttons,
                           within=30, what="the scene's button")
            button = workspace.scene_bar.buttons["Lecturer + board"]
            await wait_for(button.isChecked, within=30, what="the scene on show lit")
            assert "Alt+1" in button.toolTip()
            await wait_for(lambda: "Lecturer + board" in json.dumps(saved_setup(tmp_path)),
                           within=30, what="the scene saved")

            # Something else on show: side by side, the other source as the main picture.
            workspace.layout_picker.setCurrentIndex(workspace.layout_picker.findData("side-by-side"))
            qtbot.mouseClick(workspace.pickers.swap_button, Qt.MouseButton.LeftButton)
            assert studio.layout.kind is LayoutKind.SIDE_BY_SIDE and studio.layout.main_source == "test-pattern-2"
            await wait_for(lambda: not button.isChecked(), within=30, what="the scene's button unlit")

            workspace.activateWindow()  # back from the dialog (the offscreen platform does not hand it back itself)
            await wait_for(workspace.isActiveWindow, within=30, what="the window active again")
            qtbot.keyClick(workspace, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
            layout = studio.layout
            assert layout.kind is LayoutKind.PIP and str(layout.corner) == "top-left"
            assert (layout.main_source, layout.inset_source) == ("test-pattern", "test-pattern-2")
            assert workspace.layout_picker.currentData() == "pip"
            assert workspace.corner_picker.currentData() == "top-left"
            await wait_for(button.isChecked, within=30, what="the scene lit again")
            await wait_for(lambda: workspace.pickers.main_picker.currentText() == "Test pattern",
                           within=30, what="Main follows")

            # Record/Stop and the marker have keys too, and their tooltips say which.
            assert "F9" in workspace.record_button.toolTip() and "Ctrl+M" in workspace.marker_button.toolTip()
            qtbot.keyClick(workspace, Qt.Key.Key_F9)
            await wait_for(lambda: workspace.recording, within=30, what="F9 to start the recording")
            assert "Stop recording (F9)" == workspace.record_button.toolTip()
            qtbot.keyClick(workspace, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
            await wait_for(lambda: "Marker at" in workspace.status_label.text(), within=30, what="Ctrl+M's marker")
            qtbot.keyClick(workspace, Qt.Key.Key_F9)
            await wait_for(lambda: "Saved" in workspace.status_label.text(), within=30, what="F9 to stop it")

    run(qloop, scenario())


def _meter(workspace: StudioWorkspace, name: str) -> tuple[LevelBar, str]:
    _title, bar, figure = workspace.mixer.rows[name]
    return bar, figure.text()


def _figure_db(text: str) -> float:
    number = text.split()[0]
    return -math.inf if number == "-inf" else float(number)


def test_the_meter_reads_a_known_tone_within_1_db_and_marks_clipping_with_peak_hold(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """The test tone is a 220 Hz hum at 0.03 with a half-scale 1 kHz beep every 2 s: known levels in dBFS."""

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()
            add(workspace, qtbot, "tone")
            await wait_for(lambda: "tone" in workspace.mixer.rows, within=30, what="the tone's meter")
            assert not workspace.mixer.isHidden()
            bar = workspace.mixer.rows["tone"][1]
            # The hum between beeps: the bar's peak and its loudness (RMS) at the hum's levels.
            await wait_for(lambda: abs(bar.peak_db - HUM_DB) < 1.0 and abs(bar.reading.rms_db - HUM_RMS_DB) < 1.0,
                           within=30, what=f"the hum's peak at {HUM_DB:.1f} dBFS and its RMS at {HUM_RMS_DB:.1f}")
            # The beep: held by the peak-hold line, and in figures, while the bar itself has fallen back.
            await wait_for(lambda: abs(bar.hold_db - BEEP_DB) < 1.0 and bar.peak_db < bar.hold_db - 6,
                           within=30, what=f"the beep held at {BEEP_DB:.1f} dBFS after the bar fell")
            assert abs(_figure_db(_meter(workspace, "tone")[1]) - BEEP_DB) < 1.0, _meter(workspace, "tone")[1]
            assert not bar.clipped, "half scale does not clip"

            # +7 dB of gain through the Gain slider: the beep reaches full scale and is cut there.
            workspace.sources.list.setCurrentRow(0)
            workspace.sources.gain.setValue(7)
            await wait_for(lambda: bar.clipped and bar.hold_db > 20 * math.log10(CLIP_LEVEL) - 0.01, within=30,
                           what="the clip mark and a 0 dBFS hold")
            assert abs(_figure_db(_meter(workspace, "tone")[1])) < 1.0
            # The mark stays after the beep has gone (the bar falls back to the hum), until it is clicked.
            await wait_for(lambda: bar.peak_db < -25 and bar.clipped, within=30, what="the mark held after the beep")
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(bar.width() - 4, bar.height() // 2))
            assert workspace.studio is not None and not workspace.studio.meters()["tone"].clipped
            await wait_for(lambda: not bar.clipped, within=30, what="the mark cleared")

    run(qloop, scenario())


class SlowCamera:
    """An HTTP MJPEG camera that sends 5 pictures a second, as a camera on a struggling network does."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        stopping = self.stopping

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                ok, jpeg = cv2.imencode(".jpg", np.full((180, 320, 3), 90, np.uint8))
                assert ok
                while not stopping.is_set():
                    try:
                        self.wfile.write(f"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                                         .encode() + jpeg.tobytes() + b"\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    stopping.wait(0.2)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stream.mjpg"
        self.thread = threading.Thread(target=self.server.serve_forever, name="slow-camera")
        self.thread.start()

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def slow_camera() -> Iterator[SlowCamera]:
    camera = SlowCamera()
    try:
        yield camera
    finally:
        camera.close()


def test_a_warning_names_the_late_source(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, slow_camera: SlowCamera
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.show()
            add(workspace, qtbot, "camera", slow_camera.url)
            await wait_for(lambda: workspace.sources.list.count() == 1, within=30, what="the camera listed")
            studio = workspace.studio
            assert studio is not None
            workspace.rename_source(studio.sources[0].name, "Lectern camera")
            await wait_for(lambda: workspace.sources.list.item(0).text().startswith("Lectern camera — live"),
                           within=30, what="the camera live")
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: workspace.recording, within=30, what="recording")
            warning = workspace.stats_panel.warning
            await wait_for(lambda: "Lectern camera" in warning.text() and not warning.isHidden(), within=30,
                           what="a warning naming the camera")
            assert "Pictures arrive late from Lectern camera" in warning.text(), warning.text()
            assert "per-source files" not in warning.text()  # they are off: that advice does not apply
            stats = studio.stats()
            assert stats is not None and stats.losses_by_source[studio.sources[0].name] > 0
            qtbot.mouseClick(workspace.record_button, Qt.MouseButton.LeftButton)
            await wait_for(lambda: not workspace.recording, within=30, what="the recording to stop")

    run(qloop, scenario())


def test_the_russian_studio_with_names_scenes_meters_and_warnings_fits_a_1366_by_768_screen(
    qtbot: QtBot, qloop: qasync.QEventLoop, russian: None, tmp_path: Path
) -> None:
    """Everything this adds, at its longest, in Russian, with the app's stylesheet (its paddings count): the Studio
    still fits beside the 156-px sidebar."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    qapp.setStyleSheet(stylesheet())

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.resize(1366 - 156, 740)
            workspace.show()
            add(workspace, qtbot, "test-pattern", "320x180")
            add(workspace, qtbot, "test-pattern", "320x180")
            add(workspace, qtbot, "tone")
            add(workspace, qtbot, "tone")
            studio = workspace.studio
            assert studio is not None
            await wait_for(lambda: len(studio.sources) == 4, within=30, what="four sources")
            long_name = "Камера над кафедрой в большой аудитории"
            for source, name in zip(studio.sources, (long_name, "Презентация с ноутбука лектора",
                                                     "Петличный радиомикрофон лектора", "Микрофон зала"),
                                    strict=True):
                workspace.rename_source(source.name, name)
            workspace.layout_picker.setCurrentIndex(workspace.layout_picker.findData("pip"))
            for n in range(1, 10):
                workspace.save_scene(f"Лектор, доска и презентация {n}")
            await wait_for(lambda: len(workspace.mixer.rows) == 2, within=30, what="two meters")
            workspace.stats_panel.tracks_on = True
            workspace.stats_panel.show_stats(RecordingStats(elapsed_s=1.0), {})
            workspace.stats_panel.show_stats(RecordingStats(
                elapsed_s=2.0, dropped_at_capture=4, late_at_compositing=9, skipped_by_encoder=7, minutes_left=30000,
                free_bytes=2**40, losses_by_source={studio.sources[0].name: 9, studio.sources[1].name: 4}),
                workspace.source_names())
            workspace.refresh()
            assert long_name in workspace.stats_panel.warning.text()
            assert "Сцена" in workspace.scene_bar.save_button.text()
            hint = workspace.minimumSizeHint()
            tabs = workspace.side_tabs
            pages = {tabs.tabText(i): page.minimumSizeHint().width()
                     for i in range(tabs.count()) if (page := tabs.widget(i)) is not None}
            assert hint.width() <= 1366 - 156, f"the Russian Studio needs {hint.width()} px; its tabs: {pages}"
            assert hint.height() <= 740, f"the Russian Studio needs {hint.height()} px of height"

    try:
        run(qloop, scenario())
    finally:
        qapp.setStyleSheet("")
