"""The sync panel: where this room's uploads go, how far they are, and a button to send now."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from classroom_console.sync import SyncProgress, SyncResult
from classroom_console.sync.room import load_settings, queue_counts, save_settings, sync_now
from ui.bridge import RoomBridge
from ui.centre_format import duration, human_bytes

__all__ = ["SyncPanel", "human_bytes"]  # human_bytes: the main window's upload line uses it too


class SyncPanel(QFrame):
    """Progress arrives as plain SyncProgress data from the core; ``sig_progress`` re-emits it for others."""

    sig_progress = Signal(object)

    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.bridge = bridge
        grid = QGridLayout(self)
        grid.setContentsMargins(14, 12, 14, 12)
        title = QLabel(self.tr("Upload to the centre"))
        title.setObjectName("cardTitle")
        self.url = QLineEdit()
        self.url.setPlaceholderText(self.tr("https://centre.example.edu:8765"))
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("this room's token"))
        self.delete_media = QCheckBox(self.tr("Delete local recordings once the centre has confirmed them"))
        self.save = QPushButton(self.tr("Save"))
        self.send = QPushButton(self.tr("Sync now"))
        self.send.setObjectName("primary")
        self.state = QLabel(self.tr("Not synced yet"))
        self.state.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.detail = QLabel("")
        self.detail.setObjectName("cardDetail")
        # One field a row and the buttons on a row of their own: side by side, Russian cut the token's
        # placeholder and "Отправить сейчас" at 1366 px.
        self.delete_media.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.detail.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save)
        buttons.addWidget(self.send)
        grid.addWidget(title, 0, 0, 1, 2)
        grid.addWidget(QLabel(self.tr("Centre")), 1, 0)
        grid.addWidget(self.url, 1, 1)
        grid.addWidget(QLabel(self.tr("Token")), 2, 0)
        grid.addWidget(self.token, 2, 1)
        grid.addWidget(self.delete_media, 3, 0, 1, 2)
        grid.addLayout(buttons, 4, 0, 1, 2)
        grid.addWidget(self.state, 5, 0, 1, 2)
        grid.addWidget(self.bar, 6, 0, 1, 2)
        grid.addWidget(self.detail, 7, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.save.clicked.connect(self.save_settings)
        self.send.clicked.connect(self.sync_now)
        self.sig_progress.connect(self.show_progress)
        bridge.sig_sync_progress.connect(self.sig_progress.emit)  # the room's background upload too

    def load(self) -> None:
        store = self.bridge.core.store
        self.bridge.run(load_settings(store), on_done=self._show_settings,
                        what=self.tr("read the sync settings"), owner=self)
        self.bridge.run(queue_counts(store), on_done=self._show_counts,
                        what=self.tr("read the upload queue"), owner=self)

    def _show_settings(self, settings: dict[str, str]) -> None:
        """Saved values fill empty fields only: what the user has typed meanwhile wins."""
        if not self.url.text():
            self.url.setText(settings.get("centre_url", ""))
        if not self.token.text():
            self.token.setText(settings.get("token", ""))
        if "delete_uploaded_media" in settings:
            self.delete_media.setChecked(settings["delete_uploaded_media"] == "1")

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.detail.setText(", ".join((
            self.tr("%n waiting", "upload queue items", counts.get("pending", 0)),
            self.tr("%n uploaded", "upload queue items", counts.get("done", 0)),
            self.tr("%n refused by the centre", "upload queue items", counts.get("failed", 0)),
        )))

    def save_settings(self) -> None:
        store = self.bridge.core.store
        if store is None:
            return
        async def save_and_apply() -> None:
            await save_settings(store, self.url.text(), self.token.text(), self.delete_media.isChecked())
            if self.bridge.core.sync is not None:
                await self.bridge.core.sync.restart()  # the background upload follows the new settings

        self.bridge.run(save_and_apply(), on_done=lambda _: self.state.setText(self.tr("Saved.")),
                        what=self.tr("save the sync settings"), owner=self)

    def sync_now(self) -> None:
        store = self.bridge.core.store
        if store is None:
            self.state.setText(self.tr("The session log is not open, so there is nothing to send."))
            return
        self.send.setEnabled(False)
        self.state.setText(self.tr("Connecting to the centre…"))

        async def save_and_send() -> SyncResult:
            await save_settings(store, self.url.text(), self.token.text(), self.delete_media.isChecked())
            if self.bridge.core.sync is not None:
                return await self.bridge.core.sync.send_now()  # progress arrives as room events
            return await sync_now(store, self.sig_progress.emit)

        self.bridge.run(save_and_send(), on_done=self.show_result, what=self.tr("send to the centre"),
                        on_error=self._on_error, owner=self)

    def _on_error(self, message: str) -> None:
        self.send.setEnabled(True)
        self.state.setText(self.tr("Not sent: %1").replace("%1", message))

    def show_result(self, result: SyncResult) -> None:
        self.send.setEnabled(True)
        if result.offline:
            self.state.setText(self.tr("The centre cannot be reached; %n item(s) wait and will be retried.", "",
                                       result.pending))
        else:
            self.state.setText(self.tr("Up to date: %1, %2.")
                               .replace("%1", self.tr("%n sent", "upload items", result.uploaded))
                               .replace("%2", self.tr("%n refused", "upload items", result.failed)))
        self.load()

    def show_progress(self, p: SyncProgress) -> None:
        if p.state == "refused":
            self.state.setText(self.tr("The centre refused this room's token. Ask centre staff for the right one."))
            return
        if p.bytes_total and p.item_kind == "recording":
            self.bar.setValue(int(1000 * p.bytes_done / p.bytes_total))
            eta = self.tr(", about %1 left").replace("%1", duration(p.eta_s)) if p.eta_s is not None else ""
            self.state.setText(self.tr("Sending a recording: %1 of %2 at %3/s%4")
                               .replace("%1", human_bytes(p.bytes_done)).replace("%2", human_bytes(p.bytes_total))
                               .replace("%3", human_bytes(p.rate_bps)).replace("%4", eta))
        elif p.state == "sending":
            self.state.setText(self.tr("Sending sessions…"))
