"""A camera on the lecturer's screen: its live picture and, for a PTZ camera, the controls to frame the shot.

Picked by capabilities, like every card: "stream" gives the preview and "Use in Studio", "ptz" and
"presets" the controls (ui/camera_ptz.py), which the arrow and +/- keys drive while the card has focus.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from classroom_console.room_devices import DeviceCommandError
from devices.driver import Capability, Command, Reason
from devices.model import Availability, DeviceInfo
from ui.bridge import RoomBridge
from ui.camera_ptz import PtzControls
from ui.camera_view import CameraView
from ui.device_card import KIND_ICONS, availability_text, kind_text
from ui.device_details import DeviceDetails
from ui.plain_text import plain
from ui.ptz_pad import Speeds
from ui.reasons import problem_text, reason_text
from ui.resources import icon
from ui.widgets import Badge, ElidedLabel, plain_tip

NOTE_MS = 4000  # how long a note ("Stored as preset 2") stays over the picture


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
        self.problem_label = plain(QLabel())  # names the camera: its own words
        self.problem_label.setObjectName("cardProblem")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.problem_label)

        self.ptz = PtzControls(self._send_speeds)
        self.ptz.sig_command.connect(self._send)
        self.ptz.pad.sig_speed.connect(lambda _pan, _tilt: self.setFocus(Qt.FocusReason.MouseFocusReason))
        layout.addWidget(self.ptz)

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

        self.update_device(device)

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

        problems = [problem_text(c, str(level)) for c, level in sorted((device.state.get("errors") or {}).items())]
        if device.availability not in (Availability.ONLINE, Availability.UNKNOWN) and not problems:
            problems.append(reason_text(device.reason or Reason.NO_ANSWER))
        self.problem_label.setText("\n".join(problems))
        self.problem_label.setVisible(bool(problems))

        self.ptz.show_device(device)
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
            self.problem_label.setToolTip(plain_tip(error.detail))
            self.problem_label.setVisible(True)
        elif clear and self.view.note == clear and clear.endswith("…"):
            self.view.set_note("")  # "Going to preset 2…" is over; "Stored as preset 2" stays a while

    def _send_speeds(self, speeds: Speeds, answered: Callable[[], None]) -> None:
        def finished(error: DeviceCommandError | None) -> None:
            self._finished(error)
            answered()

        self.bridge.device_command(self.device.uid, Command("ptz-drive", speeds), finished)

    def use_in_studio(self) -> None:
        url = self.device.state.get("stream_url")
        if url:
            self.bridge.use_in_studio(f"camera:{url}")
            self.note(self.tr("Added to the Studio"))

    # -- keyboard --------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.ptz.key_pressed(event.key(), event.isAutoRepeat()):
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if self.ptz.key_released(event.key(), event.isAutoRepeat()):
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.ptz.let_go()

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
