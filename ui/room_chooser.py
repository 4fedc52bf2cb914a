"""The lecturer ticks which of the devices found are this room's: scenes, All on/off and the session's end switch only
those (``classroom_console/room_choice.py``). A broadcast search finds the neighbours' projectors too.

Non-modal, as every dialog of the lecturer's: the room keeps running while it is up. It lists the devices as they
were when it opened (a device found meanwhile waits for the banner's next [Choose…]); saving gives every device
listed a word, ticked or not, through the bridge, except one given a word elsewhere while it was open (its Details,
``device ID room`` on the command line) and left untouched here: its row follows that word, and Save keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from classroom_console.room_choice import Belonging, belonging, known_by_address, pre_ticked
from devices.model import Availability, DeviceInfo
from ui.device_details import found_by_text
from ui.widgets import plain_tip


def kind_words(device: DeviceInfo) -> str:
    from ui.device_card import kind_text  # the card's words (it imports the dialogs)

    return kind_text(device.kind)


NOW = 2  # the column saying what a device is doing now


def now_words(device: DeviceInfo) -> str:
    """The card's word for what it is doing: its power once it answers (on, standby, warming up), else why not."""
    from ui.device_card import availability_text, power_text  # the card's words (it imports the dialogs)

    power = device.state.get("power")
    if device.availability in (Availability.ONLINE, Availability.FAULT) and isinstance(power, str):
        return power_text(power)[0]
    return availability_text(device.availability, device.reason)[0]


def said(device: DeviceInfo) -> bool | None:
    """The lecturer's word on it as the room judged it last (True the room's, False not, None no word)."""
    return {Belonging.CHOSEN: True, Belonging.REFUSED: False}.get(belonging(device))


