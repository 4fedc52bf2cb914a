"""A line above the cards while devices found on the network are not yet this room's or not: it says what scenes do
with them, and [Choose…] opens the chooser (``ui/room_chooser.py``). Never a modal question: the lecturer walks in
to teach, and answers when there is a minute.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from classroom_console.room_choice import Belonging, belonging, switched
from devices.model import DeviceInfo
from ui.bridge import RoomBridge
from ui.room_chooser import RoomChooser

SETTLE_MS = 250  # a room filling in changes the count at every device: the line is rewritten at most this often


class RoomBanner(QFrame):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roomBanner")
        self.bridge = bridge
        self.undecided: dict[str, bool] = {}  # uid -> whether scenes switch it meanwhile (before the room chose: yes)
        self.refused: set[str] = set()  # said to be another room's: never switched, the room chose or not
        self.chooser: RoomChooser | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 10, 8)
        self.text = QLabel()
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        self.choose_button = QPushButton(self.tr("Choose…"))
        self.choose_button.clicked.connect(self.open_chooser)
        row.addWidget(self.text, 1)
        row.addWidget(self.choose_button)
        self._due = QTimer(self)
        self._due.setSingleShot(True)
        self._due.setInterval(SETTLE_MS)
        self._due.timeout.connect(self.refresh)
        self.hide()

    def note(self, device: DeviceInfo) -> None:
        """A device's latest: a dict update per change, the words later (``SETTLE_MS``); the open chooser follows a
        word given elsewhere."""
        if self.chooser is not None and self.chooser.isVisible():
            self.chooser.follow(device)
        was = self.undecided.get(device.uid), device.uid in self.refused
        said = belonging(device)
        if said is Belonging.UNDECIDED:
            self.undecided[device.uid] = switched(device)
        else:
            self.undecided.pop(device.uid, None)
        if said is Belonging.REFUSED:
            self.refused.add(device.uid)
        else:
            self.refused.discard(device.uid)
        if (self.undecided.get(device.uid), device.uid in self.refused) != was and not self._due.isActive():
            self._due.start()

    def forget(self, uid: str) -> None:
        refused = uid in self.refused
        self.refused.discard(uid)
        if (self.undecided.pop(uid, None) is not None or refused) and not self._due.isActive():
            self._due.start()

    def refresh(self) -> None:
        count = len(self.undecided)
        if not count:
            self.hide()
            return
        if all(self.undecided.values()) and self.refused:  # not chosen yet, but some refused: those never switched
            words = self.tr("%n device(s) found on the network: choose which are this room's — scenes switch only "
                            "those. Until then scenes, “All on” and “All off” switch every device found except "
                            "those you said are another room's.", "", count)
        elif all(self.undecided.values()):  # the room has not chosen yet: every device found is switched
            words = self.tr("%n device(s) found on the network: choose which are this room's — scenes switch only "
                            "those. Until then scenes, “All on” and “All off” switch every device found.", "", count)
        else:
            words = self.tr("%n device(s) found on the network not chosen for this room: scenes leave them alone. "
                            "Choose which are this room's.", "", count)
        self.text.setText(words)
        self.show()

    def open_chooser(self) -> None:
        if self.chooser is not None and self.chooser.isVisible():
            self.chooser.raise_()
            return
        self.chooser = RoomChooser(list(self.bridge.room.devices.values()), self)
        self.chooser.sig_chosen.connect(lambda choices, was: self.bridge.choose_devices(choices, was=was))
        self.chooser.open()  # not exec(): the room keeps running while the dialog is up
