"""The lecturer's workspace: the room at a glance and one big button to start the session."""

from __future__ import annotations

import re
import time
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from classroom_console.events import SceneStep
from classroom_console.room_choice import Belonging, belonging
from classroom_console.room_devices import DeviceCommandError
from classroom_console.session_end import EndCode, EndUnlogged, end_problems, end_told
from devices.driver import Capability
from devices.model import Availability, DeviceInfo, DeviceKind
from ui.address_dialog import AddressDialog
from ui.bridge import RoomBridge
from ui.camera_card import CameraCard
from ui.camera_window import CameraWindow
from ui.card_face import card_look
from ui.card_grid import CardGrid
from ui.class_panel import ClassPanel
from ui.device_card import DeviceCard
from ui.main_thread_gc import settle_young, young_only
from ui.note_label import NoteLabel
from ui.plain_text import plain
from ui.reasons import end_problem_text, failure_text, unlogged_end_text, with_details
from ui.room_banner import RoomBanner
from ui.scene_editor import SceneEditor
from ui.scene_progress import SceneProgress
from ui.scene_words import scene_name
from ui.widgets import Badge, ElidedLabel, EmptyState, Holder, page_header, plain_tip

CARD_COLUMNS = 3
NOTHING_FOUND_AFTER_MS = 15_000
CARD_BUILD_BUDGET_S = 0.002  # cards are built for at most this long a turn (one step at least); the rest the next turn
FRAME_S = 0.016  # a frame: ON_SCREEN_PER_FRAME cards on screen shown anew in it at most
LONE_AFTER_S = 1.0  # a device found this long after the last card was made is alone: its card is made at once;
# one found sooner waits for the builder's turns (devices found one by one while a room is read, 10-100 ms apart,
# were each built whole in one go: 3-5 ms of the window's work, 10-30 ms beside the device thread's)
ON_SCREEN_PER_FRAME = 3  # cards on screen shown anew per frame at most (each a repaint of ~1-2.5 ms), the rest next


def natural_key(name: str) -> list[tuple[int, int | str]]:
    """"Bench 2" before "Bench 11", as people count, not as text sorts."""
    parts = re.split(r"(\d+)", name.casefold())
    return [(0, int(part)) if part.isdigit() else (1, part) for part in parts if part]


