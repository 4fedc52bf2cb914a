"""The usage report as plain data: one shape for the local store, the centre's API, the CLI and the charts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_LAMP_RATED_HOURS = 3000  # a common projector lamp rating; used when the device does not say
LAMP_WARN_FRACTION = 0.9  # warn once a lamp has used this share of its rated life
TABLETS_NOT_RECORDED = "tablet activity is not recorded yet"


@dataclass(frozen=True, slots=True)
class UsageFilter:
    """Dates are local calendar days, inclusive; ``utc_offset_h`` is the room's offset from UTC."""

    since: date | None = None
    until: date | None = None
    room: str | None = None
    lecturer: str | None = None
    utc_offset_h: float = 0.0
    lamp_rated_hours: int = DEFAULT_LAMP_RATED_HOURS
    session_rows: bool = False  # also one row per session (exports only: the screen does not need them)

    def utc_bounds(self) -> tuple[str, str]:
        """The range as ISO UTC text, comparable with the stored times (open ends are extreme strings)."""
        offset = timedelta(hours=self.utc_offset_h)
        low = "0000"
        high = "9999"
        if self.since is not None:
            low = _iso(datetime(self.since.year, self.since.month, self.since.day, tzinfo=UTC) - offset)
        if self.until is not None:
            end = self.until + timedelta(days=1)
            high = _iso(datetime(end.year, end.month, end.day, tzinfo=UTC) - offset)
        return low, high

    def as_query(self) -> dict[str, str]:
        """For the centre's HTTP API."""
        out: dict[str, str] = {"utc_offset_h": str(self.utc_offset_h), "lamp_rated_hours": str(self.lamp_rated_hours)}
        if self.since:
            out["since"] = self.since.isoformat()
        if self.until:
            out["until"] = self.until.isoformat()
        if self.room:
            out["room"] = self.room
        if self.lecturer:
            out["lecturer"] = self.lecturer
        if self.session_rows:
            out["session_rows"] = "1"
        return out

    @classmethod
    def from_query(cls, query: dict[str, str]) -> UsageFilter:
        """Raises ValueError on a malformed value, which the service answers with 400."""
        return cls(
            since=date.fromisoformat(query["since"]) if query.get("since") else None,
            until=date.fromisoformat(query["until"]) if query.get("until") else None,
            room=query.get("room") or None,
            lecturer=query.get("lecturer") or None,
            utc_offset_h=max(-14.0, min(14.0, float(query.get("utc_offset_h", 0.0)))),
            lamp_rated_hours=max(1, int(query.get("lamp_rated_hours", DEFAULT_LAMP_RATED_HOURS))),
            session_rows=query.get("session_rows", "") in ("1", "True", "true"),
        )


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class NamedCount:
    name: str
    sessions: int
    hours: float


@dataclass(frozen=True, slots=True)
class RoomWeek:
    room: str
    week: str  # the Monday that starts the week, ISO date
    hours: float


@dataclass(frozen=True, slots=True)
class RecordingTotals:
    count: int = 0
    hours: float = 0.0
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class DeviceUsage:
    uid: str
    name: str
    kind: str
    room: str
    hours_in_sessions: float
    lamp_hours: int | None
    lamp_rated_hours: int
    lamp_warning: bool


@dataclass(frozen=True, slots=True)
class DeviceFaults:
    uid: str
    name: str
    fault_events: int
    fault_readings: int
    last_at: str


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One session as an export lists it; ``start_s`` is local time (the filter's offset) in epoch seconds."""

    room: str
    start_s: float
    duration_s: float  # 0 for a session that never ended
    lecturer: str
    course: str
    recordings: int


@dataclass(frozen=True, slots=True)
class UsageReport:
    """Every chart's data; ``tablets`` stays None until tablet activity is actually recorded."""

    filter: UsageFilter = field(default_factory=UsageFilter)
    sessions: int = 0
    hours_in_use: float = 0.0
    rooms: int = 0
    heatmap: tuple[tuple[float, ...], ...] = tuple(tuple(0.0 for _ in range(24)) for _ in range(7))
    room_weeks: tuple[RoomWeek, ...] = ()
    by_lecturer: tuple[NamedCount, ...] = ()
    by_course: tuple[NamedCount, ...] = ()
    recordings: RecordingTotals = RecordingTotals()
    devices: tuple[DeviceUsage, ...] = ()
    faults: tuple[DeviceFaults, ...] = ()
    tablets: dict[str, Any] | None = None
    notes: tuple[str, ...] = (TABLETS_NOT_RECORDED,)
    # The room's own report only: uploads given up, one line each with its reason code, so none goes unseen.
    uploads_failed: tuple[str, ...] = ()
    session_rows: tuple[SessionRow, ...] = ()  # only when the filter asked for them

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        f = self.filter
        dates = {"since": f.since and f.since.isoformat(), "until": f.until and f.until.isoformat()}
        out["filter"] = {**asdict(f), **dates}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UsageReport:
        """Reads what ``as_json`` wrote (the centre's answer); unknown keys are ignored."""
        raw_filter = {k: v for k, v in data.get("filter", {}).items() if v is not None}
        return cls(
            filter=UsageFilter.from_query({k: str(v) for k, v in raw_filter.items()}),
            sessions=int(data.get("sessions", 0)),
            hours_in_use=float(data.get("hours_in_use", 0.0)),
            rooms=int(data.get("rooms", 0)),
            heatmap=tuple(tuple(float(v) for v in row) for row in data.get("heatmap", ())) or UsageReport().heatmap,
            room_weeks=tuple(RoomWeek(**r) for r in data.get("room_weeks", ())),
            by_lecturer=tuple(NamedCount(**r) for r in data.get("by_lecturer", ())),
            by_course=tuple(NamedCount(**r) for r in data.get("by_course", ())),
            recordings=RecordingTotals(**data.get("recordings", {})),
            devices=tuple(DeviceUsage(**r) for r in data.get("devices", ())),
            faults=tuple(DeviceFaults(**r) for r in data.get("faults", ())),
            tablets=data.get("tablets"),
            notes=tuple(data.get("notes", ())),
            uploads_failed=tuple(str(x) for x in data.get("uploads_failed", ())),
            session_rows=tuple(SessionRow(**r) for r in data.get("session_rows", ())),
        )
