"""Per-device progress while a scene applies: a chip per device that turns green, or red with the reason.

Lives under the session panel; each chip's tooltip holds the full sentence (and the technical detail), the
summary line names every part that did not follow, so the lecturer knows which device to look at and why.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from classroom_console.events import SceneStep
from ui.scene_words import failure_line, scene_name, status_text, target_name
from ui.widgets import Badge, ElidedLabel

CHIP_COLUMNS = 4
AUTO_HIDE_MS = 10_000
TONES = {"done": "ok", "failed": "bad", "skipped": "off", "working": "busy", "waiting": "busy"}


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
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(6)
        for column in range(CHIP_COLUMNS):
            self.grid.setColumnStretch(column, 1)
        layout.addLayout(self.grid)
        self.chips: dict[str, Badge] = {}
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
            chip = Badge()
            chip.setTextFormat(Qt.TextFormat.PlainText)  # device names are the device's own words
            chip.setMinimumWidth(60)
            index = len(self.chips)
            self.grid.addWidget(chip, index // CHIP_COLUMNS, index % CHIP_COLUMNS)
            self.chips[step.target] = chip
        self.steps[step.target] = step
        text = f"{target_name(step)} · {status_text(step)}"
        chip.setText(chip.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle, 300))
        chip.setToolTip(failure_line(step) if step.status == "failed" else text)
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
        self.summary.setToolTip("\n".join(f"{failure_line(s)}\n  ({s.detail})" for s in failed))

    def failed_targets(self) -> list[str]:
        return [target for target, step in self.steps.items() if step.status == "failed"]
