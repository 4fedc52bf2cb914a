"""Starts the window: Qt application, language, look, the asyncio loop inside Qt, the core."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from classroom_console.console import ConsoleCore, ConsoleOptions
from ui import i18n
from ui.bridge import RoomBridge
from ui.main_window import MainWindow
from ui.resources import icon, stylesheet

log = logging.getLogger(__name__)


def make_application(lang: str | None) -> tuple[QApplication, str]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Classroom Console")
    app.setOrganizationName("classroom-console")
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(stylesheet())
    chosen = i18n.pick_language(lang)
    app.setProperty("translators", i18n.install(app, chosen))
    return app, chosen


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
    if window.lecturer.cards:
        # The lecturer's first press: everything on, caught mid warm-up.
        window.show_workspace("lecturer")
        window.lecturer.all_on_button.click()
        await asyncio.sleep(3.0)
        grab("lecturer-all-on")
    return saved


async def _main(app: QApplication, window: MainWindow, core: ConsoleCore, args: argparse.Namespace, lang: str) -> None:
    await core.start()
    window.set_network(core.network_addresses())
    try:
        if args.screenshot:
            await asyncio.sleep(args.settle)
            for path in await save_screenshots(window, args.screenshot, lang):
                print(path)
        else:
            closed = asyncio.Event()
            app.aboutToQuit.connect(closed.set)
            await closed.wait()
    finally:
        await window.studio.shutdown()  # finish a running recording before the core closes the store
        window.bridge.detach()
        await core.stop()


def run(args: argparse.Namespace) -> int:
    app, lang = make_application(args.lang)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = ConsoleCore(ConsoleOptions(data_dir=args.data_dir, demo=args.command == "demo"))
    bridge = RoomBridge(core)
    window = MainWindow(bridge)
    window.set_data_dir(str(core.db_path.parent))
    window.show()
    if args.screenshot:
        args.screenshot.mkdir(parents=True, exist_ok=True)
    with loop:
        loop.run_until_complete(_main(app, window, core, args, lang))
    return 0
