"""The recording's numbers, laid out as OBS shows them: each kind of loss on its own line."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QWidget

from classroom_console.media import RecordingStats


class StatsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsPanel")
        form = QFormLayout(self)
        form.setContentsMargins(12, 8, 12, 8)
        self.values: dict[str, QLabel] = {}
        rows = [
            ("dropped", self.tr("Dropped at capture")),
            ("late", self.tr("Late at compositing")),
            ("skipped", self.tr("Skipped by encoder")),
            ("fps", self.tr("Encoder fps")),
            ("bitrate", self.tr("Bitrate")),
            ("size", self.tr("File size")),
            ("free", self.tr("Free disk")),
            ("left", self.tr("Time left")),
        ]
        for key, title in rows:
            value = QLabel("—")
            self.values[key] = value
            form.addRow(title, value)

    def show_stats(self, stats: RecordingStats | None) -> None:
        if stats is None:
            for value in self.values.values():
                value.setText("—")
            return
        self.values["dropped"].setText(str(stats.dropped_at_capture))
        self.values["late"].setText(str(stats.late_at_compositing))
        self.values["skipped"].setText(str(stats.skipped_by_encoder))
        self.values["fps"].setText(f"{stats.encoder_fps:.1f}")
        self.values["bitrate"].setText(self.tr("%1 kbit/s").replace("%1", f"{stats.bitrate_kbps:.0f}"))
        self.values["size"].setText(self.tr("%1 MB").replace("%1", f"{stats.size_bytes / 2**20:.1f}"))
        self.values["free"].setText(self.tr("%1 GB").replace("%1", f"{stats.free_bytes / 2**30:.1f}"))
        if stats.minutes_left is None:
            self.values["left"].setText("—")
        else:
            self.values["left"].setText(self.tr("%1 min").replace("%1", f"{stats.minutes_left:.0f}"))
