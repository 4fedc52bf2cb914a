"""Recording statistics as OBS counts them: each loss in its own column, so the cause is visible."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class RecordingState:
    """Codes the UI words: what the recording is doing now."""

    RECORDING = "recording"
    FINISHING = "finishing"  # Stop was pressed; the encoder works through what it holds (``finishing_s`` left)


@dataclass(frozen=True, slots=True)
class RecordingStats:
    elapsed_s: float = 0.0
    frames: int = 0
    dropped_at_capture: int = 0  # sources missed their own frame instants
    late_at_compositing: int = 0  # the compositor had to repeat a source's last frame
    skipped_by_encoder: int = 0  # the encoder was behind; the composed frame was not encoded
    encoder_fps: float = 0.0
    bitrate_kbps: float = 0.0
    size_bytes: int = 0
    free_bytes: int = 0
    minutes_left: float | None = None
    audio_resyncs: int = 0
    dropped_at_file: int = 0  # packets the file could not take in time (a stalled disk): whole GOPs
    # by source name: its frames dropped at capture and late at compositing, so a warning can name the source
    losses_by_source: dict[str, int] = field(default_factory=dict)
    preset: str = ""  # the x264 preset encoding now (a name of adaptive.LADDER)
    preset_steps: int = 0  # faster presets stepped to in this recording, a busy PC making the encoder skip frames
    state: str = RecordingState.RECORDING
    finishing_s: float | None = None  # while finishing: about how many seconds the encoder still needs

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The block `record` and `stream` print at the end, in the user's language (``cli_text``); the labels'
        column as wide as its longest label in that language."""
        from classroom_console.cli_text import ntr, tr

        left = tr("unknown") if self.minutes_left is None else tr("{minutes} min").format(
            minutes=f"{self.minutes_left:.0f}")
        rows = [
            (tr("duration"), ntr("{seconds} s ({n} frame)", "{seconds} s ({n} frames)", self.frames).format(
                seconds=f"{self.elapsed_s:9.2f}")),
            (tr("dropped at capture"), f"{self.dropped_at_capture:9d}"),
            (tr("late at compositing"), f"{self.late_at_compositing:9d}"),
            (tr("skipped by encoder"), f"{self.skipped_by_encoder:9d}"),
            (tr("encoder fps"), f"{self.encoder_fps:9.1f}"),
            (tr("encoder preset"), ntr("{preset} ({n} step)", "{preset} ({n} steps)", self.preset_steps).format(
                preset=f"{self.preset:>9}")),
            (tr("bitrate"), tr("{kbps} kbit/s").format(kbps=f"{self.bitrate_kbps:9.0f}")),
            (tr("file size"), tr("{mb} MB").format(mb=f"{self.size_bytes / 2**20:9.2f}")),
            (tr("free disk"), tr("{gb} GB ({left} left at this bitrate)").format(
                gb=f"{self.free_bytes / 2**30:9.2f}", left=left)),
            (tr("audio resyncs"), f"{self.audio_resyncs:9d}"),
            (tr("dropped at file"), f"{self.dropped_at_file:9d}"),
            *([(tr("finishing"), tr("{seconds} s left").format(seconds=f"{self.finishing_s:9.1f}"))]
              if self.finishing_s is not None else []),
        ]
        width = max(19, *(len(label) for label, _ in rows))
        return [f"{label:<{width}} {value}" for label, value in rows]
