"""A PTZ head that moves at a motor's pace: its position is a function of monotonic time, never a loop.

Every call is thread-safe (the stream renders on a worker thread while the loop drives the head). Each
axis stores how its current move goes (a constant drive, or an eased glide to a target) and since when;
``position()`` works out where the head is now. Axes move independently, as VISCA drives pan/tilt and
zoom with separate commands. Speeds follow a real head: the full pan range takes ``pan_range_s`` at top
speed; a preset recall (or home) takes ``preset_s`` whatever the distance, all axes arriving together.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.sim.ptz import PtzPosition

LIMITS = {"pan": (-1.0, 1.0), "tilt": (-1.0, 1.0), "zoom": (0.0, 1.0)}
AXES = ("pan", "tilt", "zoom")
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class MotorProfile:
    pan_range_s: float = 3.0  # -1 to 1 at top speed
    tilt_range_s: float = 2.5
    zoom_range_s: float = 2.5  # wide end to tele end
    preset_s: float = 1.0  # a preset recall or home

    def top_speed(self, axis: str) -> float:
        low, high = LIMITS[axis]
        return (high - low) / {"pan": self.pan_range_s, "tilt": self.tilt_range_s, "zoom": self.zoom_range_s}[axis]


@dataclass(frozen=True, slots=True)
class _Drive:
    """Constant speed (units per second) from ``origin`` at ``start``, stopping at the axis' limits."""

    axis: str
    origin: float
    start: float
    velocity: float

    def at(self, now: float) -> float:
        return _clamp(self.axis, self.origin + self.velocity * max(0.0, now - self.start))

    def remaining(self, now: float) -> float:
        low, high = LIMITS[self.axis]
        value = self.at(now)
        if self.velocity > 0 and value < high - _EPSILON:
            return (high - value) / self.velocity
        if self.velocity < 0 and value > low + _EPSILON:
            return (value - low) / -self.velocity
        return 0.0


@dataclass(frozen=True, slots=True)
class _Glide:
    """From ``origin`` to ``target`` in ``duration``, accelerating and braking as a motor does."""

    origin: float
    target: float
    start: float
    duration: float

    def at(self, now: float) -> float:
        if self.duration <= 0:
            return self.target
        u = max(0.0, (now - self.start) / self.duration)
        if u >= 1.0:
            return self.target  # exactly: an arrived head reports its target, not a rounding of it
        return self.origin + (self.target - self.origin) * u * u * (3 - 2 * u)

    def remaining(self, now: float) -> float:
        return max(0.0, self.start + self.duration - now)


_Motion = _Drive | _Glide


