"""The studio's source list: add by kind (with a device or URL), rename, remove, a gain for microphones.

Sources are shown by the names people give them (double-click or F2 to rename); a source nobody named is called
by its kind in the user's language ("Test pattern 2"), never by the program's key for it ("test-pattern-2").
"""

from __future__ import annotations

from collections.abc import Iterable
from math import ceil

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from classroom_console.media import MicrophoneInfo, SourceState, SourceStatus
from classroom_console.media.studio_setup import MAX_LABEL
from ui.widgets import plain_tip

NAME_ROLE = Qt.ItemDataRole.UserRole  # the program's key for the source
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "video" or "audio"
LABEL_ROLE = Qt.ItemDataRole.UserRole + 2  # the name shown


class _RenameDelegate(QStyledItemDelegate):
    """Edits a source's name in place, not its whole line ("Camera — live"); the name goes out as a signal."""

    def __init__(self, panel: SourcesPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setMaxLength(MAX_LABEL)
        editor.setObjectName("sourceNameEditor")
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        # Called again whenever the line refreshes (five times a second): only the first fills the field.
        if isinstance(editor, QLineEdit) and not editor.property("filled"):
            editor.setText(str(index.data(LABEL_ROLE) or ""))
            editor.selectAll()
            editor.setProperty("filled", True)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QLineEdit):
            self.panel.sig_rename.emit(str(index.data(NAME_ROLE)), editor.text())


def _characters_for(box: QComboBox, words: Iterable[str]) -> int:
    """How many characters of Qt's measure (an "X") the widest of ``words`` takes in ``box``, plus one."""
    metrics = box.fontMetrics()
    widest = max((metrics.horizontalAdvance(text) for text in words), default=0)
    return ceil(widest / max(1, metrics.horizontalAdvance("X"))) + 1


