"""What every source shares: a state the user can read, a capture thread, and honest counters."""

from __future__ import annotations

import collections
import enum
import math
import threading
from dataclasses import dataclass

import numpy as np

from ._worker import Worker
from .clock import Clock
from .frames import AUDIO_RATE, AudioBlock, VideoFrame

MAX_LATENESS_S = 3.0


class SourceState(enum.StrEnum):
    IDLE = "idle"
    STARTING = "starting"
    LIVE = "live"
    LOST = "lost"  # was there, vanished; the source keeps trying to come back
    FAILED = "failed"  # cannot start at all (no such device, bad URL)
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    kind: str
    state: SourceState
    message: str = ""
    captured: int = 0
    dropped: int = 0
    level_db: float = -math.inf


class Source:
    """Base: a capture thread paced by the shared clock; subclasses implement ``_capture``."""

    kind = "source"

    def __init__(self, name: str) -> None:
        self.name = name
        self.state = SourceState.IDLE
        self.message = ""
        self.captured = 0
        self.dropped = 0
        self.clock: Clock | None = None
        self._worker: Worker | None = None

    def _set_state(self, state: SourceState, message: str = "") -> None:
        self.state, self.message = state, message

    def start(self, clock: Clock) -> None:
        self.clock = clock
        self._set_state(SourceState.STARTING)
        clock.join()
        self._worker = Worker(f"source-{self.name}", self._body)
        self._worker.start()

    def _body(self, stop: threading.Event) -> None:
        assert self.clock is not None
        try:
            self._capture(stop, self.clock)
        except Exception as exc:
            self._set_state(SourceState.FAILED, str(exc))
            raise
        finally:
            self.clock.leave()
        if self.state is not SourceState.FAILED:
            self._set_state(SourceState.STOPPED, self.message)

    def _capture(self, stop: threading.Event, clock: Clock) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()

    def join(self, timeout: float | None = None) -> bool:
        return self._worker is None or self._worker.join(timeout)

    def status(self) -> SourceStatus:
        return SourceStatus(self.name, self.kind, self.state, self.message, self.captured, self.dropped)


class VideoSource(Source):
    """Keeps the last few frames so the compositor can pick by stamp, not by arrival."""

    kind = "video"
    KEEP = 8  # at most; and none the compositor has gone past (``release_before``): a 1080p frame is 3 MB

    def __init__(self, name: str, fps: float) -> None:
        super().__init__(name)
        self.fps = fps
        self._frames: collections.deque[VideoFrame] = collections.deque(maxlen=self.KEEP)
        self._lock = threading.Lock()
        self.nudge: threading.Event | None = None  # set after each frame (the program's, to compose sooner)

    def publish(self, frame: VideoFrame) -> None:
        """Called on the capture thread; a gap longer than 1.5 frame periods counts the missing frames."""
        with self._lock:
            if self._frames:
                gap = (frame.stamp - self._frames[-1].stamp) * self.fps
                if gap > 1.5:
                    self.dropped += round(gap) - 1
            self._frames.append(frame)
        self.captured += 1
        if self.state is not SourceState.LIVE:
            self._set_state(SourceState.LIVE)
        if self.nudge is not None:
            self.nudge.set()

    def covers(self, t: float) -> bool:
        """Whether the frame for instant ``t`` is in: the newest is so recent that the next one is due after ``t``
        (a starting source is waited for, to the compositor's deadline; a lost or stopped one is not)."""
        if self.state not in (SourceState.LIVE, SourceState.STARTING):
            return True
        with self._lock:
            return bool(self._frames) and self._frames[-1].stamp + 1.0 / self.fps > t + 1e-3

    def release_before(self, t: float) -> None:
        """The compositor is done with instants before ``t``: only the newest frame at or before it is still
        needed (for ``t`` itself), so older ones go back to their pool now rather than when KEEP pushes them out."""
        with self._lock:
            frames = self._frames
            while len(frames) > 1 and frames[1].stamp <= t + 1e-3:
                frames.popleft()

    def frame_at(self, t: float) -> VideoFrame | None:
        """The newest frame captured at or before ``t`` (plus a millisecond of rounding)."""
        with self._lock:
            for frame in reversed(self._frames):
                if frame.stamp <= t + 1e-3:
                    return frame
            return self._frames[0] if self._frames else None


class AudioSource(Source):
    """Hands blocks to the mixer through a queue; keeps a level for the meter."""

    kind = "audio"

    def __init__(self, name: str, gain_db: float = 0.0) -> None:
        super().__init__(name)
        self.gain_db = gain_db
        self.level_db = -math.inf
        self.lateness_s = 0.0  # the longest a block took to arrive after its last sample: the mixer waits that long
        self._blocks: collections.deque[AudioBlock] = collections.deque(maxlen=AUDIO_RATE // 960 * 10)

    def publish(self, block: AudioBlock) -> None:
        if self.clock is not None:
            late = self.clock.now() - (block.stamp + len(block.samples) / AUDIO_RATE)
            self.lateness_s = min(MAX_LATENESS_S, max(self.lateness_s, late))
        samples = block.samples
        if self.gain_db:
            samples = np.clip(samples * np.float32(10 ** (self.gain_db / 20)), -1.0, 1.0).astype(np.float32)
            block = AudioBlock(block.stamp, samples)
        peak = float(np.max(np.abs(samples))) if samples.size else 0.0
        self.level_db = 20 * math.log10(peak) if peak > 1e-6 else -math.inf
        if len(self._blocks) == self._blocks.maxlen:
            self.dropped += 1  # nobody is reading (no mixer): the oldest block falls off
        self._blocks.append(block)
        self.captured += 1
        if self.state is not SourceState.LIVE:
            self._set_state(SourceState.LIVE)

    def take(self) -> list[AudioBlock]:
        """Everything captured since the last call, oldest first (the mixer's side)."""
        out = []
        while self._blocks:
            out.append(self._blocks.popleft())
        return out

    def status(self) -> SourceStatus:
        return SourceStatus(
            self.name, self.kind, self.state, self.message, self.captured, self.dropped, self.level_db
        )
