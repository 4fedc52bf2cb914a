"""LAN HLS: the encoder's packets cut into ~1 s MPEG-TS segments in memory, behind a sliding-window playlist.

Segments are cut on a fixed grid of the stream's timeline, at the keyframe the encoder forces on the first picture
of each cell (keyframes by media time, ``encoder.py``), so no segment is longer than the grid's step however many
pictures a busy encoder skipped, and the playlist's EXT-X-TARGETDURATION is written once from it and never changes
(RFC 8216 4.3.3.1).

Tablets and overflow rooms with no internet watch the lecture from the console itself (``hls_server.py`` serves
what is made here). Segments are muxed with PyAV into bytes on this output's own thread; what the server reads is
one ``HlsSnapshot`` swapped whole, so the event loop never waits on media work, never takes a lock and never sees
half a segment. Only the last ``KEEP`` segments are held: memory is bounded however long the lecture.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections import deque
from typing import Any

from .hls_segments import HlsSnapshot, Segment, SegmentBuilder, render_playlist
from .output import EncodedStreams, Output, OutputState
from .packets import EncodedPacket

__all__ = ["HlsOutput", "HlsSnapshot", "Segment", "render_playlist"]

log = logging.getLogger(__name__)

SEGMENT_S = 1.0  # the keyframe interval asked of the encoder, and so each segment's length
WINDOW = 6  # segments named by the playlist
KEEP = WINDOW + 4  # a player that read the playlist just before it slid still finds what it named
HLS_QUEUE_S = 3.0
HELD_AUDIO = 200  # AAC packets kept while waiting for the first keyframe (sound overtakes the picture)
GAP_S = 0.5  # a jump in the pictures' times this long (GOPs dropped) starts a new segment, marked discontinuous
CLIENT_WINDOW_S = 60.0
PLAYLIST = "index.m3u8"


def segment_length(gop_s: float) -> float:
    """The most whole GOPs that fit in ``SEGMENT_S``: segments start on keyframes, and every cell's first picture
    is one."""
    return gop_s * max(1, math.floor(SEGMENT_S / gop_s + 1e-9))


def target_duration(segment_s: float) -> int:
    """EXT-X-TARGETDURATION: no segment is longer than its cell, so its duration rounded is never above this."""
    return max(1, math.ceil(segment_s - 1e-9))


class HlsOutput(Output):
    """Asks the encoder for a keyframe each ``SEGMENT_S`` and cuts a segment at each one."""

    kind = "hls"
    live = True
    max_gop_s = SEGMENT_S

    def __init__(self, name: str = "hls", *, path: str = "/live/" + PLAYLIST, queue_s: float = HLS_QUEUE_S,
                 window: int = WINDOW, keep: int = KEEP) -> None:
        super().__init__(name, queue_s=queue_s)
        self.path = path  # where the server publishes the playlist: the destination in stats and session events
        self.window, self.keep = window, max(keep, window)
        self.snapshot = HlsSnapshot()
        self.segments_made = 0
        self.served_bytes = 0  # the rest of the stats are counted by the output's thread; these by the server's
        self.requests = 0
        self._clients: dict[str, float] = {}
        self._kept: deque[Segment] = deque(maxlen=self.keep)
        self._segment_s = SEGMENT_S
        self._target_s = target_duration(SEGMENT_S)
        self._wall_offset = time.time() - time.monotonic()

    # -- the server's side (the event loop) ------------------------------------------------------
    def served(self, client: str, size: int) -> None:
        """A request answered; only the loop calls this, and only the loop reads it back (``stats``)."""
        now = time.monotonic()
        self.requests += 1
        self.served_bytes += size
        self._clients[client] = now
        if len(self._clients) > 64:
            self._clients = {c: t for c, t in self._clients.items() if t >= now - CLIENT_WINDOW_S}

    def clients_last_minute(self) -> int:
        since = time.monotonic() - CLIENT_WINDOW_S
        return sum(1 for t in list(self._clients.values()) if t >= since)

    def _extra(self) -> dict[str, Any]:
        return {"url": self.path, "segments": self.segments_made, "served_bytes": self.served_bytes,
                "requests": self.requests, "clients_last_minute": self.clients_last_minute(),
                "discarded": self.discarded}

    # -- the output's thread ---------------------------------------------------------------------
    def _serve(self, stop: threading.Event, streams: EncodedStreams) -> None:
        self._segment_s = segment_length(self._gop_s())  # the encoder is open: its keyframe interval is fixed
        self._target_s = target_duration(self._segment_s)
        self.state = OutputState.LIVE
        origin: float | None = None
        held: list[EncodedPacket] = []  # sound while waiting for a keyframe (it overtakes the pictures)
        current: SegmentBuilder | None = None
        last_video_s: float | None = None
        waiting = True  # for a keyframe: at the start, and after lost GOPs (pictures until then cannot decode)
        try:
            while (packet := self._next_packet(stop)) is not None:
                lost = packet.kind == "video" and last_video_s is not None and packet.time_s - last_video_s > GAP_S
                waiting = waiting or lost
                if waiting and not packet.starts_gop:
                    if packet.kind == "audio" and len(held) < HELD_AUDIO:
                        held.append(packet)
                    else:
                        self.discarded += 1
                    continue
                waiting = False
                if packet.starts_gop:
                    origin = packet.time_s if origin is None else origin
                    if current is not None and (lost or current.ends_before(packet)):
                        # after lost GOPs the sound of the hole stays out (the segments are discontinuous there)
                        held = (current.spill if lost else current.keep_spill_before(packet.time_s)) + held
                        self._publish(current.close())
                        current = None
                    if current is None:
                        current = SegmentBuilder(streams, origin, self._capture_wall(packet), lost, self._segment_s)
                if current is None or origin is None:  # unreachable: the first packet kept is a keyframe
                    continue
                for each in held:  # what came before this segment's first picture belongs to none
                    self._add(current, each, floor=packet.time_s)
                held.clear()
                self._add(current, packet, floor=origin)
                if packet.kind == "video":
                    last_video_s = packet.time_s
            if current is not None and current.has_video:
                current.flush_spill()
                self._publish(current.close())
        finally:
            self._publish(None, ended=True)

    def _add(self, segment: SegmentBuilder, packet: EncodedPacket, floor: float) -> None:
        if packet.time_s < floor:
            self.discarded += 1
        else:
            segment.add(packet)
            self._wrote(packet)

    def _gop_s(self) -> float:
        gop = getattr(self.owner, "gop_s", None)
        return float(gop) if gop else SEGMENT_S

    def _capture_wall(self, packet: EncodedPacket) -> float:
        """The wall-clock time its picture was taken: the encoder's time zero is on the capture clock."""
        start_at = getattr(self.owner, "start_at", None)
        if start_at is None:
            return time.time()
        return self._wall_offset + start_at + float(packet.pts * packet.time_base)

    def _publish(self, segment: Segment | None, *, ended: bool = False) -> None:
        if segment is not None:
            segment = dataclasses.replace(segment, sequence=self.segments_made)
            self.segments_made += 1
            self._kept.append(segment)
            if round(segment.duration_s) > self._target_s:  # cannot be: a segment is one cell (hls_segments.cell)
                log.error("HLS segment %d is %.3f s, past the target %d s", segment.sequence, segment.duration_s,
                          self._target_s)
        named = list(self._kept)[-self.window:]
        playlist = render_playlist(named, self._target_s, ended).encode() if named else None
        self.snapshot = HlsSnapshot(playlist, {s.name: s.data for s in self._kept}, ended)
