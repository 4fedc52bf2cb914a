"""The room's scenes, edited: pick one, change what it does to each kind of device, save it or a copy.

Every choice has "Leave as it is", so a scene can touch only what it cares about. Saving goes through the
core (scenes.json per room); a refused name stays in the field with the reason beside it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
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

from classroom_console.scenes import Scene, name_key
from ui.bridge import RoomBridge
from ui.scene_words import scene_name

LEAVE = None
PRESETS = 16


def _choice(options: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    for text, value in options:
        box.addItem(text, value)
    return box


def _pick(box: QComboBox, value: object) -> None:
    index = next((i for i in range(box.count()) if box.itemData(i) == value), 0)
    box.setCurrentIndex(index)


class SceneEditor(QDialog):
    sig_saved = Signal(str)  # the name of the scene saved (new, edited or copied)

    def __init__(self, bridge: RoomBridge, current: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.director = bridge.core.scenes
        self.setWindowTitle(self.tr("Scenes of this room"))
        self.setMinimumWidth(760)
        row = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setMinimumWidth(220)
        self.list.currentItemChanged.connect(self._show_selected)
        left.addWidget(self.list, 1)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("A new scene starting from this one"))
        self.copy_button.clicked.connect(self.copy_scene)
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.clicked.connect(self.delete_scene)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.delete_button)
        left.addLayout(buttons)
        row.addLayout(left)

        right = QVBoxLayout()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(60)
        on, off, leave = self.tr("On"), self.tr("Off"), self.tr("Leave as it is")
        self.projectors = _choice([(leave, LEAVE), (on, True), (off, False)])
        self.input_edit = QComboBox()
        self.input_edit.setEditable(True)
        typed = self.input_edit.lineEdit()
        if typed is not None:
            typed.setPlaceholderText(self.tr("Leave as it is"))
        self.screen_choice = _choice([(leave, LEAVE), (self.tr("Show the picture"), False), (self.tr("Blank"), True)])
        self.boards = _choice([(leave, LEAVE), (on, True), (off, False)])
        self.preset = _choice([(leave, LEAVE), *((self.tr("Preset %1").replace("%1", str(n)), n)
                                                  for n in range(1, PRESETS + 1))])
        self.recording = _choice([(leave, LEAVE), (self.tr("Record"), True), (self.tr("Stop"), False)])
        self.streaming = _choice([(leave, LEAVE), (self.tr("Go live"), True), (self.tr("Stop"), False)])
        self.tablets = _choice([(leave, LEAVE), (self.tr("Open for joining"), True), (self.tr("Closed"), False)])
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Projectors and displays"), self.projectors)
        form.addRow(self.tr("Input"), self.input_edit)
        form.addRow(self.tr("Screen"), self.screen_choice)
        form.addRow(self.tr("Interactive boards"), self.boards)
        form.addRow(self.tr("Cameras"), self.preset)
        form.addRow(self.tr("Recording"), self.recording)
        form.addRow(self.tr("Live stream"), self.streaming)
        form.addRow(self.tr("Students' tablets"), self.tablets)
        right.addLayout(form)
        self.problem = QLabel()
        self.problem.setObjectName("cardProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        right.addWidget(self.problem)
        right.addStretch(1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        actions.addWidget(self.save_button)
        actions.addWidget(close)
        right.addLayout(actions)
        row.addLayout(right, 1)
        self._offer_inputs()
        self.reload(current)

    def _offer_inputs(self) -> None:
        """The inputs the room's projectors report, by name (a scene keeps the name: "HDMI 1")."""
        names: list[str] = []
        for device in self.bridge.room.devices.values():
            for label in (device.state.get("inputs") or {}).values():
                if str(label) not in names:
                    names.append(str(label))
        self.input_edit.addItem("")
        self.input_edit.addItems(names)

    def reload(self, select: str = "") -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for scene in self.director.scenes.scenes:
            item = QListWidgetItem(scene_name(scene.name, scene.builtin))
            item.setData(Qt.ItemDataRole.UserRole, scene.name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        names = [s.name for s in self.director.scenes.scenes]
        self.list.setCurrentRow(names.index(select) if select in names else 0)

    def selected(self) -> Scene | None:
        item = self.list.currentItem()
        return None if item is None else self.director.scenes.find(str(item.data(Qt.ItemDataRole.UserRole)))

    def _show_selected(self, *_args: object) -> None:
        scene = self.selected()
        if scene is None:
            return
        self.problem.clear()
        self.name_edit.setText(scene_name(scene.name, scene.builtin))
        _pick(self.projectors, scene.projectors_on)
        self.input_edit.setCurrentText(scene.projector_input)
        _pick(self.screen_choice, scene.screen_blank)
        _pick(self.boards, scene.boards_on)
        _pick(self.preset, scene.camera_preset)
        _pick(self.recording, scene.recording)
        _pick(self.streaming, scene.streaming)
        _pick(self.tablets, scene.tablets_open)
        self.delete_button.setEnabled(not scene.builtin)
        shipped = self.tr("The four scenes that ship cannot be deleted")
        self.delete_button.setToolTip(shipped if scene.builtin else "")

    def edited(self, base: Scene) -> Scene:
        typed = self.name_edit.text().strip()
        # A shipped scene shown in Russian keeps its English key unless the lecturer really renamed it.
        kept = {name_key(base.name), name_key(scene_name(base.name))}
        name = base.name if base.builtin and name_key(typed) in kept else typed
        return replace(
            base, name=name, projectors_on=self.projectors.currentData(),
            projector_input=self.input_edit.currentText().strip(), screen_blank=self.screen_choice.currentData(),
            boards_on=self.boards.currentData(), camera_preset=self.preset.currentData(),
            recording=self.recording.currentData(), streaming=self.streaming.currentData(),
            tablets_open=self.tablets.currentData(),
        )

    def save(self) -> None:
        base = self.selected()
        if base is None:
            return
        self._store(self.edited(base), base.name)

    def copy_scene(self) -> None:
        base = self.selected()
        if base is None:
            return
        name = self.director.scenes.copy_name(scene_name(base.name, base.builtin), self._shown())
        copy = replace(self.edited(base), name=name, builtin=False)
        self._store(copy, None)

    def delete_scene(self) -> None:
        base = self.selected()
        if base is None or base.builtin:
            return
        self.bridge.run(self.director.delete_scene(base.name), on_done=lambda _r: self._saved(""),
                        what=self.tr("delete the scene"), on_error=self._refused, owner=self)

    def _shown(self) -> dict[str, str]:
        """Each scene's name as the list shows it (a shipped one's in the window's language)."""
        return {s.name: scene_name(s.name, s.builtin) for s in self.director.scenes.scenes}

    def _store(self, scene: Scene, replacing: str | None) -> None:
        self.problem.clear()
        if not scene.name.strip():
            self._refused("needs a name")
            return
        clash = self.director.scenes.clash(scene.name, replacing, self._shown())
        if clash is not None:
            self._taken(scene.name, clash)
            return
        self.bridge.run(self.director.save_scene(scene, replacing), on_done=lambda saved: self._saved(saved.name),
                        what=self.tr("save the scene"), on_error=self._refused, owner=self)

    def _taken(self, typed: str, clash: Scene) -> None:
        """Refused for a name another scene goes by: said with the name the list shows it by, when that differs."""
        shown = scene_name(clash.name, clash.builtin)
        if name_key(shown) == name_key(typed):
            self.problem.setText(self.tr("There is already a scene with this name."))
        else:
            self.problem.setText(self.tr("The scene “%1” has this name in the other language: choose another name.")
                                 .replace("%1", shown))
        self.name_edit.setFocus()

    def _refused(self, error: str) -> None:
        if "already a scene" in error:
            self.problem.setText(self.tr("There is already a scene with this name."))
        elif "needs a name" in error:
            self.problem.setText(self.tr("A scene needs a name."))
        else:
            self.problem.setText(self.tr("The scene could not be saved."))
        self.name_edit.setFocus()

    def _saved(self, name: str) -> None:
        self.reload(name)
        self.sig_saved.emit(name)
