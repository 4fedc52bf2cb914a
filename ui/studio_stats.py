"""The recording's numbers, laid out as OBS shows them: each kind of loss on its own line.

A number that grows during a recording is shown in red with a sentence saying what to do, because a technician
watching the picture does not read counters; the warning goes once the loss has stopped for a while.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from classroom_console.media import RecordingStats
from ui.centre_format import decimal
from ui.plain_text import plain

WARN_FOR_S = 5.0  # a loss is warned about for this long (recording time) after it last grew
LOW_DISK_MIN = 10.0


class StatsPanel(QFrame):
    def time_left(self, minutes: float) -> str:
        """"12059 min" told nobody anything: hours and minutes, and days past two days."""
        total = max(0, int(minutes))
        if total >= 48 * 60:
            return self.tr("over %1 days").replace("%1", str(total // (24 * 60)))
        if total >= 60:
            return self.tr("%1 h %2 min").replace("%1", str(total // 60)).replace("%2", f"{total % 60:02d}")
        return self.tr("%1 min").replace("%1", str(total))

    def setting_words(self, stats: RecordingStats) -> str:
        """The encoder's preset in words: the core names a rung of its ladder (``adaptive.LADDER``)."""
        if not stats.preset:
            return "—"
        if stats.preset.endswith("fixedb"):
            return self.tr("Fastest (busy PC)")
        if stats.preset.startswith(("superfast", "ultrafast")):
            return self.tr("Faster (busy PC)")
        return self.tr("Normal")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsPanel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        form = QFormLayout()
        outer.addLayout(form)
        self.warning = plain(QLabel(""))  # names sources: their own words
        self.warning.setObjectName("statsWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        outer.addWidget(self.warning)
        outer.addStretch(1)  # the warning right under the rows, the room left below it
        self._previous: RecordingStats | None = None
        self.tracks_on = False  # whether this recording writes per-source files too (the advice depends on it)
        self.can_go_smaller = True  # whether a smaller output or a lower rate can be chosen (likewise)
        self._grew_at: dict[str, float] = {}  # loss kind -> recording time it last grew
        self._source_grew_at: dict[str, float] = {}  # source name -> recording time its losses last grew
        self.names: Mapping[str, str] = {}  # source name -> the name people see, for the warnings
        self.values: dict[str, QLabel] = {}
        rows = [
            ("dropped", self.tr("Dropped at capture")),
            ("late", self.tr("Late at compositing")),
            ("skipped", self.tr("Skipped by encoder")),
            ("fps", self.tr("Encoder fps")),
            ("preset", self.tr("Encoder setting")),
            ("bitrate", self.tr("Bitrate")),
            ("size", self.tr("File size")),
            ("free", self.tr("Free disk")),
            ("left", self.tr("Time left")),
        ]
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a long figure goes under its name
        for key, title in rows:
            value = QLabel("—")
            caption = QLabel(title)
            for label in (caption, value):  # a row keeps its height when a warning appears below
                label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
                label.setMinimumHeight(label.fontMetrics().height())
            self.values[key] = value
            form.addRow(caption, value)

    def in_scroll_area(self) -> QScrollArea:
        """The panel in a scroll area: a long warning scrolls, the rows above it keep their height (they were
        squeezed until letters were cut when the column had no more room)."""
        area = _VerticalScroll()
        area.setObjectName("statsScroll")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(self)
        self.installEventFilter(area)
        return area

    def show_stats(self, stats: RecordingStats | None, names: Mapping[str, str] | None = None) -> None:
        """``names``: the name shown for each source, for a warning that names the late one."""
        if names is not None:
            self.names = names
        if stats is None:
            for value in self.values.values():
                value.setText("—")
            self._forget_losses()
            return
        self._watch_losses(stats)
        self.values["dropped"].setText(str(stats.dropped_at_capture))
        self.values["late"].setText(str(stats.late_at_compositing))
        self.values["skipped"].setText(str(stats.skipped_by_encoder))
        self.values["fps"].setText(decimal(stats.encoder_fps))  # "29,9" in Russian, as the Centre writes it
        self.values["preset"].setText(self.setting_words(stats))
        self.values["bitrate"].setText(self.tr("%1 kbit/s").replace("%1", f"{stats.bitrate_kbps:.0f}"))
        self.values["size"].setText(self.tr("%1 MB").replace("%1", decimal(stats.size_bytes / 2**20)))
        self.values["free"].setText(self.tr("%1 GB").replace("%1", decimal(stats.free_bytes / 2**30)))
        if stats.minutes_left is None:
            self.values["left"].setText("—")
        else:
            self.values["left"].setText(self.time_left(stats.minutes_left))

    def show_final(self, stats: RecordingStats) -> None:
        """After a recording: its last numbers stay on show; the live warnings go (nothing is growing now)."""
        self.show_stats(stats)
        self._forget_losses()

    def _forget_losses(self) -> None:
        self._previous = None
        self._grew_at.clear()
        self._source_grew_at.clear()
        for key in (*_LOSSES, "left"):
            _mark(self.values[key], False)
        self._warn([])

    def _watch_losses(self, stats: RecordingStats) -> None:
        previous = self._previous
        if previous is not None and stats.elapsed_s < previous.elapsed_s:  # a new recording
            previous = None
            self._grew_at.clear()
            self._source_grew_at.clear()
        before = _losses(previous) if previous is not None else dict.fromkeys(_LOSSES, 0)
        for kind, count in _losses(stats).items():
            if count > before[kind]:
                self._grew_at[kind] = stats.elapsed_s
        if stats.preset_steps > (previous.preset_steps if previous is not None else 0):
            self._grew_at["stepped"] = stats.elapsed_s
        by_source = previous.losses_by_source if previous is not None else {}
        for name, count in stats.losses_by_source.items():
            if count > by_source.get(name, 0):
                self._source_grew_at[name] = stats.elapsed_s
        late_sources = [self.names.get(name, name) for name, at in self._source_grew_at.items()
                        if stats.elapsed_s - at <= WARN_FOR_S]
        self._previous = stats
        growing = {kind for kind, at in self._grew_at.items() if stats.elapsed_s - at <= WARN_FOR_S}
        for kind in _LOSSES:
            _mark(self.values[kind], kind in growing)
        low_disk = stats.minutes_left is not None and stats.minutes_left < LOW_DISK_MIN
        _mark(self.values["left"], low_disk)
        sentences = []
        # Advice that applies: no per-source files to turn off when they are off, no smaller output at the smallest.
        if "skipped" in growing and self.tracks_on and self.can_go_smaller:
            sentences.append(self.tr("The encoder cannot keep up and skips frames: choose a smaller output, or "
                                     "turn off the per-source files."))
        elif "skipped" in growing and self.tracks_on:
            sentences.append(self.tr("The encoder cannot keep up and skips frames: turn off the per-source files, "
                                     "or close other programs on this PC."))
        elif "skipped" in growing and self.can_go_smaller:
            sentences.append(self.tr("The encoder cannot keep up and skips frames: choose a smaller output or "
                                     "a lower frame rate, or close other programs on this PC."))
        elif "skipped" in growing:
            sentences.append(self.tr("The encoder cannot keep up and skips frames even at the smallest output: "
                                     "close other programs on this PC."))
        if "stepped" in growing:
            sentences.append(self.tr("This PC is busy: the encoder switched to a faster setting to keep every "
                                     "frame; the picture may be a little softer."))
        if growing & {"dropped", "late"} and late_sources:
            sentences.append(self.tr("Pictures arrive late from %1: check its cable or network, or remove it.")
                             .replace("%1", ", ".join(late_sources)))
        elif growing & {"dropped", "late"}:
            sentences.append(self.tr("A source is not delivering its pictures in time: check its cable or "
                                     "network, or remove it."))
        if low_disk and stats.minutes_left is not None:
            sentences.append(self.tr("Less than %1 minutes of disk space left at this bitrate; the recording "
                                     "will stop and be saved when it runs out.").replace(
                "%1", str(max(1, math.ceil(stats.minutes_left)))))
        self._warn(sentences)

    def _warn(self, sentences: list[str]) -> None:
        self.warning.setText("\n".join(sentences))
        self.warning.setVisible(bool(sentences))


_LOSSES = ("dropped", "late", "skipped")


class _VerticalScroll(QScrollArea):
    """Scrolls up and down only: as wide as the rows need (a column wide enough), a warning wraps to it.

    Its own size is told to the window only when the rows' width changed: every figure's new text lays out the
    panel, and passing each of those on relaid the whole window five times a second while recording (a pass of
    1-2 ms of the Qt thread's CPU, and a stall of its own beside a busy encoder)."""

    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._told_width = -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and watched is self.widget():
            width = self.minimumSizeHint().width()
            if width != self._told_width:
                self._told_width = width
                self.updateGeometry()  # a wider figure ("over 16 days") widens the column instead of being cut
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        inner = self.widget()
        width = inner.minimumSizeHint().width() if inner is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width(), 60)


def _losses(stats: RecordingStats) -> dict[str, int]:
    return {"dropped": stats.dropped_at_capture, "late": stats.late_at_compositing,
            "skipped": stats.skipped_by_encoder}


def _mark(label: QLabel, bad: bool) -> None:
    if label.property("bad") != bad:
        label.setProperty("bad", bad)
        label.style().unpolish(label)
        label.style().polish(label)
