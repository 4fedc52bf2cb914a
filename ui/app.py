"""Starts the window: Qt application, language, look and a first window; then the console behind it.

The window is on screen first (issue 17: mapped in under a second): asyncio and qasync cost a few hundred ms to
import and the core, the media stack and the simulators over a second, so all of that loads on worker threads
while a plain window with the app's title and look is already up and answering (``ui/console_run.py`` is the
rest: the asyncio loop inside Qt, the core, the console, which then takes its place; devices fill in after).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QSize, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from ui import i18n
from ui.main_thread_gc import MainThreadCollector
from ui.resources import icon, stylesheet

STARTUP_PROBE_ENV = "CLASSROOM_CONSOLE_STARTUP_PROBE"  # bench/startup.py: print when mapped and ready, then quit
BEHIND_FIRST_WINDOW = ("asyncio", "qasync", "ui.console_run")  # imported while the first window answers


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


class FirstWindow(QMainWindow):
    """The window the user sees while the console loads: its title, size and look, closable at once."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        self.setWindowTitle(QCoreApplication.translate("MainWindow", "Classroom Console — %1").replace("%1", "…"))
        self.setWindowIcon(icon("app"))
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1360, 860)
        self.resize(min(1360, room.width()), min(860, room.height()))
        # The console's sidebar and brand where they will be (its own words, already translated), the rest empty.
        sidebar = QFrame()
        sidebar.setObjectName("sidebar")
        sidebar.setFixedWidth(156)
        column = QVBoxLayout(sidebar)
        column.setContentsMargins(0, 0, 0, 12)
        brand = QLabel(QCoreApplication.translate("MainWindow", "Classroom\nConsole"))
        brand.setObjectName("brand")
        column.addWidget(brand)
        column.addStretch(1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(sidebar)
        row.addStretch(1)
        self.setCentralWidget(central)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed = True
        event.accept()


class MappedProbe(QObject):
    """Says on stdout when a window is first exposed (mapped, on screen), for bench/startup.py."""

    def __init__(self, label: str, widget: QMainWindow) -> None:
        super().__init__(widget)
        self.label = label
        widget.winId()  # makes its native window now, to watch it: Expose goes to the QWindow, not the widget
        handle = widget.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and self.label:
            print(f"{self.label} {time.monotonic():.3f}", flush=True)
            self.label = ""
        return False


def import_behind(names: tuple[str, ...]) -> None:
    """Imports ``names`` on a worker thread while Qt's own event loop keeps the windows answering."""
    failed: list[BaseException] = []

    def work() -> None:
        try:
            for name in names:
                importlib.import_module(name)
        except BaseException as exc:  # raised again below, on this thread
            failed.append(exc)

    worker = threading.Thread(target=work, name="first-imports", daemon=True)
    worker.start()
    waiting = QEventLoop()
    check = QTimer()
    check.timeout.connect(lambda: None if worker.is_alive() else waiting.quit())
    check.start(10)
    waiting.exec()
    check.stop()
    if failed:
        raise failed[0]


def run(args: argparse.Namespace) -> int:
    app, lang = make_application(args.lang)
    app.setQuitOnLastWindowClosed(False)  # closing the window asks first; the app ends when the console is done
    collector = MainThreadCollector(app)  # Qt objects are only ever freed on this thread
    first = FirstWindow()
    if os.environ.get(STARTUP_PROBE_ENV):
        MappedProbe("mapped", first)
    first.show()
    import_behind(BEHIND_FIRST_WINDOW)
    from ui.console_run import run_console

    if not first.closed:
        run_console(app, first, args, lang)
    collector.stop()
    return 0


def __getattr__(name: str) -> Any:
    """The console's coroutines (``_main``, ``save_screenshots``, …) as before, loaded only when asked for."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(importlib.import_module("ui.console_run"), name)
