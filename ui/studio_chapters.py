"""The chosen recording's chapters, editable before upload: rename, delete, add at the player's position.

It follows the Recordings tab (the recording picked there, its player's position); Save hands the list to the
core, which writes it into the store, the .chapters.vtt and, while the file is not being uploaded yet, the MP4's
chapter atoms. While the chapters of a recording that just stopped are still being found, it shows how far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from classroom_console.media.chapters import EDITED, Chapter, clean_title
from classroom_console.media.chapters_job import METADATA_ONLY, WRITTEN
from ui.bridge import RoomBridge

THUMB = QSize(80, 45)
MIN_WIDTH = 330


def clock(seconds: float) -> str:
    s = int(seconds)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


class ChaptersPanel(QWidget):
    def __init__(self, bridge: RoomBridge, position: Callable[[], float | None],
                 seek: Callable[[float], None] | None = None, parent: QWidget | None = None) -> None:
        """``position``: the player's position in seconds (None when nothing plays); ``seek``: jump the player."""
        super().__init__(parent)
        self.bridge = bridge
        self.position = position
        self.seek = seek
        self.recording_id: str | None = None
        self.chapters: list[Chapter] = []
        self.dirty = False
        # Wide enough that the Studio's side tabs (figures, recordings, live, chapters) keep their whole names.
        self.setMinimumWidth(MIN_WIDTH)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 8, 0, 0)
        self.status = QLabel(self.tr("Pick a recording in the Recordings tab."))
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        self.list = QListWidget()
        self.list.setObjectName("chapterList")
        self.list.setIconSize(THUMB)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.itemChanged.connect(self._renamed)
        self.list.itemActivated.connect(self._jump)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        column.addWidget(self.list, 1)
        # Two to a row: three in the narrow column cut the Russian words ("Добавить здесь" showed "›авить зд").
        self.add_button = QPushButton(self.tr("Add here"))
        self.add_button.setToolTip(self.tr("A new chapter at the player's position"))
        self.add_button.clicked.connect(self.add_here)
        self.rename_button = QPushButton(self.tr("Rename"))
        self.rename_button.clicked.connect(self._edit_current)
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.clicked.connect(self.delete_current)
        self.save_button = QPushButton(self.tr("Save chapters"))
        self.save_button.setToolTip(self.tr("Into the recording, its chapter file and the room's log; the centre "
                                            "gets them with the upload"))
        self.save_button.clicked.connect(self.save)
        for pair in ((self.add_button, self.rename_button), (self.delete_button, self.save_button)):
            row = QHBoxLayout()  # each button its words' width, the rest shared
            for button in pair:
                row.addWidget(button)
            column.addLayout(row)
        self._timer = QTimer(self)  # while the chapters of a recording just stopped are being found
        self._timer.setInterval(500)
        self._timer.timeout.connect(self._poll)
        self._update_buttons()

    # -- which recording ---------------------------------------------------------------------------
    def show_path(self, path: str | None) -> None:
        """The recording picked in the Recordings list (by its file); its id comes from the store."""
        if path is None:
            self.set_recording(None)
            return
        studio = self.bridge.studio()

        def found(rows: list[dict[str, Any]]) -> None:
            rid = next((str(r["id"]) for r in rows if str(r["path"]) == path), None)
            self.set_recording(rid)

        self.bridge.run(studio.recordings(), on_done=found, what=self.tr("list recordings"), owner=self)

    def set_recording(self, recording_id: str | None) -> None:
        self.recording_id = recording_id
        self.chapters, self.dirty = [], False
        self._fill()
        if recording_id is None:
            self.status.setText(self.tr("Pick a recording in the Recordings tab."))
            return
        if self.bridge.studio().chapters_progress(recording_id) is not None:
            self._poll()
            self._timer.start()
            return
        self._load()

    def _load(self) -> None:
        rid = self.recording_id
        if rid is None:
            return

        def loaded(chapters: list[Chapter]) -> None:
            if rid != self.recording_id:
                return
            self.chapters, self.dirty = list(chapters), False
            self._fill()
            self.status.setText(self.tr("%n chapter(s). Double-click one to rename it.", "", len(chapters))
                                if chapters else self.tr("No chapters yet: add one at the player's position."))

        self.bridge.run(self.bridge.studio().chapters(rid), on_done=loaded, what=self.tr("load chapters"),
                        owner=self)

    def _poll(self) -> None:
        rid = self.recording_id
        progress = self.bridge.studio().chapters_progress(rid) if rid is not None else None
        if progress is None:
            self._timer.stop()
            self._load()
            return
        self.status.setText(self.tr("Finding chapters: %1 %").replace("%1", str(round(progress * 100))))
        self._update_buttons()

    @property
    def busy(self) -> bool:
        rid = self.recording_id
        return rid is not None and self.bridge.studio().chapters_progress(rid) is not None

    # -- editing ------------------------------------------------------------------------------------
    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for chapter in self.chapters:
            item = QListWidgetItem(chapter.title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setData(Qt.ItemDataRole.UserRole, chapter.start_s)
            item.setToolTip(clock(chapter.start_s))
            if chapter.thumbnail:
                pixmap = QPixmap()
                if pixmap.loadFromData(chapter.thumbnail):
                    item.setIcon(QIcon(pixmap))
            item.setText(f"{clock(chapter.start_s)}  {chapter.title}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = self.recording_id is not None and not self.busy
        has = self.list.currentRow() >= 0
        self.add_button.setEnabled(ready)
        self.rename_button.setEnabled(ready and has)
        self.delete_button.setEnabled(ready and has)
        self.save_button.setEnabled(ready and self.dirty)
        self.list.setEnabled(ready)

    def _changed(self, select: int | None = None) -> None:
        self.dirty = True
        self._fill()
        if select is not None and 0 <= select < self.list.count():
            self.list.setCurrentRow(select)
        self.status.setText(self.tr("Not saved yet."))
        self._update_buttons()

    def _renamed(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if not 0 <= row < len(self.chapters):
            return
        text = item.text()
        prefix = f"{clock(self.chapters[row].start_s)}  "
        title = clean_title(text[len(prefix):] if text.startswith(prefix) else text)
        if not title:
            self._fill()  # an empty title is refused: the old one stays
            self.status.setText(self.tr("A chapter needs a title."))
            return
        if title != self.chapters[row].title:
            self.chapters[row] = replace(self.chapters[row], title=title, origin=EDITED)
            self._changed(row)

    def rename(self, row: int, title: str) -> None:
        """As the user's edit does (for the keyboard and for tests)."""
        self.list.item(row).setText(title)

    def _edit_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def delete_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.chapters):
            del self.chapters[row]
            self._changed(min(row, len(self.chapters) - 1))

    def add_here(self) -> None:
        at = round(max(0.0, self.position() or 0.0), 3)
        if any(abs(c.start_s - at) < 0.5 for c in self.chapters):
            self.status.setText(self.tr("There is a chapter at %1 already.").replace("%1", clock(at)))
            return
        title = self.tr("Chapter %1").replace("%1", str(len(self.chapters) + 1))
        self.chapters.append(Chapter(at, title, EDITED))
        self.chapters.sort(key=lambda c: c.start_s)
        self._changed(next(i for i, c in enumerate(self.chapters) if c.start_s == at))

    def _jump(self, item: QListWidgetItem) -> None:
        if self.seek is not None:
            self.seek(float(item.data(Qt.ItemDataRole.UserRole)))

    def save(self) -> None:
        rid = self.recording_id
        if rid is None or self.busy:
            return
        chapters = list(self.chapters)
        self.save_button.setEnabled(False)
        self.status.setText(self.tr("Saving the chapters…"))

        def saved(code: str) -> None:
            if rid != self.recording_id:
                return
            self.dirty = False
            self._update_buttons()
            self.status.setText({
                WRITTEN: self.tr("Saved into the recording and its chapter file."),
                METADATA_ONLY: self.tr("Saved. The recording is already being uploaded, so its file stays as it "
                                       "is; the centre gets the new chapters."),
            }.get(code, self.tr("Saved.")))

        def failed(_message: str) -> None:
            self.status.setText(self.tr("The chapters were not saved."))
            self._update_buttons()

        self.bridge.run(self.bridge.studio().save_chapters(rid, chapters), on_done=saved, on_error=failed,
                        what=self.tr("save the chapters"), owner=self)
