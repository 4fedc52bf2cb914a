"""One HLS segment being made, the segments made, and the playlist that names them.

Each segment is a whole MPEG-TS stream of its own (PAT/PMT first), muxed by PyAV into memory, so any segment
plays alone and a player may join at any of them; the times inside stay on the stream's one timeline.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import av

from .output import EncodedStreams
from .packets import EncodedPacket


def cell(t_s: float, segment_s: float) -> int:
    """Which ``segment_s`` of the stream's timeline ``t_s`` falls in: the encoder's keyframes are forced on the
    first picture of each of its GOPs by media time, and a segment is the GOPs of one cell, so none is longer."""
    return math.floor(t_s / segment_s + 1e-6)


@dataclass(frozen=True, slots=True)
class Segment:
    sequence: int
    duration_s: float
    wall_start: float  # when its first picture was captured, for EXT-X-PROGRAM-DATE-TIME
    data: bytes
    discontinuity: bool = False

    @property
    def name(self) -> str:
        return f"seg-{self.sequence}.ts"


@dataclass(frozen=True, slots=True)
class HlsSnapshot:
    """What a viewer may be handed now; immutable, replaced whole by the output's thread."""

    playlist: bytes | None = None  # None until the first segment is complete
    segments: Mapping[str, bytes] = field(default_factory=dict)
    ended: bool = False


def render_playlist(segments: Sequence[Segment], target_s: int, ended: bool) -> str:
    """A live (sliding) media playlist; ``ended`` adds EXT-X-ENDLIST so players stop asking."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target_s}",
             f"#EXT-X-MEDIA-SEQUENCE:{segments[0].sequence if segments else 0}"]
    for segment in segments:
        if segment.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        stamp = datetime.fromtimestamp(segment.wall_start, UTC).isoformat(timespec="milliseconds")
        lines += [f"#EXT-X-PROGRAM-DATE-TIME:{stamp.replace('+00:00', 'Z')}",
                  f"#EXTINF:{segment.duration_s:.3f},", segment.name]
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


class SegmentBuilder:
    """One segment being muxed: a whole MPEG-TS stream of its own (PAT/PMT first), so any segment plays alone."""

    def __init__(self, streams: EncodedStreams, origin: float, wall_start: float, discontinuity: bool,
                 segment_s: float) -> None:
        self.origin = origin
        self.segment_s = segment_s  # segments are cut on a grid of this on the stream's timeline (``cell``)
        self.spill: list[EncodedPacket] = []  # sound past the end of this segment's cell: the next segment's
        self.wall_start = wall_start
        self.discontinuity = discontinuity
        self._buffer = io.BytesIO()
        self._container: Any = av.open(self._buffer, "w", format="mpegts")
        self._video = self._container.add_stream_from_template(streams.video)
        self._audio = self._container.add_stream_from_template(streams.audio)
        self._container.start_encoding()
        self._first_pts_s: float | None = None
        self._end_s = 0.0

    @property
    def has_video(self) -> bool:
        return self._first_pts_s is not None

    def ends_before(self, packet: EncodedPacket) -> bool:
        """Whether ``packet``'s picture falls in a later cell than this segment's first: the segment ends there."""
        if self._first_pts_s is None:
            return False
        return cell(float(packet.pts * packet.time_base), self.segment_s) > cell(self._first_pts_s, self.segment_s)

    def add(self, packet: EncodedPacket) -> None:
        """Sound runs ahead of the pictures (the video encoder's delay): what belongs after this segment's cell
        waits for the next segment, so each segment's sound and pictures cover the same second."""
        if packet.kind == "audio" and self._first_pts_s is not None and (
                float(packet.pts * packet.time_base)
                >= (cell(self._first_pts_s, self.segment_s) + 1) * self.segment_s - 1e-6):
            self.spill.append(packet)
            return
        self._mux(packet)

    def flush_spill(self) -> None:
        """The stream's end: every held sound is this last segment's."""
        self.keep_spill_before(float("inf"))

    def keep_spill_before(self, cut_s: float) -> list[EncodedPacket]:
        """At the cut, the held sound before the next segment's first picture (``cut_s``) is this segment's after
        all: a busy encoder may have skipped the pictures at the cell's end, and the next segment takes no sound
        from before its picture. Returns the rest."""
        later: list[EncodedPacket] = []
        for packet in self.spill:
            if packet.time_s < cut_s:
                self._mux(packet)
            else:
                later.append(packet)
        self.spill.clear()
        return later

    def _mux(self, packet: EncodedPacket) -> None:
        if packet.kind == "video":
            start = float(packet.pts * packet.time_base)
            if self._first_pts_s is None:
                self._first_pts_s = start
            self._end_s = max(self._end_s, start + float(max(packet.duration, 1) * packet.time_base))
        self._container.mux(packet.to_av(self._video if packet.kind == "video" else self._audio, self.origin))

    def close(self) -> Segment:
        self._container.close()
        first = self._first_pts_s if self._first_pts_s is not None else self._end_s
        return Segment(0, max(0.0, self._end_s - first), self.wall_start, self._buffer.getvalue(),
                       self.discontinuity)