class RoomChooser(QDialog):
    sig_chosen = Signal(object, object)  # {uid: True/False}: every device listed, ticked or not, but those said
    # elsewhere; {uid: the word it had as the chooser last knew} (``RoomDevices.choose``'s ``was``: a newer one stays)

    def __init__(self, devices: list[DeviceInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roomChooser")
        self.setWindowTitle(self.tr("This room's devices"))
        self.setModal(False)
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr(
            "Tick the devices that are in this room. Scenes, “All on”, “All off” and the end of a session switch "
            "only the ticked ones; the others (a neighbouring room's projector found on the same network) are left "
            "alone and not asked about again. Each device's Details can change it later."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        # Undecided first (what the banner asked about), then the rest, each group by kind and name
        self.devices = sorted(devices, key=lambda d: (belonging(d) is not Belonging.UNDECIDED, str(d.kind),
                                                      d.name.casefold(), d.uid))
        self.table = QTableWidget(len(self.devices), 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Device"), self.tr("Kind"), self.tr("Now"), self.tr("Address"), self.tr("How it was found")])
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # The names whole, and how each was found wrapped in what is left: stretched before, the name column gave way
        # to a class-1 projector's "checked by its address; remembered by its address (no id of its own)", each
        # name cut to "EPSON …" and the table scrolled sideways, the names' header out of sight (Russian, 1366x768)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ticks: list[QTableWidgetItem] = []  # each row's first cell, its tick
        self.rows = {device.uid: row for row, device in enumerate(self.devices)}
        self.words = {device.uid: said(device) for device in self.devices}  # the word each had, as the room said last
        self.said_elsewhere: set[str] = set()  # given a word elsewhere while the chooser was open (``follow``)
        for row, device in enumerate(self.devices):
            name = QTableWidgetItem(device.name or device.address)  # the device's own words: plain text in a cell
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Checked if pre_ticked(device) else Qt.CheckState.Unchecked)
            name.setToolTip(plain_tip(f"{device.name}\n{device.uid}"))
            self.table.setItem(row, 0, name)
            self.ticks.append(name)
            # What it is doing now, kept current (``follow``): 203's and 204's projectors often bear one model's name,
            # and the one that warms up as the lecturer's own lights is what tells them apart, not an address
            for column, text in ((1, kind_words(device)), (NOW, now_words(device)), (3, device.address),
                                 (4, "; ".join(self._how_found(device)))):
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, column, cell)
        self.table.cellClicked.connect(self._clicked)
        layout.addWidget(self.table, 1)
        # Saved with nothing ticked, every device would be refused, the room's own too, and never asked about again
        # (R11 F10: a lecturer pressing Save to make the banner go away): Save waits for a tick, and says why.
        self.none_ticked = QLabel(self.tr(
            "Tick at least one device: with none ticked, scenes, “All on” and “All off” would switch nothing. "
            "Cancel to decide later."))
        self.none_ticked.setObjectName("roomChooserNoneTicked")
        self.none_ticked.setWordWrap(True)
        layout.addWidget(self.none_ticked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.itemChanged.connect(self._ticks_changed)
        self._ticks_changed()
        self.shown_ticks = self.ticked()  # as each row was last set by the chooser or a word from elsewhere
        rows_high = min(len(self.devices), 10) * self.table.verticalHeader().defaultSectionSize()
        # The intro, the hint while nothing is ticked, the buttons; wide enough for the names whole and how each was
        # found on a line or two (a 1366-pixel screen has room: at 760 the names were cut)
        self.resize(980, 270 + rows_high)

    def _how_found(self, device: DeviceInfo) -> list[str]:
        """How it was found, and, for a device with no id of its own (PJLink class 1: no MAC, no serial), that the
        word is kept for its address: another device answering there later is asked about again (R11 F6)."""
        words = [found_by_text(way) for way in sorted(device.found_by)]
        if known_by_address(device):
            words.append(self.tr("remembered by its address (no id of its own)"))
        return words

    def _clicked(self, row: int, column: int) -> None:
        """A click anywhere on the row ticks it, not only on the small box."""
        if column == 0:
            return  # the box itself: Qt ticks it
        item = self.ticks[row]
        ticked = item.checkState() is Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)

    def _ticks_changed(self, _item: QTableWidgetItem | None = None) -> None:
        some = any(tick.checkState() is Qt.CheckState.Checked for tick in self.ticks)
        self.save_button.setEnabled(some)
        self.none_ticked.setVisible(not some)

    def ticked(self) -> dict[str, bool]:
        return {device.uid: tick.checkState() is Qt.CheckState.Checked
                for device, tick in zip(self.devices, self.ticks, strict=True)}

    def follow(self, device: DeviceInfo) -> None:
        """A device's latest (the banner passes each on while the chooser is open): a word given elsewhere meanwhile
        (its Details tick, ``device ID room`` from the command line) ticks its row as that word says, and Save
        leaves it be unless the lecturer ticks it otherwise here. Saved whole, the chooser's snapshot undid it."""
        row = self.rows.get(device.uid)
        if row is None:
            return
        now = self.table.item(row, NOW)
        if now is not None and now.text() != now_words(device):
            now.setText(now_words(device))
        if said(device) == self.words[device.uid]:
            return
        self.words[device.uid] = said(device)
        self.said_elsewhere.add(device.uid)
        ticked = said(device) if said(device) is not None else pre_ticked(device)
        self.shown_ticks[device.uid] = bool(ticked)
        self.ticks[row].setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def choices(self) -> dict[str, bool]:
        """What Save writes: every row's tick, but a row said elsewhere meanwhile only if ticked otherwise since."""
        return {uid: tick for uid, tick in self.ticked().items()
                if uid not in self.said_elsewhere or tick != self.shown_ticks[uid]}

    def _save(self) -> None:
        if not any(self.ticked().values()):
            return  # Save is disabled then; Enter on the dialog does not get past it either
        choices = self.choices()
        if choices:
            self.sig_chosen.emit(choices, {uid: self.words[uid] for uid in choices})
        self.accept()
