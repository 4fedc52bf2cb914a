"""Microphones through PyAudio against a real virtual microphone: PulseAudio with a sine source.

The fixture runs its own PulseAudio daemon (null sink + sine source) on a private socket; when the
``pulseaudio`` binary is missing or cannot start, these tests skip and say so.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from classroom_console.media import (
    AUDIO_RATE,
    AudioBlock,
    Clock,
    EncoderSettings,
    Microphone,
    MonotonicClock,
    Program,
    Recorder,
    SourceState,
    TestPattern,
    list_microphones,
)
from classroom_console.media.mixer import RESYNC_S, AudioMixer
from classroom_console.media.probe import inspect
from classroom_console.media.source import AudioSource

pytestmark = pytest.mark.skipif(shutil.which("pulseaudio") is None,
                                reason="pulseaudio is not installed (Debian: pulseaudio libasound2-plugins)")


class Pulse:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "HOME": str(self.folder), "PULSE_RUNTIME_PATH": str(self.folder),
               "XDG_RUNTIME_DIR": str(self.folder)}
        self.proc = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
             "-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1",
             "-L", "module-null-sink sink_name=vsink",
             "-L", "module-sine-source source_name=vsine frequency=440"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                self.stop()
                pytest.skip(f"pulseaudio could not start here: {err.strip()[-300:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # vanish, as an unplugged USB microphone does
            self.proc.wait(5)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.socket.unlink(missing_ok=True)


@pytest.fixture
def pulse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pulse]:
    server = Pulse(tmp_path)
    monkeypatch.setenv("PULSE_SERVER", f"unix:{server.socket}")
    monkeypatch.setenv("PULSE_SOURCE", "vsine")
    monkeypatch.setenv("PULSE_SINK", "vsink")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(predicate: Callable[[], object], within: float = 8.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_picker_lists_the_virtual_microphone(pulse: Pulse) -> None:
    names = [m.name for m in list_microphones()]
    assert "pulse" in names or "default" in names, names


def test_reads_the_sine_stamped_on_the_shared_clock_with_level_and_gain(pulse: Pulse) -> None:
    mic = Microphone("mic", gain_db=-6.0)
    mic.start(MonotonicClock())
    try:
        wait_until(lambda: mic.state is SourceState.LIVE)
        time.sleep(2.5)  # PulseAudio's sine source delivers in 2 s bursts: see more than one
        level = mic.status().level_db
    finally:
        mic.stop()
        assert mic.join(5)
    blocks = mic.take()
    stamps = np.array([b.stamp for b in blocks])
    assert len(stamps) >= 150
    # Each block carries its own capture time (from PortAudio's ADC time), even inside a 2 s burst. The
    # virtual source's sample clock runs a few % off the real one, and on a busy machine PulseAudio may
    # drop a stretch of sound (a gap between two blocks' stamps): the stamps follow the real clock, and the
    # mixer lays each block where its stamp says, steering small disagreements and re-syncing (counted) on
    # a gap, so what a recording hears stays on the picture's clock either way.
    assert np.diff(stamps).min() >= -0.001
    laid = _laid_by_the_mixer(blocks)
    assert len(laid) == len(blocks)
    misplaced = [(at, b.stamp) for at, b in zip(laid, blocks, strict=True) if abs(at - b.stamp) > RESYNC_S + 0.002]
    assert not misplaced, misplaced[:5]
    assert time.monotonic() - 3.0 < stamps[-1] < time.monotonic()
    assert stamps[-1] + 0.02 <= time.monotonic()
    assert -14.0 < level < -10.0  # the sine peaks at -6 dBFS, less our 6 dB of gain


class _Taken(AudioSource):
    """Blocks already captured, handed to the mixer as a source would hand them."""

    def __init__(self, blocks: list[AudioBlock]) -> None:
        super().__init__("taken")
        self._replay = blocks

    def take(self) -> list[AudioBlock]:
        blocks, self._replay = self._replay, []
        return blocks

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        raise AssertionError("not started: it only replays blocks")


def _laid_by_the_mixer(blocks: list[AudioBlock]) -> list[float]:
    """Clock time at which the mixer laid each block's first sample."""
    mixer = AudioMixer()
    mixer.collect([_Taken(blocks)])
    (track,) = mixer._tracks.values()
    return [first / AUDIO_RATE for first, _ in track.chunks]


def test_a_microphone_that_does_not_exist_is_a_clear_failure(pulse: Pulse) -> None:
    mic = Microphone("mic", device="no such microphone")
    mic.start(MonotonicClock())
    wait_until(lambda: mic.state is SourceState.FAILED)
    mic.stop()
    assert mic.join(5)
    assert "no input device named" in mic.message


def test_the_microphone_vanishes_mid_recording_and_comes_back(pulse: Pulse, tmp_path: Path) -> None:
    import asyncio

    from classroom_console.media import offload

    mic = Microphone("mic")
    program = Program((320, 180), 30)
    program.add_source(TestPattern(size=(320, 180), fps=30))
    program.add_source(mic)

    async def scenario() -> tuple[float, list[SourceState]]:
        program.start()
        recorder = Recorder(program, tmp_path / "mic.mp4", duration_s=5.0, start_floor_bytes=0,
                            settings=EncoderSettings())
        seen: list[SourceState] = []
        try:
            await recorder.start()
            await offload(lambda: wait_until(lambda: mic.state is SourceState.LIVE, within=30))
            seen.append(mic.state)
            await asyncio.sleep(1.0)
            await offload(pulse.stop)
            await offload(lambda: wait_until(lambda: mic.state is SourceState.LOST, within=30))
            seen.append(mic.state)
            await offload(pulse.start)
            await offload(lambda: wait_until(lambda: mic.state is SourceState.LIVE, within=30))
            seen.append(mic.state)
            result = await recorder.wait()
            return result.duration_s, seen
        finally:
            if recorder.recording:  # a wait timed out: the encoder's thread ends here, not in the next test
                await recorder.stop()
            program.stop()
            await offload(program.join)

    duration, seen = asyncio.run(scenario())
    assert seen == [SourceState.LIVE, SourceState.LOST, SourceState.LIVE]
    assert "stopped sending" in mic.message or "unavailable" in mic.message or mic.state is SourceState.STOPPED
    info = inspect(tmp_path / "mic.mp4")
    assert duration == 5.0 and abs(info.duration_s - 5.0) <= 1 / 30 and info.audio_codec == "aac"
