"""Which source is the main picture and which the inset, and the studio scenes that keep such arrangements.

A studio scene here is the Studio's own picture arrangement (OBS's word), switched with one click or Alt+1..9;
the Lecturer workspace's room scenes are another thing. The workspace keeps them in the core through the bridge.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from ui.widgets import plain_tip

SCENE_KEYS = tuple(f"Alt+{n}" for n in range(1, 10))
# The scene buttons sit beside the "Program" title: as tall as a line of text, so the column still fits 768 px.
COMPACT = "QPushButton { padding: 3px 10px; min-height: 0px; }"


class ElidingComboBox(QComboBox):
    """Shows a long source name cut with "…" in the room it has, instead of clipped mid-letter."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        option.currentText = self.fontMetrics().elidedText(option.currentText, Qt.TextElideMode.ElideRight,
                                                           field.width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class SourcePickers(QWidget):
    """Main [source] ⇄ / Inset [source], a row each; the user's choice goes out as two source names.

    A row each, under the layout's row in the same grid (``add_top_row``): side by side at 1366x768 each picker had
    about 110 px, and "Test pattern" and "Test pattern 2" (or two cameras of one model) were both cut to the same
    "Испытател…", so the technician could not tell which was which.
    """

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.main_picker = ElidingComboBox()
        self.inset_picker = ElidingComboBox()
        for picker in (self.main_picker, self.inset_picker):
            picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            picker.setMinimumContentsLength(6)  # long names are elided: they must not widen the window
        self.main_picker.setToolTip(self.tr("The source shown large"))
        self.inset_picker.setToolTip(self.tr("The source in the small picture (or the right half)"))
        self.swap_button = QPushButton("⇄")
        self.swap_button.setToolTip(self.tr("Swap the main picture and the inset"))
        self.main_label = QLabel(self.tr("Main"))
        self.inset_label = QLabel(self.tr("Inset"))
        self.main_label.setBuddy(self.main_picker)
        self.inset_label.setBuddy(self.inset_picker)
        self.grid.addWidget(self.main_label, 1, 0)
        self.grid.addWidget(self.main_picker, 1, 1, 1, 2)  # under the layout's two pickers, as wide as both
        self.grid.addWidget(self.inset_label, 2, 0)
        self.grid.addWidget(self.inset_picker, 2, 1, 1, 2)
        self.grid.addWidget(self.swap_button, 1, 3, 2, 1)  # beside the two rows it swaps
        self.main_picker.activated.connect(lambda _i: self.sig_changed.emit())
        self.inset_picker.activated.connect(lambda _i: self.sig_changed.emit())
        self.swap_button.clicked.connect(self.swap)
        self._top_row: tuple[QWidget, ...] = ()

    def add_top_row(self, label: QLabel, wide: QWidget, narrow: QWidget) -> None:
        """The layout's own row above the sources', its label and pickers in the same columns."""
        label.setBuddy(wide)
        self.grid.addWidget(label, 0, 0)
        self.grid.addWidget(wide, 0, 1)
        self.grid.addWidget(narrow, 0, 2, 1, 2)  # to the right edge: no swap button on this row
        self._top_row = (wide, narrow)

    def tab_in_reading_order(self, then: QWidget) -> None:
        """Layout, corner, main, inset, swap, then ``then``: moved into this grid, the layout's pickers came after
        the sources' ones. Called once every widget is in the window (Qt orders only widgets of one window)."""
        chain = [*self._top_row, self.main_picker, self.inset_picker, self.swap_button, then]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def show_sources(self, sources: list[tuple[str, str]], main: str, inset: str, two_pictures: bool) -> None:
        """``sources``: (name, the name shown) of the video sources; ``main``/``inset``: the names on show."""
        for picker, chosen in ((self.main_picker, main), (self.inset_picker, inset)):
            items = [(picker.itemData(i), picker.itemText(i)) for i in range(picker.count())]
            if items != [(name, label) for name, label in sources]:
                picker.blockSignals(True)
                picker.clear()
                for name, label in sources:
                    picker.addItem(label, name)
                picker.blockSignals(False)
            at = picker.findData(chosen)
            if at >= 0 and at != picker.currentIndex():
                picker.setCurrentIndex(at)
        self.main_picker.setEnabled(bool(sources))
        self.inset_picker.setEnabled(two_pictures and len(sources) > 1)
        self.swap_button.setEnabled(two_pictures and len(sources) > 1)

    @property
    def main(self) -> str:
        return str(self.main_picker.currentData() or "")

    @property
    def inset(self) -> str:
        return str(self.inset_picker.currentData() or "") if self.inset_picker.isEnabled() else ""

    def swap(self) -> None:
        main, inset = self.main_picker.currentIndex(), self.inset_picker.currentIndex()
        if main < 0 or inset < 0:
            return
        self.main_picker.setCurrentIndex(inset)
        self.inset_picker.setCurrentIndex(main)
        self.sig_changed.emit()


