"""One device on the lecturer's screen: what it is, whether it works, what it is doing, and its controls."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from classroom_console.room_devices import DeviceCommandError
from devices.driver import Capability, Command, Reason
from devices.model import Availability, DeviceInfo, DeviceKind
from ui.bridge import RoomBridge
from ui.device_details import DeviceDetails
from ui.password_dialog import PasswordDialog
from ui.reasons import failure_text, problem_text, reason_text
from ui.resources import icon
from ui.widgets import Badge

KIND_ICONS = {
    DeviceKind.PROJECTOR: "projector",
    DeviceKind.BOARD: "board",
    DeviceKind.DISPLAY: "display",
    DeviceKind.CAMERA: "camera",
}
REACHABLE = (Availability.ONLINE, Availability.FAULT)


def availability_text(availability: Availability, reason: str = "") -> tuple[str, str]:
    """The word and tone a user sees for a device's reachability."""
    if availability is Availability.AUTH_FAILED and reason == Reason.PASSWORD_NEEDED:
        return QCoreApplication.translate("DeviceCard", "Password needed"), "bad"
    return {
        Availability.ONLINE: (QCoreApplication.translate("DeviceCard", "Online"), "ok"),
        Availability.OFFLINE: (QCoreApplication.translate("DeviceCard", "Offline"), "bad"),
        Availability.AUTH_FAILED: (QCoreApplication.translate("DeviceCard", "Wrong password"), "bad"),
        Availability.FAULT: (QCoreApplication.translate("DeviceCard", "Fault"), "bad"),
        Availability.UNKNOWN: (QCoreApplication.translate("DeviceCard", "Checking…"), "busy"),
    }[availability]


def power_text(power: str) -> tuple[str, str]:
    return {
        "on": (QCoreApplication.translate("DeviceCard", "On"), "ok"),
        "off": (QCoreApplication.translate("DeviceCard", "Standby"), "off"),
        "warming": (QCoreApplication.translate("DeviceCard", "Warming up"), "busy"),
        "cooling": (QCoreApplication.translate("DeviceCard", "Cooling down"), "busy"),
    }.get(power, (power, "off"))


def kind_text(kind: DeviceKind) -> str:
    return {
        DeviceKind.PROJECTOR: QCoreApplication.translate("DeviceCard", "Projector"),
        DeviceKind.BOARD: QCoreApplication.translate("DeviceCard", "Interactive board"),
        DeviceKind.DISPLAY: QCoreApplication.translate("DeviceCard", "Display"),
        DeviceKind.CAMERA: QCoreApplication.translate("DeviceCard", "Camera"),
        DeviceKind.MICROPHONE: QCoreApplication.translate("DeviceCard", "Microphone"),
        DeviceKind.TABLET: QCoreApplication.translate("DeviceCard", "Tablet"),
    }[kind]


