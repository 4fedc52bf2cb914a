"""A camera on the lecturer's screen: its live picture and, for a PTZ camera, the controls to frame the shot.

Picked by capabilities, like every card: "stream" gives the preview and "Use in Studio", "ptz" the pad,
zoom and Home, "presets" the six preset buttons (click recalls; hold, or "Store" then click, stores).
With the card focused, the arrow keys pan and tilt and + / - zoom while held.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from classroom_console.room_devices import DeviceCommandError
from devices.driver import Capability, Command, Reason
from devices.model import Availability, DeviceInfo
from ui.bridge import RoomBridge
from ui.camera_view import CameraView
from ui.device_card import KIND_ICONS, availability_text, kind_text
from ui.device_details import DeviceDetails
from ui.ptz_pad import DriveSender, PtzPad, Speeds
from ui.reasons import reason_text
from ui.resources import icon
from ui.widgets import Badge, ElidedLabel

PRESETS = 6
HOLD_TO_STORE_MS = 700
NOTE_MS = 4000  # how long a note ("Stored as preset 2") stays over the picture
KEY_SPEED = 0.5
KEYS: dict[int, Speeds] = {
    Qt.Key.Key_Left: (-KEY_SPEED, 0.0, 0.0), Qt.Key.Key_Right: (KEY_SPEED, 0.0, 0.0),
    Qt.Key.Key_Up: (0.0, KEY_SPEED, 0.0), Qt.Key.Key_Down: (0.0, -KEY_SPEED, 0.0),
    Qt.Key.Key_Plus: (0.0, 0.0, KEY_SPEED), Qt.Key.Key_Equal: (0.0, 0.0, KEY_SPEED),
    Qt.Key.Key_Minus: (0.0, 0.0, -KEY_SPEED),
}


def ptz_failure_text(error: DeviceCommandError) -> str:
    """"Camera 1: could not recall preset 2. Not answering…", in the user's words."""
    value = error.command.value
    what = {
        "ptz-drive": QCoreApplication.translate("CameraCard", "move the camera"),
        "ptz-goto": QCoreApplication.translate("CameraCard", "move the camera"),
        "ptz-home": QCoreApplication.translate("CameraCard", "turn the camera to its home position"),
        "preset-recall": QCoreApplication.translate("CameraCard", "recall preset %1").replace("%1", str(value)),
        "preset-store": QCoreApplication.translate("CameraCard", "store preset %1").replace("%1", str(value)),
    }.get(error.command.name, error.command.name)
    return (QCoreApplication.translate("CameraCard", "%1: could not %2.").replace("%1", error.device_name)
            .replace("%2", what) + " " + reason_text(error.reason))