class SceneButton(QPushButton):
    """A scene's button: its name elided to the room it gets, so nine scenes never widen the window."""

    def __init__(self, name: str, key: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.name = name
        self.setCheckable(True)
        self.setObjectName("sceneButton")
        self.setStyleSheet(COMPACT)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._padding = super().sizeHint().width() - self.fontMetrics().horizontalAdvance(name)
        self.setToolTip(plain_tip(self.tr("Show the studio scene “%1” (%2). Right-click to update or delete it.")
                                  .replace("%1", name).replace("%2", key)))  # its name as kept in the file

    def minimumSizeHint(self) -> QSize:
        return QSize(44, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        room = max(10, self.width() - self._padding)
        self.setText(self.fontMetrics().elidedText(self.name, Qt.TextElideMode.ElideRight, room))


class SceneBar(QWidget):
    """The studio scenes as buttons (the one on show is lit), and "Save scene" for the arrangement on show."""

    sig_apply = Signal(str)
    sig_save = Signal(str)  # a name typed for the arrangement on show
    sig_update = Signal(str)
    sig_delete = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # buttons shrink, never widen
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(4)
        self.row.addStretch(1)
        self.save_button = QPushButton(self.tr("+ Scene"))
        self.save_button.setStyleSheet(COMPACT)
        self.save_button.setToolTip(self.tr("Save the arrangement on show (layout, main picture, inset) as a "
                                            "studio scene, to switch back to it with one click or Alt+1…9"))
        self.row.addWidget(self.save_button)
        self.buttons: dict[str, SceneButton] = {}
        self.dialog: QInputDialog | None = None
        self.save_button.clicked.connect(self.ask_name)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.save_button.sizeHint().width(), super().minimumSizeHint().height())

    def show_scenes(self, names: list[str], current: str | None) -> None:
        if list(self.buttons) != names:
            for button in self.buttons.values():
                self.row.removeWidget(button)
                button.deleteLater()
            self.buttons = {}
            for index, name in enumerate(names):
                button = SceneButton(name, SCENE_KEYS[index] if index < len(SCENE_KEYS) else "")
                button.clicked.connect(lambda _c=False, n=name: self.sig_apply.emit(n))
                button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                button.customContextMenuRequested.connect(lambda at, b=button: self._menu(b, at))
                self.row.insertWidget(index, button, 1)
                self.buttons[name] = button
        for name, button in self.buttons.items():
            button.setChecked(name == current)

    def _menu(self, button: SceneButton, at: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(self.tr("Update with the arrangement on show"), lambda: self.sig_update.emit(button.name))
        menu.addAction(self.tr("Delete this scene"), lambda: self.sig_delete.emit(button.name))
        menu.popup(button.mapToGlobal(at))

    def ask_name(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Save studio scene"))
        dialog.setLabelText(self.tr("Name of the scene (e.g. Lecturer and board):"))
        dialog.setTextValue(self.tr("Scene %1").replace("%1", str(len(self.buttons) + 1)))
        dialog.textValueSelected.connect(self.sig_save.emit)
        self.dialog = dialog
        dialog.open()
