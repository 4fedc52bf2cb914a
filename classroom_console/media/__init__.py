"""The media engine: stamped sources -> compositor (Program) -> one H.264/AAC encoder -> outputs: the
fragmented MP4 (Recorder) and live RTMP pushes (``output_rtmp``, ``Broadcast``).

No Qt here; the studio workspace drives these objects through the bridge, the CLI through asyncio.run.
"""

from .artifacts import Marker, chapters_vtt
from .camera import Camera
from .clock import Clock, MonotonicClock, SimulatedClock
from .disk import START_FLOOR_BYTES, STOP_FLOOR_BYTES, DiskFullError
from .encoder import EncoderSettings, StopReason
from .frames import AUDIO_RATE, AudioBlock, VideoFrame, parse_size
from .layout import Corner, Layout, LayoutKind, LowerThird, lower_third_rect, parse_layout
from .microphone import Microphone, MicrophoneInfo, list_microphones
from .offload import offload
from .program import Program
from .recorder import Recorder, RecordingResult
from .screen import ScreenCapture
from .source import AudioSource, Source, SourceState, SourceStatus, VideoSource
from .spec import make_source
from .stats import RecordingStats
from .synthetic import SYNC_PERIOD_S, TestPattern, Tone
from .tracks import TrackResult, track_path

__all__ = [
    "AUDIO_RATE",
    "START_FLOOR_BYTES",
    "STOP_FLOOR_BYTES",
    "SYNC_PERIOD_S",
    "AudioBlock",
    "AudioSource",
    "Camera",
    "Clock",
    "Corner",
    "DiskFullError",
    "EncoderSettings",
    "Layout",
    "LayoutKind",
    "LowerThird",
    "Marker",
    "Microphone",
    "MicrophoneInfo",
    "MonotonicClock",
    "Program",
    "Recorder",
    "RecordingResult",
    "RecordingStats",
    "ScreenCapture",
    "SimulatedClock",
    "Source",
    "SourceState",
    "SourceStatus",
    "StopReason",
    "TestPattern",
    "Tone",
    "TrackResult",
    "VideoFrame",
    "VideoSource",
    "chapters_vtt",
    "list_microphones",
    "lower_third_rect",
    "make_source",
    "offload",
    "parse_layout",
    "parse_size",
    "track_path",
]
