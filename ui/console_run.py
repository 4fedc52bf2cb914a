"""The console behind the first window: the asyncio loop inside Qt (qasync), the core, the main window.

Imported by ``ui.app.run`` once the first window is on screen (asyncio and qasync alone cost a few hundred ms
to import): the core, the media stack and the simulators then load on a worker thread while that window answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication

from ui.app import STARTUP_PROBE_ENV, FirstWindow, MappedProbe
from ui.event_loop import ConsoleEventLoop
from ui.main_thread_gc import freeze_long_lived
from ui.quit_signals import quit_on_signals

if TYPE_CHECKING:
    from classroom_console.console import ConsoleCore
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
CLOSE_SETTLE_S = 60


async def save_screenshots(window: MainWindow, folder: Path, lang: str) -> list[Path]:
    """Each workspace as the user sees it, for docs/screenshots."""
    saved: list[Path] = []

    def grab(name: str) -> None:
        path = folder / f"{name}-{lang}.png"
        window.grab().save(str(path))
        saved.append(path)

    for key in window.WORKSPACES:
        window.show_workspace(key)
        await asyncio.sleep(0.3)
        grab(key)
    if window.bridge.core.options.demo:
        # The technician's first steps: a test pattern and a tone in the program, picture in picture.
        window.show_workspace("studio")
        window.studio.add_source("test-pattern")
        await asyncio.sleep(1.0)
        window.studio.add_source("test-pattern")
        window.studio.add_source("tone")
        await asyncio.sleep(0.5)
        window.studio.layout_picker.setCurrentIndex(1)
        await asyncio.sleep(2.0)
        grab("studio-sources")
        # Out on the room's network (the console serves it: nothing leaves the PC): the Studio's Live tab, and
        # the LIVE sign the lecturer sees.
        window.studio._serve_lan()
        await asyncio.sleep(4.0)
        window.studio.side_tabs.setCurrentWidget(window.studio.live_panel)
        grab("studio-live")
        window.show_workspace("lecturer")
        window.lecturer.show_live()
        await asyncio.sleep(1.5)
        grab("lecturer-live")
    if any(card.device.kind == "camera" for card in window.lecturer.cards.values()):
        # The room's cameras, live, below the projectors: scrolled into view as a lecturer would.
        window.show_workspace("lecturer")
        window.lecturer.show_cameras()
        await asyncio.sleep(2.0)
        grab("lecturer-cameras")
    if window.bridge.core.options.demo and window.lecturer.cards:
        # The lecturer's first press: everything on, caught mid warm-up. Only in the demo: on a real room's
        # screenshots (gui --screenshot) this turned the projectors on and logged a session by a made-up lecturer.
        window.show_workspace("lecturer")
        window.lecturer.cards_scroll.verticalScrollBar().setValue(0)  # the projectors, not the cameras shot above
        window.lecturer.all_on_button.click()
        await asyncio.sleep(3.0)
        grab("lecturer-all-on")
        await _session_screenshots(window, grab, lang)
    return saved


async def _session_screenshots(window: MainWindow, grab: Callable[[str], None], lang: str) -> None:
    """A lecturer's session started with the room's first scene: the chips say what each device did; then the
    students' tablets tab as the lecturer opens it."""
    lecturer = window.lecturer
    names = (("Алия Нурлановна", "Физика 1", "Оптика: линзы") if lang == "ru"
             else ("Aliya Nurlanovna", "Physics 1", "Optics: lenses"))
    for edit, text in zip((lecturer.lecturer_edit, lecturer.course_edit, lecturer.title_edit), names, strict=True):
        edit.setText(text)
    lecturer.session_button.click()
    await asyncio.sleep(5.0)
    grab("lecturer-session")
    lecturer.tabs.setCurrentWidget(lecturer.class_panel)
    await asyncio.sleep(1.5)
    grab("lecturer-session-tablets")
    lecturer.tabs.setCurrentIndex(0)