class SourcesPanel(QWidget):
    sig_add = Signal(str, str)  # a source spec, e.g. "camera:rtsp://...", and the name it gets ("": its kind's)
    sig_remove = Signal(str)  # a source name
    sig_gain = Signal(str, float)
    sig_rename = Signal(str, str)  # a source name, the name people will see
    sig_kind_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Sources"))
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        self.list = QListWidget()
        self.list.setObjectName("sourceList")
        self.list.setItemDelegate(_RenameDelegate(self))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setToolTip(self.tr("Double-click a source (or press F2) to rename it"))
        # A long line wraps in the narrow column, no sideways scroll bar: shortened in its middle, "Test pattern"
        # and "Test pattern 2" both read "Испытательная …лица — в эфире" at 1366x768, and a failure's words were cut.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setWordWrap(True)
        column.addWidget(self.list, 1)

        self.kind_picker = QComboBox()
        self.kinds = {
            "test-pattern": self.tr("Test pattern"),
            "tone": self.tr("Test tone"),
            "mic": self.tr("Microphone"),
            "screen": self.tr("Screen capture"),
            "camera": self.tr("Camera (URL)"),
        }
        for key, label in self.kinds.items():
            self.kind_picker.addItem(label, key)
        self.hints = {
            "test-pattern": self.tr("size, e.g. 1280x720"),
            "tone": "",
            "mic": self.tr("default microphone"),
            "screen": self.tr("display, e.g. :0"),
            "camera": self.tr("rtsp://, http://, /dev/video0"),
        }
        # The hint is short enough for the field; the tooltip says the rest.
        self.tips = {
            "test-pattern": self.tr("Optional: the pattern's size. Empty: the program's size."),
            "mic": self.tr("A microphone from the list, or empty for the system's default one."),
            "screen": self.tr("Optional: the X display to capture. Empty: this one."),
            "camera": self.tr("A camera found in the room, or its stream's address: rtsp://, http:// or /dev/video0."),
        }
        self.detail = QComboBox()
        self.detail.setEditable(True)
        # Each as wide as its longest words, so no kind and no hint is cut; a camera's long URL scrolls instead.
        for box, words in ((self.kind_picker, self.kinds.values()), (self.detail, self.hints.values())):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(_characters_for(box, words))
        self.add_button = QPushButton(self.tr("Add"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setEnabled(False)
        # Kind, then its detail, then the buttons, each on a row of its own: beside a button the picker and the
        # detail's hint were cut in Russian ("Испытательная", "размер, например 1280x72…") in a 1366-px window.
        column.addWidget(self.kind_picker)
        column.addWidget(self.detail)
        row = QHBoxLayout()
        row.addWidget(self.add_button, 1)
        row.addWidget(self.remove_button, 1)
        column.addLayout(row)

        gain_row = QHBoxLayout()
        self.gain_label = QLabel(self.tr("Gain"))
        self.gain = QSlider(Qt.Orientation.Horizontal)
        self.gain.setRange(-20, 20)
        self.gain.setEnabled(False)
        self.gain.setToolTip(self.tr("Microphone gain in dB"))
        gain_row.addWidget(self.gain_label)
        gain_row.addWidget(self.gain, 1)
        column.addLayout(gain_row)

        self.kind_picker.currentIndexChanged.connect(self._kind_changed)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.list.currentItemChanged.connect(self._selected)
        self.gain.valueChanged.connect(self._gain_changed)
        self._kind_changed()

    def kind_words(self, kind: str) -> str:
        """A source kind ("test-pattern", from its spec) in the user's language, for a source nobody named."""
        words = {
            "test-pattern": self.tr("Test pattern"),
            "tone": self.tr("Test tone"),
            "mic": self.tr("Microphone"),
            "microphone": self.tr("Microphone"),
            "screen": self.tr("Screen"),
            "camera": self.tr("Camera"),
        }
        return words.get(kind, kind)

    def shown_name(self, name: str, kind: str, label: str) -> str:
        """The given name, else the kind's words with the program's number ("tone-2" -> "Test tone 2")."""
        if label:
            return label
        number = name.rpartition("-")[2]
        return f"{self.kind_words(kind)} {number}" if number.isdigit() else self.kind_words(kind)

    def current_kind(self) -> str:
        return str(self.kind_picker.currentData())

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.detail.clear()
        self.detail.setEditText("")  # a camera's URL must not stay behind for a test pattern
        self._placeholder(self.hints.get(kind, ""))
        self.detail.setToolTip(self.tips.get(kind, ""))
        self.detail.setEnabled(kind != "tone")
        self.sig_kind_changed.emit(kind)

    def set_cameras(self, cameras: list[tuple[str, str]]) -> None:
        """The room's cameras found by discovery, offered by name (their stream URL is the source)."""
        if self.current_kind() != "camera":
            return
        self.detail.clear()
        for name, url in cameras:
            self.detail.addItem(f"{name} — {url}", url)
            self.detail.setItemData(self.detail.count() - 1, name, LABEL_ROLE)
        self.detail.setEditText("")

    def set_microphones(self, microphones: list[MicrophoneInfo]) -> None:
        if self.current_kind() != "mic":
            return
        self.detail.clear()
        for mic in microphones:
            self.detail.addItem(mic.name, mic.index)
            self.detail.setItemData(self.detail.count() - 1, mic.name, LABEL_ROLE)
        if not microphones:
            self._placeholder(self.tr("no microphone found"))

    def _placeholder(self, text: str) -> None:
        edit = self.detail.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(text)

    def label(self) -> str:
        """The name a source picked from a list gets: the camera's or the microphone's own."""
        detail = self.detail.currentText().strip()
        index = self.detail.findText(detail)
        if index < 0 or self.current_kind() not in ("camera", "mic"):
            return ""
        return str(self.detail.itemData(index, LABEL_ROLE) or "")

    def spec(self) -> str:
        kind = self.current_kind()
        detail = self.detail.currentText().strip()
        index = self.detail.findText(detail)
        if kind == "camera" and index >= 0 and self.detail.itemData(index):
            detail = str(self.detail.itemData(index))  # a found camera: its URL, not its label
        return f"{kind}:{detail}" if detail else kind

    def _add(self) -> None:
        self.sig_add.emit(self.spec(), self.label())

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.sig_remove.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _selected(self, item: QListWidgetItem | None) -> None:
        self.remove_button.setEnabled(item is not None)
        audio = item is not None and item.data(Qt.ItemDataRole.UserRole + 1) == "audio"
        self.gain.setEnabled(audio)

    def _gain_changed(self, value: int) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.sig_gain.emit(str(item.data(Qt.ItemDataRole.UserRole)), float(value))

    def show_statuses(self, statuses: list[SourceStatus], labels: dict[str, str] | None = None) -> None:
        """Refreshes the lines in place, keeping the selection; ``labels``: the name shown for each source."""
        labels = labels or {}
        names = [s.name for s in statuses]
        for row in range(self.list.count() - 1, -1, -1):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) not in names:
                self.list.takeItem(row)
        items = [self.list.item(r) for r in range(self.list.count())]
        existing = {i.data(Qt.ItemDataRole.UserRole): i for i in items}
        for status in statuses:
            found = existing.get(status.name)
            if found is not None:
                item = found
            else:
                item = QListWidgetItem()
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                item.setData(Qt.ItemDataRole.UserRole, status.name)
                item.setData(Qt.ItemDataRole.UserRole + 1, status.kind)
                self.list.addItem(item)
            label = labels.get(status.name, status.name)
            if item.data(LABEL_ROLE) != label:
                item.setData(LABEL_ROLE, label)
            line = self._line(status, label)
            if item.text() != line:
                item.setText(line)
            item.setToolTip(plain_tip(self.tr("Details: %1").replace("%1", status.message)) if status.message else "")
            broken = status.state in (SourceState.LOST, SourceState.FAILED)
            item.setForeground(QColor("#c1121f") if broken else QColor("#1d3557"))  # a failed source is red

    def _line(self, status: SourceStatus, label: str) -> str:
        states = {
            SourceState.IDLE: self.tr("idle"),
            SourceState.STARTING: self.tr("starting"),
            # Its pictures or sound arrive: not "on air" (the Russian read «в эфире» with nothing recorded or sent).
            SourceState.LIVE: self.tr("live", "a source's state: running, its pictures or sound arrive"),
            SourceState.LOST: self.tr("lost"),
            SourceState.FAILED: self.tr("failed"),
            SourceState.STOPPED: self.tr("stopped"),
        }
        # The core's message is the technical detail in English (a URL, PortAudio's words): the tooltip's. The line
        # says in the user's language what happened and what to check; every source kind retries by itself.
        problems = {
            SourceState.LOST: self.tr("stopped sending; trying again"),
            SourceState.FAILED: self.tr("cannot be opened; check its address or connection"),
        }
        line = f"{label} — {states.get(status.state, str(status.state))}"
        if status.state in problems:
            line += f": {problems[status.state]}"
        return line