def hours_clock(seconds: int) -> str:
    """0:05:07: the session's, the LIVE sign's and the REC sign's time alike."""
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class LecturerWorkspace(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.bridge = bridge
        self.cards: dict[str, DeviceCard | CameraCard] = {}
        # Found, card not built yet (each uid's latest state): a room answering 100 devices at once gets its cards
        # a few per frame (CARD_BUILD_BUDGET_S), so the window never freezes while they fill in.
        self.unbuilt: dict[str, DeviceInfo] = {}
        self._made: dict[str, DeviceCard | CameraCard] = {}  # made, hidden: placed and shown on the next step
        self._refused: set[str] = set()  # found, said to be another room's: counted apart above the cards
        self._last_built = 0.0  # when the last card was made: a device found within LONE_AFTER_S waits its turn
        self._build_timer = QTimer(self)
        self._build_timer.setSingleShot(True)
        self._build_timer.setInterval(0)
        self._build_timer.setObjectName("card-builder")  # named for bench/ui_stall.py's trace
        self._build_timer.timeout.connect(self._build_waiting)
        # Changes of cards on screen beyond ON_SCREEN_PER_FRAME in a frame: the first read of a room repainted every
        # card on screen in one frame (9 cards, 11-20 ms on a busy PC); each uid's latest waits for the next frame.
        self._repaint_due: dict[str, DeviceInfo] = {}
        self._frame_began = 0.0
        self._frame_shown = 0
        self._repaint_timer = QTimer(self)
        self._repaint_timer.setSingleShot(True)
        self._repaint_timer.setInterval(round(FRAME_S * 1000))
        self._repaint_timer.setObjectName("card-repaint")
        self._repaint_timer.timeout.connect(self._show_due)
        self._placed: dict[str, tuple[int, int]] = {}  # uid -> its cell now: a new card moves only those after it
        self._sort_keys: dict[str, tuple[Any, ...]] = {}
        self.camera_windows: dict[str, CameraWindow] = {}  # bigger pictures the lecturer opened
        self.end_box: QMessageBox | None = None  # "End this session?" while it is up
        self.address_dialog: AddressDialog | None = None
        self._session_started: float | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 16)
        layout.setSpacing(16)
        header = page_header(self.tr("Lecturer"), self._subtitle(bridge.room.name))
        self.subtitle = plain(header.findChildren(QLabel)[-1])  # names the room, as the settings file keeps it
        top = QHBoxLayout()
        top.addWidget(header, 1)
        # Unmistakable while the lecture goes out live, or is recorded: red, with how long it has been.
        self.live_badge = Badge("", "bad")
        self.live_badge.setProperty("live", True)
        self.live_badge.hide()
        top.addWidget(self.live_badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self._live_since: float | None = None
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(1000)
        self._live_timer.timeout.connect(self.show_live)
        self._live_timer.start()
        layout.addWidget(self._session_panel())
        self.scene_progress = SceneProgress()
        layout.addWidget(self.scene_progress)
        self.scene_editor: SceneEditor | None = None

        # The room's devices on one tab; the students' tablets (join code, activities, hands) on the other.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        room_page = QWidget()
        room_page.setObjectName("workspace")
        room_layout = QVBoxLayout(room_page)
        room_layout.setContentsMargins(0, 10, 0, 0)
        room_layout.setSpacing(12)
        self.tabs.addTab(room_page, self.tr("Room"))
        self.class_panel = ClassPanel(bridge)
        self.tabs.addTab(self.class_panel, self.tr("Students' tablets"))
        layout.addWidget(self.tabs, 1)
        room_layout.addLayout(self._devices_bar())
        self.room_banner = RoomBanner(bridge)  # devices found not yet this room's or not: what scenes do with them
        room_layout.addWidget(self.room_banner)

        self.empty = EmptyState(
            "projector",
            self.tr("Looking for the room's devices…"),
            self.tr(
                "Projectors, interactive boards, displays and cameras on this room's network "
                "appear here by themselves, with their state. Nothing needs to be set up."
            ),
            text_width=560,
        )
        # Timers owned by the widget die with it; a bare singleShot could fire into a deleted window.
        self._nothing_found_timer = QTimer(self)
        self._nothing_found_timer.setSingleShot(True)
        self._nothing_found_timer.timeout.connect(self._nothing_found_yet)
        self._nothing_found_timer.start(NOTHING_FOUND_AFTER_MS)
        self._rearm_timer = QTimer(self)
        self._rearm_timer.setSingleShot(True)
        self._rearm_timer.timeout.connect(lambda: self.session_button.setEnabled(True))
        # The cards placed by hand (ui/card_grid.py): a card shown moves no other, where a grid layout relaid all.
        self.grid = self.grid_host = CardGrid(CARD_COLUMNS, 14)
        self.grid_host.setObjectName("workspace")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid_host)
        self.cards_scroll = scroll
        room_layout.addWidget(self.empty, 1)
        room_layout.addWidget(scroll, 1)
        scroll.hide()

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._show_elapsed)

        bridge.sig_device_found.connect(self.show_device)
        bridge.sig_device_changed.connect(self.show_device)
        bridge.sig_device_lost.connect(self.show_device)
        bridge.sig_device_removed.connect(self.remove_device)
        bridge.sig_session_started.connect(self._on_session_started)
        bridge.sig_session_ended.connect(self._on_session_ended)
        bridge.sig_scene_step.connect(self._on_scene_step)
        bridge.sig_scene_applied.connect(self.scene_progress.finish)
        self.show_scenes()
        card_look()  # the cards' fonts and colours read now, not by the first card found (3 ms of it)
        self._warm_up_cards()
        for device in bridge.room.devices.values():
            self.show_device(device)

    def _warm_up_cards(self) -> None:
        """One card made, painted off screen and dropped before any device is found. The first card a window makes
        pays for what every later one finds ready (its kind's picture drawn from SVG, the style sheet's rules for a
        card's widgets, the fonts' glyphs): 11-14 ms of the window's CPU against 2-3 for the next, and it was paid in
        the first frame of a room's fill, as one stall."""
        sample = DeviceInfo(uid="warm-up", kind=DeviceKind.PROJECTOR, name="Projector 1", address="127.0.0.1",
                            port=4352, protocol="pjlink", availability=Availability.ONLINE,
                            capabilities=frozenset({Capability.POWER, Capability.INPUT, Capability.BLANK}),
                            state={"power": "on", "lamp_hours": [1000], "inputs": {"31": "HDMI 1"}, "input": "31",
                                   "input_name": "HDMI 1"})
        card = DeviceCard(sample, self.bridge)  # no parent: it is in no grid and no Tab chain
        card.resize(420, 220)
        card.grab()
        card.deleteLater()

    def _nothing_found_yet(self) -> None:
        if self.found_count():
            return
        self.empty.title.setText(self.tr("No devices found on this network yet"))
        self.empty.body.setText(
            self.tr(
                "The console keeps looking. If the room's projectors and boards are on another network "
                "segment (VLAN), press “Add by address…” and enter their addresses or range."
            )
        )

    def _devices_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        title = QLabel(self.tr("Devices in this room"))
        title.setObjectName("sectionTitle")
        self.devices_status = ElidedLabel()
        self.devices_status.setObjectName("pageSubtitle")
        self.all_on_button = QPushButton(self.tr("All on"))
        self.all_off_button = QPushButton(self.tr("All off"))
        for button, on in ((self.all_on_button, True), (self.all_off_button, False)):
            button.setObjectName("bigButton")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, on=on: self.power_all(on))
        self.by_address_button = QPushButton(self.tr("Add by address…"))
        self.by_address_button.setObjectName("linkButton")
        self.by_address_button.setToolTip(
            self.tr("Devices on another network segment (VLAN) are not found automatically: list them here.")
        )
        self.by_address_button.clicked.connect(self.ask_addresses)
        bar.addWidget(title)
        bar.addSpacing(12)
        bar.addWidget(Holder(self.devices_status), 1)  # counting devices found relays out nothing else
        bar.addWidget(self.by_address_button)
        bar.addWidget(self.all_on_button)
        bar.addWidget(self.all_off_button)
        self._update_devices_status()
        return bar

    def ask_addresses(self) -> None:
        if self.address_dialog is None:
            self.address_dialog = AddressDialog(self.bridge.core.settings.manual_addresses, self)
            self.address_dialog.sig_addresses.connect(self._addresses_chosen)
        self.address_dialog.open()  # not exec(): the room keeps running while the dialog is up

    def _addresses_chosen(self, specs: list[str]) -> None:
        dialog = self.address_dialog
        self.devices_status.setText(self.tr("Checking the addresses…"))

        def saved(_result: object) -> None:
            self._update_devices_status()
            if dialog is not None:
                dialog.accept()

        def refused(error: str) -> None:
            self._update_devices_status()
            if dialog is not None:
                dialog.show_refusal(error)  # the dialog stays open, with the typed text and the reason beside it

        self.bridge.run(
            self.bridge.core.set_manual_addresses(specs), on_done=saved, what=self.tr("save the addresses"),
            on_error=refused, owner=self)

    def power_all(self, on: bool) -> None:
        self.all_on_button.setEnabled(False)
        self.all_off_button.setEnabled(False)
        self.devices_status.setText(self.tr("Turning everything on…") if on else self.tr("Turning everything off…"))
        self.bridge.power_all(on, self._power_all_done)

    def _power_all_done(self, failures: list[DeviceCommandError]) -> None:
        self.all_on_button.setEnabled(True)
        self.all_off_button.setEnabled(True)
        self._update_devices_status()
        self.devices_status.setToolTip(with_details([failure_text(f) for f in failures], [str(f) for f in failures]))
        if failures:
            self.devices_status.setText(
                self.tr("%1 device(s) did not follow: %2")
                .replace("%1", str(len(failures)))
                .replace("%2", " ".join(failure_text(f) for f in failures))
            )

    def _update_devices_status(self) -> None:
        count = self.found_count()
        others = len(self._refused)
        if count == 0:
            words = self.tr("Looking for devices…")
        elif not others:
            words = self.tr("%1 found").replace("%1", str(count))
        else:  # the lecturer said these are another room's: not counted as the room's (R11 F14)
            words = self.tr("%1 found · other rooms': %2").replace("%1", str(count - others)).replace("%2", str(others))
        self.devices_status.setText(words)
        self.all_on_button.setEnabled(count > 0)
        self.all_off_button.setEnabled(count > 0)

    def _session_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("panel")
        row = QHBoxLayout(panel)
        row.setContentsMargins(22, 14, 22, 14)
        row.setSpacing(16)
        fields = QGridLayout()
        fields.setSpacing(6)
        self.lecturer_edit = QLineEdit()
        self.lecturer_edit.setPlaceholderText(self.tr("Lecturer's name"))
        self.course_edit = QLineEdit()
        self.course_edit.setPlaceholderText(self.tr("Course"))
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(self.tr("Today's title or topic"))
        for edit in (self.lecturer_edit, self.course_edit, self.title_edit):
            edit.setMaxLength(200)
        fields.addWidget(self.lecturer_edit, 0, 0)
        fields.addWidget(self.course_edit, 0, 1)
        fields.addWidget(self.title_edit, 1, 0, 1, 2)
        # A name is longer than a course ("Физика 1"): at 1366x768 half each cut "Алия Нурлановна" to "…Нурлановн".
        fields.setColumnStretch(0, 3)
        fields.setColumnStretch(1, 2)
        # Offered as they type: the names, courses and titles of past sessions, newest first (the fields are
        # prefilled with the last ones, as most rooms see the same lecturer and course again).
        self.recent: dict[str, QStringListModel] = {
            key: QStringListModel(self) for key in ("lecturer", "course", "title")}
        for edit, key in ((self.lecturer_edit, "lecturer"), (self.course_edit, "course"), (self.title_edit, "title")):
            completer = QCompleter(self.recent[key], edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            edit.setCompleter(completer)
        row.addLayout(fields, 2)

        status = QVBoxLayout()
        status.setSpacing(6)
        scene_row = QHBoxLayout()
        scene_label = QLabel(self.tr("Scene"))
        scene_label.setObjectName("sectionTitle")
        self.scene_picker = QComboBox()
        self.scene_picker.setMinimumWidth(150)
        self.scene_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scene_picker.setMinimumContentsLength(12)
        self.scene_picker.setToolTip(self.tr("What the room's devices do when the session starts"))
        self.switch_button = QPushButton(self.tr("Switch"))
        self.switch_button.setToolTip(self.tr("Walk the room to this scene now"))
        self.switch_button.clicked.connect(self.switch_scene)
        self.switch_button.hide()
        self.edit_scenes_button = QPushButton(self.tr("Edit scenes…"))
        self.edit_scenes_button.setObjectName("linkButton")
        self.edit_scenes_button.clicked.connect(self.edit_scenes)
        scene_row.addWidget(scene_label)
        scene_row.addWidget(self.scene_picker, 1)
        scene_row.addWidget(self.switch_button)
        scene_row.addWidget(self.edit_scenes_button)
        status.addLayout(scene_row)
        self.session_label = ElidedLabel(self.tr("No session running"))
        self.session_label.setObjectName("sectionTitle")
        self.elapsed_label = NoteLabel(self.tr("Start a session to log it for the centre."))
        self.elapsed_label.setObjectName("pageSubtitle")
        status.addWidget(self.session_label)
        self.with_devices = QCheckBox(self.tr("Turn the room off at the end"))
        self.with_devices.setToolTip(self.tr("End session turns the room's devices off and stops the recording"))
        self.with_devices.setChecked(True)
        self.with_devices.toggled.connect(self._turn_off_chosen)
        # The hint has the column's width to itself: beside the check box it was cut ("Начните занятие, чтоб…").
        status.addWidget(self.elapsed_label)
        status.addWidget(self.with_devices)
        row.addLayout(status, 3)

        self.session_button = QPushButton(self.tr("Start session"))
        self.session_button.setObjectName("primaryButton")
        self.session_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.session_button.setMinimumWidth(230)
        self.session_button.clicked.connect(self._toggle_session)
        row.addWidget(self.session_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return panel

    # -- scenes -----------------------------------------------------------------------------
    def show_scenes(self, select: str | None = None) -> None:
        """The room's scenes in the picker (the last one used chosen), and "No scene" for a room left as it is."""
        scenes = self.bridge.core.scenes.scenes
        wanted = select if select is not None else (self.scene_picker.currentData() or scenes.last_scene)
        self.scene_picker.blockSignals(True)
        self.scene_picker.clear()
        for scene in scenes.scenes:
            self.scene_picker.addItem(scene_name(scene.name, scene.builtin), scene.name)
        self.scene_picker.addItem(self.tr("No scene (leave the room as it is)"), "")
        index = self.scene_picker.findData(wanted)
        self.scene_picker.setCurrentIndex(max(index, 0))
        self.scene_picker.blockSignals(False)
        self.with_devices.blockSignals(True)
        self.with_devices.setChecked(scenes.turn_off_at_end)
        self.with_devices.blockSignals(False)

    def chosen_scene(self) -> str:
        return str(self.scene_picker.currentData() or "")

    def edit_scenes(self) -> None:
        if self.scene_editor is None:
            self.scene_editor = SceneEditor(self.bridge, self.chosen_scene(), self)
            self.scene_editor.sig_saved.connect(lambda name: self.show_scenes(name or None))
        else:
            self.scene_editor.reload(self.chosen_scene())
        self.scene_editor.open()  # not exec(): the room keeps running while the dialog is up

    def switch_scene(self) -> None:
        scene = self.chosen_scene()
        if not scene or self.bridge.room.session is None:
            return
        self.scene_progress.begin(scene)
        self.bridge.run(self.bridge.core.scenes.switch(scene), what=self.tr("switch the scene"), owner=self)

    def _on_scene_step(self, step: SceneStep) -> None:
        self.scene_progress.show_step(step)

    def _turn_off_chosen(self, turn_off: bool) -> None:
        self.bridge.run(self.bridge.core.scenes.set_turn_off_at_end(turn_off),
                        what=self.tr("save the setting"), owner=self)

    # -- the session ------------------------------------------------------------------------
    def _toggle_session(self) -> None:
        if self.bridge.room.session is not None and self.end_box is None:
            self._confirm_end()
            return
        self._carry_out_toggle()

    def _confirm_end(self) -> None:
        """Ending turns the room off: one question first, so a stray click does not darken a lecture."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("End the session"), self.tr("End this session?"),
                          parent=self)
        if self.with_devices.isChecked() and self.found_count():
            box.setInformativeText(self.tr("The room's devices will be turned off."))
        end = box.addButton(self.tr("End session"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Keep it running"), QMessageBox.ButtonRole.RejectRole)

        def chosen() -> None:
            self.end_box = None
            if box.clickedButton() is end and self.bridge.room.session is not None:
                self._carry_out_toggle()

        box.finished.connect(chosen)
        self.end_box = box
        box.open()

    def _carry_out_toggle(self) -> None:
        self.session_button.setEnabled(False)
        director = self.bridge.core.scenes
        if self.bridge.room.session is None:
            scene = self.chosen_scene()
            if scene:
                self.scene_progress.begin(scene)
            self.bridge.run(
                director.start(self.lecturer_edit.text().strip(), self.course_edit.text().strip(),
                               self.title_edit.text().strip(), scene or None),
                what=self.tr("start the session"), on_error=lambda _e: self.session_button.setEnabled(True),
                owner=self)
        else:
            core = self.bridge.core
            self.bridge.run(end_told(director.end(self.with_devices.isChecked()), core.room, core.db_path),
                            on_done=self._ended, what=self.tr("end the session"), owner=self)
        self._rearm_timer.start(1500)

    def _ended(self, problems: list[str] | EndUnlogged) -> None:
        """What did not follow the end, in words by its code; the director's English only after "Details:"."""
        if isinstance(problems, EndUnlogged):
            self._end_not_logged(problems)
        elif problems:
            coded = end_problems(self.bridge.core.scenes.refused_at_end, problems)
            devices = any(p.code in (EndCode.DEVICE_REFUSED, EndCode.DEVICES_TOO_SLOW) for p in coded)
            self.elapsed_label.setText(self.tr("The session was saved; some devices did not turn off.") if devices
                                       else self.tr("The session was saved; not everything ended cleanly."))
            self.elapsed_label.set_more(with_details([end_problem_text(p) for p in coded], problems))

    def _end_not_logged(self, unlogged: EndUnlogged) -> None:
        """The session is over but its end is not in the log (a full disk, the log closing, a failure): the window
        shows it ended, not a session still running whose button would start another, and says why by its code."""
        self._on_session_ended("")
        line, whole = unlogged_end_text(unlogged)
        self.elapsed_label.setText(line)
        self.elapsed_label.set_more(whole)
        self.bridge.sig_error.emit(line, unlogged.detail)  # the status bar says it too, as it said any failure

    def _on_session_started(self, _sid: str, lecturer: str, course: str) -> None:
        self._session_started = time.monotonic()
        self.session_button.setText(self.tr("End session"))
        self.session_button.setProperty("running", True)
        self._repolish(self.session_button)
        title = self.bridge.core.scenes.title
        who = " · ".join(part for part in (lecturer, course, title) if part) or self.tr("Session")
        self.session_label.setText(self.tr("Running: %1").replace("%1", who))
        for edit in (self.lecturer_edit, self.course_edit, self.title_edit):
            edit.setEnabled(False)
            edit.setCursorPosition(0)  # the start of a long name, not its end, while it cannot be edited
        self.switch_button.show()
        self.session_button.setEnabled(True)
        self._show_elapsed()
        self._tick.start()

    def show_live(self) -> None:
        live = [name for name, stats in self.bridge.live_health().items() if stats.state == "live"]
        if not live:
            self._live_since = None
            self._show_recording()
            return
        if self._live_since is None:
            self._live_since = time.monotonic()
        seconds = int(time.monotonic() - self._live_since)
        clock = hours_clock(seconds)
        self.live_badge.setText(self.tr("● LIVE %1").replace("%1", clock))
        self.live_badge.setToolTip(plain_tip(", ".join(live)))  # destinations' names, from the settings file
        self.live_badge.show()

    def _show_recording(self) -> None:
        """REC and its time while the Studio records and nothing is live: a lecturer saw no sign of it here."""
        elapsed = self.bridge.recording_elapsed_s()
        if elapsed is None:
            self.live_badge.hide()
            return
        seconds = int(elapsed)
        clock = hours_clock(seconds)
        self.live_badge.setText(self.tr("● REC %1").replace("%1", clock))
        self.live_badge.setToolTip(self.tr("The Studio is recording"))
        self.live_badge.show()

    def _subtitle(self, room: str) -> str:
        return self.tr("Everything in %1, ready with one button.").replace("%1", room)

    def show_room_name(self, room: str) -> None:
        self.subtitle.setText(self._subtitle(room))

    def load_recent_names(self) -> None:
        self.show_scenes()
        self.bridge.run(self.bridge.core.recent_names(), on_done=self._show_recent_names,
                        what=self.tr("read past lecturers and courses"), owner=self)

    def _show_recent_names(self, names: dict[str, list[str]]) -> None:
        scenes = self.bridge.core.scenes.scenes
        names = {**names, "title": list(scenes.recent_titles)}
        last = {"course": scenes.last_course, "title": scenes.last_title}  # this room's, before any room's
        for key, edit in (("lecturer", self.lecturer_edit), ("course", self.course_edit), ("title", self.title_edit)):
            self.recent[key].setStringList(names.get(key, []))
            if not edit.text() and edit.isEnabled():
                edit.setText(last.get(key) or (names[key][0] if names.get(key) else ""))

    def _on_session_ended(self, _sid: str) -> None:
        # The end cancels a scene still applying: its chips said "Applying…" over a room turned off until the
        # next start. What it set is on the cards.
        self.scene_progress.hide()
        self.load_recent_names()
        self._session_started = None
        self._tick.stop()
        self.session_button.setText(self.tr("Start session"))
        self.session_button.setProperty("running", False)
        self._repolish(self.session_button)
        self.session_label.setText(self.tr("No session running"))
        self.elapsed_label.setText(self.tr("The session was saved to the log."))
        for edit in (self.lecturer_edit, self.course_edit, self.title_edit):
            edit.setEnabled(True)
        self.switch_button.hide()
        self.session_button.setEnabled(True)

    def _show_elapsed(self) -> None:
        if self._session_started is None:
            return
        seconds = int(time.monotonic() - self._session_started)
        clock = hours_clock(seconds)
        self.elapsed_label.setText(self.tr("Elapsed %1").replace("%1", clock))

    def show_device(self, device: DeviceInfo) -> None:
        # Newer news supersedes a change held for the next frame: applied after it, the held one would bring back
        # the old state, or the old kind of card for a device that turned out to be a camera (review R4).
        self._repaint_due.pop(device.uid, None)
        self.room_banner.note(device)
        if (belonging(device) is Belonging.REFUSED) != (device.uid in self._refused):
            self._refused.symmetric_difference_update({device.uid})
            self._update_devices_status()  # "N found" counts the room's and the undecided, not another room's
        card = self.cards.get(device.uid)
        wants_camera = Capability.STREAM in device.capabilities
        if card is None:
            made = self._made.get(device.uid)
            if made is not None and isinstance(made, CameraCard) == wants_camera:
                made.update_device(device)  # made, shown on the next turn: it shows the latest then
                return
            if made is not None:
                del self._made[device.uid]
                made.deleteLater()
            if self.unbuilt or self._made or time.perf_counter() - self._last_built < LONE_AFTER_S:
                self._wait_for_card(device)
                return
        if card is not None and isinstance(card, CameraCard) != wants_camera:
            self._drop_card(card)  # a device first known by its address turned out to be a camera, or back
            card = None
        if card is None:
            self._show_card(self._make_card(device))
            return
        if self._frame_full(card):
            self._repaint_due[device.uid] = device
            if not self._repaint_timer.isActive():
                self._repaint_timer.start()
            return
        refused = belonging(device) is Belonging.REFUSED
        moved = uid_key[0][2] != refused if (uid_key := self._sort_keys.get(device.uid)) else False
        card.update_device(device)
        if moved:  # refused or taken back: another room's cards go after the room's own
            self._place_cards()
        window = self.camera_windows.get(device.uid)
        if window is not None:
            window.update_device(device)

    def _frame_full(self, card: DeviceCard | CameraCard) -> bool:
        """Whether this frame has shown its share of changes on screen (a card off screen costs no paint)."""
        now = time.perf_counter()
        if now - self._frame_began > FRAME_S:
            self._frame_began, self._frame_shown = now, 0
        if card.visibleRegion().isEmpty():
            return False
        if self._frame_shown >= ON_SCREEN_PER_FRAME:
            return True
        self._frame_shown += 1
        return False

    def _show_due(self) -> None:
        due, self._repaint_due = self._repaint_due, {}
        for device in due.values():
            if device.uid in self.cards:
                self.show_device(device)  # beyond this frame's share: back in _repaint_due for the next

    def found_count(self) -> int:
        """Every device found, its card shown or not yet."""
        return len(self.cards) + len(self._made) + len(self.unbuilt)

    def _wait_for_card(self, device: DeviceInfo) -> None:
        first = self.found_count() == 0
        self.unbuilt[device.uid] = device
        if first:
            self._show_grid()
            self._update_devices_status()
        if not self._build_timer.isActive():  # counted there too: a label set 100 times in one turn costs
            self._build_timer.start()

    def _build_waiting(self) -> None:
        """A turn's slice of the waiting cards, oldest first, the rest on the next turn of the event loop.

        A card is built in steps (its frame and face, then one control a step, then placed and shown), so a slow
        machine's turn holds one short step, not a whole card."""
        self._update_devices_status()  # every device found is counted at once, built or not
        self._reserve_rows()
        young_only(1.0)  # the cards live as long as the window: no generation-1 collections over them meanwhile
        started = step_began = time.perf_counter()
        while self._made or self.unbuilt:  # at least one step a turn, however slow the machine
            if self._made:
                uid = next(iter(self._made))
                card = self._made[uid]
                if isinstance(card, DeviceCard) and not card.built:
                    card.build_step()
                else:
                    del self._made[uid]
                    self._show_card(card)
                    if not card.visibleRegion().isEmpty():
                        break  # painted in this turn: one card on screen a turn
            else:
                device = self.unbuilt.pop(next(iter(self.unbuilt)))
                self._made[device.uid] = self._make_card(device, later=True)
            now = time.perf_counter()
            if 2 * now - step_began - started > CARD_BUILD_BUDGET_S:  # another step like it would overrun
                break
            step_began = now
        if self._made or self.unbuilt:
            self._build_timer.start()
        else:
            self.grid.reserve(0, 0)  # filled in: as tall as its cards
            settle_young()

    def _reserve_rows(self) -> None:
        """While cards fill in, the grid is as tall as every device found will need (rows of the first card's
        height): a grid that grew a row at a time made the scroll area repaint every card on screen at each row."""
        first = next(iter(self.cards.values()), None)
        if first is None or first.height() <= 0:
            return
        self.grid.reserve(self.found_count(), first.height())

    def _make_card(self, device: DeviceInfo, later: bool = False) -> DeviceCard | CameraCard:
        # Made inside the grid's widget (hidden until shown): made elsewhere and moved in, its widgets would be
        # styled again when moved. ``later``: a device card's controls are made by its build_step()s.
        if Capability.STREAM in device.capabilities:
            camera = CameraCard(device, self.bridge, self.grid_host)
            camera.sig_enlarge.connect(self.open_camera)
            return camera
        return DeviceCard(device, self.bridge, self.grid_host, later=later)

    def _show_card(self, card: DeviceCard | CameraCard) -> None:
        uid = card.device.uid
        self.cards[uid] = card
        ranked = self._place_cards()
        card.show()  # styled here, in this turn's budget, not later with the rest of a slice
        self.grid.chain(card, ranked)  # Tab reaches it between the cards beside it, as they are read
        if not self.unbuilt and not self._made:
            self._show_grid()
            self._update_devices_status()
        window = self.camera_windows.get(uid)
        if window is not None:
            window.update_device(card.device)
        self._last_built = time.perf_counter()

    def _show_grid(self) -> None:
        if not self.cards_scroll.isVisibleTo(self):
            self.empty.hide()
            self.cards_scroll.show()

    def open_camera(self, uid: str) -> None:
        """The camera's own window with a bigger picture; one per camera, raised if already open."""
        window = self.camera_windows.get(uid)
        if window is None:
            window = CameraWindow(self.cards[uid].device, self.bridge, self)
            self.camera_windows[uid] = window
        window.show()
        window.raise_()
        window.activateWindow()

    def _drop_card(self, card: DeviceCard | CameraCard) -> None:
        window = self.camera_windows.pop(card.device.uid, None)
        if window is not None:
            window.card.close_stream()
            window.close()
            window.deleteLater()
        if isinstance(card, CameraCard):
            card.close_stream()
        self.grid.removeWidget(card)
        card.deleteLater()
        del self.cards[card.device.uid]
        self._placed.pop(card.device.uid, None)
        self._sort_keys.pop(card.device.uid, None)

    def remove_device(self, device: DeviceInfo) -> None:
        """A stranger left the room: its card goes, built or waiting, and the cards after it close up."""
        uid = device.uid
        self._repaint_due.pop(uid, None)
        self.room_banner.forget(uid)
        self._refused.discard(uid)
        self.unbuilt.pop(uid, None)
        made = self._made.pop(uid, None)
        if made is not None:
            made.deleteLater()
        card = self.cards.get(uid)
        if card is not None:
            self._drop_card(card)
            self._place_cards()
        if not self.found_count():
            self.cards_scroll.hide()
            self.empty.show()
        self._update_devices_status()

    def device_cards(self) -> list[DeviceCard]:
        """The cards of switchable devices (projectors, boards, displays): everything but the cameras."""
        return [card for card in self.cards.values() if isinstance(card, DeviceCard)]

    def camera_cards(self) -> list[CameraCard]:
        return [card for card in self.cards.values() if isinstance(card, CameraCard)]

    def show_cameras(self) -> None:
        """Scrolls the cameras' row into view (below the projectors and boards on a 768-px screen)."""
        cameras = self.camera_cards()
        if cameras:
            bar = self.cards_scroll.verticalScrollBar()
            bar.setValue(min(bar.maximum(), min(card.y() for card in cameras)))

    def _place_cards(self) -> list[QWidget]:
        """Same order every time: projectors, boards, displays, cameras, then by name, as the room is laid out;
        another room's devices (refused: ``room_choice``) after the room's own, each group so.

        Only the cards whose cell changed are moved (a card arriving in order moves none but itself). Returns the
        cards in reading order."""
        ranked = sorted(self.cards.values(), key=self._sort_key)
        cameras = [card for card in ranked if isinstance(card, CameraCard)]
        others = [card for card in ranked if not isinstance(card, CameraCard)]
        camera_row = -(-len(others) // CARD_COLUMNS)  # cameras start a row of their own: their cards are taller
        cells: list[tuple[DeviceCard | CameraCard, int, int]] = [
            (other, index // CARD_COLUMNS, index % CARD_COLUMNS) for index, other in enumerate(others)]
        cells += [(camera, camera_row + index // CARD_COLUMNS, index % CARD_COLUMNS)
                  for index, camera in enumerate(cameras)]
        for card, row, column in cells:
            uid = card.device.uid
            if self._placed.get(uid) == (row, column):
                continue
            self._placed[uid] = (row, column)
            self.grid.put(card, row, column, top=isinstance(card, CameraCard))  # a camera's card: its own height
        self.grid.place()
        return [card for card, _row, _column in cells]

    def cards_in_grid_order(self) -> list[DeviceCard | CameraCard]:
        """The built cards as the grid shows them, row by row (the layout's own item order is arrival order)."""
        return sorted(self.cards.values(), key=lambda card: self._placed.get(card.device.uid, (1 << 30, 0)))

    def _sort_key(self, card: DeviceCard | CameraCard) -> tuple[Any, ...]:
        device = card.device
        key = self._sort_keys.get(device.uid)
        refused = belonging(device) is Belonging.REFUSED
        if key is None or key[0] != (device.kind, device.name, refused):
            order = {"projector": 0, "board": 1, "display": 2, "camera": 3}
            key = ((device.kind, device.name, refused), refused, order.get(str(device.kind), 9),
                   natural_key(device.name), device.uid)
            self._sort_keys[device.uid] = key
        return key[1:]

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
