"""Everything a device reports, for the technician who needs more than the card shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from classroom_console.room_choice import Belonging, belonging, switched
from devices.model import DeviceInfo
from ui.plain_text import plain
from ui.reasons import problem_text, reason_text


def found_by_text(mechanism: str) -> str:
    return {
        "search": QCoreApplication.translate("DeviceDetails", "it answered the projector search"),
        "dnssd": QCoreApplication.translate("DeviceDetails", "it announced itself on the network"),
        "sweep": QCoreApplication.translate("DeviceDetails", "its address was checked"),
        "wsdiscovery": QCoreApplication.translate("DeviceDetails", "it answered the camera search"),
    }.get(mechanism, mechanism)


def field_text(name: str) -> str:
    """The PJLink field names a device could not report just now, in words."""
    return {
        "freeze": QCoreApplication.translate("DeviceDetails", "picture freeze"),
        "input": QCoreApplication.translate("DeviceDetails", "input"),
        "input_resolution": QCoreApplication.translate("DeviceDetails", "input resolution"),
        "mute": QCoreApplication.translate("DeviceDetails", "blanking"),
        "lamps": QCoreApplication.translate("DeviceDetails", "lamp hours"),
        "errors": QCoreApplication.translate("DeviceDetails", "error status"),
        "power": QCoreApplication.translate("DeviceDetails", "power"),
        "filter_hours": QCoreApplication.translate("DeviceDetails", "filter hours"),
    }.get(name, name.replace("_", " "))


class DeviceDetails(QDialog):
    """Human words for everything the device reports, and the card's own actions, for the technician."""

    def __init__(self, parent: QWidget | None = None, actions: Sequence[tuple[str, Callable[[], None]]] = (),
                 on_room: Callable[[bool], None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsDialog")
        self.setModal(False)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        # The lecturer's word on whether scenes switch it (classroom_console/room_choice.py): ticked or not, a word
        self.room_tick = QCheckBox(self.tr("This room's device"))
        self.room_tick.setToolTip(self.tr("Scenes, “All on”, “All off” and the end of a session switch only this "
                                          "room's devices; a neighbouring room's projector is left alone."))
        self.room_note = QLabel()
        self.room_note.setObjectName("cardDetail")
        self.room_note.setWordWrap(True)
        if on_room is not None:
            self.room_tick.clicked.connect(on_room)  # the lecturer's click only, never the dialog showing a device
        else:
            self.room_tick.hide()
            self.room_note.hide()
        layout.addWidget(self.room_tick)
        layout.addWidget(self.room_note)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addLayout(self.form)
        row = QHBoxLayout()
        self.action_buttons: list[QPushButton] = []
        for label, act in actions:
            button = QPushButton(label)
            button.clicked.connect(act)
            row.addWidget(button)
            self.action_buttons.append(button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        row.addWidget(buttons)
        layout.addLayout(row)

    def _labels(self) -> dict[str, str]:
        return {
            "id": self.tr("Identity"),
            "address": self.tr("Address"),
            "protocol": self.tr("Protocol"),
            "power": self.tr("Power"),
            "input_name": self.tr("Input"),
            "resolution": self.tr("Input resolution"),
            "lamp_hours": self.tr("Lamp hours"),
            "filter_hours": self.tr("Filter hours"),
            "errors": self.tr("Error status"),
            "manufacturer": self.tr("Manufacturer"),
            "product": self.tr("Model"),
            "info": self.tr("Other information"),
            "serial_number": self.tr("Serial number"),
            "software_version": self.tr("Software version"),
            "unavailable": self.tr("Not available now"),
            "found_by": self.tr("Found by"),
            "reason": self.tr("Why"),
            "detail": self.tr("Technical detail"),
        }

    def show_device(self, device: DeviceInfo) -> None:
        self.setWindowTitle(device.name or device.address)
        judged = belonging(device)
        self.room_tick.setChecked(judged in (Belonging.CHOSEN, Belonging.LIKELY))
        self.room_note.setText({
            Belonging.CHOSEN: self.tr("You chose it as this room's: scenes switch it."),
            Belonging.REFUSED: self.tr("You said it is not this room's: scenes leave it alone."),
            Belonging.LIKELY: self.tr("This room's by its address or password: scenes switch it."),
        }.get(judged) or (self.tr("Not chosen yet: scenes switch it until this room's devices are chosen.")
                          if switched(device) else self.tr("Not chosen for this room: scenes leave it alone.")))
        while self.form.rowCount():
            self.form.removeRow(0)
        from ui.device_card import power_text  # the card's words (it imports this module)

        protocol = device.protocol.upper()
        if device.protocol_class:  # "class" inside an f-string was never collected for translation: English in Russian
            protocol = self.tr("%1, class %2").replace("%1", protocol).replace("%2", device.protocol_class)
        values: dict[str, Any] = {
            "id": device.uid,
            "address": f"{device.address}:{device.port}",
            "protocol": protocol,
            **device.state,
            "found_by": "; ".join(found_by_text(m) for m in sorted(device.found_by)),
            "reason": reason_text(device.reason, str(device.state.get("id_conflict") or "")) if device.reason else "",
        }
        if not device.reason:  # read and well: its detail is its state again in its own English ("off")
            values.pop("detail", None)
        if isinstance(values.get("power"), str):
            values["power"] = power_text(values["power"])[0]  # "on" was shown as the device said it, in English
        if isinstance(values.get("unavailable"), list):
            values["unavailable"] = ", ".join(field_text(str(f)) for f in values["unavailable"])
        if isinstance(values.get("errors"), dict):
            values["errors"] = "; ".join(problem_text(c, str(lvl)) for c, lvl in sorted(values["errors"].items()))
        for key, label in self._labels().items():
            value = values.get(key)
            if value in (None, "", [], {}):
                continue
            text = (
                ", ".join(f"{k}: {v}" for k, v in value.items())
                if isinstance(value, dict)
                else (", ".join(map(str, value)) if isinstance(value, list) else str(value))
            )
            shown = plain(QLabel(text))  # the device's own words (names, maker, inputs): never markup
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            self.form.addRow(label, shown)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As tall as its wrapped rows need: a window does not grow for its labels' height at its width, and a
        projector's faults were cut to the first ("Cover open: fault;"), its technical detail to one line."""
        layout = self.layout()
        if layout is None or not self.isVisible():
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        screen = self.screen()
        room = screen.availableGeometry().height() - 40 if screen is not None else needed
        if self.height() < min(needed, room):
            self.resize(self.width(), min(needed, room))
