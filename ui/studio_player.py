"""Recordings list and playback: libVLC decodes into memory (the core's Playback), we show the pictures.

Embedding VLC's own window is unavailable under offscreen Qt, and video callbacks work everywhere, so
this one path serves both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from classroom_console.media import offload
from classroom_console.media.playback import Playback
from ui.bridge import RoomBridge
from ui.studio_preview import FrameRelay, PictureView


class RecordingsPanel(QWidget):
    sig_playing = Signal(bool)

    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.playback: Playback | None = None
        self.relay = FrameRelay(self)
        self.relay.sig_frame.connect(self._show_frame)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("recordingList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # a long line wraps
        self.list.setWordWrap(True)
        column.addWidget(self.list, 1)
        self.view = PictureView(self.tr("Pick a recording and press Play."))
        self.view.setObjectName("playerView")
        self.view.setMinimumSize(192, 108)
        column.addWidget(self.view, 1)
        self.seek_bar = QSlider(Qt.Orientation.Horizontal)
        self.seek_bar.setRange(0, 0)
        self.seek_bar.setToolTip(self.tr("Drag to move through the recording"))
        self.seek_bar.sliderReleased.connect(self._seek)
        self.position = QLabel("")
        seek_row = QHBoxLayout()  # the time beside the bar, the buttons below: the column is narrow
        seek_row.addWidget(self.seek_bar, 1)
        seek_row.addWidget(self.position)
        column.addLayout(seek_row)
        row = QHBoxLayout()
        self.play_button = QPushButton(self.tr("Play"))
        self.play_button.setEnabled(False)
        self.folder_button = QPushButton(self.tr("Open folder"))
        self.folder_button.setToolTip(self.tr("Show the recordings' folder in the file manager"))
        self.folder_button.clicked.connect(self.open_folder)
        row.addWidget(self.play_button)
        row.addWidget(self.folder_button)
        column.addLayout(row)
        self.folder: Path | None = None
        self.list.currentItemChanged.connect(lambda item: self.play_button.setEnabled(item is not None))
        self.play_button.clicked.connect(self.toggle)
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)

    def show_recordings(self, rows: list[dict[str, Any]], newest: bool = False) -> None:
        """``rows`` newest first; ``newest``: pick the first (a recording just stopped, offered ready to play)
        rather than keep the one picked before."""
        current = None if newest and rows else self.current_path()
        self.list.clear()
        for row in rows:
            path = Path(str(row["path"]))
            duration = row.get("duration_s")
            detail = self.tr("recording or interrupted") if duration is None else _clock(float(duration))
            stats = row.get("stats")
            tracks = [str(t.get("path", "")) for t in stats.get("tracks", [])] if isinstance(stats, dict) else []
            if tracks:
                detail += self.tr("   + per-source files: %1").replace("%1", str(len(tracks)))
            item = QListWidgetItem(f"{path.stem}   {detail}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip("\n".join([str(path), *tracks]))
            self.list.addItem(item)
            if str(path) == current or (current is None and newest and self.list.count() == 1):
                self.list.setCurrentItem(item)

    def current_path(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    @property
    def playing(self) -> bool:
        return self.playback is not None and self.playback.playing

    def toggle(self) -> None:
        if self.playing:
            assert self.playback is not None
            self.playback.pause()
            self.play_button.setText(self.tr("Play"))
            self.sig_playing.emit(False)
            return
        path = self.current_path()
        if path is None:
            return
        if self.playback is None:
            self.playback = Playback(640, 360)
            self.playback.on_frame = self.relay.offer
        self.playback.open(Path(path))
        self.playback.play()
        self.play_button.setText(self.tr("Pause"))
        self._timer.start()
        self.sig_playing.emit(True)

    def _show_frame(self) -> None:
        image = self.relay.take()
        if image is not None:
            self.view.show_frame(image)

    def open_folder(self) -> None:
        """The folder of the chosen recording (else the recordings' folder), in the desktop's file manager."""
        path = self.current_path()
        folder = Path(path).parent if path else self.folder
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _seek(self) -> None:
        if self.playback is not None:
            self.playback.seek(self.seek_bar.value() / 1000)

    def _tick(self) -> None:
        playback = self.playback
        if playback is None:
            return
        if not self.seek_bar.isSliderDown():
            self.seek_bar.setRange(0, int(playback.length_s * 1000))
            self.seek_bar.setValue(int(playback.position_s * 1000))
        if playback.error:
            self.position.setText(self.tr("This recording cannot be played."))
        else:
            self.position.setText(f"{_clock(playback.position_s)} / {_clock(playback.length_s)}")
        if not playback.playing and self.play_button.text() == self.tr("Pause"):
            self.play_button.setText(self.tr("Play"))
            self.sig_playing.emit(False)

    async def close_player(self) -> None:
        """VLC's stop waits for its threads: done off the GUI thread."""
        self._timer.stop()
        playback, self.playback = self.playback, None
        if playback is not None:
            playback.on_frame = None
            await offload(playback.release, "studio-player-release")


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}"
