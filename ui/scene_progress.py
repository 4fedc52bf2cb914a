"""Per-device progress while a scene applies: a chip per device that turns green, or red with the reason.

Lives under the session panel; each chip's tooltip holds the full sentence (and the technical detail), the
summary line names every part that did not follow, so the lecturer knows which device to look at and why.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from classroom_console.events import SceneStep
from ui.flow_layout import FlowLayout
from ui.scene_words import failure_line, scene_name, status_text, target_name
from ui.widgets import Badge, ElidedLabel, plain_tip

AUTO_HIDE_MS = 10_000
TONES = {"done": "ok", "failed": "bad", "skipped": "off", "working": "busy", "waiting": "busy"}


class Chip(Badge):
    """A device's name and how its step went, as wide as its words; cut with "…" only when wider than the row."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)  # device names are the device's own words
        # No indent of its own: a styled label's is half an "x" each side more than its padding, which cut the words
        self.setIndent(0)
        self.full = ""

    def show_text(self, text: str) -> None:
        self.full = text
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:
        self.ensurePolished()  # the style sheet's bold font and padding, not the default ones, measure the words
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.full) + margins.left() + margins.right() + 1
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(60, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.ensurePolished()
        room = max(1, self.contentsRect().width())
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideMiddle, room))


class SceneProgress(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 10, 18, 10)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.summary = ElidedLabel()
        self.summary.setObjectName("cardDetail")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.hide_button = QPushButton(self.tr("Hide"))
        self.hide_button.setObjectName("linkButton")
        self.hide_button.clicked.connect(self.hide)
        top.addWidget(self.summary, 1)
        top.addWidget(self.hide_button)
        layout.addLayout(top)
        self.grid = FlowLayout(spacing=8, row_spacing=6)  # as many chips a row as their words allow
        layout.addLayout(self.grid)
        self.chips: dict[str, Chip] = {}
        self.steps: dict[str, SceneStep] = {}  # the latest step of each device or part
        self.scene = ""
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.timeout.connect(self.hide)
        self.hide()

    def begin(self, scene: str) -> None:
        """A new scene: the old chips go, the new ones come as their devices report."""
        self.scene = scene
        self._fade.stop()
        for chip in self.chips.values():
            self.grid.removeWidget(chip)
            chip.deleteLater()
        self.chips.clear()
        self.steps.clear()
        self.summary.setText(self.tr("Applying “%1”…").replace("%1", scene_name(scene)))
        self.summary.setProperty("failed", False)
        self.show()

    def show_step(self, step: SceneStep) -> None:
        if step.scene != self.scene:
            self.begin(step.scene)  # switched elsewhere (another window, the CLI): follow it
        chip = self.chips.get(step.target)
        if chip is None:
            chip = Chip()
            self.grid.addWidget(chip)
            self.chips[step.target] = chip
        self.steps[step.target] = step
        text = f"{target_name(step)} · {status_text(step)}"
        chip.show_text(text)
        chip.setToolTip(plain_tip(failure_line(step) if step.status == "failed" else text))
        chip.set_tone(TONES.get(step.status, "busy"))

    def finish(self, scene: str, failed: tuple[SceneStep, ...]) -> None:
        if scene != self.scene:
            return
        for step in failed:
            self.show_step(step)
        name = scene_name(scene)
        if not failed:
            self.summary.setText(self.tr("“%1” is set: everything followed.").replace("%1", name))
            self._fade.start(AUTO_HIDE_MS)  # nothing to act on: out of the way, the cards show the state
        else:
            lines = " ".join(failure_line(step) for step in failed)
            self.summary.setText(
                self.tr("“%1” is set, except: %2").replace("%1", name).replace("%2", lines))
        self.summary.setToolTip(plain_tip("\n".join(f"{failure_line(s)}\n  ({s.detail})" for s in failed)))

    def failed_targets(self) -> list[str]:
        return [target for target, step in self.steps.items() if step.status == "failed"]
