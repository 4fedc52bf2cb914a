"""A PTZ camera's controls on its card: the pad, zoom, Home, presets 1-6 and the keys that drive the head.

Presets: a click recalls; holding a number, or "Store" then a click, keeps the present framing there.
Keys (while the card has focus): arrows pan and tilt, + and - zoom, for as long as they are held.
Commands leave through the card (``sig_command``), which words a refusal; speeds go through a DriveSender.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from devices.driver import Capability, Command
from devices.model import Availability, DeviceInfo
from ui.ptz_pad import DriveSender, PtzPad, Speeds
from ui.widgets import plain_tip

PRESETS = 6
HOLD_TO_STORE_MS = 700
KEY_SPEED = 0.5
KEYS: dict[int, Speeds] = {
    Qt.Key.Key_Left: (-KEY_SPEED, 0.0, 0.0), Qt.Key.Key_Right: (KEY_SPEED, 0.0, 0.0),
    Qt.Key.Key_Up: (0.0, KEY_SPEED, 0.0), Qt.Key.Key_Down: (0.0, -KEY_SPEED, 0.0),
    Qt.Key.Key_Plus: (0.0, 0.0, KEY_SPEED), Qt.Key.Key_Equal: (0.0, 0.0, KEY_SPEED),
    Qt.Key.Key_Minus: (0.0, 0.0, -KEY_SPEED),
}


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the card keeps the keyboard
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return button


class PtzControls(QWidget):
    sig_command = Signal(object, str)  # a Command, and what to say over the picture while it runs

    def __init__(self, send_speeds: Callable[[Speeds, Callable[[], None]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drive = DriveSender(send_speeds, self)
        self._pad: Speeds = (0.0, 0.0, 0.0)
        self._zoom = 0.0
        self._keys: set[int] = set()
        self._held_number = 0
        self._name_dialog: QInputDialog | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.pad = PtzPad()
        self.pad.setToolTip(self.tr("Drag to pan and tilt; the further from the centre, the faster"))
        self.pad.sig_speed.connect(self._pad_moved)
        row.addWidget(self.pad)
        row.addLayout(self._zoom_column())
        row.addLayout(self._preset_grid(), 1)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(HOLD_TO_STORE_MS)
        self._hold.timeout.connect(self._held)

    def _zoom_column(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(4)
        self.zoom_in = _button("+", "zoomButton")
        self.zoom_out = _button("−", "zoomButton")
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("cardDetail")
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for button, speed, tip in ((self.zoom_in, KEY_SPEED, self.tr("Zoom in (hold)")),
                                   (self.zoom_out, -KEY_SPEED, self.tr("Zoom out (hold)"))):
            button.setToolTip(tip)
            button.pressed.connect(lambda speed=speed: self._zoom_by(speed))
            button.released.connect(lambda: self._zoom_by(0.0))
        column.addWidget(self.zoom_in)
        column.addWidget(self.zoom_label)
        column.addWidget(self.zoom_out)
        return column

    def _preset_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(4)
        self.preset_buttons: list[QPushButton] = []
        for number in range(1, PRESETS + 1):
            button = _button(str(number), "presetButton")
            button.pressed.connect(lambda n=number: self._preset_pressed(n))
            button.released.connect(lambda n=number: self._preset_released(n))
            button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)  # right-click: rename it
            button.customContextMenuRequested.connect(lambda _pos, n=number: self.ask_preset_name(n))
            grid.addWidget(button, (number - 1) // 3, (number - 1) % 3)
            self.preset_buttons.append(button)
        self.home_button = _button("⌂", "zoomButton")  # the sign PTZ remotes print on this key; words in its tip
        self.home_button.setToolTip(self.tr("Back to the camera's home position"))
        self.home_button.clicked.connect(
            lambda: self.sig_command.emit(Command("ptz-home"), self.tr("Going home…")))
        self.store_button = _button(self.tr("Store"), "presetButton")
        self.store_button.setCheckable(True)
        self.store_button.setToolTip(self.tr("Then click a number to keep the present framing there "
                                             "(or hold a number)"))
        grid.addWidget(self.home_button, 2, 0)
        grid.addWidget(self.store_button, 2, 1, 1, 2)  # two columns: "Запомнить" needs them
        for column in range(3):
            grid.setColumnStretch(column, 1)
        return grid

    # -- showing ---------------------------------------------------------------------------------
    def show_device(self, device: DeviceInfo) -> None:
        """Shows what the camera has (a fixed one with presets gets the numbers only), enabled while online."""
        online = device.availability is Availability.ONLINE
        ptz, presets = Capability.PTZ in device.capabilities, Capability.PRESETS in device.capabilities
        self.setVisible(ptz or presets)
        for widget in (self.pad, self.zoom_in, self.zoom_out, self.zoom_label, self.home_button):
            widget.setVisible(ptz)
            widget.setEnabled(online)
        names: dict[str, str] = device.state.get("presets", {}) or {}
        for number, button in enumerate(self.preset_buttons, start=1):
            button.setVisible(presets)
            button.setEnabled(online)
            stored = names.get(str(number))
            button.setProperty("stored", bool(stored))
            recall = self.tr("Recall “%1” (hold to store the present framing)").replace("%1", stored or "")
            empty = self.tr("Preset %1 is empty: hold to store the present framing").replace("%1", str(number))
            button.setToolTip(plain_tip(recall) if stored else empty)  # a preset's name: the camera's words (ONVIF)
            button.style().unpolish(button)
            button.style().polish(button)
        self.store_button.setVisible(presets)
        self.store_button.setEnabled(online)
        zoom = (device.state.get("position") or {}).get("zoom")
        self.zoom_label.setText(self.tr("Zoom %1%").replace("%1", str(round(float(zoom) * 100)))
                                if zoom is not None else self.tr("Zoom"))
        if not online:
            self._keys.clear()
            self._pad, self._zoom = (0.0, 0.0, 0.0), 0.0

    # -- driving ---------------------------------------------------------------------------------
    def _drive(self) -> None:
        pan, tilt, zoom = self._pad[0], self._pad[1], self._zoom
        for key in self._keys:
            k_pan, k_tilt, k_zoom = KEYS[key]
            pan, tilt, zoom = pan + k_pan, tilt + k_tilt, zoom + k_zoom
        self.drive.set((pan, tilt, zoom))

    def _pad_moved(self, pan: float, tilt: float) -> None:
        self._pad = (pan, tilt, 0.0)
        self._drive()

    def _zoom_by(self, speed: float) -> None:
        self._zoom = speed
        self._drive()

    def key_pressed(self, key: int, repeat: bool) -> bool:
        """True if the key drives the head (the card then takes it)."""
        if key not in KEYS or not self.pad.isVisibleTo(self) or not self.pad.isEnabled():
            return False
        if not repeat:
            self._keys.add(key)
            self._drive()
        return True

    def key_released(self, key: int, repeat: bool) -> bool:
        if key not in self._keys:
            return False
        if not repeat:
            self._keys.discard(key)
            self._drive()
        return True

    def let_go(self) -> None:
        """Keys held while the focus left never get their release: stop rather than drift on."""
        if self._keys:
            self._keys.clear()
            self._drive()

    # -- presets ---------------------------------------------------------------------------------
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

    def ask_preset_name(self, number: int) -> None:
        """A preset's name ("Board", "Students"), kept with the camera: right-click a number."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Name preset %1").replace("%1", str(number)))
        dialog.setLabelText(self.tr("What this preset shows, e.g. Board or Students:"))
        dialog.textValueSelected.connect(lambda name: self.rename_preset(number, name))
        self._name_dialog = dialog  # kept while open
        dialog.open()

    def rename_preset(self, number: int, name: str) -> None:
        name = " ".join(name.split())
        if name:
            self.sig_command.emit(Command("preset-rename", f"{number}:{name}"),
                                  self.tr("Preset %1 is “%2”").replace("%1", str(number)).replace("%2", name))

    def recall_preset(self, number: int) -> None:
        self.sig_command.emit(Command("preset-recall", number),
                              self.tr("Going to preset %1…").replace("%1", str(number)))

    def store_preset(self, number: int) -> None:
        self.sig_command.emit(Command("preset-store", number),
                              self.tr("Stored as preset %1").replace("%1", str(number)))
