"""Camera cards against a simulated room's real cameras on loopback: live picture, PTZ by hand, Studio, no freeze."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import qasync
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from classroom_console.media import SourceState
from classroom_console.media.preview import PreviewState
from devices.sim.room import SimRoomConfig, plan_cameras
from tests.qt_helpers import run, wait_for
from tests.sim_helpers import demo_core
from ui.bridge import RoomBridge
from ui.camera_card import CameraCard
from ui.device_card import DeviceCard
from ui.main_window import MainWindow
from ui.stall_meter import StallMeter
from ui.workspaces.lecturer import LecturerWorkspace

FIRST_HOST = 44  # 127.0.80.44 on: apart from the other UI tests and a running demo
STALL_LIMIT_MS = 1500  # a freeze, not the 16 ms target (that one is bench/camera_preview.py's)


def ours(lecturer: LecturerWorkspace, sim: SimRoomConfig) -> list[CameraCard]:
    """This room's camera cards, by address: another simulated room on loopback may be found beside it."""
    hosts = [c.host for c in plan_cameras(sim)]
    cards = [c for c in lecturer.camera_cards() if c.device.address in hosts]
    return sorted(cards, key=lambda c: hosts.index(c.device.address))


def position(card: CameraCard) -> dict[str, float]:
    return dict(card.device.state.get("position") or {})


