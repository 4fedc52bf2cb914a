"""Centre staff's workspace: how this room is used, from the session log."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from classroom_console.usage import UsageSummary
from ui.bridge import RoomBridge
from ui.widgets import EmptyState, page_header


class StatTile(QFrame):
    """One number with its meaning underneath."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        self.value = QLabel("—")
        self.value.setObjectName("pageTitle")
        self.caption = QLabel(caption)
        self.caption.setObjectName("pageSubtitle")
        self.caption.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class CentreWorkspace(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.bridge = bridge
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 16)
        layout.setSpacing(16)
        layout.addWidget(
            page_header(
                self.tr("Centre"),
                self.tr(
                    "How this room is used: sessions, hours, devices. Sent to the centre when the network allows."
                ),
            )
        )
        tiles = QGridLayout()
        tiles.setSpacing(14)
        self.sessions_tile = StatTile(self.tr("sessions logged"))
        self.hours_tile = StatTile(self.tr("hours in use"))
        self.devices_tile = StatTile(self.tr("devices known"))
        self.events_tile = StatTile(self.tr("events recorded"))
        for column, tile in enumerate(
            (self.sessions_tile, self.hours_tile, self.devices_tile, self.events_tile)
        ):
            tiles.addWidget(tile, 0, column)
        layout.addLayout(tiles)
        self.empty = EmptyState(
            "usage",
            self.tr("Usage charts appear here"),
            self.tr(
                "Once sessions are logged you will see the room's hours by weekday and time, "
                "sessions by lecturer and course, lamp hours and faults."
            ),
        )
        self.empty.setMinimumHeight(260)
        layout.addWidget(self.empty, 1)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Figures are read when the workspace is opened, so they are never stale when looked at."""
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.bridge.run(self.bridge.core.usage(), on_done=self.show_summary, what="usage")

    def show_summary(self, summary: UsageSummary) -> None:
        self.sessions_tile.value.setText(str(summary.sessions))
        self.hours_tile.value.setText(f"{summary.hours_in_use:.1f}")
        self.devices_tile.value.setText(str(summary.devices))
        self.events_tile.value.setText(str(summary.events))
