"""Reading a recording back: its streams and duration, and the A/V offset from test-pattern flashes and beeps.

Tests and the bench use it; so can a technician checking a room's sync with the synthetic sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from .synthetic import SYNC_PERIOD_S

FLASH_LUMA = 220.0
BEEP_LEVEL = 0.25


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    video_codec: str
    audio_codec: str | None
    width: int
    height: int
    fps: float
    frames: int
    duration_s: float  # of the video: last frame's time plus one frame
    audio_rate: int | None


def inspect(path: Path) -> RecordingInfo:
    """Decodes every video frame (so it also proves the file plays); blocking."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        fps = float(video.average_rate or video.guessed_rate or 0)
        times = [float(f.time) for f in container.decode(video=0) if f.time is not None]
        return RecordingInfo(
            video.codec_context.name, audio.codec_context.name if audio else None,
            video.codec_context.width, video.codec_context.height, fps, len(times),
            (max(times) + 1 / fps) if times and fps else 0.0, audio.codec_context.sample_rate if audio else None,
        )


def playable_seconds(path: Path) -> float:
    """How far the video decodes before the file ends; a torn tail (a crash, a full disk) just stops it."""
    last = 0.0
    try:
        with av.open(str(path)) as container:
            rate = float(container.streams.video[0].average_rate or 30)
            for frame in container.decode(video=0):
                if frame.time is not None:
                    last = max(last, float(frame.time) + 1 / rate)
    except (av.error.FFmpegError, IndexError):
        pass
    return last


def media_seconds(path: Path) -> float:
    """The video's length as ffprobe gives it, the reference users check a file with: the video stream's duration
    (``ffprobe -show_entries stream=duration``, and ``format=duration`` wherever the video is the longest stream).
    No decoding: cheap on a long file.

    A recording that skipped frames under load still spans the whole time: counting frames said 28 s for a file the
    player showed as 34 s. Nor is it the last presentation time plus that packet's duration: with skips leaving
    B-frames far apart, a reordered picture's duration is its gap in decode order, which read up to 0.4 s long.
    """
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
            return _decode_span(container, stream)  # a container that keeps no duration: its packets' own
    except (av.error.FFmpegError, IndexError):
        return 0.0


def _decode_span(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    """Every packet's duration end to end, in decode order, as FFmpeg sums a track."""
    first: float | None = None
    last = 0.0
    base = float(stream.time_base or 0)
    for packet in container.demux(stream):
        if packet.dts is None:
            continue
        start = packet.dts * base
        first = start if first is None else min(first, start)
        last = max(last, start + (packet.duration or 0) * base)
    return max(0.0, last - (first or 0.0))


def flash_times(path: Path, *, seen_start: bool = False) -> list[float]:
    """Times of the first frame of each white flash. With ``seen_start``, a flash already lit in the file's first
    frame is left out: its start, and its beep's, lie before the file (a real-time recording starts anywhere)."""
    found: list[float] = []
    bright = seen_start
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            luma = frame.to_ndarray(format="gray")[::8, ::8].mean()
            now = bool(luma > FLASH_LUMA)
            if now and not bright and frame.time is not None:
                found.append(float(frame.time))
            bright = now
    return found


def beep_times(path: Path) -> list[float]:
    """Times of the first sample of each beep (above a quarter of full scale), by each frame's own stamp."""
    found: list[float] = []
    last = -np.inf
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return []
        for frame in container.decode(audio=0):
            if frame.time is None:
                continue
            samples = frame.to_ndarray().reshape(-1, frame.samples)[0]
            for index in np.flatnonzero(np.abs(samples) > BEEP_LEVEL):
                t = float(frame.time) + index / frame.sample_rate
                if t - last > SYNC_PERIOD_S / 2:
                    found.append(t)
                last = t
    return found


def av_offsets(path: Path) -> list[float]:
    """Audio minus video, in seconds, for each flash paired with the nearest beep."""
    flashes, beeps = flash_times(path), beep_times(path)
    out = []
    for f in flashes:
        if beeps:
            b = min(beeps, key=lambda b: abs(b - f))
            if abs(b - f) < SYNC_PERIOD_S / 2:
                out.append(b - f)
    return out
