"""An audio meter as OBS's mixer shows one: a falling peak, a loudness (RMS), a peak hold and a clip mark, in dBFS.

Fed block by block on the compositor's thread (the mixer sees every block); read at display rate from any
thread. Times are the shared clock's, so the peak falls and the hold lets go on the clock the sound has,
whether or not anybody reads in between. Reading is a handful of float operations: nothing is queued for a UI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .frames import AUDIO_RATE, Samples

SILENCE_DB = -math.inf
FALL_DB_PER_S = 20.0  # how fast the peak bar falls after a loud moment (OBS's "fast" is 20 dB/s)
HOLD_S = 2.0  # how long the peak-hold line stays at the loudest moment
RMS_S = 0.3  # the loudness is the mean square over about this long (OBS's magnitude integration time)
CLIP_LEVEL = 0.999  # a sample this close to full scale (int16's 32767 included) is clipping
CLIP_HOLD_S = 10.0  # the clip mark stays this long after the last clipped sample, unless it is reset
STALE_S = 0.5  # no block for this long: the source is silent (a stalled microphone shows nothing, not its last)


@dataclass(frozen=True, slots=True)
class MeterReading:
    peak_db: float = SILENCE_DB  # the falling sample peak
    rms_db: float = SILENCE_DB
    hold_db: float = SILENCE_DB  # the loudest peak of the last ``HOLD_S``
    clipped: bool = False


def to_db(amplitude: float) -> float:
    return 20 * math.log10(amplitude) if amplitude > 1e-6 else SILENCE_DB


class LevelMeter:
    def __init__(self) -> None:
        self._peak_db = SILENCE_DB
        self._peak_at = 0.0
        self._hold_db = SILENCE_DB
        self._hold_at = 0.0
        self._mean_square = 0.0
        self._last_at: float | None = None  # the clock time of the end of the last block
        self._clip_at: float | None = None

    def feed(self, stamp: float, samples: Samples) -> None:
        n = len(samples)
        if n == 0:
            return
        end = stamp + n / AUDIO_RATE
        peak = float(np.max(np.abs(samples)))
        peak_db = to_db(peak)
        if peak_db >= self._falling(end):
            self._peak_db, self._peak_at = peak_db, end
        if peak_db >= self._hold_db or end - self._hold_at > HOLD_S:
            self._hold_db, self._hold_at = peak_db, end
        weight = 1.0 - math.exp(-n / (AUDIO_RATE * RMS_S))
        square = float(np.dot(samples, samples)) / n
        if self._last_at is None or stamp - self._last_at > STALE_S:
            self._mean_square = square  # after silence the loudness starts from this block, not from zero
        else:
            self._mean_square += (square - self._mean_square) * weight
        if peak >= CLIP_LEVEL:
            self._clip_at = end
        self._last_at = end

    def _falling(self, now: float) -> float:
        return self._peak_db - FALL_DB_PER_S * max(0.0, now - self._peak_at)

    def read(self, now: float) -> MeterReading:
        if self._last_at is None:
            return MeterReading()
        fresh = now - self._last_at <= STALE_S
        peak = max(SILENCE_DB, self._falling(now))
        hold = self._hold_db if now - self._hold_at <= HOLD_S else peak
        clipped = self._clip_at is not None and now - self._clip_at <= CLIP_HOLD_S
        rms = to_db(math.sqrt(self._mean_square)) if fresh else SILENCE_DB
        return MeterReading(peak, rms, max(hold, peak), clipped)

    def reset_clip(self) -> None:
        """The technician saw it (a click on the mark): the next clipped sample sets it again."""
        self._clip_at = None
