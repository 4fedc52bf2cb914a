"""Audio on one timeline: each source's blocks land at their stamps, gaps become silence, sources add up.

Blocks are laid end to end while their stamps agree within ``RESYNC_S``; a larger disagreement (a device
that stalled) moves that source to its stamp and is counted. A microphone's crystal is never exactly the
clock's (USB ones run 20-200 ppm off): laid end to end, its sound would slide against the picture by up to
``RESYNC_S`` and then jump back, a click every few minutes of a lecture. So each source is steered instead:
its blocks are stretched or squeezed a little (at most ``MAX_STEER``, far below hearing a pitch change) so
that where they are laid follows where their stamps say they belong.

The mixer sees every block of every source, so it also keeps each source's meter (``LevelMeter``): the
Studio reads those few numbers at display rate; no block ever goes to the UI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .frames import AUDIO_RATE, Samples
from .meter import LevelMeter, MeterReading
from .source import AudioSource

RESYNC_S = 0.04
MAX_STEER = 0.005  # the most a block is stretched or squeezed: 0.5%, under 9 cents of pitch
STEER_S = 2.0  # the smoothed disagreement is worked off over about this long
SMOOTH_S = 0.5  # stamps jitter by a millisecond or two: steer by their average over about this long


class _Track:
    __slots__ = ("chunks", "cursor", "error", "owed")

    def __init__(self) -> None:
        self.cursor: int | None = None
        self.chunks: list[tuple[int, Samples]] = []
        self.error = 0.0  # smoothed samples by which the stamps run ahead (+) or behind (-) the laid blocks
        self.owed = 0.0  # the fraction of a sample the steering has still to add (+) or take (-)

    def steer(self, samples: Samples, error: int) -> Samples:
        """``samples`` resampled to follow the stamps: a proportional controller on the smoothed error."""
        n = len(samples)
        self.error += (error - self.error) * min(1.0, n / AUDIO_RATE / SMOOTH_S)
        rate = max(-MAX_STEER, min(MAX_STEER, self.error / (AUDIO_RATE * STEER_S)))
        self.owed += n * rate
        extra = math.trunc(self.owed)
        if extra == 0 or n < 2:
            return samples
        self.owed -= extra
        positions = np.linspace(0.0, n - 1, n + extra)
        return np.interp(positions, np.arange(n), samples).astype(np.float32)


class AudioMixer:
    def __init__(self) -> None:
        self._tracks: dict[int, _Track] = {}
        self.meters: dict[str, LevelMeter] = {}  # by source name: fed here, read by the Studio
        self.position: int | None = None  # next absolute sample index to hand out
        self.resyncs = 0

    def begin(self, t: float) -> None:
        self.position = math.floor(t * AUDIO_RATE)

    def collect(self, sources: Sequence[AudioSource]) -> None:
        live = {id(s) for s in sources}
        for key in [k for k in self._tracks if k not in live]:
            del self._tracks[key]
        names = {s.name for s in sources}
        for name in [n for n in self.meters if n not in names]:
            del self.meters[name]
        for source in sources:
            track = self._tracks.setdefault(id(source), _Track())
            meter = self.meters.get(source.name)
            if meter is None:
                meter = self.meters[source.name] = LevelMeter()
            for block in source.take():
                meter.feed(block.stamp, block.samples)
                index = round(block.stamp * AUDIO_RATE)
                if track.cursor is None or abs(index - track.cursor) > RESYNC_S * AUDIO_RATE:
                    if track.cursor is not None:
                        self.resyncs += 1
                    track.cursor = index
                    track.error = track.owed = 0.0
                samples = track.steer(block.samples, index - track.cursor)
                track.chunks.append((track.cursor, samples))
                track.cursor += len(samples)

    def readings(self, now: float) -> dict[str, MeterReading]:
        """Each audio source's meter at clock time ``now`` (any thread: a few floats are read)."""
        return {name: meter.read(now) for name, meter in list(self.meters.items())}

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
