"""The studio technician's workspace: sources, the program preview, and the record button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.bridge import RoomBridge
from ui.widgets import EmptyState, page_header


class StudioWorkspace(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.bridge = bridge
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 16)
        layout.setSpacing(16)
        layout.addWidget(
            page_header(
                self.tr("Studio"),
                self.tr(
                    "Compose cameras, the board's screen and the microphone into a recording or a live stream."
                ),
            )
        )
        body = QHBoxLayout()
        body.setSpacing(16)

        sources = QVBoxLayout()
        title = QLabel(self.tr("Sources"))
        title.setObjectName("sectionTitle")
        sources.addWidget(title)
        self.sources_empty = EmptyState(
            "camera",
            self.tr("No sources yet"),
            self.tr(
                "The room's cameras, the board's screen and microphones will be listed here to pick from."
            ),
        )
        sources.addWidget(self.sources_empty, 1)
        body.addLayout(sources, 2)

        program = QVBoxLayout()
        program_title = QLabel(self.tr("Program"))
        program_title.setObjectName("sectionTitle")
        program.addWidget(program_title)
        self.preview = QFrame()
        self.preview.setObjectName("preview")
        self.preview.setMinimumSize(480, 270)
        preview_layout = QVBoxLayout(self.preview)
        self.preview_text = QLabel(self.tr("The live program preview appears here once a source is added."))
        self.preview_text.setObjectName("previewText")
        self.preview_text.setWordWrap(True)
        self.preview_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        preview_layout.addWidget(self.preview_text)
        program.addWidget(self.preview, 1)

        controls = QHBoxLayout()
        self.layout_picker = QComboBox()
        self.layout_picker.addItems(
            [self.tr("Single source"), self.tr("Picture in picture"), self.tr("Side by side")]
        )
        self.layout_picker.setEnabled(False)
        self.record_button = QPushButton(self.tr("● Record"))
        self.record_button.setObjectName("recordButton")
        self.record_button.setEnabled(False)
        self.record_button.setToolTip(self.tr("Add a source first."))
        controls.addWidget(QLabel(self.tr("Layout")))
        controls.addWidget(self.layout_picker, 1)
        controls.addStretch(1)
        controls.addWidget(self.record_button)
        program.addLayout(controls)
        body.addLayout(program, 5)
        layout.addLayout(body, 1)
