"""Screenshots of a real room's console (`gui --screenshot`) touch nothing in the room and log nothing: they pressed
"All on" and started a session by a made-up lecturer ("Aliya Nurlanovna", the first scene applied, a recording made),
which the demo's pictures need but a real room must never get. Review R6 found it.

A room simulated on loopback, seen by a console that is not the demo (as `gui` sees a real room)."""

from __future__ import annotations

from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.discovery_scope import Scope
from devices.pjlink.values import PowerState
from devices.sim.room import SimRoom, SimRoomConfig
from tests.qt_helpers import run, wait_for
from ui.bridge import RoomBridge
from ui.console_run import save_screenshots
from ui.main_window import MainWindow

FIRST_HOST = 36  # 127.0.80.36, apart from other tests and a running demo


def test_screenshots_of_a_real_room_neither_power_it_nor_log_a_session(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with SimRoom(SimRoomConfig(projectors=1, boards=1, first_host=FIRST_HOST)) as room:
            core = ConsoleCore(ConsoleOptions(data_dir=tmp_path, scope=Scope.LOOPBACK, poll_interval_s=0.2))
            await core.start()
            window = MainWindow(RoomBridge(core))
            qtbot.addWidget(window)
            window.show()
            try:
                ours = {f"127.0.80.{FIRST_HOST}", f"127.0.80.{FIRST_HOST + 1}"}
                await wait_for(lambda: ours <= {c.device.address for c in window.lecturer.cards.values()},
                               within=60, what="the room's two devices")
                (tmp_path / "shots").mkdir()
                saved = await save_screenshots(window, tmp_path / "shots", "en")
                assert saved and all(path.is_file() for path in saved)
                assert not any("all-on" in p.name or "session" in p.name for p in saved)
                assert all(sim.power_state is PowerState.OFF for sim in room.devices)
                assert window.bridge.room.session is None
            finally:
                window.bridge.detach()
                await core.stop()

    run(qloop, scenario())