class CameraCard(QFrame):
    sig_enlarge = Signal(str)  # the device's uid: the picture was double-clicked

    def __init__(self, device: DeviceInfo, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setProperty("camera", True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click anywhere on the card gives it the keys
        self.bridge = bridge
        self.device = device
        self._details: DeviceDetails | None = None
        self._pad: Speeds = (0.0, 0.0, 0.0)
        self._zoom = 0.0
        self._keys: set[int] = set()
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)  # a PTZ card fits the fold of a 768-px screen
        layout.setSpacing(6)

        top = QHBoxLayout()
        picture = QLabel()
        picture.setPixmap(icon(KIND_ICONS.get(device.kind, "camera")).pixmap(32, 32))
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = ElidedLabel()
        self.name_label.setObjectName("sectionTitle")
        self.kind_label = ElidedLabel()
        self.kind_label.setObjectName("pageSubtitle")
        names.addWidget(self.name_label)
        names.addWidget(self.kind_label)
        self.badge = Badge()
        self.details_button = QPushButton(self.tr("Details"))
        self.details_button.setObjectName("linkButton")
        self.details_button.clicked.connect(self.show_details)
        corner = QVBoxLayout()
        corner.setSpacing(0)
        corner.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignRight)
        corner.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignRight)
        top.addWidget(picture)
        top.addLayout(names, 1)
        top.addLayout(corner)
        layout.addLayout(top)

        self.view = CameraView(bridge, device.name)
        self.view.setToolTip(self.tr("Double-click for a bigger picture"))
        self.view.sig_double_clicked.connect(lambda: self.sig_enlarge.emit(self.device.uid))
        layout.addWidget(self.view)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("cardProblem")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.problem_label)

        self.ptz_box = QWidget()
        layout.addWidget(self.ptz_box)
        self._build_ptz(self.ptz_box)

        self.studio_button = QPushButton(self.tr("Use in Studio"))
        self.studio_button.setObjectName("overlayButton")
        self.studio_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.studio_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.studio_button.setToolTip(self.tr("Add this camera's picture to the Studio's sources"))
        self.studio_button.clicked.connect(self.use_in_studio)
        self.view.set_corner(self.studio_button)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_MS)
        self._note_timer.timeout.connect(lambda: self.view.set_note(""))

        self.drive = DriveSender(self._send_drive, self)
        self.update_device(device)

    def _build_ptz(self, box: QWidget) -> None:
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.pad = PtzPad()
        self.pad.setToolTip(self.tr("Drag to pan and tilt; the further from the centre, the faster"))
        self.pad.sig_speed.connect(self._pad_moved)
        row.addWidget(self.pad)

        zoom = QVBoxLayout()
        zoom.setSpacing(4)
        self.zoom_in = QPushButton("+")
        self.zoom_out = QPushButton("−")
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("cardDetail")
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for button, speed, tip in ((self.zoom_in, KEY_SPEED, self.tr("Zoom in (hold)")),
                                   (self.zoom_out, -KEY_SPEED, self.tr("Zoom out (hold)"))):
            button.setObjectName("zoomButton")
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.pressed.connect(lambda speed=speed: self._zoom_by(speed))
            button.released.connect(lambda: self._zoom_by(0.0))
        zoom.addWidget(self.zoom_in)
        zoom.addWidget(self.zoom_label)
        zoom.addWidget(self.zoom_out)
        row.addLayout(zoom)

        grid = QGridLayout()
        grid.setSpacing(4)
        self.preset_buttons: list[QPushButton] = []
        for number in range(1, PRESETS + 1):
            button = QPushButton(str(number))
            button.setObjectName("presetButton")
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.pressed.connect(lambda n=number: self._preset_pressed(n))
            button.released.connect(lambda n=number: self._preset_released(n))
            grid.addWidget(button, (number - 1) // 3, (number - 1) % 3)
            self.preset_buttons.append(button)
        self.home_button = QPushButton("⌂")  # the sign PTZ remotes print on this key; the words are in its tooltip
        self.home_button.setObjectName("zoomButton")  # the big font: the sign is small
        self.home_button.setToolTip(self.tr("Back to the camera's home position"))
        self.home_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.home_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.home_button.clicked.connect(lambda: self._send(Command("ptz-home"), self.tr("Going home…")))
        self.store_button = QPushButton(self.tr("Store"))
        self.store_button.setObjectName("presetButton")
        self.store_button.setCheckable(True)
        self.store_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.store_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.store_button.setToolTip(self.tr("Then click a number to keep the present framing there "
                                             "(or hold a number)"))
        grid.addWidget(self.home_button, 2, 0)
        grid.addWidget(self.store_button, 2, 1, 1, 2)  # two columns: "Запомнить" needs them
        for column in range(3):
            grid.setColumnStretch(column, 1)
        row.addLayout(grid, 1)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(HOLD_TO_STORE_MS)
        self._hold.timeout.connect(self._held)
        self._held_number = 0

    # -- showing ---------------------------------------------------------------------------------
    def update_device(self, device: DeviceInfo) -> None:
        self.device = device
        state = device.state
        name = device.name or device.address
        self.name_label.setText(name)
        self.kind_label.setText(f"{kind_text(device.kind)} · {device.address}")
        word, tone = availability_text(device.availability, device.reason)
        self.badge.setText(word)
        self.badge.set_tone(tone)
        online = device.availability is Availability.ONLINE
        caps = device.capabilities
        url = state.get("stream_url") if Capability.STREAM in caps else None
        self.view.set_source(str(url) if url and online else None, name)
        self.studio_button.setVisible(Capability.STREAM in caps)
        self.studio_button.setEnabled(bool(url))

        problems = []
        if device.availability is not Availability.ONLINE and device.availability is not Availability.UNKNOWN:
            problems.append(reason_text(device.reason or Reason.NO_ANSWER))
        self.problem_label.setText("\n".join(problems))
        self.problem_label.setVisible(bool(problems))

        ptz, presets = Capability.PTZ in caps, Capability.PRESETS in caps
        self.ptz_box.setVisible(ptz or presets)
        for widget in (self.pad, self.zoom_in, self.zoom_out, self.zoom_label, self.home_button):
            widget.setVisible(ptz)
            widget.setEnabled(online)
        names: dict[str, str] = state.get("presets", {}) or {}
        for number, button in enumerate(self.preset_buttons, start=1):
            button.setVisible(presets)
            button.setEnabled(online)
            stored = names.get(str(number))
            button.setProperty("stored", bool(stored))
            button.setToolTip(self.tr("Recall “%1” (hold to store the present framing)").replace("%1", stored)
                              if stored else self.tr("Preset %1 is empty: hold to store the present framing")
                              .replace("%1", str(number)))
            button.style().unpolish(button)
            button.style().polish(button)
        self.store_button.setVisible(presets)
        self.store_button.setEnabled(online)
        position = state.get("position") or {}
        zoom = position.get("zoom")
        self.zoom_label.setText(self.tr("Zoom %1%").replace("%1", str(round(float(zoom) * 100)))
                                if zoom is not None else self.tr("Zoom"))
        if not online:
            self._keys.clear()
            self._pad, self._zoom = (0.0, 0.0, 0.0), 0.0
        if self._details is not None:
            self._details.show_device(device)

    def close_stream(self) -> None:
        self.view.close_stream()

    # -- commands --------------------------------------------------------------------------------
    def note(self, text: str) -> None:
        """A short word over the picture that fades after a few seconds."""
        self.view.set_note(text)
        self._note_timer.start()

    def _send(self, command: Command, doing: str = "") -> None:
        self.note(doing)

        def finished(error: DeviceCommandError | None) -> None:
            self._finished(error, clear=doing)

        self.bridge.device_command(self.device.uid, command, finished)

    def _finished(self, error: DeviceCommandError | None, clear: str = "") -> None:
        if error is not None:
            self.view.set_note("")
            self.problem_label.setText(ptz_failure_text(error))
            self.problem_label.setToolTip(error.detail)
            self.problem_label.setVisible(True)
        elif clear and self.view.note == clear and clear.endswith("…"):
            self.view.set_note("")  # "Going to preset 2…" is over; "Stored as preset 2" stays a while

    def _send_drive(self, speeds: Speeds, answered: Callable[[], None]) -> None:
        def finished(error: DeviceCommandError | None) -> None:
            self._finished(error)
            answered()

        self.bridge.device_command(self.device.uid, Command("ptz-drive", speeds), finished)

    def _drive(self) -> None:
        pan, tilt, zoom = self._pad[0], self._pad[1], self._zoom
        for key in self._keys:
            k_pan, k_tilt, k_zoom = KEYS[key]
            pan, tilt, zoom = pan + k_pan, tilt + k_tilt, zoom + k_zoom
        self.drive.set((pan, tilt, zoom))

    def _pad_moved(self, pan: float, tilt: float) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._pad = (pan, tilt, 0.0)
        self._drive()

    def _zoom_by(self, speed: float) -> None:
        self._zoom = speed
        self._drive()

    def _preset_pressed(self, number: int) -> None:
        self._held_number = number
        self._hold.start()

    def _preset_released(self, number: int) -> None:
        if not self._hold.isActive():
            return  # held long enough: stored already
        self._hold.stop()
        if self.store_button.isChecked():
            self.store_button.setChecked(False)
            self.store_preset(number)
        else:
            self.recall_preset(number)

    def _held(self) -> None:
        self.store_button.setChecked(False)
        self.store_preset(self._held_number)

    def recall_preset(self, number: int) -> None:
        self._send(Command("preset-recall", number), self.tr("Going to preset %1…").replace("%1", str(number)))

    def store_preset(self, number: int) -> None:
        self._send(Command("preset-store", number), self.tr("Stored as preset %1").replace("%1", str(number)))

    def use_in_studio(self) -> None:
        url = self.device.state.get("stream_url")
        if url:
            self.bridge.use_in_studio(f"camera:{url}")
            self.note(self.tr("Added to the Studio"))

    # -- keyboard --------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in KEYS and Capability.PTZ in self.device.capabilities and self.pad.isEnabled():
            if not event.isAutoRepeat():
                self._keys.add(key)
                self._drive()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in KEYS and key in self._keys:
            if not event.isAutoRepeat():
                self._keys.discard(key)
                self._drive()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Keys held while the focus leaves never get their release: stop rather than drift on."""
        super().focusOutEvent(event)
        if self._keys:
            self._keys.clear()
            self._drive()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def show_details(self) -> None:
        if self._details is None:
            self._details = DeviceDetails(self, [
                (self.tr("Check now"), lambda: self.bridge.refresh_device(self.device.uid)),
            ])
        self._details.show_device(self.device)
        self._details.show()
        self._details.raise_()