class DeviceCard(QFrame):
    def __init__(self, device: DeviceInfo, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.bridge = bridge
        self.device = device
        self.pending = False
        self._since: dict[str, float] = {}  # "warming"/"cooling" -> when this one began
        self._took: dict[str, float] = {}  # how long the last one took, seconds
        self._details: DeviceDetails | None = None
        self._password_dialog: PasswordDialog | None = None
        self.updates = 0  # how many times the card really redrew its contents (an unchanged device: none)
        self._shown: DeviceInfo | None = None
        self._tone = ""  # the badge's tone now (set only when it changes)
        self._inputs_shown: dict[str, str] | None = None
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(10)

        top = QHBoxLayout()
        self.picture = QLabel()
        self.picture.setPixmap(icon(KIND_ICONS.get(device.kind, "display")).pixmap(40, 40))
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = QLabel()
        self.name_label.setObjectName("sectionTitle")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)  # a tablet names itself: never markup
        self.kind_label = QLabel()
        self.kind_label.setObjectName("pageSubtitle")
        names.addWidget(self.name_label)
        names.addWidget(self.kind_label)
        top.addWidget(self.picture)
        top.addLayout(names, 1)
        layout.addLayout(top)

        status = QHBoxLayout()
        self.badge = Badge()
        self.detail_label = QLabel()
        self.detail_label.setObjectName("cardDetail")
        self.detail_label.setWordWrap(True)
        status.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        status.addWidget(self.detail_label, 1)
        layout.addLayout(status)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("cardProblem")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.problem_label)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: a command is on its way
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(4)
        self.busy.setVisible(False)
        layout.addWidget(self.busy)

        controls = QHBoxLayout()
        controls.setSpacing(8)
        self.power_button = QPushButton()
        self.power_button.setObjectName("powerButton")
        self.power_button.clicked.connect(self._toggle_power)
        self.input_picker = QComboBox()
        self.input_picker.setMinimumWidth(110)
        self.input_picker.setToolTip(self.tr("Input source"))
        self.input_picker.activated.connect(self._pick_input)
        self.mute_button = QPushButton(self.tr("Blank"))
        self.mute_button.setCheckable(True)
        self.mute_button.setToolTip(self.tr("Blank the picture and mute the sound"))
        self.mute_button.clicked.connect(self._toggle_mute)
        controls.addWidget(self.power_button, 2)
        controls.addWidget(self.input_picker, 3)
        controls.addWidget(self.mute_button, 1)
        layout.addLayout(controls)

        bottom = QHBoxLayout()
        self.password_button = QPushButton(self.tr("Enter password…"))
        self.password_button.setObjectName("linkButton")
        self.password_button.clicked.connect(self._ask_password)
        self.details_button = QPushButton(self.tr("Details"))
        self.details_button.setObjectName("linkButton")
        self.details_button.clicked.connect(self.show_details)
        bottom.addWidget(self.password_button)
        bottom.addStretch(1)
        bottom.addWidget(self.details_button)
        layout.addLayout(bottom)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh_badge)
        self.update_device(device)

    # -- showing ---------------------------------------------------------------------------
    def update_device(self, device: DeviceInfo) -> None:
        """Shows ``device``; the same state again (a poll that found nothing new) touches no widget."""
        if device == self._shown:
            return
        self._follow_warmup(self.device.state.get("power"), device.state.get("power"))
        self.device = device
        self._shown = device
        self.updates += 1
        state: dict[str, Any] = device.state
        # Only what changed is set (a poll usually moves one figure): a label set again relays itself out,
        # and a badge's tone re-polishes its style; 100 cards a second made that most of the window's time.
        self._set_text(self.name_label, device.name or device.address)
        self._set_text(self.kind_label, f"{kind_text(device.kind)} · {device.address}")
        self._refresh_badge()

        facts = []
        if state.get("input_name") and state.get("power") == "on":
            facts.append(self.tr("Input: %1").replace("%1", str(state["input_name"])))
        if state.get("lamp_hours"):
            hours = max(state["lamp_hours"])
            facts.append(self.tr("Lamp: %1 h").replace("%1", f"{hours:,}".replace(",", " ")))
        if state.get("video_mute"):
            facts.append(self.tr("Picture blanked"))
        if isinstance(state.get("battery"), int):
            facts.append((self.tr("Battery: %1%, charging") if state.get("charging") else self.tr("Battery: %1%"))
                         .replace("%1", str(state["battery"])))
        if state.get("will_power") == "off":
            facts.append(self.tr("Will turn off after warm-up"))
        elif state.get("will_power") == "on":
            facts.append(self.tr("Will turn on after cooling down"))
        self._set_text(self.detail_label, " · ".join(facts))

        problems = [problem_text(c, lvl) for c, lvl in sorted(state.get("errors", {}).items())]
        if device.availability in (Availability.OFFLINE, Availability.AUTH_FAILED):
            problems.insert(0, reason_text(device.reason or Reason.NO_ANSWER))
        elif device.availability is Availability.FAULT and not problems:
            problems.append(reason_text(device.reason or Reason.DEVICE_FAULT))
        self._set_text(self.problem_label, "\n".join(problems))
        self.problem_label.setVisible(bool(problems))

        capabilities = device.capabilities
        self.power_button.setVisible(Capability.POWER in capabilities)
        self.input_picker.setVisible(Capability.INPUT in capabilities)
        self.mute_button.setVisible(Capability.BLANK in capabilities)
        self._fill_inputs(state)
        self.mute_button.setChecked(bool(state.get("video_mute")))
        self.password_button.setVisible(device.availability is Availability.AUTH_FAILED)
        self._enable_controls()
        if self._details is not None:
            self._details.show_device(device)

    def _refresh_badge(self) -> None:
        device = self.device
        power = device.state.get("power")
        if device.availability in REACHABLE and power:
            word, tone = power_text(str(power))
            since, took = self._since.get(str(power)), self._took.get(str(power))
            if since is not None and took is not None and took > time.monotonic() - since:
                left = str(int(took - (time.monotonic() - since) + 0.5))
                word = (self.tr("Warming up · about %1 s left") if power == "warming"
                        else self.tr("Cooling down · about %1 s left")).replace("%1", left)
            if device.availability is Availability.FAULT:
                tone = "bad"
        else:
            word, tone = availability_text(device.availability, device.reason)
        self._set_text(self.badge, word)
        if tone != self._tone:
            self._tone = tone
            self.badge.set_tone(tone)

    @staticmethod
    def _set_text(label: QLabel, text: str) -> None:
        if label.text() != text:
            label.setText(text)

    def _follow_warmup(self, before: object, after: object) -> None:
        """Time each warm-up and cool-down, so the next one counts down from what this projector really takes.

        The first one has nothing to go by (PJLink does not say how long is left), so it counts nothing.
        """
        for phase, done in (("warming", "on"), ("cooling", "off")):
            if after == phase and before != phase:
                self._since[phase] = time.monotonic()
            elif after != phase and phase in self._since:
                started = self._since.pop(phase)
                if after == done:
                    self._took[phase] = time.monotonic() - started
        if self._since:
            self._tick.start()
        else:
            self._tick.stop()

    def _fill_inputs(self, state: dict[str, Any]) -> None:
        inputs: dict[str, str] = state.get("inputs", {})
        if inputs != self._inputs_shown:
            self._inputs_shown = dict(inputs)
            codes = [self.input_picker.itemData(i) for i in range(self.input_picker.count())]
            if codes != list(inputs):
                self.input_picker.clear()
                for code, name in inputs.items():
                    self.input_picker.addItem(name, code)
        current = state.get("input")
        if current is not None and current != self.input_picker.currentData():
            index = self.input_picker.findData(current)
            if index >= 0:
                self.input_picker.setCurrentIndex(index)

    def _enable_controls(self) -> None:
        reachable = self.device.availability in REACHABLE
        power = self.device.state.get("power")
        # Projectors refuse power commands while warming or cooling (PJLink ERR3): say so instead of failing.
        self.power_button.setText(
            {"on": self.tr("Turn off"), "warming": self.tr("Warming…"), "cooling": self.tr("Cooling…")}.get(
                str(power), self.tr("Turn on")
            )
        )
        self.power_button.setEnabled(reachable and not self.pending and power in ("on", "off"))
        switchable = reachable and not self.pending and power == "on"
        self.input_picker.setEnabled(switchable and self.input_picker.count() > 0)
        self.mute_button.setEnabled(switchable)
        self.busy.setVisible(self.pending)

    # -- commands --------------------------------------------------------------------------
    def _send(self, command: Command) -> None:
        self.pending = True
        self._enable_controls()
        self.bridge.device_command(self.device.uid, command, self._finished)

    def _finished(self, error: DeviceCommandError | None) -> None:
        self.pending = False
        self._enable_controls()
        if error is not None:
            self.problem_label.setText(failure_text(error))
            self.problem_label.setToolTip(error.detail)  # the technical words, for whoever fixes it
            self.problem_label.setVisible(True)

    def _toggle_power(self) -> None:
        self._send(Command(Capability.POWER, self.device.state.get("power") != "on"))

    def _pick_input(self, index: int) -> None:
        code = self.input_picker.itemData(index)
        if code and code != self.device.state.get("input"):
            self._send(Command(Capability.INPUT, str(code)))

    def _toggle_mute(self) -> None:
        self._send(Command(Capability.BLANK, self.mute_button.isChecked()))

    def _ask_password(self) -> None:
        where = {
            "keyring": self.tr("It is kept in the system keyring."),
            "store": self.tr("It is kept in the session database on this PC (no system keyring was found)."),
            "memory": self.tr("It is kept only until the console closes."),
        }[self.bridge.password_location()]
        others = [uid for uid, d in self.bridge.room.devices.items()
                  if d.availability is Availability.AUTH_FAILED and uid != self.device.uid]
        dialog = PasswordDialog(self.device.name, where, len(others), self)
        dialog.sig_password.connect(self._password_chosen)
        self._password_dialog = dialog  # kept: PySide would otherwise collect it while it is open
        dialog.open()  # not exec(): the room keeps running while the dialog is up

    def _password_chosen(self, password: str, whole_room: bool) -> None:
        if whole_room:
            self.bridge.set_room_password(password, first=self.device.uid)
        else:
            self.bridge.set_password(self.device.uid, password)

    def show_details(self) -> None:
        if self._details is None:
            self._details = DeviceDetails(self, [
                (self.tr("Turn on / off"), self._toggle_power),
                (self.tr("Check now"), lambda: self.bridge.refresh_device(self.device.uid)),
            ])
        self._details.show_device(self.device)
        self._details.show()
        self._details.raise_()
