"""Microphones through PortAudio (PyAudio): a picker's list, gain, a level, and a clear state when one vanishes.

PortAudio delivers blocks on its own thread; a watchdog here notices a device that stops answering
instead of waiting in a read that never returns.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .clock import Clock
from .frames import AUDIO_BLOCK, AUDIO_RATE, AudioBlock
from .source import AudioSource, SourceState

STALL_S = 1.0  # no samples for this long: the device is gone
# The stream clock maps to ours by (our time - stream time) at a callback; a callback that waited for the CPU or the
# GIL sees that gap too large, so the smallest gap seen is the mapping. It may grow this fast (clocks that drift
# apart), and a jump past REBASE_S (a re-based stream clock) is taken at once.
OFFSET_LEAK = 0.002  # s per s
REBASE_S = 0.5
RETRY_S = 1.0


@dataclass(frozen=True, slots=True)
class MicrophoneInfo:
    index: int
    name: str
    channels: int
    default_rate: float
    is_default: bool = False


def _pyaudio() -> Any:
    import pyaudio  # late: PortAudio scans every device on import-time init, slow and noisy

    return pyaudio.PyAudio()


def list_microphones() -> list[MicrophoneInfo]:
    """Blocking (PortAudio scans devices): call through ``offload``. Empty when there is no audio at all."""
    try:
        pa = _pyaudio()
    except Exception:
        return []
    try:
        try:
            default = int(pa.get_default_input_device_info()["index"])
        except OSError:
            default = -1
        found = []
        for i in range(pa.get_device_count()):
            info = pa.get_device_info_by_index(i)
            if int(info.get("maxInputChannels", 0)) > 0:
                found.append(MicrophoneInfo(i, str(info["name"]), int(info["maxInputChannels"]),
                                            float(info["defaultSampleRate"]), i == default))
        return found
    finally:
        pa.terminate()


class Microphone(AudioSource):
    """``device`` is a PortAudio index, a name (substring), or None for the system default."""

    def __init__(self, name: str = "microphone", device: int | str | None = None, gain_db: float = 0.0) -> None:
        super().__init__(name, gain_db)
        self.device = device

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        while not stop.is_set():
            try:
                self._session(stop, clock)
            except Exception as exc:  # PortAudio speaks in OSError with numbers; say it plainly
                state = SourceState.LOST if self.captured else SourceState.FAILED
                self._set_state(state, f"microphone unavailable: {exc}")
            if stop.wait(RETRY_S):
                break
        self.level_db = float("-inf")

    def _resolve_device(self, pa: Any) -> int | None:
        if self.device is None or isinstance(self.device, int):
            return self.device
        for i in range(pa.get_device_count()):
            info = pa.get_device_info_by_index(i)
            if int(info.get("maxInputChannels", 0)) > 0 and str(self.device).lower() in str(info["name"]).lower():
                return i
        raise OSError(f"no input device named {self.device!r}")

    def _session(self, stop: threading.Event, clock: Clock) -> None:
        """One open stream, until the device stalls or errs (then the caller reopens after a pause).

        PortAudio calls back on its own thread with the ADC time of each block; we map that stream time to
        our clock, so a device that delivers in bursts (PulseAudio's virtual sources do, 2 s at a time)
        still gets each block's true capture time.
        """
        import pyaudio

        pa = _pyaudio()
        stream = None
        last = [clock.now(), 0.0]  # time of the last callback, longest gap seen between callbacks
        mapping = [float("inf"), 0.0]  # our clock minus the stream's (the least delayed seen), when last updated

        def on_block(data: bytes | None, count: int, times: dict[str, float], status: int) -> tuple[None, int]:
            now = clock.now()
            last[1] = max(last[1], now - last[0])
            last[0] = now
            adc, current = times.get("input_buffer_adc_time", 0.0), times.get("current_time", 0.0)
            if adc > 0 and current > 0:
                seen = now - current
                allowed = mapping[0] + OFFSET_LEAK * (now - mapping[1])
                mapping[0] = seen if seen < allowed or seen - allowed > REBASE_S else allowed
                mapping[1] = now
                stamp = adc + mapping[0]
            else:
                stamp = now - count / AUDIO_RATE
            if data:
                self.publish(AudioBlock(stamp, np.frombuffer(data, np.int16).astype(np.float32) / 32768.0))
            return None, pyaudio.paContinue

        try:
            stream = pa.open(format=pyaudio.paInt16, channels=1, rate=AUDIO_RATE, input=True,
                             input_device_index=self._resolve_device(pa), frames_per_buffer=AUDIO_BLOCK,
                             stream_callback=on_block)
            last[0] = clock.now()
            while not stop.wait(0.05):
                stall = max(STALL_S, 1.5 * last[1])
                if not stream.is_active() or clock.now() - last[0] > stall:
                    self._set_state(SourceState.LOST, "the microphone stopped sending sound (unplugged?)")
                    self.level_db = float("-inf")
                    return
        finally:
            if stream is not None:
                try:
                    stream.close()
                except Exception:
                    pass
            pa.terminate()
