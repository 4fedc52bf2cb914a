"""The selected camera, big: the same card (picture, pad, presets, keys) in a window of its own.

A tile is a third of the screen's width, enough to see what a camera shows but not to frame a face; a
double-click on the picture opens this, which asks the core for frames at its own, larger size.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from devices.model import DeviceInfo
from ui.bridge import RoomBridge
from ui.camera_card import CameraCard

WIDTH, HEIGHT = 900, 700


class CameraWindow(QDialog):
    def __init__(self, device: DeviceInfo, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.setWindowTitle(device.name)
        self.setModal(False)  # the room and the other cards keep working beside it
        self.card = CameraCard(device, bridge)
        self.card.view.setToolTip("")  # the tile's "double-click for a bigger picture" is done here
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.card)
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else None
        width = WIDTH if room is None else min(WIDTH, room.width() - 40)
        height = HEIGHT if room is None else min(HEIGHT, room.height() - 60)
        self.resize(width, height)
        self.card.setFocus(Qt.FocusReason.OtherFocusReason)

    def update_device(self, device: DeviceInfo) -> None:
        self.setWindowTitle(device.name)
        self.card.update_device(device)
