"""Audio on one timeline: each source's blocks land at their stamps, gaps become silence, sources add up.

Blocks are laid end to end while their stamps agree within ``RESYNC_S``; a larger disagreement (a
device that stalled, a clock that drifted) moves that source to its stamp and is counted.
"""

from __future__ import annotations

import math

import numpy as np

from .frames import AUDIO_RATE, Samples
from .source import AudioSource

RESYNC_S = 0.04


class _Track:
    __slots__ = ("chunks", "cursor")

    def __init__(self) -> None:
        self.cursor: int | None = None
        self.chunks: list[tuple[int, Samples]] = []


class AudioMixer:
    def __init__(self) -> None:
        self._tracks: dict[int, _Track] = {}
        self.position: int | None = None  # next absolute sample index to hand out
        self.resyncs = 0

    def begin(self, t: float) -> None:
        self.position = math.floor(t * AUDIO_RATE)

    def collect(self, sources: list[AudioSource]) -> None:
        live = {id(s) for s in sources}
        for key in [k for k in self._tracks if k not in live]:
            del self._tracks[key]
        for source in sources:
            track = self._tracks.setdefault(id(source), _Track())
            for block in source.take():
                index = round(block.stamp * AUDIO_RATE)
                if track.cursor is None or abs(index - track.cursor) > RESYNC_S * AUDIO_RATE:
                    if track.cursor is not None:
                        self.resyncs += 1
                    track.cursor = index
                track.chunks.append((track.cursor, block.samples))
                track.cursor += len(block.samples)

    def pull(self, until: float) -> tuple[int, Samples] | None:
        """Mixed samples from the last position up to clock time ``until``: (first index, samples)."""
        if self.position is None:
            self.begin(until)
            return None
        start, end = self.position, math.floor(until * AUDIO_RATE)
        if end <= start:
            return None
        out = np.zeros(end - start, np.float32)
        for track in self._tracks.values():
            kept = []
            for first, samples in track.chunks:
                last = first + len(samples)
                lo, hi = max(first, start), min(last, end)
                if lo < hi:
                    out[lo - start : hi - start] += samples[lo - first : hi - first]
                if last > end:
                    kept.append((first, samples))
            track.chunks = kept
        self.position = end
        np.clip(out, -1.0, 1.0, out=out)
        return start, out
