"""The sync panel: where this room's uploads go, how far they are, and a button to send now."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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

from classroom_console.sync import SyncError, SyncProgress, SyncResult
from classroom_console.sync.progress import IDLE, OFFLINE, REFUSED, SENDING, WAITING
from classroom_console.sync.room import (
    BAD_ADDRESS,
    NOT_SET_UP,
    address_problem,
    load_settings,
    queue_counts,
    save_settings,
    sync_now,
)
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
        self.state.setTextFormat(Qt.TextFormat.PlainText)  # it may quote the address as typed
        self._attempt = False  # a "Sync now" is under way: its result, not the background's news, ends it
        self._outcome_shown = False  # the state line holds an outcome, which a "sending" does not replace
        self._sending_shown = False  # the state line says "sending": the pass's end replaces it
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

    def _address_refused(self) -> bool:
        """The command line's rule, before anything is saved or sent; the panel says what to give instead."""
        url = self.url.text().strip()
        if not url or not address_problem(url):
            return False
        self._attempt = self._sending_shown = False
        self._outcome_shown = True
        self.state.setText(self._words(BAD_ADDRESS, 0, url))
        return True

    def save_settings(self) -> None:
        store = self.bridge.core.store
        if store is None or self._address_refused():
            return
        async def save_and_apply() -> str:
            try:
                await save_settings(store, self.url.text(), self.token.text(), self.delete_media.isChecked())
            except SyncError as exc:
                return exc.reason
            if self.bridge.core.sync is not None:
                await self.bridge.core.sync.restart()  # the background upload follows the new settings
            return ""

        def saved(reason: str) -> None:
            self._outcome_shown, self._sending_shown = True, False
            self.state.setText(self._words(reason, 0, self.url.text().strip()) if reason else self.tr("Saved."))

        self.bridge.run(save_and_apply(), on_done=saved, what=self.tr("save the sync settings"), owner=self)

    def sync_now(self) -> None:
        store = self.bridge.core.store
        if store is None:
            self.state.setText(self.tr("The session log is not open, so there is nothing to send."))
            return
        if self._address_refused():
            return
        self.send.setEnabled(False)
        self._attempt = True
        self.state.setText(self.tr("Connecting to the centre…"))

        async def save_and_send() -> SyncResult:
            try:
                await save_settings(store, self.url.text(), self.token.text(), self.delete_media.isChecked())
            except SyncError as exc:
                return SyncResult(reason=exc.reason)
            if self.bridge.core.sync is not None:
                return await self.bridge.core.sync.send_now()  # progress arrives as room events
            return await sync_now(store, self.sig_progress.emit)

        self.bridge.run(save_and_send(), on_done=self.show_result, what=self.tr("send to the centre"),
                        on_error=self._on_error, owner=self)

    def _on_error(self, message: str) -> None:
        """A fault of the console itself (the log unwritable, a bug): the status bar has the detail."""
        self._attempt = False
        self._outcome_shown = True
        self._sending_shown = False
        self.send.setEnabled(True)
        self.state.setText(self.tr("Not sent: something went wrong in the console; the details are in its log."))

    def show_result(self, result: SyncResult) -> None:
        """The attempt's outcome stays until the next attempt: a later pass's "sending" does not replace it."""
        self._attempt = False
        self._outcome_shown = True
        self._sending_shown = False
        self.send.setEnabled(True)
        if result.reason:
            self.state.setText(self._failure(result.reason, result.status, result.pending))
        else:
            self.state.setText(self.tr("Up to date: %1, %2.")
                               .replace("%1", self.tr("%n sent", "upload items", result.uploaded))
                               .replace("%2", self.tr("%n refused", "upload items", result.failed)))
        self.load()

    def _failure(self, reason: str, status: int, pending: int) -> str:
        text = self._words(reason, status, self.url.text().strip())
        if pending and reason != BAD_ADDRESS:
            text += " " + self.tr("%n item(s) wait to be sent.", "", pending)
        return text

    def _words(self, reason: str, status: int, url: str) -> str:
        """Why an attempt (or a background pass) stopped short, by the core's reason code and the centre's status."""
        code = self.tr("HTTP %1").replace("%1", str(status)) if status else ""
        if reason == BAD_ADDRESS:
            return self.tr("“%1” is not a centre's address: give it as http(s)://HOST[:PORT], e.g. "
                           "https://centre.example.edu:8765. Nothing was saved or sent.").replace("%1", url[:200])
        if reason == NOT_SET_UP:
            return self.tr("Not sent: enter the centre's address and this room's token first.")
        if reason in ("auth_refused", "unauthorized") and not code:
            return self.tr("The centre refused this room's token. Ask centre staff for the right one.")
        if reason in ("auth_refused", "unauthorized"):
            return self.tr("Not sent: the centre refused this room's token (%1). Ask centre staff for the right one."
                           ).replace("%1", code)
        if reason == "stalled":
            return self.tr("Not sent: the connection to the centre stalled; what arrived is kept for the next try.")
        if reason == "busy":
            return self.tr("Not sent: the centre is busy (%1); it will be tried again later.").replace("%1", code)
        if reason == "disk_full":
            return self.tr("Not sent: the centre's disk is full (%1). Tell centre staff.").replace("%1", code)
        if status >= 500:
            return self.tr("Not sent: the centre had an error (%1). It will be tried again later; if it goes on, "
                           "tell centre staff.").replace("%1", code)
        if reason == "redirected":
            return self.tr("Not sent: the address answers with a redirect (%1). Give the centre's own address."
                           ).replace("%1", code)
        if reason == "bad_answer":
            return self.tr("Not sent: something answers at this address, but not as a centre does. Check the address.")
        if reason == "no_progress":
            return self.tr("Not sent: the centre took the bytes but kept none; it will be tried again later.")
        if status:
            return self.tr("Not sent: the centre refused it (%1).").replace("%1", code)
        if reason == "offline":
            return self.tr("Not sent: the centre cannot be reached. Check its address and the network; "
                           "it will be tried again later.")
        return self.tr("Not sent: something went wrong; the details are in the console's log.")

    def show_progress(self, p: SyncProgress) -> None:
        """During an attempt: how far it is. Otherwise the background upload's news, which never puts "sending"
        over an outcome on screen, unless a recording's bytes are moving."""
        moving = bool(p.bytes_total and p.item_kind == "recording")
        if p.state == SENDING and (self._attempt or moving or not self._outcome_shown):
            self._sending_shown = True
            if moving:
                self.bar.setValue(int(1000 * p.bytes_done / p.bytes_total))
                eta = self.tr(", about %1 left").replace("%1", duration(p.eta_s)) if p.eta_s is not None else ""
                self.state.setText(self.tr("Sending a recording: %1 of %2 at %3/s%4")
                                   .replace("%1", human_bytes(p.bytes_done)).replace("%2", human_bytes(p.bytes_total))
                                   .replace("%3", human_bytes(p.rate_bps)).replace("%4", eta))
            else:
                self.state.setText(self.tr("Sending sessions…"))
            return
        if self._attempt or p.state == SENDING:
            return  # the attempt's result says how it ended, with its counts
        if self._outcome_shown and not self._sending_shown:
            self.load()  # the counts follow; the outcome on screen stays until the user's next step
            return
        was_sending, self._sending_shown = self._sending_shown, False
        if p.state in (OFFLINE, REFUSED):
            self._outcome_shown = True
            self.state.setText(self._failure(p.reason or ("auth_refused" if p.state == REFUSED else "offline"),
                                             p.status, p.pending))
        elif p.state in (IDLE, WAITING) and was_sending and not p.reason:
            self._outcome_shown = True
            self.state.setText(self.tr("Up to date: %1, %2.")
                               .replace("%1", self.tr("%n sent", "upload items", p.uploaded))
                               .replace("%2", self.tr("%n refused", "upload items", p.failed)))
        self.load()
