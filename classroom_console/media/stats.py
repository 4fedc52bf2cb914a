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
        """Human-readable, for the CLI and logs."""
        left = "unknown" if self.minutes_left is None else f"{self.minutes_left:.0f} min"
        return [
            f"duration            {self.elapsed_s:9.2f} s ({self.frames} frames)",
            f"dropped at capture  {self.dropped_at_capture:9d}",
            f"late at compositing {self.late_at_compositing:9d}",
            f"skipped by encoder  {self.skipped_by_encoder:9d}",
            f"encoder fps         {self.encoder_fps:9.1f}",
            f"encoder preset      {self.preset:>9} ({self.preset_steps} steps)",
            f"bitrate             {self.bitrate_kbps:9.0f} kbit/s",
            f"file size           {self.size_bytes / 2**20:9.2f} MB",
            f"free disk           {self.free_bytes / 2**30:9.2f} GB ({left} left at this bitrate)",
            f"audio resyncs       {self.audio_resyncs:9d}",
            f"dropped at file     {self.dropped_at_file:9d}",
            *([f"finishing           {self.finishing_s:9.1f} s left"] if self.finishing_s is not None else []),
        ]
