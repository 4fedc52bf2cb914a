"""A microphone whose crystal runs off the clock: its sound follows the picture without jumps or clicks.

The device is simulated on its own sample clock (a few hundred ppm off is usual for USB microphones; the tests
exaggerate it so that a minute shows what a lecture would), sampling a signal that is a function of real time:
a quiet hum and a beep at every sync instant, as a microphone would hear the room.
"""

from __future__ import annotations

import math
import random
import threading
from pathlib import Path

import numpy as np
import pytest

from classroom_console.media import AUDIO_RATE, SYNC_PERIOD_S, AudioBlock, Clock, SimulatedClock, TestPattern
from classroom_console.media.mixer import RESYNC_S, AudioMixer
from classroom_console.media.probe import av_offsets
from classroom_console.media.source import AudioSource
from classroom_console.media.synthetic import BEEP_HZ, FLASH_S
from tests.test_record_output import record

HUM_HZ = 220.0
BLOCK = 960  # 20 ms, a microphone's usual buffer


def heard(t: np.ndarray) -> np.ndarray:
    """What the microphone hears at real times ``t``: the hum, and the beep in each sync instant's first 100 ms."""
    hum = 0.03 * np.sin(2 * np.pi * HUM_HZ * t)
    beep = np.where((t + 1e-9) % SYNC_PERIOD_S < FLASH_S, 0.5 * np.sin(2 * np.pi * BEEP_HZ * t), 0.0)
    return (hum + beep).astype(np.float32)


class DriftingMicrophone(AudioSource):
    """Blocks of ``BLOCK`` samples at 48 kHz by its own crystal, which runs ``ppm`` fast (+) or slow (-)."""

    def __init__(self, ppm: float) -> None:
        super().__init__("drifting-mic")
        self.rate = AUDIO_RATE * (1 + ppm * 1e-6)

    def block(self, start: float) -> AudioBlock:
        return AudioBlock(start, heard(start + np.arange(BLOCK) / self.rate))

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        origin = math.ceil(clock.now() * 10) / 10
        count = 0
        while clock.sleep_until(origin + (count + BLOCK) / self.rate, stop):
            self.publish(self.block(origin + count / self.rate))
            count += BLOCK


def beep_onsets(samples: np.ndarray, first: int) -> list[float]:
    """Clock times of each beep's first loud sample."""
    loud = np.flatnonzero(np.abs(samples) > 0.25)
    starts = loud[np.insert(np.diff(loud) > AUDIO_RATE * SYNC_PERIOD_S / 2, 0, True)] if len(loud) else loud
    return [(first + int(i)) / AUDIO_RATE for i in starts]


@pytest.mark.parametrize("ppm", [1000.0, -1000.0])
def test_a_drifting_microphone_is_steered_not_jumped(ppm: float) -> None:
    """Two minutes at 1000 ppm drift 120 ms: laid end to end that is three jumps; steered, none, and the beeps
    stay within 3 ms of their instants while the hum between them runs on without a click."""
    mic = DriftingMicrophone(ppm)
    mixer = AudioMixer()
    mixer.begin(100.0)
    jitter = random.Random(7)
    pieces: list[np.ndarray] = []
    first_sample: int | None = None
    count = 0
    while count / mic.rate < 120.0:  # bounded: 6000 blocks
        stamp = 100.0 + count / mic.rate
        block = mic.block(stamp)
        mic.publish(AudioBlock(stamp + jitter.uniform(-0.001, 0.001), block.samples))  # stamps jitter by 1 ms
        count += BLOCK
        mixer.collect([mic])
        pulled = mixer.pull(stamp - 0.25)
        if pulled is not None:
            first_sample = pulled[0] if first_sample is None else first_sample
            pieces.append(pulled[1])
    assert first_sample is not None
    mixed = np.concatenate(pieces)
    assert mixer.resyncs == 0
    onsets = beep_onsets(mixed, first_sample)
    assert len(onsets) >= 55
    errors = [t - round(t / SYNC_PERIOD_S) * SYNC_PERIOD_S for t in onsets]
    assert max(abs(e) for e in errors) < 0.003, errors
    times = (first_sample + np.arange(len(mixed))) / AUDIO_RATE
    between = ((times % SYNC_PERIOD_S) > FLASH_S + 0.01) & ((times % SYNC_PERIOD_S) < SYNC_PERIOD_S - 0.01)
    steps = np.abs(np.diff(mixed))[between[1:] & between[:-1]]
    hum_step = 2 * np.pi * HUM_HZ / AUDIO_RATE * 0.03
    assert steps.max() < 1.5 * hum_step, "a click in the hum"


def test_a_stall_still_moves_the_source_to_its_stamp() -> None:
    """Steering is for drift; a device that stalls for longer than RESYNC_S is moved at once, and counted."""
    mic = DriftingMicrophone(0.0)
    mixer = AudioMixer()
    mixer.begin(10.0)
    mic.publish(mic.block(10.0))
    mic.publish(mic.block(10.0 + BLOCK / AUDIO_RATE + 2 * RESYNC_S))
    mixer.collect([mic])
    assert mixer.resyncs == 1


DRIFT_S = 30.0  # recorded seconds: the encoder's work, so the drift is sped up instead of the recording made long
DRIFT_PPM = 1600.0  # over DRIFT_S, 48 ms: a minute at 800 ppm, past RESYNC_S, so unsteered it would jump


@pytest.mark.parametrize("ppm", [DRIFT_PPM, -DRIFT_PPM])
def test_a_minute_with_a_drifting_microphone_stays_in_sync(tmp_path: Path, ppm: float) -> None:
    """Through the whole recorder: flashes against a drifting microphone's beeps, measured in the file."""
    assert DRIFT_S * DRIFT_PPM * 1e-6 > RESYNC_S, "laid end to end, the sound would have to jump"
    result = record(tmp_path / "drift.mp4", size=(320, 180), duration=DRIFT_S, clock=SimulatedClock(),
                    sources=[TestPattern(size=(320, 180)), DriftingMicrophone(ppm)])
    offsets = av_offsets(result.path)
    assert result.stats.audio_resyncs == 0
    assert len(offsets) >= DRIFT_S / SYNC_PERIOD_S - 1
    assert max(abs(o) for o in offsets) <= 0.010, offsets
