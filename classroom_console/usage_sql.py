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
    SessionRow,
    UsageFilter,
    UsageReport,
)
from classroom_console.usage_tablets import tablet_figures, tablet_queries

TOP_N = 50
MAX_SESSION_ROWS = 100_000  # an export's limit; a busy centre logs far fewer in a year
Rows = Sequence[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str

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


# A lecturer tested on the rows a room's key found, never looked up by the lecturer's own index: an expression no
# index serves, alike on both back ends. Without it a room and a lecturer read the lecturer's rows in every room
# (SQLite without statistics, PostgreSQL's generic plan where lecturers outnumber rooms).
ROOM_LED_LECTURER = "lecturer || '' = :lecturer"


def lecturer_term(f: UsageFilter, room_led: bool) -> str:
    return ROOM_LED_LECTURER if room_led and f.room else "lecturer = :lecturer"


def lecturer_rooms(cond: str) -> str | None:
    """A lecturer's report at the centre shows the devices of the rooms the lecturer taught in (in the range), as a
    room's report shows its own: listing every device of the centre made it grow with the centre (26.6 ms at 300
    rooms), for rows of devices the lecturer never used. The rooms, from the lecturer's sessions by their index."""
    return f"SELECT room_id FROM session_spans WHERE {cond}"


def build_queries(
    d: Dialect, f: UsageFilter, home_room: str | None = None, room_led: bool = False
) -> tuple[dict[str, str], dict[str, Any]]:
    """Each chart's SQL over the rollup tables and the shared parameters; clauses only for filters that are set.

    ``home_room`` is set on a room's own store, whose recordings carry no room: there a recording belongs to
    its session's room, or, made outside a session, to the store's own room. None means the centre's tables,
    where every recording names its room. ``room_led`` (the centre): a chosen room's key leads every read, so
    one room's report costs the same however many rooms its lecturer teaches in.
    """
    since, until = f.utc_bounds()
    params: dict[str, Any] = {"since": since, "until": until}
    local = home_room is not None
    if local:
        params["home_room"] = home_room
    where = ["started_at >= :since", "started_at < :until"]
    if f.room:
        where.append("room_id = :room")
        params["room"] = f.room
    if f.lecturer:
        where.append(lecturer_term(f, room_led))
        params["lecturer"] = f.lecturer
    cond = " AND ".join(where)
    off_s = float(f.utc_offset_h) * 3600.0
    fs = f"fs AS (SELECT id, room_id, lecturer, course, t0_s + {off_s!r} AS t0, dur_s FROM session_spans WHERE {cond})"
    narrowed = bool(f.room or f.lecturer)
    q: dict[str, str] = {}
    q["totals"] = f"SELECT count(*), coalesce(sum(dur_s), 0), count(DISTINCT room_id) FROM session_spans WHERE {cond}"
    if f.utc_offset_h == int(f.utc_offset_h):
        # Whole-hour offsets (all of Central Asia): shift the precomputed UTC hour-of-week buckets.
        q["heatmap"] = f"SELECT how, sum(secs) FROM session_hours WHERE {cond} GROUP BY how"
    else:
        q["heatmap"] = (
            f"WITH RECURSIVE {fs}, spans(h, t0, t1) AS ("
            f"SELECT {d.floor('t0 / 3600')}, t0, t0 + dur_s FROM fs WHERE dur_s > 0 "
            "UNION ALL SELECT h + 1, t0, t1 FROM spans WHERE (h + 1) * 3600 < t1) "
            f"SELECT (h + 72) % 168, sum({d.least('t1', '(h + 1) * 3600')} - {d.greatest('t0', 'h * 3600')}) "
            "FROM spans GROUP BY 1"
        )
    q["room_weeks"] = (
        f"WITH {fs} SELECT room_id, wk, sum(dur_s) FROM ("
        f"SELECT room_id, dd - ((dd + 3) % 7) AS wk, dur_s FROM ("
        f"SELECT room_id, {d.floor('t0 / 86400')} AS dd, dur_s FROM fs) AS x) AS y "
        "GROUP BY room_id, wk ORDER BY wk, room_id"
    )
    for key, col in (("by_lecturer", "lecturer"), ("by_course", "course")):
        q[key] = (
            f"SELECT {col}, count(*), sum(dur_s) FROM session_spans WHERE {cond} GROUP BY {col} "
            f"ORDER BY count(*) DESC, {col} LIMIT {TOP_N}"
        )
    # A recording is filtered by its own room, not through a session: one made outside a session has none.
    rec_where = ["r.started_at >= :since", "r.started_at < :until"]
    if f.room:
        rec_where.append(f"{_recording_room(local)} = :room")
    if f.lecturer:
        same_room = "" if local else " AND sp.room_id = r.room_id"
        rec_where.append(
            f"EXISTS (SELECT 1 FROM session_spans sp WHERE sp.id = r.session_id{same_room} AND sp.lecturer = :lecturer)"
        )
    q["recordings"] = (
        "SELECT count(*), coalesce(sum(r.duration_s), 0), coalesce(sum(r.size_bytes), 0) "
        f"FROM recordings r WHERE {' AND '.join(rec_where)}"
    )
    if f.session_rows:
        q["session_rows"] = _session_rows_sql(cond, local)
    q["device_hours"] = f"SELECT device_uid, sum(dur_s) FROM device_spans WHERE {cond} GROUP BY device_uid"
    # A device's room by the name people use where the store knows it (a room's store keeps room names).
    device_room = "coalesce((SELECT name FROM rooms WHERE id = devices.room_id), room_id, '')" if local else "room_id"
    rooms = "room_id = :room" if f.room else (
        f"room_id IN ({lecturer_rooms(cond)})" if f.lecturer and not local else None)
    q["devices"] = f"SELECT uid, name, kind, {device_room} FROM devices" + (f" WHERE {rooms}" if rooms else "")
    q["lamps"] = d.latest_lamp_sql()
    in_sessions = " AND e.session_id IN (SELECT id FROM fs)" if narrowed else ""
    q["fault_events"] = (
        f"WITH {fs} SELECT e.device_uid, count(*), max(e.wall_time) FROM session_events e "
        "WHERE e.kind IN ('error', 'command_failed') AND e.device_uid IS NOT NULL "
        f"AND e.wall_time >= :since AND e.wall_time < :until{in_sessions} GROUP BY e.device_uid"
    )
    q.update(tablet_queries(cond, off_s))  # tablet_counts carries its sessions' columns: no join
    in_room = f" AND device_uid IN (SELECT uid FROM devices WHERE {rooms})" if rooms else ""
    q["fault_readings"] = (
        "SELECT device_uid, count(*), max(wall_time) FROM device_readings "
        f"WHERE error_status <> '{{}}' AND wall_time >= :since AND wall_time < :until{in_room} GROUP BY device_uid"
    )
    return q, params


def _recording_room(local: bool) -> str:
    if not local:
        return "r.room_id"
    return "coalesce((SELECT s.room_id FROM sessions s WHERE s.id = r.session_id), :home_room)"


def _session_rows_sql(cond: str, local: bool) -> str:
    """One row per session for the export, oldest first; the room by name where the store knows it. The session's
    id last, in the order too: two sessions of a room may share a start (a room's clock is its own), and the
    export's order is then the same on every back end (R11 F4)."""
    room = "coalesce((SELECT name FROM rooms WHERE id = sp.room_id), sp.room_id)" if local else "sp.room_id"
    same_room = "" if local else " AND r.room_id = sp.room_id"
    return (
        f"SELECT {room}, sp.t0_s, sp.dur_s, sp.lecturer, sp.course, "
        f"(SELECT count(*) FROM recordings r WHERE r.session_id = sp.id{same_room}), sp.started_at, sp.id "
        f"FROM session_spans sp WHERE {cond} ORDER BY sp.started_at, sp.room_id, sp.id LIMIT {MAX_SESSION_ROWS}"
    )


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
    shift = int(f.utc_offset_h) if f.utc_offset_h == int(f.utc_offset_h) else 0  # else the SQL already shifted
    for how, secs in rows["heatmap"]:
        local = (int(how) + shift) % 168
        heat[local // 24][local % 24] += float(secs) / 3600
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
    offset = float(f.utc_offset_h) * 3600.0
    session_rows = tuple(
        SessionRow(str(room), float(t0) + offset, float(dur), str(lecturer), str(course), int(recs))
        for room, t0, dur, lecturer, course, recs, _started, _id in rows.get("session_rows", ())
    )
    return UsageReport(
        filter=f,
        sessions=int(sessions),
        hours_in_use=_hours(seconds),
        rooms=int(rooms),
        # lists, and an empty hour kept as it is (round(0.0, 4) is 0.0): rounding every cell was half of this function
        heatmap=tuple([tuple([round(v, 4) if v else v for v in row]) for row in heat]),
        room_weeks=weeks,
        by_lecturer=tuple(NamedCount(str(n), int(c), _hours(s)) for n, c, s in rows["by_lecturer"]),
        by_course=tuple(NamedCount(str(n), int(c), _hours(s)) for n, c, s in rows["by_course"]),
        recordings=RecordingTotals(int(rec_count), _hours(rec_seconds), int(rec_bytes)),
        devices=tuple(devices),
        faults=tuple(
            DeviceFaults(uid, names.get(uid, (uid,))[0] or uid, e, r, last)
            # ties by device id: the GROUP BY's row order is the back end's own (SQLite and PostgreSQL differed)
            for uid, (e, r, last) in sorted(faults.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
        ),
        session_rows=session_rows,
        tablets=tablet_figures(*(rows.get(k, ()) for k in ("tablets_courses", "tablets_sessions", "tablets"))),
        notes=(),
    )
