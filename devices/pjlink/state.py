"""A snapshot of everything a PJLink device reports, so the UI and the log read one object."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from devices.pjlink.values import ErrorStatus, Input, Lamp, Mute, PowerState

STATIC_FIELDS = (
    "pjlink_class", "name", "manufacturer", "product", "info", "inputs", "serial_number",
    "software_version", "input_names", "recommended_resolution", "lamp_model", "filter_model",
)


@dataclass(frozen=True, slots=True)
class ProjectorState:
    """None means not reported; ``unavailable`` lists fields that answered ERR3 (not now, not a fault)."""

    power: PowerState | None = None
    input: Input | None = None
    mute: Mute | None = None
    errors: ErrorStatus | None = None
    lamps: tuple[Lamp, ...] | None = None
    pjlink_class: int | None = None
    name: str | None = None
    manufacturer: str | None = None
    product: str | None = None
    info: str | None = None
    inputs: tuple[Input, ...] = ()
    serial_number: str | None = None
    software_version: str | None = None
    input_names: dict[str, str] = field(default_factory=dict)
    input_resolution: tuple[int, int] | None = None
    recommended_resolution: tuple[int, int] | None = None
    filter_hours: int | None = None
    lamp_model: str | None = None
    filter_model: str | None = None
    freeze: bool | None = None
    unavailable: frozenset[str] = frozenset()
    unsupported: frozenset[str] = frozenset()
    failed: frozenset[str] = frozenset()

    @property
    def lamp_hours(self) -> int | None:
        return max((lamp.hours for lamp in self.lamps), default=None) if self.lamps else None

    @property
    def fault(self) -> bool:
        """True when the device reports an ERST error or answered ERR4 somewhere."""
        return bool(self.failed) or (self.errors is not None and self.errors.worst == 2)

    def static_part(self) -> ProjectorState:
        """Keep only what does not change while powered, so a poll need not ask again."""
        return replace(ProjectorState(), **{name: getattr(self, name) for name in STATIC_FIELDS})
