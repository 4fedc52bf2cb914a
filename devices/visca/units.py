"""One camera's VISCA ranges, and the mapping to the normalised units the rest of the console uses.

The core and ONVIF speak pan/tilt in [-1, 1], zoom in [0, 1] and speeds as fractions of the top
speed; VISCA speaks integer positions and speed bytes whose limits differ by model, so each camera has
a profile. The default is a Sony SRG-class head.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ViscaRanges:
    pan_min: int = -0x0990
    pan_max: int = 0x0990
    tilt_min: int = -0x0510
    tilt_max: int = 0x0510
    zoom_max: int = 0x4000  # optical tele end; 0 is widest
    pan_speed_max: int = 0x18
    tilt_speed_max: int = 0x17
    zoom_speed_max: int = 7

    def pan_to_visca(self, pan: float) -> int:
        return _lerp(pan, self.pan_min, self.pan_max)

    def tilt_to_visca(self, tilt: float) -> int:
        return _lerp(tilt, self.tilt_min, self.tilt_max)

    def zoom_to_visca(self, zoom: float) -> int:
        return round(_clamp(zoom, 0.0, 1.0) * self.zoom_max)

    def pan_from_visca(self, value: int) -> float:
        return _unlerp(value, self.pan_min, self.pan_max)

    def tilt_from_visca(self, value: int) -> float:
        return _unlerp(value, self.tilt_min, self.tilt_max)

    def zoom_from_visca(self, value: int) -> float:
        return _clamp(value / self.zoom_max, 0.0, 1.0)

    def pan_speed(self, fraction: float) -> int:
        return speed_byte(fraction, self.pan_speed_max)

    def tilt_speed(self, fraction: float) -> int:
        return speed_byte(fraction, self.tilt_speed_max)

    def pan_speed_fraction(self, byte: int) -> float:
        return _clamp(byte / self.pan_speed_max, 0.0, 1.0)

    def tilt_speed_fraction(self, byte: int) -> float:
        return _clamp(byte / self.tilt_speed_max, 0.0, 1.0)


def speed_byte(fraction: float, top: int) -> int:
    """|fraction| of the top speed as a speed byte, at least 1 (VISCA has no speed 0)."""
    return max(1, min(top, round(abs(fraction) * top)))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _lerp(x: float, low: int, high: int) -> int:
    return round(low + (_clamp(x, -1.0, 1.0) + 1.0) / 2.0 * (high - low))


def _unlerp(value: int, low: int, high: int) -> float:
    return _clamp((value - low) / (high - low) * 2.0 - 1.0, -1.0, 1.0)