class SimulatedHead:
    """Implements devices.sim.ptz.PtzHead; ``remaining_s`` and ``generation`` let endpoints await arrival."""

    def __init__(self, motor: MotorProfile | None = None, *, home: PtzPosition | None = None,
                 presets: dict[int, tuple[str, PtzPosition]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.motor = motor or MotorProfile()
        self._home = _clamped(home or PtzPosition())
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        self._axes: dict[str, _Motion] = {a: _Glide(getattr(self._home, a), getattr(self._home, a), now, 0.0)
                                          for a in AXES}
        self._presets = {n: (name, _clamped(p)) for n, (name, p) in (presets or {}).items()}
        self._powered = True
        self._generations = dict.fromkeys(AXES, 0)

    def position(self) -> PtzPosition:
        with self._lock:
            return self._position(self._clock())

    def moving(self) -> bool:
        return self.remaining_s() > 0

    def remaining_s(self, *axes: str) -> float:
        """Seconds until these axes (default all) are still; a drive ends at its limit."""
        with self._lock:
            now = self._clock()
            return max(self._axes[a].remaining(now) for a in axes or AXES)

    def generation(self, *axes: str) -> tuple[int, ...]:
        """Counts the moves started on these axes (default all): a superseded move's waiter sees it change."""
        with self._lock:
            return tuple(self._generations[a] for a in axes or AXES)

    def drive(self, pan_speed: float, tilt_speed: float, zoom_speed: float) -> None:
        self.drive_axes(pan=pan_speed, tilt=tilt_speed, zoom=zoom_speed)

    def drive_axes(self, **speeds: float) -> None:
        """Drive some axes at signed fractions of their top speed (0 holds); the others go on as they were."""
        with self._lock:
            if not self._powered:
                return
            now = self._clock()
            for axis, speed in speeds.items():
                fraction = 0.0 if math.isnan(speed) else max(-1.0, min(1.0, speed))
                here = self._axes[axis].at(now)
                self._axes[axis] = _Drive(axis, here, now, fraction * self.motor.top_speed(axis)) if fraction \
                    else _Glide(here, here, now, 0.0)
                self._generations[axis] += 1

    def stop(self) -> None:
        with self._lock:
            now = self._clock()
            for axis, motion in self._axes.items():
                here = motion.at(now)
                self._axes[axis] = _Glide(here, here, now, 0.0)
                self._generations[axis] += 1

    def go_to(self, target: PtzPosition, speed: float = 1.0) -> None:
        """All axes together, timed by the one with the furthest to go at ``speed`` of its top speed."""
        self.go_to_axes(speed, pan=target.pan, tilt=target.tilt, zoom=target.zoom)

    def go_to_axes(self, speed: float = 1.0, **targets: float) -> None:
        """An absolute move of some axes (VISCA moves pan/tilt and zoom with separate commands)."""
        fraction = max(0.01, min(1.0, abs(speed))) if not math.isnan(speed) else 1.0
        with self._lock:
            now = self._clock()
            goals = {a: _clamp(a, v) for a, v in targets.items()}
            duration = max((abs(v - self._axes[a].at(now)) / (fraction * self.motor.top_speed(a))
                            for a, v in goals.items()), default=0.0)
            self._glide(now, goals, duration)

    def home(self) -> None:
        self._glide_in_preset_time(self._home)

    def store_preset(self, number: int, name: str = "") -> None:
        with self._lock:
            self._presets[number] = (name or f"Preset {number}", self._position(self._clock()))

    def recall_preset(self, number: int) -> bool:
        with self._lock:
            preset = self._presets.get(number)
        if preset is None:
            return False
        self._glide_in_preset_time(preset[1])
        return True

    def forget_preset(self, number: int) -> bool:
        with self._lock:
            return self._presets.pop(number, None) is not None

    def presets(self) -> dict[int, tuple[str, PtzPosition]]:
        with self._lock:
            return dict(self._presets)

    @property
    def powered(self) -> bool:
        with self._lock:
            return self._powered

    def set_power(self, on: bool) -> None:
        """Standby stops the head where it is; moves are ignored until it is on again."""
        self.stop()
        with self._lock:
            self._powered = on

    def _glide_in_preset_time(self, target: PtzPosition) -> None:
        with self._lock:
            now = self._clock()
            goals = {a: getattr(target, a) for a in AXES}
            far = any(abs(v - self._axes[a].at(now)) > _EPSILON for a, v in goals.items())
            self._glide(now, goals, self.motor.preset_s if far else 0.0)

    def _glide(self, now: float, goals: dict[str, float], duration: float) -> None:
        """Caller holds the lock."""
        if not self._powered:
            return
        for axis, goal in goals.items():
            self._axes[axis] = _Glide(self._axes[axis].at(now), goal, now, duration)
            self._generations[axis] += 1

    def _position(self, now: float) -> PtzPosition:
        return PtzPosition(*(self._axes[a].at(now) for a in AXES))


def _clamp(axis: str, value: float) -> float:
    low, high = LIMITS[axis]
    return low if math.isnan(value) else max(low, min(high, value))


def _clamped(p: PtzPosition) -> PtzPosition:
    return PtzPosition(*(_clamp(a, getattr(p, a)) for a in AXES))