def test_cameras_get_a_live_card_driven_by_hand_and_sent_to_the_studio(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    sim = SimRoomConfig(projectors=1, boards=0, cameras=1, fixed_cameras=1, first_host=FIRST_HOST)

    async def scenario() -> None:
        core = demo_core(tmp_path, sim)
        await core.start()
        window = MainWindow(RoomBridge(core))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        lecturer = window.lecturer
        meter = StallMeter()
        meter.start()
        try:
            await wait_for(lambda: len(ours(lecturer, sim)) == 2 and any(
                isinstance(c, DeviceCard) for c in lecturer.cards.values()), within=30,
                what="two camera cards and a projector's")
            ptz, fixed = ours(lecturer, sim)
            assert "fixed" in fixed.device.name
            # Cameras come after the projectors in the grid.
            projectors = [c for c in lecturer.cards.values() if isinstance(c, DeviceCard)]
            in_order = lecturer.cards_in_grid_order()
            assert min(in_order.index(c) for c in lecturer.camera_cards()) > max(in_order.index(c) for c in projectors)
            await wait_for(lambda: ptz.view.live and fixed.view.live, within=30, what="both previews live")
            assert ptz.badge.text() == "Online"
            assert ptz.ptz.pad.isVisible() and ptz.ptz.preset_buttons[0].isVisible() and ptz.ptz.home_button.isVisible()
            assert not fixed.ptz.pad.isVisible() and not fixed.ptz.preset_buttons[0].isVisible()
            await wait_for(lambda: ptz.view.painted >= 5, within=10, what="frames painted")

            # A preset: one click recalls it, and the head follows.
            await wait_for(lambda: "zoom" in position(ptz), within=10, what="the head's position")
            qtbot.mouseClick(ptz.ptz.preset_buttons[1], Qt.MouseButton.LeftButton)
            await wait_for(lambda: abs(position(ptz)["pan"] - 0.6) < 0.05, within=15, what="preset 2 recalled")

            # Holding a number stores the present framing there; so does "Store" then a click.
            qtbot.mousePress(ptz.ptz.preset_buttons[4], Qt.MouseButton.LeftButton)
            await wait_for(lambda: "5" in (ptz.device.state.get("presets") or {}), within=15, what="preset 5 held")
            qtbot.mouseRelease(ptz.ptz.preset_buttons[4], Qt.MouseButton.LeftButton)
            qtbot.mouseClick(ptz.ptz.store_button, Qt.MouseButton.LeftButton)
            assert ptz.ptz.store_button.isChecked()
            qtbot.mouseClick(ptz.ptz.preset_buttons[5], Qt.MouseButton.LeftButton)
            await wait_for(lambda: "6" in (ptz.device.state.get("presets") or {}), within=15, what="preset 6 stored")
            assert not ptz.ptz.store_button.isChecked() and ptz.ptz.preset_buttons[5].property("stored")

            # The keyboard: the right arrow pans right while held, releasing stops.
            ptz.setFocus()
            start = position(ptz)["pan"]
            qtbot.keyPress(ptz, Qt.Key.Key_Left)
            await wait_for(lambda: position(ptz)["pan"] < start - 0.05, within=10, what="the arrow key pans")
            qtbot.keyRelease(ptz, Qt.Key.Key_Left)
            await wait_for(lambda: ptz.ptz.drive.idle and ptz.ptz.drive.sent == (0.0, 0.0, 0.0), within=5,
                           what="the stop sent")

            # The pad: a drag of two seconds sends at most ten commands a second, and releasing stops the head.
            sent_before = ptz.ptz.drive.count
            centre = ptz.ptz.pad.rect().center()
            began = time.monotonic()
            qtbot.mousePress(ptz.ptz.pad, Qt.MouseButton.LeftButton, pos=centre)
            for step in range(40):  # a hand moving for two seconds
                qtbot.mouseMove(ptz.ptz.pad, centre + QPoint(10 + step, -(step % 20)))
                await _pause(0.05)
            qtbot.mouseRelease(ptz.ptz.pad, Qt.MouseButton.LeftButton, pos=centre)
            await wait_for(lambda: ptz.ptz.drive.idle and ptz.ptz.drive.sent == (0.0, 0.0, 0.0), within=5,
                           what="the stop after the release")
            drives, took = ptz.ptz.drive.count - sent_before, time.monotonic() - began
            assert 3 <= drives <= took * 10 + 2, f"{drives} ptz-drive commands for a {took:.1f} s drag"
            settled = position(ptz)
            await _pause(0.5)
            assert abs(position(ptz)["pan"] - settled["pan"]) < 0.02, "the head stopped on release"

            # Use in Studio: one click, the camera's stream becomes a Studio source (once).
            qtbot.mouseClick(fixed.studio_button, Qt.MouseButton.LeftButton)
            qtbot.mouseClick(fixed.studio_button, Qt.MouseButton.LeftButton)
            url = fixed.device.state["stream_url"]
            studio = window.studio
            await wait_for(lambda: studio.studio is not None and any(
                getattr(s, "url", None) == url for s in studio.studio.sources), within=10, what="the studio source")
            program = studio.studio
            assert program is not None
            assert len([s for s in program.sources if getattr(s, "url", None) == url]) == 1
            await wait_for(lambda: any(s.state is SourceState.LIVE for s in program.statuses()), within=20,
                           what="the camera live in the studio")

            # Another workspace in front: the cards stop decoding.
            window.show_workspace("studio")
            await wait_for(lambda: ptz.view.preview is None and fixed.view.preview is None, within=5,
                           what="previews stopped while hidden")
            window.show_workspace("lecturer")
            await wait_for(lambda: ptz.view.live, within=30, what="the preview back")
        finally:
            meter.stop()
            await window.studio.shutdown()
            window.bridge.detach()
            await core.stop()
        print(f"longest main-thread stall with two live cameras: {meter.longest_ms:.1f} ms")
        assert meter.longest_ms < STALL_LIMIT_MS

    run(qloop, scenario())


def test_a_lost_stream_shows_no_signal_with_the_name_and_comes_back(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    sim = SimRoomConfig(projectors=0, boards=0, cameras=0, fixed_cameras=1, first_host=FIRST_HOST,
                        camera_size=(640, 360))

    async def scenario() -> None:
        core = demo_core(tmp_path, sim)
        await core.start()
        window = MainWindow(RoomBridge(core))
        qtbot.addWidget(window)
        window.show()
        lecturer = window.lecturer
        try:
            await wait_for(lambda: len(ours(lecturer, sim)) == 1, within=30, what="the camera card")
            card = ours(lecturer, sim)[0]
            await wait_for(lambda: card.view.live, within=30, what="live")

            # A double-click on the picture opens the camera's own window, with a bigger picture.
            qtbot.mouseDClick(card.view, Qt.MouseButton.LeftButton)
            big = lecturer.camera_windows[card.device.uid]
            await wait_for(lambda: big.isVisible() and big.card.view.live, within=30, what="the bigger picture")
            assert big.card.view.width() > card.view.width()
            await wait_for(lambda: big.card.view._frame is not None and big.card.view._frame.shape[1] > 400,
                           within=10, what="frames at the window's size")
            big.close()
            await wait_for(lambda: big.card.view.preview is None, within=5, what="its stream stopped once closed")
            assert card.view.live, "the tile keeps its own"
            assert core.sim_room is not None
            camera = core.sim_room.cameras[0].camera
            outage = qloop.create_task(camera.interrupt_stream(3.0))
            await wait_for(lambda: not card.view.live, within=15, what="the picture gone")
            title, _body = card.view.message()
            await wait_for(lambda: card.view.status.state in (PreviewState.LOST, PreviewState.CONNECTING)
                           or card.view.url is None, within=10, what="a lost state")
            assert title in ("No signal", "Connecting…") and card.view.name == card.device.name
            await wait_for(lambda: card.view.status.state is PreviewState.LOST or card.view.url is None,
                           within=10, what="no signal")
            assert card.view.message()[0] == "No signal"
            await outage
            await wait_for(lambda: card.view.live, within=30, what="the picture back")
        finally:
            window.bridge.detach()
            await core.stop()

    run(qloop, scenario())


def test_four_720p_previews_do_not_stall_the_window(qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    sim = SimRoomConfig(projectors=0, boards=0, cameras=0, fixed_cameras=4, first_host=FIRST_HOST)

    async def scenario() -> None:
        core = demo_core(tmp_path, sim)
        await core.start()
        window = MainWindow(RoomBridge(core))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        lecturer = window.lecturer
        meter = StallMeter()
        try:
            await wait_for(lambda: len(ours(lecturer, sim)) == 4, within=30, what="four camera cards")
            cards = ours(lecturer, sim)
            for card in cards:  # the fourth card is below the fold: a taller window shows them all
                card.view.show()
            window.resize(1366, 1400)
            await wait_for(lambda: all(c.view.live for c in cards), within=40, what="four live previews")
            meter.start()
            taken = [c.view.frames for c in cards]
            await _pause(4.0)
            meter.stop()
            rates = [(c.view.frames - n) / 4.0 for c, n in zip(cards, taken, strict=True)]
        finally:
            meter.stop()
            window.bridge.detach()
            await core.stop()
        print(f"four 720p previews: longest stall {meter.longest_ms:.1f} ms, frames shown per second {rates}")
        assert meter.longest_ms < STALL_LIMIT_MS
        assert all(rate <= 16.5 for rate in rates), "never more than display rate"
        assert all(rate >= 2 for rate in rates), "every preview keeps moving"

    run(qloop, scenario())


async def _pause(seconds: float) -> None:
    """Lets Qt and asyncio run for a while (a drag's pace, a window to measure), not a wait for a condition."""
    await asyncio.sleep(seconds)
