"""Going live from the Studio: named destinations, Go Live / Stop each or all, and each one's health.

Keys are secrets: the list shows a destination's name and its masked URL; the key is typed once, in a
password field, and kept by the core like a device's password.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from classroom_console.live import LAN, Destination
from classroom_console.media.output import OutputStats
from ui.centre_format import decimal
from ui.plain_text import plain
from ui.widgets import plain_tip

# Ingest servers of the platforms lecturers use, and a custom one; the key goes after the server.
PRESETS = (
    ("custom", ""),
    ("YouTube", "rtmp://a.rtmp.youtube.com/live2/"),
    ("VK Video", "rtmp://ovsu.mycdn.me/input/"),
    ("Twitch", "rtmp://live.twitch.tv/app/"),
)


def reason_words(code: str) -> str:
    return {
        "connection-refused": QCoreApplication.translate("Live", "the server refused the connection"),
        "connection-lost": QCoreApplication.translate("Live", "the connection was lost"),
        "rejected": QCoreApplication.translate("Live", "the server rejected the stream (check the key)"),
        "timeout": QCoreApplication.translate("Live", "the server did not answer"),
        "unreachable": QCoreApplication.translate("Live", "the server cannot be reached"),
        "name-not-resolved": QCoreApplication.translate("Live", "the server's name is unknown"),
    }.get(code, code)


def health_text(stats: OutputStats | None) -> tuple[str, str]:
    """A destination's state in words, and its tone (ok, busy, bad, off)."""
    if stats is None:
        return QCoreApplication.translate("Live", "Not live"), "off"
    if stats.state == "live":
        mbit = stats.bitrate_bps / 1e6
        text = QCoreApplication.translate("Live", "LIVE · %1 Mbit/s").replace("%1", decimal(mbit))
        if stats.dropped_packets:
            text += " · " + QCoreApplication.translate("Live", "%1 packets dropped").replace(
                "%1", str(stats.dropped_packets))
        return text, "ok"
    if stats.state in ("connecting", "waiting"):
        return QCoreApplication.translate("Live", "Connecting…"), "busy"
    if stats.state == "reconnecting":
        wait = f"{stats.next_try_s:.0f}" if stats.next_try_s is not None else "?"
        return QCoreApplication.translate("Live", "Reconnecting in %1 s: %2").replace("%1", wait).replace(
            "%2", reason_words(stats.reason)), "busy"
    if stats.state == "failed":
        return QCoreApplication.translate("Live", "Failed: %1").replace("%1", reason_words(stats.reason)), "bad"
    return QCoreApplication.translate("Live", "Ended"), "off"


class DestinationDialog(QDialog):
    sig_chosen = Signal(str, str)  # name, the whole URL (with its key)

    def __init__(self, parent: QWidget | None = None, centre_host: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a live destination"))
        self.setMinimumWidth(460)
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.preset = QComboBox()
        for label, server in PRESETS:
            self.preset.addItem(self.tr("Custom RTMP server") if label == "custom" else label, server)
        if centre_host:  # the centre's streaming server, on the host the room already uploads to
            self.preset.insertItem(1, self.tr("The centre"), f"rtmp://{centre_host}/live/")
        self.name = QLineEdit()
        self.server = QLineEdit()
        self.server.setPlaceholderText("rtmp://server/app/")
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(self.tr("stream key"))
        form.addRow(self.tr("Platform"), self.preset)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Server"), self.server)
        form.addRow(self.tr("Stream key"), self.key)
        self.error = plain(QLabel())  # the core's sentence may quote what was typed
        self.error.setObjectName("cardProblem")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.buttons)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.buttons.accepted.connect(self._offer)
        self.buttons.rejected.connect(self.reject)

    def _preset_chosen(self) -> None:
        server = str(self.preset.currentData() or "")
        self.server.setText(server)
        if server and not self.name.text():
            self.name.setText(self.preset.currentText())

    def _offer(self) -> None:
        server, key = self.server.text().strip(), self.key.text().strip()
        url = server if not key else server.rstrip("/") + "/" + key
        self.sig_chosen.emit(self.name.text().strip(), url)

    def refuse(self, sentence: str, detail: str) -> None:
        self.error.setText(sentence)
        self.error.setToolTip(plain_tip(detail))  # the core's words (the key masked), for a technician
        self.error.show()