async def _main(app: QApplication, window: MainWindow, core: ConsoleCore, args: argparse.Namespace, lang: str) -> None:
    from ui.main_window import QUIT_LEAVE_ON, QUIT_TURN_OFF

    # Listen before starting: a user who closes the window while the room is still being found is heard too.
    choice: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def quit_chosen(chosen: str) -> None:
        if not choice.done():
            choice.set_result(chosen)

    window.sig_quit.connect(quit_chosen)
    restore_signals = quit_on_signals(lambda: quit_chosen(QUIT_LEAVE_ON), window)
    try:
        await core.start()
        window.set_network(core.network_addresses())
        window.lecturer.load_recent_names()
        if args.screenshot:
            await asyncio.sleep(args.settle)
            shots = asyncio.ensure_future(save_screenshots(window, args.screenshot, lang))
            waited: set[asyncio.Future[Any]] = {shots, choice}
            await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)  # Ctrl+C stops them too
            if shots.done():
                for path in shots.result():
                    print(path)
            else:
                shots.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await shots
        elif await choice == QUIT_TURN_OFF:
            await turn_the_room_off(core)
    finally:
        await window.studio.shutdown()  # finish a running recording before the core closes the store
        window.bridge.detach()
        await core.stop()  # ends a running session
        window.may_close = True
        window.close()
        restore_signals()


async def turn_the_room_off(core: ConsoleCore) -> None:
    """Best effort within a bound: a device that does not answer must not keep the console from closing."""
    if core.devices is None:
        return
    try:
        async with asyncio.timeout(20):
            failures = await core.devices.power_all(False)
    except TimeoutError:
        log.warning("the room did not finish turning off within 20 s; closing anyway")
        return
    for failure in failures:
        log.warning("on closing: %s", failure)
    # A projector still warming up takes the command once it has warmed up: wait for that, within a bound.
    if not await core.devices.settle(CLOSE_SETTLE_S):
        log.warning("some devices were still warming up %d s later and stay on", CLOSE_SETTLE_S)


# Imported on a worker thread while the first window is up and answering: the core and what it loads (PyAV,
# numpy, OpenCV, aiohttp, the simulators), then the workspaces' modules (they only define classes and Qt value
# types at import; every widget is still made on the main thread).
HEAVY_MODULES = ("classroom_console.console", "classroom_console.media.studio", "devices.sim.room", "aiohttp",
                 "ui.bridge", "ui.main_window")


def _preload() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)


async def _start(app: QApplication, first: FirstWindow, args: argparse.Namespace, lang: str) -> None:
    await asyncio.to_thread(_preload)  # the first window keeps answering meanwhile
    if first.closed:
        return
    from classroom_console.console import ConsoleCore, ConsoleOptions
    from devices.sim.room import SimRoomConfig
    from ui.bridge import RoomBridge
    from ui.main_window import MainWindow

    demo = args.command == "demo"
    # The demo room has cameras too: one that pans, tilts and zooms, and a fixed one.
    sim_room = SimRoomConfig(cameras=1, fixed_cameras=1) if demo else SimRoomConfig()
    # The devices are polled on a loop of their own in a worker thread: this thread only shows what they say.
    core = ConsoleCore(ConsoleOptions(data_dir=args.data_dir, demo=demo, sim_room=sim_room, device_thread=True))
    window = MainWindow(RoomBridge(core))
    window.set_data_dir(str(core.db_path.parent))
    probe = os.environ.get(STARTUP_PROBE_ENV)
    if probe:
        MappedProbe("ready", window)
    window.setGeometry(first.geometry())
    window.show()
    first.hide()
    freeze_long_lived()  # the imports, the core and the window stay: later collections need not walk them
    if args.screenshot:
        args.screenshot.mkdir(parents=True, exist_ok=True)
    if probe:  # the bench wants the times, not a session: close as soon as the console is up
        async def leave() -> None:
            await asyncio.sleep(0.5)
            window.sig_quit.emit("leave-on")

        leaving = asyncio.ensure_future(leave())
    await _main(app, window, core, args, lang)
    if probe:
        await leaving


def run_console(app: QApplication, first: FirstWindow, args: argparse.Namespace, lang: str) -> None:
    """Runs the asyncio loop inside Qt until the console has closed."""
    loop = ConsoleEventLoop(app)  # qasync's, with a ready queue: far less of this thread a callback
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(_start(app, first, args, lang))
