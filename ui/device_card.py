"""One device on the lecturer's screen: what it is, whether it works, what it is doing, and its controls."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from classroom_console.room_choice import Belonging, belonging, switched
from classroom_console.room_devices import DeviceCommandError
from devices.driver import Capability, Command, Reason
from devices.model import Availability, DeviceInfo, DeviceKind
from ui.bridge import RoomBridge
from ui.card_face import CardFace
from ui.device_details import DeviceDetails
from ui.input_picker import InputPicker
from ui.password_dialog import PasswordDialog
from ui.plain_text import plain
from ui.reasons import failure_text, problem_text, reason_text
from ui.resources import icon
from ui.widgets import plain_tip

KIND_ICONS = {
    DeviceKind.PROJECTOR: "projector",
    DeviceKind.BOARD: "board",
    DeviceKind.DISPLAY: "display",
    DeviceKind.CAMERA: "camera",
}
REACHABLE = (Availability.ONLINE, Availability.FAULT)
_PICTURES: dict[str, QPixmap] = {}


def kind_picture(kind: DeviceKind) -> QPixmap:
    """The kind's 40-px picture, drawn from its SVG once (a hundred projectors share one)."""
    name = KIND_ICONS.get(kind, "display")
    picture = _PICTURES.get(name)
    if picture is None:
        picture = _PICTURES[name] = icon(name).pixmap(40, 40)
    return picture


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
    """A card: its face painted by one widget (ui/card_face.py), its controls real widgets.

    ``later=True`` makes the frame and face only; ``build_step()`` then makes one control at a time (each a
    style-sheet polish of a millisecond or more on a busy PC), so a window filling in 100 cards spreads them over
    many short turns. The password link and the busy bar are made the first time they are needed."""

    def __init__(self, device: DeviceInfo, bridge: RoomBridge, parent: QWidget | None = None,
                 later: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.ensurePolished()  # styled before its children are made: styled after, its font and colours go down
        self.bridge = bridge
        self.device = device
        self.pending = False
        self.other_rooms_question: QMessageBox | None = None  # "turn another room's device on anyway?" while open
        self._since: dict[str, float] = {}  # "warming"/"cooling" -> when this one began
        self._took: dict[str, float] = {}  # how long the last one took, seconds
        self._details: DeviceDetails | None = None
        self._password_dialog: PasswordDialog | None = None
        self._password_button: QPushButton | None = None
        self._busy: QProgressBar | None = None
        self.updates = 0  # how many times the card really redrew its contents (an unchanged device: none)
        self._shown: DeviceInfo | None = None
        self._inputs_shown: dict[str, str] | None = None
        self.setMinimumWidth(320)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(16, 16, 16, 16)
        self.column.setSpacing(10)
        self.face = CardFace(kind_picture(device.kind), self)
        # The face's texts keep the names the labels had (name_label.text(), badge.text(), …).
        self.name_label, self.kind_label, self.badge = self.face.name, self.face.kind, self.face.badge
        self.detail_label, self.problem_label = self.face.detail, self.face.problem
        self.column.addWidget(self.face)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh_badge)
        self._steps: Iterator[None] | None = self._make_controls()
        self.update_device(device)
        if not later:
            while self.build_step():
                pass

    @property
    def built(self) -> bool:
        return self._steps is None

    def build_step(self) -> bool:
        """Makes the next control; False once the card is whole."""
        if self._steps is None:
            return False
        if next(self._steps, StopIteration) is StopIteration:
            self._steps = None
            self._show_controls(self.device)
            return False
        return True

    def _make_controls(self) -> Iterator[None]:
        """One widget a step, each made inside the card (made elsewhere and moved in, it is styled twice) and
        styled at once, so showing the card has nothing left to style."""
        self.face.ensurePolished()
        yield
        self.power_button = QPushButton(self)
        self.power_button.setObjectName("powerButton")
        self.power_button.clicked.connect(self._toggle_power)
        self.power_button.ensurePolished()
        yield
        self.input_picker = InputPicker(self)
        # Narrower than an input's name: while cooling, "Охлаждение…" leaves the row no more (a wider minimum made
        # the card wider than its column); the picker, disabled then, is the one to give way.
        self.input_picker.setMinimumWidth(80)
        self.input_picker.setToolTip(self.tr("Input source"))
        self.input_picker.activated.connect(self._pick_input)
        self.input_picker.ensurePolished()
        yield
        self.mute_button = QPushButton(self.tr("Blank"), self)
        self.mute_button.setCheckable(True)
        self.mute_button.setToolTip(self.tr("Blank the picture and mute the sound"))
        self.mute_button.clicked.connect(self._toggle_mute)
        self.mute_button.ensurePolished()
        yield
        self.details_button = QPushButton(self.tr("Details"), self)
        self.details_button.setObjectName("linkButton")
        self.details_button.clicked.connect(self.show_details)
        self.details_button.ensurePolished()
        controls = QHBoxLayout()
        controls.setSpacing(6)  # with the margins, room for "Computer 1" whole between "Выключить" and "Скрыть"
        controls.addWidget(self.power_button, 2)
        controls.addWidget(self.input_picker, 3)
        controls.addWidget(self.mute_button, 1)
        self.column.addLayout(controls)
        self.bottom = QHBoxLayout()
        self.bottom.addStretch(1)
        self.bottom.addWidget(self.details_button)
        self.column.addLayout(self.bottom)

    @property
    def password_button(self) -> QPushButton:
        """"Enter password…", left of Details: made when a device first asks for one."""
        if self._password_button is None:
            self.finish()
            button = QPushButton(self.tr("Enter password…"), self)
            button.setObjectName("linkButton")
            button.clicked.connect(self._ask_password)
            button.hide()
            self.bottom.insertWidget(0, button)
            QWidget.setTabOrder(button, self.details_button)  # Tab follows the row: the password first, as shown
            self._password_button = button
        return self._password_button

    @property
    def busy(self) -> QProgressBar:
        """An indeterminate bar while a command is on its way: made for a card's first command."""
        if self._busy is None:
            bar = QProgressBar(self)
            bar.setRange(0, 0)
            bar.setTextVisible(False)
            bar.setFixedHeight(4)
            bar.hide()
            self.column.insertWidget(1, bar)
            self._busy = bar
        return self._busy

    def finish(self) -> None:
        """Makes what is left of the card now."""
        while self.build_step():
            pass

    # -- showing ---------------------------------------------------------------------------
    def update_device(self, device: DeviceInfo) -> None:
        """Shows ``device``; the same state again (a poll that found nothing new) touches no widget."""
        if device == self._shown:
            return
        self._follow_warmup(self.device.state.get("power"), device.state.get("power"))
        self.device = device
        self._shown = device
        self.updates += 1
        problems = self._problems(device)
        # The face repaints what changed (if on screen) and asks for a new layout only if its height changes, once
        # for all its texts.
        with self.face.batch():
            self.name_label.setText(device.name or device.address)
            self.kind_label.setText(f"{kind_text(device.kind)} · {device.address}")
            self._refresh_badge()
            self.detail_label.setText(" · ".join((*self._not_rooms(device), *self._facts(device.state))))
            self.problem_label.setText("\n".join(problems))
            self.problem_label.setVisible(bool(problems))
        other_room = belonging(device) is Belonging.REFUSED
        if self.property("otherRoom") != other_room:  # another room's: dimmed, after the room's (the grid's order)
            self.setProperty("otherRoom", other_room)
            self.style().unpolish(self)
            self.style().polish(self)
            if self._steps is None:
                self.power_button.style().unpolish(self.power_button)
                self.power_button.style().polish(self.power_button)
        if self._steps is None:
            self._show_controls(device)
        if self._details is not None:
            self._details.show_device(device)

    def _not_rooms(self, device: DeviceInfo) -> list[str]:
        """Said first among the card's facts (a line that wraps, not the address's, which is cut) when scenes leave
        it alone (``room_choice.py``): the lecturer sees why."""
        if switched(device):
            return []
        if belonging(device) is Belonging.REFUSED:
            return [self.tr("Not this room's")]
        return [self.tr("Not chosen for this room")]

    def _facts(self, state: dict[str, Any]) -> list[str]:
        facts = []
        if state.get("input_name") and state.get("power") == "on":
            facts.append(self.tr("Input: %1").replace("%1", str(state["input_name"])))
        if state.get("lamp_hours"):
            hours = max(state["lamp_hours"])
            # No-break spaces between the thousands and before the unit: a wrapped line never splits the figure
            # nor leaves its unit alone ("2 460 / ч").
            figure = f"{hours:,}".replace(",", "\u00a0")
            facts.append(self.tr("Lamp: %1 h").replace("%1 ", "%1\u00a0").replace("%1", figure))
        if state.get("video_mute"):
            facts.append(self.tr("Picture blanked"))
        if isinstance(state.get("battery"), int):
            facts.append((self.tr("Battery: %1%, charging") if state.get("charging") else self.tr("Battery: %1%"))
                         .replace("%1", str(state["battery"])))
        if state.get("will_power") == "off":
            facts.append(self.tr("Will turn off after warm-up"))
        elif state.get("will_power") == "on":
            facts.append(self.tr("Will turn on after cooling down"))
        return facts

    @staticmethod
    def _problems(device: DeviceInfo) -> list[str]:
        problems = [problem_text(c, lvl) for c, lvl in sorted(device.state.get("errors", {}).items())]
        claimed_by = str(device.state.get("id_conflict") or "")  # another address giving this device's id
        if device.availability in (Availability.OFFLINE, Availability.AUTH_FAILED):
            problems.insert(0, reason_text(device.reason or Reason.NO_ANSWER, claimed_by))
        elif device.availability is Availability.FAULT and not problems:
            problems.append(reason_text(device.reason or Reason.DEVICE_FAULT, claimed_by))
        return problems

    def _show_controls(self, device: DeviceInfo) -> None:
        capabilities = device.capabilities
        self.power_button.setVisible(Capability.POWER in capabilities)
        self.input_picker.setVisible(Capability.INPUT in capabilities)
        self.mute_button.setVisible(Capability.BLANK in capabilities)
        self._fill_inputs(device.state)
        self.mute_button.setChecked(bool(device.state.get("video_mute")))
        locked = device.availability is Availability.AUTH_FAILED
        if locked or self._password_button is not None:
            self.password_button.setVisible(locked)
        self._enable_controls()

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
        self.badge.setText(word)
        self.badge.set_tone(tone)

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
        word = {"on": self.tr("Turn off"), "warming": self.tr("Warming…"), "cooling": self.tr("Cooling…")}.get(
            str(power), self.tr("Turn on"))
        if word != self.power_button.text():
            self.power_button.setText(word)
            # The style sheet's min-width is the button's minimum, so the row squeezed "Охлаждение…" (127 px) into
            # 102: its own word's width is.
            self.power_button.setMinimumWidth(self.power_button.sizeHint().width())
        self.power_button.setEnabled(reachable and not self.pending and power in ("on", "off"))
        switchable = reachable and not self.pending and power == "on"
        self.input_picker.setEnabled(switchable and self.input_picker.count() > 0)
        self.mute_button.setEnabled(switchable)
        if self.pending or self._busy is not None:
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
            self.problem_label.setToolTip(plain_tip(error.detail))  # the technical words (the device's own too)
            self.problem_label.setVisible(True)

    def _toggle_power(self) -> None:
        on = self.device.state.get("power") != "on"
        if belonging(self.device) is Belonging.REFUSED:
            self._ask_other_rooms(on)  # another room's projector, one click from a neighbour's lecture (R11 F13)
            return
        self._send(Command(Capability.POWER, on))

    def _ask_other_rooms(self, on: bool) -> None:
        """Asks first, in a window that leaves the room's loop running (``open``, not ``exec``)."""
        name = self.device.name or self.device.address
        question = (self.tr("%1 is not this room's device: another room may be using it. Turn it on anyway?") if on
                    else self.tr("%1 is not this room's device: another room may be using it. Turn it off anyway?"))
        box = plain(QMessageBox(QMessageBox.Icon.Question, self.tr("Another room's device"),
                                question.replace("%1", name),  # the device's name: its own words, not markup
                                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self))
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText(self.tr("Turn on") if on else self.tr("Turn off"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("otherRoomsPower")
        self.other_rooms_question = box

        def answered(_result: int) -> None:
            self.other_rooms_question = None
            if box.clickedButton() is yes:
                self._send(Command(Capability.POWER, on))

        box.finished.connect(answered)
        box.open()

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
        asking = [d for uid, d in self.bridge.room.devices.items()
                  if d.availability is Availability.AUTH_FAILED and uid != self.device.uid]
        strangers = [d for d in asking if not d.state.get("room_known")]
        dialog = PasswordDialog(self.device.name, where, len(asking) - len(strangers),
                                [f"{d.name or d.address} ({d.address})" for d in strangers], self)
        stranger_uids = [d.uid for d in strangers]  # as they were when the lecturer read their names
        dialog.sig_password.connect(lambda password, room, also: self._password_chosen(
            password, room, stranger_uids if also else []))
        self._password_dialog = dialog  # kept: PySide would otherwise collect it while it is open
        dialog.open()  # not exec(): the room keeps running while the dialog is up

    def _password_chosen(self, password: str, whole_room: bool, strangers: list[str]) -> None:
        if whole_room:
            self.bridge.set_room_password(password, first=self.device.uid, also=strangers)
        else:
            for uid in (self.device.uid, *strangers):
                self.bridge.set_password(uid, password)

    def show_details(self) -> None:
        if self._details is None:
            self._details = DeviceDetails(self, [
                (self.tr("Turn on / off"), self._toggle_power),
                (self.tr("Check now"), lambda: self.bridge.refresh_device(self.device.uid)),
            ], on_room=lambda yes: self.bridge.choose_devices({self.device.uid: yes}))
        self._details.show_device(self.device)
        self._details.show()
        self._details.raise_()
