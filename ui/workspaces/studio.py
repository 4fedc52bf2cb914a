"""The studio technician's workspace: sources, the live program, the record button, stats and recordings.

Widgets only: the core ``Studio`` does the work (reached through the bridge); pictures arrive through a
latest-only relay at preview rate, the audio meters' few numbers are read 20 times a second, and everything
slow is awaited through the bridge. Sources carry the names people give them, and the picture arrangements
(studio scenes) are kept per room: both come back on the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from classroom_console.live import DestinationRefused
from classroom_console.media import (
    Corner,
    DiskFullError,
    Layout,
    LayoutKind,
    LowerThird,
    RecordingResult,
    StopReason,
    offload,
    parse_size,
)
from classroom_console.media.encoder import LOSSES_TO_END, LOSSES_WINDOW_S, LostAtEnd, LostReason
from classroom_console.media.frames import SIZE_ODD, SIZE_OUT_OF_RANGE, SIZE_UNREADABLE
from classroom_console.media.local_cameras import LocalCamera, local_cameras
from classroom_console.media.spec import CAMERA_URL_MISSING, SourceRefused
from classroom_console.media.studio import Studio
from classroom_console.media.studio_setup import SetupRefused
from classroom_console.sync.room import load_settings as load_sync_settings
from ui.bridge import RoomBridge
from ui.reasons import encoder_restart_text
from ui.studio_caption import caption_picture
from ui.studio_chapters import ChaptersPanel
from ui.studio_layouts import SCENE_KEYS, ElidingComboBox, SceneBar, SourcePickers
from ui.studio_live import LivePanel
from ui.studio_meters import AudioMixerPanel
from ui.studio_player import RecordingsPanel
from ui.studio_preview import FrameRelay, PictureView
from ui.studio_sources import SourcesPanel
from ui.studio_stats import StatsPanel
from ui.studio_status import StatusLine
from ui.widgets import page_header

log = logging.getLogger(__name__)

REFRESH_MS = 200
METERS_MS = 50  # the audio meters' rate: lively, and a handful of numbers each time (never the blocks)
RECORD_KEY = "F9"
MARKER_KEY = "Ctrl+M"
PROGRAM_SPACING = 8
PREVIEW_MIN = (256, 144)  # a long status (four lines in Russian) takes its room from the preview at 1366x698
OUTPUTS = (((1280, 720), 30), ((1280, 720), 25), ((1920, 1080), 30), ((1920, 1080), 25))


class StudioWorkspace(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.bridge = bridge
        self.studio: Studio | None = None
        self._busy = False
        self._watching = False
        self._restarts_told = 0  # the recording's encoder restarts already shown on the status line
        self._adding: set[str] = set()  # camera URLs on their way into the program
        self._restored = False
        self._lan_asked = False  # "On the room's network" pressed, its answer not back yet
        self._refused_text = ""  # the status line's words for the last source refused
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
        self.sources = SourcesPanel()
        self.mixer = AudioMixerPanel()  # a meter per audio source, as OBS's mixer, under the sources
        left = QVBoxLayout()
        left.addWidget(self.sources, 1)
        left.addWidget(self.mixer)
        body.addLayout(left, 2)
        body.addLayout(self._program_column(), 5)
        body.addLayout(self._side_column(), 2)
        layout.addLayout(body, 1)
        self.pickers.tab_in_reading_order(then=self.lower_third_edit)  # all in one window now: Tab order holds

        self.relay = FrameRelay(self)
        self.relay.sig_frame.connect(self._show_preview)
        self.sources.sig_add.connect(self.add_source)
        bridge.sig_studio_source.connect(self.use_source)
        self.sources.sig_remove.connect(self.remove_source)
        self.sources.sig_gain.connect(lambda name, db: self._studio().set_gain(name, db))
        self.sources.sig_kind_changed.connect(self._kind_changed)
        self.sources.sig_rename.connect(self.rename_source)
        self.pickers.sig_changed.connect(self._layout_changed)
        self.scene_bar.sig_apply.connect(self.apply_scene)
        self.scene_bar.sig_save.connect(self.save_scene)
        self.scene_bar.sig_update.connect(self.save_scene)
        self.scene_bar.sig_delete.connect(self.delete_scene)
        self.mixer.sig_reset_clip.connect(lambda name: self._studio().reset_clip(name))
        self.layout_picker.currentIndexChanged.connect(self._layout_changed)
        self.corner_picker.currentIndexChanged.connect(self._layout_changed)
        self.lower_third_edit.editingFinished.connect(self._layout_changed)
        self.output_picker.currentIndexChanged.connect(self._output_changed)
        self.record_button.clicked.connect(self.toggle_recording)
        self.marker_button.clicked.connect(self.add_marker)
        self.marker_shortcut = QShortcut(QKeySequence(MARKER_KEY), self)
        self.marker_shortcut.activated.connect(self.add_marker)
        self.record_shortcut = QShortcut(QKeySequence(RECORD_KEY), self)
        self.record_shortcut.activated.connect(self._record_key)
        self.scene_shortcuts = []
        for index, key in enumerate(SCENE_KEYS):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda i=index: self.apply_scene_at(i))
            self.scene_shortcuts.append(shortcut)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.meter_timer = QTimer(self)
        self.meter_timer.setInterval(METERS_MS)
        self.meter_timer.timeout.connect(self.refresh_meters)
        self.meter_timer.start()
        self._set_record_state()

    # -- building --------------------------------------------------------------------------------
    def _program_column(self) -> QVBoxLayout:
        program = QVBoxLayout()
        # The tallest column: its rows closer than the page's 16 px and a preview that may shrink to 256x144 (it is
        # ~200 px tall with a one-line status), so the window fits a 1366x768 laptop's 698 px under a taskbar and a
        # title bar (it needed 749).
        program.setSpacing(PROGRAM_SPACING)
        title_row = QHBoxLayout()
        title = QLabel(self.tr("Program"))
        title.setObjectName("sectionTitle")
        title_row.addWidget(title)
        self.scene_bar = SceneBar()  # the studio scenes beside the title: one click (or Alt+N) switches
        title_row.addWidget(self.scene_bar, 1)
        program.addLayout(title_row)
        self.preview = QFrame()
        self.preview.setObjectName("preview")
        self.preview.setMinimumSize(*PREVIEW_MIN)
        inner = QVBoxLayout(self.preview)
        self.preview_view = PictureView(self.tr("The live program preview appears here once a source is added."))
        self.preview_view.setObjectName("previewText")
        inner.addWidget(self.preview_view)
        program.addWidget(self.preview, 1)

        self.layout_picker = ElidingComboBox()
        layouts = ((LayoutKind.SINGLE, self.tr("Single source")), (LayoutKind.PIP, self.tr("Picture in picture")),
                   (LayoutKind.SIDE_BY_SIDE, self.tr("Side by side")))
        for kind, label in layouts:
            self.layout_picker.addItem(label, str(kind))
        self.corner_picker = ElidingComboBox()
        corners = ((Corner.BOTTOM_RIGHT, self.tr("bottom right")), (Corner.BOTTOM_LEFT, self.tr("bottom left")),
                   (Corner.TOP_RIGHT, self.tr("top right")), (Corner.TOP_LEFT, self.tr("top left")))
        for corner, label in corners:
            self.corner_picker.addItem(label, str(corner))
        self.corner_picker.setToolTip(self.tr("Where the small picture goes"))
        for picker in (self.layout_picker, self.corner_picker):  # sized by a short name: Russian ones are long
            picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            picker.setMinimumContentsLength(10)
        self.lower_third_edit = QLineEdit()
        self.lower_third_edit.setPlaceholderText(self.tr("Lower third: lecturer, course (optional)"))
        self.pickers = SourcePickers()  # which source is the main picture, which the inset
        self.pickers.add_top_row(QLabel(self.tr("Layout")), self.layout_picker, self.corner_picker)
        program.addWidget(self.pickers)
        program.addWidget(self.lower_third_edit)  # a row of its own: a Russian placeholder needs the width

        record_row = QHBoxLayout()
        self.status_label = StatusLine()  # wraps to four lines at most: a longer text ends in "…", whole on hover
        self.marker_button = QPushButton(self.tr("Add marker"))
        self.marker_button.setToolTip(self.tr("Start a new chapter here (%1)").replace("%1", MARKER_KEY))
        self.record_button = QPushButton(self.tr("● Record"))
        self.record_button.setObjectName("recordButton")
        # Wide enough for the running timer in the user's language ("■ Стоп  00:00:12" was cut to "…00:00:1").
        widest = self.tr("■ Stop  %1").replace("%1", "00:00:00")
        self.record_button.ensurePolished()  # the stylesheet's font, not the default one
        # Its size fixed both ways: the timer's new text each second then lays out nothing (with a size that could
        # change, Qt laid out the whole window each second of a recording, bench/ui_stall.py --only pip).
        self.record_button.setFixedSize(max(180, self.record_button.fontMetrics().horizontalAdvance(widest) + 64),
                                        self.record_button.sizeHint().height())
        # The status on a line of its own: beside the buttons, a file name that cannot wrap widened the window.
        program.addWidget(self.status_label)
        record_row.addStretch(1)
        record_row.addWidget(self.marker_button)
        record_row.addWidget(self.record_button)
        program.addLayout(record_row)
        return program

    def _side_column(self) -> QVBoxLayout:
        side = QVBoxLayout()
        title = QLabel(self.tr("Recording"))
        title.setObjectName("sectionTitle")
        side.addWidget(title)
        output_row = QHBoxLayout()
        output_row.addWidget(QLabel(self.tr("Output")))
        self.output_picker = QComboBox()
        for (w, h), fps in OUTPUTS:
            self.output_picker.addItem(self.tr("%1p, %2 fps").replace("%1", str(h)).replace("%2", str(fps)),
                                       f"{w}x{h}@{fps}")
        self.output_picker.setToolTip(self.tr("The recording's picture size and frame rate"))
        output_row.addWidget(self.output_picker, 1)
        side.addLayout(output_row)
        self.tracks_check = QCheckBox(self.tr("Each source in its own file too"))
        self.tracks_check.setToolTip(self.tr(
            "Also records each camera and screen into a file of its own beside the program, as lecture platforms "
            "take presenter and presentation tracks. Each file costs one more encoder's work."))
        side.addWidget(self.tracks_check)
        # The live figures and the finished recordings take turns in one place, so the column fits a 768-px
        # screen; recording switches to the figures, stopping to the list.
        self.side_tabs = QTabWidget()
        # Tab names whole: the column takes the width of its four names (about 330-360 px in either language, which
        # a 1366-px screen has) rather than cutting each to "Показате…" or "Live fig…".
        self.side_tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.side_tabs.setUsesScrollButtons(False)
        self.stats_panel = StatsPanel()
        stats_page = QWidget()
        stats_column = QVBoxLayout(stats_page)
        stats_column.setContentsMargins(0, 8, 0, 0)
        stats_column.addWidget(self.stats_panel.in_scroll_area(), 1)
        self.side_tabs.addTab(stats_page, self.tr("Live figures"))
        self.recordings = RecordingsPanel(self.bridge)
        self.side_tabs.addTab(self.recordings, self.tr("Recordings"))
        self.chapters_panel = ChaptersPanel(  # the picked recording's chapters, at its player's position
            self.bridge, lambda: self.recordings.playback.position_s if self.recordings.playback else None,
            lambda at: self.recordings.playback.seek(at) if self.recordings.playback else None)
        self.recordings.list.currentItemChanged.connect(
            lambda _item: self.chapters_panel.show_path(self.recordings.current_path()))
        self.live_panel = LivePanel()
        self.side_tabs.addTab(self.live_panel, self.tr("Live"))
        self.side_tabs.addTab(self.chapters_panel, self.tr("Chapters"))
        self.live_panel.sig_add.connect(self._add_destination)
        self.live_panel.sig_remove.connect(self._remove_destination)
        self.live_panel.sig_go_live.connect(self._go_live)
        self.live_panel.sig_stop.connect(self._stop_live)
        self.live_panel.sig_lan.connect(self._serve_lan)
        side.addWidget(self.side_tabs, 1)
        return side

    # -- the core ---------------------------------------------------------------------------------
    def _studio(self) -> Studio:
        """Made on first use: the store is open by then (the console starts it before the window shows)."""
        if self.studio is None:
            self.studio = self.bridge.studio()  # the core's; made there if it could not start one
            self.studio.set_preview(self.relay.offer)
            self._restore()
            self.refresh_recordings()
            self._show_destinations()
        elif self.studio.store is None and self.bridge.core.store is not None:
            self.studio.store = self.bridge.core.store  # made before the store opened: catch up
            self._recover()
        return self.studio

    def _restore(self) -> None:
        """The sources (with their names) and studio scenes this room had, once, when the Studio first opens."""
        if self._restored or self.studio is None:
            return
        self._restored = True
        setup = self.bridge.studio_setup()
        if setup.sources or setup.scenes:
            self.bridge.run(self.studio.restore(setup), on_done=lambda _skipped: self._after_change(save=False),
                            what=self.tr("bring back the Studio's sources"), owner=self)

    def _after_change(self, save: bool = True) -> None:
        """Sources, names or scenes changed: the lists follow, and the room keeps them for the next start."""
        if save:
            self.bridge.save_studio_setup()
        self.refresh()

    def _recover(self) -> None:
        assert self.studio is not None
        if self.studio.store is not None:
            self.bridge.run(self.studio.recover(), on_done=lambda _: self.refresh_recordings(),
                            what=self.tr("check recordings"), owner=self)

    def showEvent(self, event: QShowEvent) -> None:
        """The recordings list is filled when the technician first looks at it."""
        super().showEvent(event)
        if self.bridge.core.store is not None:
            self._studio()
            self.refresh_recordings()

    def add_source(self, spec: str, label: str = "") -> None:
        """``label``: the name it gets (a found camera's, a microphone's); "" : its kind's words. A spec that makes
        no source (a size "abc") is said why on the status line, worded from the core's reason code."""
        studio = self._studio()

        async def add() -> SourceRefused | None:
            try:
                await studio.add_source(spec, label=label)
            except SourceRefused as refused:
                log.info("source %r refused: %s", spec, refused)  # the core's English, for whoever fixes it
                return refused
            return None

        def done(refused: SourceRefused | None) -> None:
            if refused is None:
                if self.status_label.text() == self._refused_text:  # the last refusal's words: no longer so
                    self.status_label.setText("")
                self._after_change()
                return
            self._refused_text = self.tr("The source was not added: %1").replace(
                "%1", self._refusal_words(refused.code, spec.partition(":")[2]))
            self.status_label.setText(self._refused_text)

        self.bridge.run(add(), on_done=done, what=self.tr("add source"), owner=self)

    def _refusal_words(self, code: str, detail: str) -> str:
        """Why a source spec made no source (``media.spec``'s codes), in the user's language."""
        if len(detail) > 24:  # what was typed, never so long it widens the window
            detail = detail[:23] + "…"
        words = {
            SIZE_UNREADABLE: self.tr("«%1» is not a size; write width x height, e.g. 1280x720."),
            SIZE_OUT_OF_RANGE: self.tr("the size %1 is outside 16x16 to 7680x4320."),
            SIZE_ODD: self.tr("the size %1 has an odd number; both must be even, e.g. 1280x720."),
            CAMERA_URL_MISSING: self.tr("give the camera's address: rtsp://, http:// or /dev/video0."),
        }
        return words.get(code, self.tr("this kind of source is unknown.")).replace("%1", detail)

    def rename_source(self, name: str, label: str) -> None:
        studio = self._studio()
        if name in studio.labels or any(s.name == name for s in studio.sources):
            studio.rename_source(name, label)
            self._after_change()

    def source_names(self) -> dict[str, str]:
        """Each source's name as people see it, by the program's key."""
        studio = self._studio()
        return {entry.name: self.sources.shown_name(entry.name, entry.kind, entry.label)
                for entry in studio.setup().sources}

    # -- studio scenes --------------------------------------------------------------------------------
    def save_scene(self, name: str) -> None:
        try:
            scene = self._studio().save_scene(name)
        except SetupRefused as refused:
            self.status_label.setText(self.tr("Give the scene a name.") if refused.code == "name-missing" else
                                      self.tr("There are already 9 studio scenes: delete one first."))
            return
        self.status_label.setText(self.tr("Studio scene “%1” saved.").replace("%1", scene.name))
        self._after_change()

    def delete_scene(self, name: str) -> None:
        self._studio().delete_scene(name)
        self._after_change()

    def apply_scene(self, name: str) -> None:
        studio = self._studio()
        if any(scene.name == name for scene in studio.scenes):
            studio.apply_scene(name)
            self._show_layout()
            self.refresh()

    def apply_scene_at(self, index: int) -> None:
        """Alt+1 .. Alt+9."""
        scenes = self._studio().scenes
        if 0 <= index < len(scenes):
            self.apply_scene(scenes[index].name)

    def _show_layout(self) -> None:
        """The pickers show the layout on show (a scene's), without sending it back."""
        layout = self._studio().layout
        for picker, value in ((self.layout_picker, str(layout.kind)), (self.corner_picker, str(layout.corner))):
            picker.blockSignals(True)
            picker.setCurrentIndex(picker.findData(value))
            picker.blockSignals(False)

    def use_source(self, spec: str) -> None:
        """A camera card's "Use in Studio": added once, however often it is pressed."""
        url = spec.partition(":")[2] if spec.startswith("camera:") else spec
        if url in self._adding or any(getattr(source, "url", None) == url for source in self._studio().sources):
            self.status_label.setText(self.tr("That camera is already in the program."))
            return
        self.status_label.setText(self.tr("Camera added to the program."))
        self._adding.add(url)

        def added(_source: object) -> None:
            self._adding.discard(url)
            self._after_change()

        # A network URL goes bare: media.spec takes any "scheme://" text as a camera, whereas it keeps the
        # "camera:" prefix inside such a URL (the URL would then not open).
        camera = next((d.name for d in self.bridge.room.devices.values() if d.state.get("stream_url") == url), "")
        self.bridge.run(self._studio().add_source(url if "://" in url else spec, label=camera), on_done=added,
                        on_error=lambda _error: self._adding.discard(url), what=self.tr("add source"), owner=self)

    def remove_source(self, name: str) -> None:
        self.bridge.run(self._studio().remove_source(name), on_done=lambda _: self._after_change(),
                        what=self.tr("remove source"), owner=self)

    def _kind_changed(self, kind: str) -> None:
        if kind == "camera":
            found = sorted((d.name, str(d.state["stream_url"])) for d in self.bridge.room.devices.values()
                           if "stream" in d.capabilities and d.state.get("stream_url"))
            self.sources.set_cameras(found)  # the room's cameras at once; this PC's own once they are read

            def with_local(local: list[LocalCamera]) -> None:
                self.sources.set_cameras(found + [(c.name, c.device) for c in local])

            self.bridge.run(offload(local_cameras, "local-cameras"), on_done=with_local,
                            what=self.tr("list this PC's cameras"), owner=self.sources)
        if kind == "mic":
            self.bridge.run(Studio.microphones(), on_done=self.sources.set_microphones,
                            what=self.tr("list microphones"), owner=self)

    def current_layout(self) -> Layout:
        kind = LayoutKind(self.layout_picker.currentData())
        corner = Corner(self.corner_picker.currentData())
        text = self.lower_third_edit.text().strip()
        lower = None
        if text:
            lecturer, _, course = (part.strip() for part in text.partition(","))
            plain = LowerThird(lecturer, course, date.today().isoformat())
            width, height = self._studio().program.size
            lower = LowerThird(plain.lecturer, plain.course, plain.date, caption_picture(plain, width, height))
        return Layout(kind, corner=corner, lower_third=lower, main_source=self.pickers.main,
                      inset_source=self.pickers.inset)

    def _output_changed(self) -> None:
        size, _, fps = str(self.output_picker.currentData()).partition("@")
        self.bridge.run(self._studio().set_output(parse_size(size), int(fps)), on_done=lambda _: self._layout_changed(),
                        what=self.tr("change output"), owner=self)

    def _layout_changed(self) -> None:
        self.corner_picker.setEnabled(self.layout_picker.currentData() == str(LayoutKind.PIP))
        self._studio().set_layout(self.current_layout())

    # -- recording --------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        """The core's studio, not only this workspace's: a scene records before the Studio is ever opened."""
        studio = self.bridge.core.studio
        return studio is not None and studio.recording

    def toggle_recording(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._set_record_state()
        studio = self._studio()
        if studio.recording:
            self.bridge.run(self._unbusy(studio.stop_recording()), on_done=self._stopped,
                            what=self.tr("stop recording"), owner=self)
        else:
            studio.tracks = self.tracks_check.isChecked()
            self.bridge.run(self._unbusy(self._start_unless_refused(studio)), on_done=self._started,
                            what=self.tr("start recording"), owner=self)

    async def _unbusy(self, step: Coroutine[Any, Any, Any]) -> Any:
        """The button comes back whether the step worked or not (a failure reaches the status bar)."""
        try:
            return await step
        finally:
            self._busy = False
            self._set_record_state()

    @staticmethod
    async def _start_unless_refused(studio: Studio) -> str | DiskFullError:
        """A refusal for want of disk is an answer to word for the user, not a failure to report in English."""
        try:
            return await studio.start_recording()
        except DiskFullError as refused:
            log.warning("recording refused: %s", refused)
            return refused

    def _started(self, started: str | DiskFullError) -> None:
        if isinstance(started, DiskFullError):
            # No advice to pick another folder: the window has no such setting. "Open folder" is there.
            self.status_label.setText(self.tr("Not enough free disk space to record: %1 MB free in %2, at least %3 MB "
                                              "needed. Free some space on that disk: “Open folder” in the "
                                              "Recordings tab shows the recordings kept there.").replace(
                "%1", f"{started.free / 2**20:.0f}").replace("%2", str(started.folder)).replace(
                "%3", f"{started.floor / 2**20:.0f}"))
            self._set_record_state()
            return
        recorder = self._studio().recorder
        self._restarts_told = 0
        self.stats_panel.tracks_on = self._studio().tracks
        self.stats_panel.can_go_smaller = self.output_picker.currentIndex() != _smallest_output()
        self.side_tabs.setCurrentIndex(0)  # the live figures while it records
        self.status_label.setText(self.tr("Recording to %1").replace("%1", recorder.path.name if recorder else ""))
        if not self._watching:
            self._watching = True
            self.bridge.run(self._studio().wait_recording(), on_done=self._stopped,
                            what=self.tr("recording"), owner=self)
        self._set_record_state()

    def _stopped(self, result: RecordingResult | None) -> None:
        self._watching = False
        self._set_record_state()
        if result is None:
            return
        self.stats_panel.show_final(result.stats)
        if result.stop_reason == StopReason.DISK_FULL:
            self.status_label.setText(self.tr("The disk is full: the recording stopped, and %1 keeps all that was "
                                              "recorded (%2 s).").replace("%1", result.path.name).replace(
                "%2", f"{result.duration_s:.0f}"))
        elif result.stop_reason == StopReason.DISK_HUNG:
            self.status_label.setText(self.tr("The disk stopped answering: the recording stopped, and %1 keeps what "
                                              "reached the disk. The console closes it when it next starts.").replace(
                "%1", result.path.name))
        elif result.stop_reason == StopReason.ENCODER_LOST and result.lost_reason == LostReason.AGAIN:
            self.status_label.setText(self.tr("The encoder's process was lost %1 times within %2 minutes: the "
                                              "recording stopped, and %3 keeps what was recorded (%4 s). Close "
                                              "other programs before recording again.").replace(
                "%1", str(LOSSES_TO_END)).replace("%2", f"{LOSSES_WINDOW_S / 60:.0f}").replace(
                "%3", result.path.name).replace("%4", f"{result.duration_s:.0f}"))
        elif result.stop_reason == StopReason.ENCODER_LOST:
            self.status_label.setText(self.tr("The encoder's process ended or stopped answering: the recording "
                                              "stopped, and %1 keeps what was recorded (%2 s). A new recording can "
                                              "start at once.").replace("%1", result.path.name).replace(
                "%2", f"{result.duration_s:.0f}"))
        elif result.stop_reason == StopReason.ERROR:
            self.status_label.setText(self.tr("The recording stopped on an error; %1 keeps what was recorded. "
                                              "Details: %2").replace("%1", result.path.name).replace(
                "%2", result.message))
        elif result.tracks:
            self.status_label.setText(self.tr("Saved %1 (%2 s); per-source files beside it: %3").replace(
                "%1", result.path.name).replace("%2", f"{result.duration_s:.0f}").replace(
                "%3", str(len(result.tracks))))
        else:
            self.status_label.setText(self.tr("Saved %1 (%2 s)").replace("%1", result.path.name).replace(
                "%2", f"{result.duration_s:.0f}"))
        if result.lost_at_end is not None:  # on the line under the file's name: what its end is missing, and why
            self.status_label.setText(f"{self.status_label.text()}\n{self._lost_at_end_text(result.lost_at_end)}")
        self.refresh_recordings(newest=True)
        self.side_tabs.setCurrentIndex(1)  # the new recording, picked and ready to play

    def _lost_at_end_text(self, lost: LostAtEnd) -> str:
        """x264's process lost as Stop drained it (the core's ``LostAtEnd``): the recording stopped as asked, its last
        moments not in the file. Worded from the reason code: its English message is the log's, not the window's."""
        if lost.reason == LostReason.NOT_ANSWERING:
            if lost.seconds < 1.0:
                return self.tr("The encoder's process stopped answering as the recording was finishing and was "
                               "ended: less than a second at the end is missing.")
            return self.tr("The encoder's process stopped answering as the recording was finishing and was ended: "
                           "about %1 s at the end are missing.").replace("%1", f"{round(lost.seconds)}")
        if lost.seconds < 1.0:
            return self.tr("The encoder's process ended as the recording was finishing: less than a second at the "
                           "end is missing.")
        return self.tr("The encoder's process ended as the recording was finishing: about %1 s at the end are "
                       "missing.").replace("%1", f"{round(lost.seconds)}")

    def add_marker(self) -> None:
        if not self.recording:
            return
        self.bridge.run(self._studio().add_marker(), on_done=lambda m: self.status_label.setText(
            self.tr("Marker at %1").replace("%1", _clock(m.at_s))), what=self.tr("add marker"), owner=self)

    # -- live ---------------------------------------------------------------------------------------
    def _show_destinations(self) -> None:
        live = self.bridge.core.live
        self.live_panel.show_destinations(live.destinations() if live is not None else [])

        def centre(settings: dict[str, str]) -> None:
            self.live_panel.centre_host = urlsplit(settings.get("centre_url", "")).hostname or ""

        self.bridge.run(load_sync_settings(self.bridge.core.store), on_done=centre,
                        what=self.tr("read the centre's address"), owner=self.live_panel)

    def _add_destination(self, name: str, url: str) -> None:
        live = self.bridge.core.live
        dialog = self.live_panel.dialog
        if live is None or dialog is None:
            return

        async def add() -> DestinationRefused | None:
            try:
                await live.add(name, url)
            except DestinationRefused as refused:
                return refused
            return None

        def done(refused: DestinationRefused | None) -> None:
            if refused is None:
                self._show_destinations()
                dialog.accept()
                return
            words = {
                "name-taken": self.tr("There is already a destination with this name."),
                "name-missing": self.tr("Give the destination a name."),
                "srt-unavailable": self.tr("This console cannot send SRT (its FFmpeg has no SRT support): "
                                           "use the platform's RTMP address."),
            }.get(refused.code, self.tr("That is not an RTMP or SRT address: rtmp://server/app/ and the stream key, "
                                        "or srt://server:port."))
            dialog.refuse(words, str(refused))

        self.bridge.run(add(), on_done=done, what=self.tr("add the destination"), owner=self)

    def _remove_destination(self, name: str) -> None:
        live = self.bridge.core.live
        if live is not None:
            self.bridge.run(live.remove(name), on_done=lambda _r: self._show_destinations(),
                            what=self.tr("remove the destination"), owner=self)

    def _go_live(self, name: str) -> None:
        live, studio = self.bridge.core.live, self._studio()
        if live is None or not studio.sources:
            self.status_label.setText(self.tr("Add a source first."))
            return
        started = studio.recording
        self.side_tabs.setCurrentWidget(self.live_panel)

        def done(_result: object) -> None:
            if not started and studio.recording:
                self._started("")  # the recording started with it: watch it as if Record was pressed
                self.side_tabs.setCurrentWidget(self.live_panel)
            self.refresh()

        self.bridge.run(live.go_live(name, studio), on_done=done, what=self.tr("go live"), owner=self)

    def _serve_lan(self) -> None:
        live, studio = self.bridge.core.live, self._studio()
        if live is None or not studio.sources:
            self.status_label.setText(self.tr("Add a source first."))
            return
        if self._lan_asked:
            return  # a second click before the first one's answer started a second HLS output
        self._lan_asked = True
        started = studio.recording

        def done(url: str) -> None:
            self._lan_asked = False
            if not started and studio.recording:
                self._started("")
                self.side_tabs.setCurrentWidget(self.live_panel)
            self.live_panel.show_lan(url)
            self.refresh()

        def failed(_why: str) -> None:
            self._lan_asked = False

        async def serve() -> str:
            try:
                return await live.serve_lan(studio)
            except OSError as taken:  # the usual port is another program's: a free one, as the tablets' server does
                log.info("the room network's port is taken (%s): using another", taken)
                return await live.serve_lan(studio, port=0)

        self.bridge.run(serve(), on_done=done, on_error=failed, what=self.tr("show it on the room's network"),
                        owner=self)

    def _stop_live(self, name: str) -> None:
        live = self.bridge.core.live
        if live is not None:
            self.bridge.run(live.end(name, self._studio()), what=self.tr("stop the live stream"), owner=self)

    def refresh_recordings(self, newest: bool = False) -> None:
        """``newest``: pick the newest once listed (after Stop; Play and the Chapters tab were left with none)."""
        self.bridge.run(self._studio().recordings(),
                        on_done=lambda rows: self.recordings.show_recordings(rows, newest),
                        what=self.tr("list recordings"), owner=self)

    # -- display rate -------------------------------------------------------------------------------
    def _show_preview(self) -> None:
        image = self.relay.take()
        if image is not None:
            self.preview_view.show_frame(image)

    def refresh(self) -> None:
        """Five times a second: reads counters only."""
        studio = self.studio
        if studio is None:
            self._set_record_state()
            return
        names = self.source_names()
        self.sources.show_statuses(studio.statuses(), names)
        video = [s.name for s in studio.program.video_sources]
        placed = studio.program.placed_layout(tuple(video))
        self.pickers.show_sources([(n, names.get(n, n)) for n in video],
                                  video[placed.main] if 0 <= placed.main < len(video) else "",
                                  video[placed.inset] if 0 <= placed.inset < len(video) else "",
                                  placed.kind is not LayoutKind.SINGLE)
        current = studio.current_scene()
        self.scene_bar.show_scenes([scene.name for scene in studio.scenes], current.name if current else None)
        if studio.recording:
            # after a stop, the last recording's figures stay on show
            stats = studio.stats()
            self.stats_panel.show_stats(stats, names)
            if stats is not None and stats.finishing_s is not None:  # Stop pressed, a busy encoder still at work
                if stats.finishing_s >= 0.5:
                    self.status_label.setText(self.tr("Finishing the recording: %1 s left…").replace(
                        "%1", f"{stats.finishing_s:.0f}"))
                else:  # its estimate spent (x264's last pictures, a child that went silent): no "0 s left" for 5 s
                    self.status_label.setText(self.tr("Finishing the recording…"))
            else:
                self._tell_restarts(studio)
        live = self.bridge.core.live
        self.live_panel.show_health(live.health(studio) if live is not None else {})
        self._set_record_state()

    def _tell_restarts(self, studio: Studio) -> None:
        """x264's process lost and replaced mid-recording (the core's ``EncoderRestart``): a notice on the status
        line, once each; the recording went on."""
        restarts = studio.recorder.encoder_restarts if studio.recorder is not None else []
        if len(restarts) > self._restarts_told:
            self._restarts_told = len(restarts)
            last = restarts[-1]
            self.status_label.setText(encoder_restart_text(last.reason, _clock(last.at_s), last.gap_s))

    def refresh_meters(self) -> None:
        """Twenty times a second: each audio source's meter (a few numbers the core keeps), by its shown name."""
        studio = self.studio
        if studio is None or not self.isVisible():
            return
        readings = studio.meters()
        if not readings and self.mixer.isHidden():
            return
        names = self.source_names() if readings else {}
        self.mixer.show_readings([(s.name, names.get(s.name, s.name), readings[s.name])
                                  for s in studio.program.audio_sources if s.name in readings])

    def _record_key(self) -> None:
        if self.record_button.isEnabled():
            self.toggle_recording()

    def _set_record_state(self) -> None:
        has_sources = self.studio is not None and bool(self.studio.sources)
        recording = self.recording
        self.record_button.setEnabled(not self._busy and (has_sources or recording))
        if not has_sources and not recording:
            tip = self.tr("Add a source first.")
        elif recording:
            tip = self.tr("Stop recording (%1)").replace("%1", RECORD_KEY)
        else:
            tip = self.tr("Start recording (%1)").replace("%1", RECORD_KEY)
        if self.record_button.toolTip() != tip:  # five times a second while recording: only when it changes
            self.record_button.setToolTip(tip)
        self.marker_button.setEnabled(recording)
        self.output_picker.setEnabled(not recording and not self._busy)
        self.tracks_check.setEnabled(not recording and not self._busy)
        self.layout_picker.setEnabled(has_sources)
        self.corner_picker.setEnabled(has_sources and self.layout_picker.currentData() == str(LayoutKind.PIP))
        studio = self.bridge.core.studio
        if recording and studio is not None:
            self.record_button.setText(self.tr("■ Stop  %1").replace("%1", _clock(studio.elapsed_s)))
        else:
            self.record_button.setText(self.tr("● Record"))

    async def shutdown(self) -> None:
        """Finish a running recording, stop playback and every source; the app calls this before it quits."""
        self.timer.stop()
        self.meter_timer.stop()
        await self.recordings.close_player()
        if self.studio is not None:
            self.studio.set_preview(None)
            await self.studio.close()


def _smallest_output() -> int:
    """The index in OUTPUTS of the least work for the encoder: fewest pixels a second."""
    return min(range(len(OUTPUTS)), key=lambda i: OUTPUTS[i][0][0] * OUTPUTS[i][0][1] * OUTPUTS[i][1])


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
