"""The Centre workspace's Library tab: what the centre holds, published or not, its views, chapters and size;
publish or unpublish (staff); the library's address as a link and a QR code for students' phones."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from classroom_console.centre.library_remote import (
    NO_CENTRE,
    OFFLINE,
    STAFF_ONLY,
    LibraryItem,
    LibraryListing,
    centre_library,
    qr_png,
    set_published,
)
from ui.bridge import RoomBridge
from ui.centre_format import human_bytes, recordings
from ui.widgets import plain_tip

COLUMNS = 7


class LibraryPage(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.listing: LibraryListing | None = None
        self._asked = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        outer.setSpacing(10)
        head = QFrame()
        head.setObjectName("card")
        row = QHBoxLayout(head)
        row.setContentsMargins(16, 12, 16, 12)
        words = QVBoxLayout()
        title = QLabel(self.tr("Students watch the published lectures at"))
        title.setObjectName("cardTitle")
        self.link = QLabel("—")
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setOpenExternalLinks(True)
        self.link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        hint = QLabel(self.tr("On the centre's network, in any browser; scan the code with a phone."))
        hint.setObjectName("cardDetail")
        hint.setWordWrap(True)
        self.notice = QLabel("")
        self.notice.setObjectName("cardProblem")
        self.notice.setWordWrap(True)
        self.notice.hide()
        words.addWidget(title)
        words.addWidget(self.link)
        words.addWidget(hint)
        words.addWidget(self.notice)
        words.addStretch(1)
        row.addLayout(words, 1)
        self.qr = QLabel()
        self.qr.setFixedSize(132, 132)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.qr)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addWidget(head)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setHorizontalHeaderLabels([
            self.tr("Lecture"), self.tr("Course"), self.tr("Room"), self.tr("Published"), self.tr("Views"),
            self.tr("Chapters"), self.tr("Size")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selected)
        outer.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.empty = QLabel("")
        self.empty.setObjectName("cardDetail")
        buttons.addWidget(self.empty, 1)
        self.publish_button = QPushButton(self.tr("Publish"))
        self.publish_button.setObjectName("primary")
        self.unpublish_button = QPushButton(self.tr("Unpublish"))
        self.publish_button.clicked.connect(lambda: self.set_selected_published(True))
        self.unpublish_button.clicked.connect(lambda: self.set_selected_published(False))
        buttons.addWidget(self.unpublish_button)
        buttons.addWidget(self.publish_button)
        outer.addLayout(buttons)
        self._selected()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self._asked += 1
        asked = self._asked
        self.bridge.run(centre_library(self.bridge.core.store), on_done=lambda listing: self._show(asked, listing),
                        what=self.tr("read the centre's library"), owner=self)

    def show_problem(self, reason: str, detail: str = "") -> None:
        """``reason``: the core's reason code; its technical line stays in the tooltip."""
        text = {
            NO_CENTRE: self.tr("No centre is set up. Enter the centre's address and a token under “Upload to "
                               "the centre” on the Usage tab."),
            STAFF_ONLY: self.tr("Only centre staff may publish: this console's token is a room's. Use a staff "
                                "token ('classroom-console centre add-staff')."),
            OFFLINE: self.tr("The centre cannot be reached now; try again when the network is back."),
        }.get(reason, self.tr("The centre refused the request."))
        self.notice.setText(text)
        self.notice.setToolTip(plain_tip(detail))  # the centre's words: any server's
        self.notice.show()

    def _show(self, asked: int, listing: LibraryListing) -> None:
        if asked != self._asked:
            return
        self.listing = listing
        if listing.problem:
            self.show_problem(listing.problem, listing.detail)
        else:
            self.notice.hide()
        if not listing.url:
            self.link.setText("—")
            self.qr.clear()
            self.table.setRowCount(0)
            self._selected()
            return
        self.link.setText(f'<a href="{html.escape(listing.url)}">{html.escape(listing.url)}</a>')
        picture = QPixmap()
        picture.loadFromData(qr_png(listing.url))
        self.qr.setPixmap(picture.scaled(128, 128, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.FastTransformation))
        self.qr.setToolTip(plain_tip(listing.url))  # as the centre gave it
        self.table.setRowCount(len(listing.items))
        for n, item in enumerate(listing.items):
            self._fill(n, item)
        count = self.tr("%1, %2 published").replace("%1", recordings(len(listing.items))).replace(
            "%2", str(sum(1 for i in listing.items if i.published)))
        self.empty.setText("" if listing.problem else count if listing.items else
                           self.tr("The centre holds no recordings yet."))
        self._selected()

    def _fill(self, n: int, item: LibraryItem) -> None:
        if item.published:
            state = self.tr("Published")
        elif item.complete:
            state = self.tr("Not published")
        else:
            state = self.tr("Arriving")
        cells = (item.title or item.id, item.course, item.room, state, str(item.views), str(item.chapters),
                 human_bytes(item.size_bytes))
        for column, text in enumerate(cells):
            cell = QTableWidgetItem(text)
            if column >= 4:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == 0:
                cell.setToolTip(plain_tip(f"{item.lecturer}\n{item.started_at[:16].replace('T', ' ')}".strip()))
            self.table.setItem(n, column, cell)

    def selected(self) -> LibraryItem | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or self.listing is None or rows[0].row() >= len(self.listing.items):
            return None
        return self.listing.items[rows[0].row()]

    def _selected(self) -> None:
        item = self.selected()
        self.publish_button.setEnabled(item is not None and item.complete and not item.published)
        self.unpublish_button.setEnabled(item is not None and item.published)

    def set_selected_published(self, published: bool) -> None:
        item = self.selected()
        if item is None:
            return
        what = self.tr("publish the recording") if published else self.tr("unpublish the recording")
        self.bridge.run(set_published(self.bridge.core.store, item.room, item.id, published),
                        on_done=lambda _: self.refresh(), what=what, owner=self, on_error=self._refused)

    def _refused(self, reason: str) -> None:
        self.show_problem(reason)
