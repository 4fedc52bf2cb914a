"""The usage queries, written once for SQLite (room and centre) and PostgreSQL (centre) through a tiny dialect."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from classroom_console.usage_model import (
    LAMP_WARN_FRACTION,
    DeviceFaults,
    DeviceUsage,
    NamedCount,
    RecordingTotals,
    RoomWeek,
    UsageFilter,
    UsageReport,
)

MAX_SESSION_S = 86400  # a session left open for days counts one day at most
TOP_N = 50
Rows = Sequence[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str

    def epoch(self, col: str) -> str:
        if self.name == "postgresql":
            return f"extract(epoch from ({col})::timestamptz)::float8"
        return f"((julianday({col}) - 2440587.5) * 86400.0)"

    def floor(self, expr: str) -> str:
        """Integer floor of a non-negative number."""
        return f"floor({expr})::bigint" if self.name == "postgresql" else f"CAST({expr} AS INTEGER)"

    def least(self, a: str, b: str) -> str:
        return f"least({a}, {b})" if self.name == "postgresql" else f"min({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"greatest({a}, {b})" if self.name == "postgresql" else f"max({a}, {b})"

    def latest_lamp_sql(self) -> str:
        if self.name == "postgresql":
            return (
                "SELECT DISTINCT ON (device_uid) device_uid, lamp_hours FROM device_readings "
                "WHERE lamp_hours <> '[]' ORDER BY device_uid, wall_time DESC"
            )
        # SQLite's bare-column rule: with max(), the other columns come from the row holding the max.
        return (
            "SELECT device_uid, lamp_hours, max(wall_time) FROM device_readings "
            "WHERE lamp_hours <> '[]' GROUP BY device_uid"
        )


SQLITE = Dialect("sqlite")
POSTGRESQL = Dialect("postgresql")
_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)\b")


def to_numbered(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """``:name`` placeholders to PostgreSQL's ``$1``, in order of first use."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return _NAMED.sub(number, sql), [params[n] for n in order]


def build_queries(d: Dialect, f: UsageFilter) -> tuple[dict[str, str], dict[str, Any]]:
    """Each chart's SQL and the shared parameters; clauses exist only for the filters that are set."""
    since, until = f.utc_bounds()
    params: dict[str, Any] = {"since": since, "until": until}
    where = ["s.started_at >= :since", "s.started_at < :until"]
    if f.room:
        where.append("s.room_id = :room")
        params["room"] = f.room
    if f.lecturer:
        where.append("s.lecturer = :lecturer")
        params["lecturer"] = f.lecturer
    off = repr(float(f.utc_offset_h) * 3600.0)
    t0 = d.epoch("s.started_at")
    t1 = d.epoch("coalesce(s.ended_at, s.started_at)")
    fs = (
        f"fs AS (SELECT s.id, coalesce(s.room_id, '') AS room_id, s.lecturer, s.course, {t0} + {off} AS t0, "
        f"{d.least(d.greatest(t1, t0), f'{t0} + {MAX_SESSION_S}')} + {off} AS t1 "
        f"FROM sessions s WHERE {' AND '.join(where)})"
    )
    narrowed = bool(f.room or f.lecturer)
    q: dict[str, str] = {}
    q["totals"] = f"WITH {fs} SELECT count(*), coalesce(sum(t1 - t0), 0), count(DISTINCT room_id) FROM fs"
    q["heatmap"] = (
        f"WITH RECURSIVE {fs}, spans(h, t0, t1) AS ("
        f"SELECT {d.floor('t0 / 3600')}, t0, t1 FROM fs WHERE t1 > t0 "
        "UNION ALL SELECT h + 1, t0, t1 FROM spans WHERE (h + 1) * 3600 < t1) "
        f"SELECT ((h / 24) + 3) % 7, h % 24, sum({d.least('t1', '(h + 1) * 3600')} - {d.greatest('t0', 'h * 3600')}) "
        "FROM spans GROUP BY 1, 2"
    )
    q["room_weeks"] = (
        f"WITH {fs} SELECT room_id, wk, sum(t1 - t0) FROM ("
        f"SELECT room_id, dd - ((dd + 3) % 7) AS wk, t0, t1 FROM ("
        f"SELECT room_id, {d.floor('t0 / 86400')} AS dd, t0, t1 FROM fs) AS x) AS y "
        "GROUP BY room_id, wk ORDER BY wk, room_id"
    )
    for key, col in (("by_lecturer", "lecturer"), ("by_course", "course")):
        q[key] = (
            f"WITH {fs} SELECT {col}, count(*), sum(t1 - t0) FROM fs GROUP BY {col} "
            f"ORDER BY count(*) DESC, {col} LIMIT {TOP_N}"
        )
    rec_join = "JOIN fs ON fs.id = r.session_id " if narrowed else ""
    q["recordings"] = (
        f"WITH {fs} SELECT count(*), coalesce(sum(r.duration_s), 0), coalesce(sum(r.size_bytes), 0) "
        f"FROM recordings r {rec_join}WHERE r.started_at >= :since AND r.started_at < :until"
    )
    q["device_hours"] = (
        f"WITH {fs} SELECT sd.device_uid, sum(fs.t1 - fs.t0) FROM session_devices sd "
        "JOIN fs ON fs.id = sd.session_id GROUP BY sd.device_uid"
    )
    q["devices"] = "SELECT uid, name, kind, coalesce(room_id, '') FROM devices" + (
        " WHERE room_id = :room" if f.room else ""
    )
    q["lamps"] = d.latest_lamp_sql()
    in_sessions = " AND e.session_id IN (SELECT id FROM fs)" if narrowed else ""
    q["fault_events"] = (
        f"WITH {fs} SELECT e.device_uid, count(*), max(e.wall_time) FROM session_events e "
        "WHERE e.kind IN ('error', 'command_failed') AND e.device_uid IS NOT NULL "
        f"AND e.wall_time >= :since AND e.wall_time < :until{in_sessions} GROUP BY e.device_uid"
    )
    in_room = " AND device_uid IN (SELECT uid FROM devices WHERE room_id = :room)" if f.room else ""
    q["fault_readings"] = (
        "SELECT device_uid, count(*), max(wall_time) FROM device_readings "
        f"WHERE error_status <> '{{}}' AND wall_time >= :since AND wall_time < :until{in_room} GROUP BY device_uid"
    )
    return q, params


