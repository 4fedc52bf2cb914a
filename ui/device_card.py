"""One device on the lecturer's screen: what it is, whether it works, and what it is doing."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from devices.model import Availability, DeviceInfo, DeviceKind
from ui.bridge import RoomBridge
from ui.resources import icon
from ui.widgets import Badge

KIND_ICONS = {
    DeviceKind.PROJECTOR: "projector",
    DeviceKind.BOARD: "board",
    DeviceKind.DISPLAY: "display",
    DeviceKind.CAMERA: "camera",
}


def availability_text(availability: Availability) -> tuple[str, str]:
    """The word and tone a user sees for a device's reachability."""
    return {
        Availability.ONLINE: (QCoreApplication.translate("DeviceCard", "Online"), "ok"),
        Availability.OFFLINE: (QCoreApplication.translate("DeviceCard", "Offline"), "bad"),
        Availability.AUTH_FAILED: (QCoreApplication.translate("DeviceCard", "Wrong password"), "bad"),
        Availability.FAULT: (QCoreApplication.translate("DeviceCard", "Fault"), "bad"),
        Availability.UNKNOWN: (QCoreApplication.translate("DeviceCard", "Checking…"), "busy"),
    }[availability]


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
        self.setMinimumWidth(300)
        self.setMaximumWidth(420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(8)

        top = QHBoxLayout()
        self.picture = QLabel()
        self.picture.setPixmap(icon(KIND_ICONS.get(device.kind, "display")).pixmap(40, 40))
        names = QVBoxLayout()
        names.setSpacing(0)
        self.name_label = QLabel()
        self.name_label.setObjectName("sectionTitle")
        self.kind_label = QLabel()
        self.kind_label.setObjectName("pageSubtitle")
        names.addWidget(self.name_label)
        names.addWidget(self.kind_label)
        self.badge = Badge()
        top.addWidget(self.picture)
        top.addLayout(names, 1)
        top.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        self.detail_label = QLabel()
        self.detail_label.setObjectName("pageSubtitle")
        self.detail_label.setWordWrap(True)
        layout.addWidget(self.detail_label)
        self.update_device(device)

    def update_device(self, device: DeviceInfo) -> None:
        self.device = device
        self.name_label.setText(device.name or device.address)
        self.kind_label.setText(f"{kind_text(device.kind)} · {device.address}")
        word, tone = availability_text(device.availability)
        self.badge.setText(word)
        self.badge.set_tone(tone)
        self.detail_label.setText(device.protocol.upper())
