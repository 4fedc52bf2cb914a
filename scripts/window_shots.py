"""The pictures of docs/screenshots/ that `demo --screenshot` does not take, made from the real widgets on the
simulated room at 1366x768: the room's devices on, a camera's lost picture, a camera's own window, a camera in
the Studio, the projector's join card and live chart with simulated tablets answering, and that poll on the
lecturer's tablets tab.

They were made by hand once and went stale as the code changed; scripts/screenshots.sh runs this (under Xvfb):
    .venv/bin/python scripts/window_shots.py --lang ru --out docs/screenshots
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from classroom_console.console import ConsoleCore, ConsoleOptions  # noqa: E402
from classroom_console.tablets.sim import SimTablet, client_for  # noqa: E402
from devices.sim.room import SimRoomConfig  # noqa: E402
from ui.app import make_application  # noqa: E402
from ui.bridge import RoomBridge  # noqa: E402
from ui.event_loop import ConsoleEventLoop  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

SCREEN = (1366, 768)
WINDOW = (1360, 768)  # the window opens at most 1360 px wide (ui/app.FirstWindow), as demo --screenshot has it
POLL = {"en": ("Which lens gives a real image?", ["Converging", "Diverging", "Both", "Neither"]),
        "ru": ("Какая линза даёт действительное изображение?", ["Собирающая", "Рассеивающая", "Обе", "Ни одна"])}
STUDENTS = ("Aigerim", "Bakyt", "Dana", "Erlan", "Gulnara", "Marat", "Saule")
CHOICES = (0, 0, 1, 0, 2, 0)  # six of the seven answer: four, one, one, none


async def until(check: Callable[[], bool], what: str, within: float = 60.0) -> None:
    """Waits for ``check`` (bounded: a picture of a state that never came would mislead)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {within:.0f} s")
        await asyncio.sleep(0.1)


class Shots:
    def __init__(self, folder: Path, lang: str) -> None:
        self.folder, self.lang = folder, lang

    def grab(self, widget: QWidget, name: str) -> None:
        path = self.folder / f"{name}-{self.lang}.png"
        widget.grab().save(str(path))
        print(path)


async def room_on(window: MainWindow, core: ConsoleCore, shots: Shots) -> None:
    """The lecturer's room on, its projectors' current input and lamp hours on their cards."""
    lecturer = window.lecturer
    window.show_workspace("lecturer")
    assert core.sim_room is not None
    ours = {device.host for device in core.sim_room.devices}  # not another simulated device found on loopback
    projectors = [card for card in lecturer.device_cards() if card.device.address in ours]
    await until(lambda: all(card.device.availability.value == "online" for card in projectors), "projectors online")
    for attempt in (1, 2):  # a press while a device was still being read can miss it (seen once): press again
        lecturer.all_on_button.click()
        try:
            await until(lambda: all(card.device.state.get("power") == "on" for card in projectors), "projectors on",
                        45)
            break
        except TimeoutError:
            if attempt == 2:
                raise
    lecturer.cards_scroll.verticalScrollBar().setValue(0)
    await asyncio.sleep(1.0)
    shots.grab(window, "lecturer-room-on")


async def cameras(window: MainWindow, core: ConsoleCore, shots: Shots) -> None:
    """A camera whose picture is lost beside a live one; a camera's own window; a camera put in the Studio."""
    lecturer = window.lecturer
    assert core.sim_room is not None
    await until(lambda: len(lecturer.camera_cards()) == 2 and all(c.view.live for c in lecturer.camera_cards()),
                "live cameras")
    fixed = next(card for card in lecturer.camera_cards() if "fixed" in card.device.name)
    moving = next(card for card in lecturer.camera_cards() if card is not fixed)
    sim = next(c for c in core.sim_room.cameras if c.host == fixed.device.address)
    outage = asyncio.ensure_future(sim.camera.interrupt_stream(15.0))
    lecturer.show_cameras()
    await until(lambda: not fixed.view.live and fixed.view.status is not None and fixed.view.status.state == "lost",
                "the lost picture", 30)
    await asyncio.sleep(1.0)
    lecturer.show_cameras()
    shots.grab(window, "lecturer-camera-lost")
    lecturer.open_camera(moving.device.uid)
    big = lecturer.camera_windows[moving.device.uid]
    await until(lambda: big.isVisible() and big.card.view.live, "the camera's window")
    await asyncio.sleep(1.5)
    shots.grab(big, "camera-window")
    big.close()
    moving.use_in_studio()
    await until(lambda: window.studio.isVisible(), "the Studio")
    await asyncio.sleep(3.0)
    shots.grab(window, "studio-camera")
    await outage


