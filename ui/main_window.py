"""The console window: a sidebar to switch workspaces, the workspace, and a status bar."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from classroom_console.store.problem import StoreProblem, current_problem
from classroom_console.sync.progress import OFFLINE, REFUSED, SENDING, SyncProgress
from ui.bridge import RoomBridge
from ui.centre_sync_panel import human_bytes
from ui.plain_text import plain
from ui.reasons import store_problem_text
from ui.resources import icon
from ui.room_settings import RoomSettingsDialog
from ui.widgets import ElidedLabel, plain_tip
from ui.workspaces.centre import CentreWorkspace
from ui.workspaces.lecturer import LecturerWorkspace
from ui.workspaces.studio import StudioWorkspace

QUIT_TURN_OFF, QUIT_LEAVE_ON = "turn-off", "leave-on"


class MainWindow(QMainWindow):
    WORKSPACES = ("lecturer", "studio", "centre")
    # Closing is the app's to carry out (end the session, finish the recording, stop the core, then exit 0):
    # the window only says what the user chose.
    sig_quit = Signal(str)

    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.may_close = False
        self._close_box: QMessageBox | None = None
        self.setWindowTitle(self.tr("Classroom Console — %1").replace("%1", bridge.room.name))
        self.setWindowIcon(icon("app"))
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1360, 860)
        self.resize(min(1360, room.width()), min(860, room.height()))

        self.lecturer = LecturerWorkspace(bridge)
        self.studio = StudioWorkspace(bridge)
        self.centre = CentreWorkspace(bridge)
        self.stack = QStackedWidget()
        for page in (self.lecturer, self.studio, self.centre):
            self.stack.addWidget(page)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._sidebar())
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.network_label = ElidedLabel()
        self.data_label = ElidedLabel()
        self.sync_label = QLabel(self.tr("Sync: not set up"))
        self.sync_label.setToolTip(self.tr("Sessions are kept on this PC until a centre is configured."))
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        bar.addWidget(self.network_label)
        bar.addWidget(self.data_label, 1)
        bar.addPermanentWidget(self.sync_label)
        self.set_network([])

        self._last_dialog: QMessageBox | None = None
        self._store_question_open = False  # the core is being asked what is wrong with the log
        bridge.sig_error.connect(self.show_error)
        bridge.sig_store_problem.connect(self.show_store_problem)
        bridge.sig_room_renamed.connect(self.show_room_name)
        self._room_dialog: RoomSettingsDialog | None = None
        # "Use in Studio" on a camera card: the Studio adds it; show it there, where the technician goes next.
        bridge.sig_studio_source.connect(lambda _spec: self.show_workspace("studio"))
        bridge.sig_sync_progress.connect(self.show_sync)
        self.centre.sync_panel.sig_progress.connect(self.show_sync)

    def _sidebar(self) -> QFrame:
        bar = QFrame()
        bar.setObjectName("sidebar")
        bar.setFixedWidth(156)
        column = QVBoxLayout(bar)
        column.setContentsMargins(0, 0, 0, 12)
        column.setSpacing(2)
        brand = QLabel(self.tr("Classroom\nConsole"))
        brand.setObjectName("brand")
        self.room_label = plain(QLabel(self.bridge.room.name))  # the room's name as typed
        self.room_label.setObjectName("roomName")
        self.room_label.setWordWrap(True)
        self.room_button = QPushButton(self.tr("Settings…"))
        self.room_button.setToolTip(self.tr("The room's name and the centre connection"))
        self.room_button.setObjectName("sidebarLink")
        self.room_button.clicked.connect(self.ask_room_settings)
        column.addWidget(brand)
        column.addWidget(self.room_label)
        column.addWidget(self.room_button)
        self.nav = QButtonGroup(self)
        self.nav.setExclusive(True)
        labels = {"lecturer": self.tr("Lecturer"), "studio": self.tr("Studio"), "centre": self.tr("Centre")}
        self.nav_buttons: dict[str, QToolButton] = {}
        for index, key in enumerate(self.WORKSPACES):
            button = QToolButton()
            button.setObjectName("navButton")
            button.setText(labels[key])
            button.setIcon(icon(key))
            button.setIconSize(QSize(34, 34))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setCheckable(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            self.nav.addButton(button, index)
            self.nav_buttons[key] = button
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)
        self.nav.idClicked.connect(self.stack.setCurrentIndex)
        self.nav_buttons["lecturer"].setChecked(True)
        return bar

    def show_workspace(self, key: str) -> None:
        index = self.WORKSPACES.index(key)
        self.nav_buttons[key].setChecked(True)
        self.stack.setCurrentIndex(index)

    def set_network(self, addresses: list[str]) -> None:
        if addresses:
            self.network_label.setText(self.tr("Network: %1").replace("%1", ", ".join(addresses)))
        else:
            self.network_label.setText(self.tr("Network: offline (loopback only)"))

    def show_sync(self, p: SyncProgress) -> None:
        """The status bar's one line about uploads: state, how far, how fast, what waits."""
        if p.state == REFUSED:
            text = self.tr("Sync: the centre refused this room's token")
        elif p.state == OFFLINE:
            text = self._offline_text(p)
        elif p.state == SENDING and p.bytes_total:
            text = (
                self.tr("Sync: %1% · %2/s")
                .replace("%1", str(int(100 * p.bytes_done / p.bytes_total)))
                .replace("%2", human_bytes(p.rate_bps))
            )
            if p.eta_s is not None:
                text += " · " + self.tr("about %1 s left").replace("%1", f"{p.eta_s:.0f}")
        elif p.state == SENDING:
            text = self.tr("Sync: sending…")
        elif p.pending:
            text = self.tr("Sync: %1 waiting").replace("%1", str(p.pending))
        else:
            text = self.tr("Sync: up to date")
        self.sync_label.setText(text)
        self.sync_label.setToolTip(plain_tip(p.message))  # the centre's words: any server's

    def _offline_text(self, p: SyncProgress) -> str:
        """Not sent for now, by the core's reason: a centre answering 500 was called "unreachable" here while the
        Centre's panel said the centre had an error."""
        if p.status >= 500 and p.reason not in ("busy", "disk_full"):
            text = self.tr("Sync: error at the centre (HTTP %2) · %1 waiting").replace("%2", str(p.status))
        elif p.reason == "busy":
            text = self.tr("Sync: the centre is busy · %1 waiting")
        elif p.reason == "disk_full":
            text = self.tr("Sync: the centre's disk is full · %1 waiting")
        elif p.reason == "stalled":
            text = self.tr("Sync: the connection stalled · %1 waiting")
        else:
            text = self.tr("Sync: centre unreachable · %1 waiting")
        return text.replace("%1", str(p.pending))

    def set_data_dir(self, path: str) -> None:
        self.data_label.setText(self.tr("Session log: %1").replace("%1", path))

    def ask_room_settings(self) -> None:
        dialog = RoomSettingsDialog(self.bridge.room.name, self)
        dialog.sig_name.connect(lambda name: self.bridge.run(self.bridge.core.set_room_name(name),
                                                             what=self.tr("save the room's name")))
        dialog.sig_centre.connect(lambda: self.show_workspace("centre"))
        self._room_dialog = dialog  # kept while open
        dialog.open()

    def show_room_name(self, name: str) -> None:
        self.room_label.setText(name)
        self.setWindowTitle(self.tr("Classroom Console — %1").replace("%1", name))
        self.lecturer.show_room_name(name)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.may_close:
            event.accept()
            return
        event.ignore()
        self.ask_to_quit()

    def ask_to_quit(self) -> None:
        """Quit at once when idle; with a session or a recording running, ask what to do with the room."""
        session = self.bridge.room.session is not None
        recording = self.studio.recording
        if not session and not recording:
            self.sig_quit.emit(QUIT_LEAVE_ON)
            return
        if self._close_box is not None:
            self._close_box.raise_()
            return
        # What runs, by name, and what closing does to it: "them" only when two things run.
        if session and recording:
            what = self.tr("A session and a recording are running.")
            then = self.tr("Closing ends them and keeps everything recorded so far.")
        elif session:
            what = self.tr("A session is running.")
            then = self.tr("Closing ends the session and keeps its log.")
        else:
            what = self.tr("A recording is running.")
            then = self.tr("Closing ends the recording and keeps everything recorded so far.")
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Close the console"), what, parent=self)
        box.setInformativeText(then)
        turn_off = box.addButton(self.tr("End and turn the room off"), QMessageBox.ButtonRole.AcceptRole)
        leave_on = box.addButton(self.tr("End and leave it on"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setModal(True)

        def chosen() -> None:
            clicked = box.clickedButton()
            self._close_box = None
            if clicked is turn_off:
                self.sig_quit.emit(QUIT_TURN_OFF)
            elif clicked is leave_on:
                self.sig_quit.emit(QUIT_LEAVE_ON)

        box.finished.connect(chosen)
        self._close_box = box
        box.open()  # not exec(): the room and the recording keep running while the question is up

    def show_error(self, sentence: str, detail: str) -> None:
        """In the user's words in the status bar; the technical detail on hover, for whoever fixes it."""
        self.statusBar().showMessage(sentence, 15000)
        self.statusBar().setToolTip(plain_tip(detail))

    def show_store_problem(self, sentence: str, detail: str) -> None:
        """Problems with the session log also get a dialog: sessions may not be saved until it is fixed. The core
        is asked which folder and why (read-only, full, damaged), and both then say it. One dialog at a time: a
        full disk fails every write, and each used to open a dialog of its own over the last."""
        box = self._last_dialog
        if box is None or not box.isVisible():
            box = plain(QMessageBox(QMessageBox.Icon.Warning, self.tr("Session log"), sentence, parent=self))
            box.setModal(False)
            box.show()
            self._last_dialog = box
        box.setDetailedText(detail)  # an open dialog keeps its worded text until the core has said it again
        if self._store_question_open:
            return  # a full disk fails a write each 0.25 s: the answer on its way words this failure too

        def known(problem: StoreProblem) -> None:
            self._store_question_open = False
            words = store_problem_text(problem)
            self.statusBar().showMessage(words, 15000)
            if self._last_dialog is not None:
                self._last_dialog.setText(words)

        def unanswered(_detail: str) -> None:
            self._store_question_open = False

        self._store_question_open = True
        core = self.bridge.core
        self.bridge.run(current_problem(core.store, core.db_path, detail), known,
                        self.tr("find what is wrong with the session log"), on_error=unanswered, owner=self)