def used_params(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Only the parameters a statement names (sqlite3 and asyncpg both refuse extras)."""
    names = set(_NAMED.findall(sql))
    return {k: v for k, v in params.items() if k in names}


def _max_lamp(text: Any) -> int | None:
    values = json.loads(text) if isinstance(text, str) else text
    return max((int(v) for v in values), default=None) if values else None


def _hours(seconds: Any) -> float:
    """Rounded to about a third of a second, so SQLite's and PostgreSQL's time arithmetic agree."""
    return round(float(seconds) / 3600, 4)


def assemble(f: UsageFilter, rows: Mapping[str, Rows]) -> UsageReport:
    """Turn each query's rows into the report; pure Python, no database."""
    sessions, seconds, rooms = rows["totals"][0]
    heat = [[0.0] * 24 for _ in range(7)]
    for wd, hr, secs in rows["heatmap"]:
        heat[int(wd)][int(hr)] += float(secs) / 3600
    weeks = tuple(
        RoomWeek(str(room), (date(1970, 1, 1) + timedelta(days=int(wk))).isoformat(), _hours(secs))
        for room, wk, secs in rows["room_weeks"]
    )
    names = {str(uid): (str(name), str(kind), str(room)) for uid, name, kind, room in rows["devices"]}
    hours = {str(uid): _hours(secs) for uid, secs in rows["device_hours"]}
    lamps = {str(r[0]): _max_lamp(r[1]) for r in rows["lamps"]}
    devices = []
    for uid in sorted(set(names) | set(hours)):
        name, kind, room = names.get(uid, (uid, "", ""))
        lamp = lamps.get(uid)
        devices.append(
            DeviceUsage(
                uid, name or uid, kind, room, hours.get(uid, 0.0), lamp, f.lamp_rated_hours,
                lamp is not None and lamp >= LAMP_WARN_FRACTION * f.lamp_rated_hours,
            )
        )
    faults: dict[str, list[Any]] = {}
    for uid, count, last in rows["fault_events"]:
        faults[str(uid)] = [int(count), 0, str(last)]
    for uid, count, last in rows["fault_readings"]:
        entry = faults.setdefault(str(uid), [0, 0, ""])
        entry[1], entry[2] = int(count), max(entry[2], str(last))
    rec_count, rec_seconds, rec_bytes = rows["recordings"][0]
    return UsageReport(
        filter=f,
        sessions=int(sessions),
        hours_in_use=_hours(seconds),
        rooms=int(rooms),
        heatmap=tuple(tuple(round(v, 4) for v in row) for row in heat),
        room_weeks=weeks,
        by_lecturer=tuple(NamedCount(str(n), int(c), _hours(s)) for n, c, s in rows["by_lecturer"]),
        by_course=tuple(NamedCount(str(n), int(c), _hours(s)) for n, c, s in rows["by_course"]),
        recordings=RecordingTotals(int(rec_count), _hours(rec_seconds), int(rec_bytes)),
        devices=tuple(devices),
        faults=tuple(
            DeviceFaults(uid, names.get(uid, (uid,))[0] or uid, e, r, last)
            for uid, (e, r, last) in sorted(faults.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
        ),
    )