async def projector(window: MainWindow, core: ConsoleCore, shots: Shots) -> None:
    """The class joins from the projector's screen, then a poll's answers come in on it."""
    lecturer, panel = window.lecturer, window.lecturer.class_panel
    window.show_workspace("lecturer")
    names = {"ru": ("Алия Нурлановна", "Физика 1", "Оптика: линзы")}.get(
        shots.lang, ("Aliya Nurlanovna", "Physics 1", "Optics: lenses"))
    for edit, text in zip((lecturer.lecturer_edit, lecturer.course_edit, lecturer.title_edit), names, strict=True):
        edit.setText(text)
    if core.room.session is None:
        lecturer.session_button.click()
    lecturer.tabs.setCurrentWidget(panel)
    await until(lambda: len(panel.code) == 6 and bool(panel.url), "the join code")
    panel.show_on_projector()
    screen = panel.projector
    assert screen is not None
    screen.showNormal()
    screen.resize(*SCREEN)  # as on the room's projector at 1366x768
    await asyncio.sleep(1.0)
    shots.grab(screen, "projector-join")
    question, options = POLL[shots.lang]
    async with client_for() as http:
        # The students' tablets come in over loopback, to the port the join link names (the console serves on all
        # of the PC's addresses, as in a classroom; the link shows its network one)
        loopback = f"http://127.0.0.1:{urlsplit(panel.url).port}/"
        tablets = [SimTablet(http, loopback, panel.code, name) for name in STUDENTS]
        try:
            for tablet in tablets:
                await tablet.join()
            panel.kind_picker.setCurrentIndex(panel.kind_picker.findData("single"))
            panel.question_edit.setText(question)
            panel.options_edit.setPlainText("\n".join(options))
            panel.timer_spin.setValue(90)
            panel.start_button.click()
            await until(lambda: panel.activity is not None, "the poll")
            assert panel.activity is not None
            activity = str(panel.activity["id"])
            panel.timer_button.click()
            for tablet, choice in zip(tablets, CHOICES, strict=False):
                await tablet.answer(activity, choice)
            await until(lambda: panel.responders == len(CHOICES), "the answers")
            await asyncio.sleep(4.0)  # the countdown has begun, the chart redrawn
            shots.grab(screen, "projector-chart")
            shots.grab(window, "lecturer-poll")  # the same poll on the lecturer's tablets tab
        finally:
            for tablet in tablets:
                await tablet.close()
    screen.close()


async def scenario(app: QApplication, args: argparse.Namespace, lang: str, data_dir: Path) -> None:
    core = ConsoleCore(ConsoleOptions(data_dir=data_dir, demo=True, sim_room=SimRoomConfig(cameras=1, fixed_cameras=1),
                                      device_thread=True))
    window = MainWindow(RoomBridge(core))
    window.setGeometry(0, 0, *WINDOW)
    window.show()
    shots = Shots(args.out, lang)
    try:
        await core.start()
        core.scenes.tablets_advertise = False
        window.set_network(core.network_addresses())
        await until(lambda: len(window.lecturer.cards) >= 6, "the demo room's devices")
        await asyncio.sleep(args.settle)
        await room_on(window, core, shots)
        await cameras(window, core, shots)
        await projector(window, core, shots)
    finally:
        await window.studio.shutdown()
        window.bridge.detach()
        await core.stop()
        window.may_close = True
        window.close()


async def bounded(work: Coroutine[Any, Any, None]) -> None:
    async with asyncio.timeout(300):
        await work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "ru"), default="en")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds for the room to settle first")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app, lang = make_application(args.lang)
    loop = ConsoleEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="classroom-console-shots-") as data, loop:
        loop.run_until_complete(bounded(scenario(app, args, lang, Path(data))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
