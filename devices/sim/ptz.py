"""The contract between a simulated camera's head and the protocols that drive it (VISCA, ONVIF).

Both protocol endpoints of one simulated camera move the same head, so a preset stored over VISCA is
recalled over ONVIF and the picture follows either. Positions and speeds are normalised the way ONVIF
does: pan and tilt in [-1, 1], zoom in [0, 1] (0 widest); speeds in [-1, 1] of the motor's top speed.
A protocol maps its own units (VISCA's integer positions and speed bytes) onto these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PtzPosition:
    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0


class PtzHead(Protocol):
    """What a protocol endpoint may ask of the head. Moves take time, at the motor's speed."""

    def position(self) -> PtzPosition:
        """Where the head is now (mid-move too)."""
        ...

    def moving(self) -> bool: ...

    def drive(self, pan_speed: float, tilt_speed: float, zoom_speed: float) -> None:
        """Move continuously at these speeds until ``stop`` (or a limit); 0 holds that axis."""
        ...

    def stop(self) -> None: ...

    def go_to(self, target: PtzPosition, speed: float = 1.0) -> None:
        """Start an absolute move; returns at once, the head arrives at the motor's pace."""
        ...

    def home(self) -> None: ...

    def store_preset(self, number: int, name: str = "") -> None: ...

    def recall_preset(self, number: int) -> bool:
        """Start moving to a stored preset; False when there is no such preset."""
        ...

    def presets(self) -> dict[int, tuple[str, PtzPosition]]: ...

    @property
    def powered(self) -> bool: ...

    def set_power(self, on: bool) -> None: ...
