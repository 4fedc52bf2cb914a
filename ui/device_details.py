"""Everything a device reports, for the technician who needs more than the card shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from devices.model import DeviceInfo


class DeviceDetails(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout.addLayout(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

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
            "detail": self.tr("Last report"),
        }

    def show_device(self, device: DeviceInfo) -> None:
        self.setWindowTitle(device.name or device.address)
        while self.form.rowCount():
            self.form.removeRow(0)
        values: dict[str, Any] = {
            "id": device.uid,
            "address": f"{device.address}:{device.port}",
            "protocol": f"{device.protocol.upper()} {self.tr('class')} {device.protocol_class}".strip(),
            "found_by": ", ".join(sorted(device.found_by)),
            **device.state,
        }
        for key, label in self._labels().items():
            value = values.get(key)
            if value in (None, "", [], {}):
                continue
            text = (
                ", ".join(f"{k}: {v}" for k, v in value.items())
                if isinstance(value, dict)
                else (", ".join(map(str, value)) if isinstance(value, list) else str(value))
            )
            shown = QLabel(text)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            self.form.addRow(label, shown)