class LivePanel(QWidget):
    sig_add = Signal(str, str)
    sig_remove = Signal(str)
    sig_go_live = Signal(str)
    sig_stop = Signal(str)
    sig_lan = Signal()  # the program on the room's own network (HLS), for tablets and overflow rooms

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 8, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("recordingList")
        # A destination's status wraps: on one line "Повторное подключение через 2 с: сер…" hid behind a scroll bar.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setWordWrap(True)
        # An empty list said nothing: what a destination is, and where to add one. The hint stands in the empty
        # list's place: above it, at 1366x768 in Russian, it was squeezed to the list's minimum and lost a line.
        self.empty_hint = QLabel(self.tr("No live destinations yet. “Add…” a YouTube, VK Video, Twitch or other "
                                         "RTMP server with its stream key; “On the room's network” needs none."))
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setObjectName("pageSubtitle")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty_hint.setContentsMargins(4, 2, 4, 0)  # its words off the tab's frame
        column.addWidget(self.empty_hint, 1)
        column.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.go_button = QPushButton(self.tr("Go live"))
        self.go_button.setObjectName("recordButton")
        self.stop_button = QPushButton(self.tr("Stop"))
        row.addWidget(self.go_button)
        row.addWidget(self.stop_button)
        column.addLayout(row)
        self.lan_button = QPushButton(self.tr("On the room's network"))
        self.lan_button.setToolTip(self.tr("Tablets and overflow rooms watch it in a browser, no internet needed"))
        self.lan_button.clicked.connect(self._lan_clicked)
        column.addWidget(self.lan_button)
        self.lan_label = QLabel()
        self.lan_label.setWordWrap(True)
        self.lan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lan_label.hide()
        column.addWidget(self.lan_label)
        self.all_button = QPushButton(self.tr("All live"))
        self.all_button.setToolTip(self.tr("Go live on every destination (the recording starts too)"))
        self.stop_all_button = QPushButton(self.tr("Stop all"))
        self.stop_all_button.setToolTip(self.tr("End every live stream; the recording goes on"))
        all_row = QHBoxLayout()
        all_row.addWidget(self.all_button)
        all_row.addWidget(self.stop_all_button)
        column.addLayout(all_row)
        more = QHBoxLayout()  # two to a row: the column is narrow, and Russian words are long
        self.add_button = QPushButton(self.tr("Add…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        more.addWidget(self.add_button)
        more.addWidget(self.remove_button)
        column.addLayout(more)
        self.dialog: DestinationDialog | None = None
        self.lan_url = ""
        self._health: dict[str, OutputStats] = {}
        self.go_button.clicked.connect(lambda: self._selected(self.sig_go_live))
        self.stop_button.clicked.connect(lambda: self._selected(self.sig_stop))
        self.remove_button.clicked.connect(lambda: self._selected(self.sig_remove))
        self.all_button.clicked.connect(self._all_live)
        self.stop_all_button.clicked.connect(self._stop_all)
        self.centre_host = ""
        self.add_button.clicked.connect(self._ask)
        self.list.currentItemChanged.connect(lambda *_: self._enable())
        self._enable()

    def show_destinations(self, destinations: list[Destination]) -> None:
        current = self.current_name()
        self.list.clear()
        for destination in destinations:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, destination.name)
            item.setToolTip(plain_tip(destination.masked_url))  # the settings file's words
            self.list.addItem(item)
            if destination.name == current:
                self.list.setCurrentItem(item)
        self.show_health(self._health)

    def show_lan(self, url: str) -> None:
        self.lan_url = url
        self._show_lan_line()

    def _show_lan_line(self) -> None:
        stats = self._health.get(LAN)
        if stats is None or not self._on_lan():
            self.lan_label.hide()
            self.lan_button.setText(self.tr("On the room's network"))
            return
        viewers = int(stats.extra.get("clients_last_minute", 0)) if isinstance(stats.extra, dict) else 0
        self.lan_label.setText(self.tr("On the room's network: %1 (viewers: %2)").replace("%1", self.lan_url)
                               .replace("%2", str(viewers)))
        self.lan_label.show()
        # The same button ends it (it was greyed out: the room's network stayed on until the recording stopped).
        self.lan_button.setText(self.tr("Stop on the room's network"))

    def _on_lan(self) -> bool:
        """Whether the program is on the room's network: the button's words and its click go by this alone."""
        return self._health.get(LAN) is not None and bool(getattr(self, "lan_url", ""))

    def _lan_clicked(self) -> None:
        if self._on_lan():
            self.sig_stop.emit(LAN)  # the recording and the other destinations go on
        else:
            self.sig_lan.emit()

    def show_health(self, health: dict[str, OutputStats]) -> None:
        self._health = health
        self._show_lan_line()
        for i in range(self.list.count()):
            item = self.list.item(i)
            name = str(item.data(Qt.ItemDataRole.UserRole))
            text, _tone = health_text(health.get(name))
            item.setText(f"{name}\n    {text}")
        self.empty_hint.setVisible(self.list.count() == 0)
        self.list.setVisible(self.list.count() > 0)
        self._enable()

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _selected(self, signal: SignalInstance) -> None:
        name = self.current_name()
        if name is not None:
            signal.emit(name)

    def _all_live(self) -> None:
        for i in range(self.list.count()):
            self.sig_go_live.emit(str(self.list.item(i).data(Qt.ItemDataRole.UserRole)))

    def _stop_all(self) -> None:
        for name in list(self._health):
            if name != LAN:
                self.sig_stop.emit(name)

    def _ask(self) -> None:
        self.dialog = DestinationDialog(self, self.centre_host)
        self.dialog.sig_chosen.connect(self.sig_add.emit)
        self.dialog.open()

    def _enable(self) -> None:
        name = self.current_name()
        live = name is not None and name in self._health
        self.go_button.setEnabled(name is not None and not live)
        self.stop_button.setEnabled(live)
        self.remove_button.setEnabled(name is not None and not live)
        self.all_button.setEnabled(self.list.count() > 0)
        self.stop_all_button.setEnabled(any(name != LAN for name in self._health))
