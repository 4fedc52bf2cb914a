"""The centre's chart queries: ``usage_sql.build_queries`` with the big charts read from the rollups (rollups.py).

A chart is read from the sums when its filter allows it, else from the base tables exactly as a room's store does:

- totals and room_weeks from the hourly room sums when no lecturer is chosen and the offset is whole hours
  (the range's ends are then whole UTC hours);
- the heatmap, by_lecturer, by_course, device_hours, recordings and fault_events from the daily sums for the
  whole UTC days inside the range, and from the base tables for the part-days at its two ends (an index range,
  under a day each), merged here. Narrowed by a lecturer (or, for the first three and the faults, a room) the
  base tables' own indexes already touch few rows, so those stay as they are.

``plan`` gives every statement by name (an end's statement is ``<chart>__lo`` / ``<chart>__hi``) and ``merge``
turns their rows into the rows ``usage_sql.assemble`` takes, so both back ends run the same SQL.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from classroom_console.centre.rollups import epoch_hour, hour_key, hour_of_week, week_key
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import TOP_N, Dialect, Rows, build_queries, lecturer_rooms, lecturer_term

MIDNIGHT = "T00:00:00.000000Z"
LOW, HIGH = "0000", "9999"  # utc_bounds' open ends
_SINCE = re.compile(r":since\b")
_UNTIL = re.compile(r":until\b")
_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)\b")  # as usage_sql.used_params reads them


@functools.lru_cache(maxsize=4096)
def _names(sql: str) -> tuple[str, ...]:
    return tuple(sorted(set(_NAMED.findall(sql))))


def params_for(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``usage_sql.used_params``, with each statement's names found once: a report's statements are few and
    recur, and finding them again for every report was a fifth of its time on the centre."""
    return {name: params[name] for name in _names(sql) if name in params}


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def day_split(since: str, until: str) -> tuple[str, str] | None:
    """The whole UTC days [first, last) inside [since, until), or None when there are none."""
    first = since if since == LOW else since[:10] if since[10:] == MIDNIGHT else _next_day(since[:10])
    last = until if until == HIGH else until[:10]
    return (first, last) if first < last else None


def _edge(day: str) -> str:
    return day if day in (LOW, HIGH) else day + MIDNIGHT


def _hour_bound(at: str, open_value: int) -> int | None:
    """Hours since 1970 of a whole-hour bound; None if the bound is not on an hour."""
    if at in (LOW, HIGH):
        return open_value
    return epoch_hour(at) if at[13:] == ":00:00.000000Z" else None


def _months(first: str, last: str) -> tuple[str, str, str, str]:
    """Whole months inside the days [first, last): (first month key, end month key, first day of the first whole
    month, first day of the end month); an empty month range when there are none."""
    start = first if first == LOW or first[8:] == "01" else _month_after(first)
    end = last if last == HIGH else last[:8] + "01"
    if start >= end:
        return "", "", last, last
    return "M" + start[:7], "M" + end[:7], start, end


def _month_after(day: str) -> str:
    y, m = int(day[:4]), int(day[5:7])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}-01"


_DAY_RANGES = (("m_lo", "m_hi"), ("day_lo", "md_lo"), ("md_hi", "day_hi"))  # the whole months, the days around


def _in_days(columns: str, table: str, params: Mapping[str, Any], extra: str = "") -> str:
    """The rows of whole months and of the whole days around them, as one derived table ``g``. A range the filter
    leaves empty is not asked: PostgreSQL looked an empty one up by the index over every room's days."""
    ranges = [f"day >= :{lo} AND day < :{hi}" for lo, hi in _DAY_RANGES if params[lo] < params[hi]]
    return "(" + " UNION ALL ".join(f"SELECT {columns} FROM {table} WHERE {r}{extra}" for r in ranges) + ") AS g"


# The lamps one room's report shows: of its devices and of any device its sessions used (every device span is in
# a month row of roll_device_days, 'M' + YYYY-MM, so those rows name them all). Reading every device's lamp (and
# parsing it) was most of a one-room report's time at 300 rooms; the others are not shown. Each lamp is a subquery
# of its own, so both back ends look it up by key (PostgreSQL scanned the whole table for a join); a device with no
# lamp gets NULL, which ``assemble`` reads as no lamp, as it does a device with no row.
_SHOWN = ("SELECT uid FROM devices WHERE room_id = :room UNION SELECT device_uid FROM roll_device_days "
          "WHERE room_id = :room AND day >= 'M' AND day < 'N'")
ROOM_LAMPS = f"SELECT d.uid, (SELECT l.lamp_hours FROM roll_lamps l WHERE l.device_uid = d.uid) FROM ({_SHOWN}) AS d"


def lecturer_lamps(cond: str) -> str:
    """The lamps a lecturer's report shows: of the devices of the rooms they taught in and of those their sessions
    used (``usage_sql.lecturer_rooms``), each by its key as ``ROOM_LAMPS``; not every device's of the centre."""
    shown = (f"SELECT uid FROM devices WHERE room_id IN ({lecturer_rooms(cond)}) "
             f"UNION SELECT device_uid FROM device_spans WHERE {cond}")
    return f"SELECT d.uid, (SELECT l.lamp_hours FROM roll_lamps l WHERE l.device_uid = d.uid) FROM ({shown}) AS d"
_OPEN = 1 << 39  # beyond this an hour number is one of _rooms' open ends


def _hour_key(h: int) -> str:
    """The ``roll_room_hours.hour`` of hour ``h`` (``started_at[:13]``); open ends sort before or after every
    hour's key ('W' sorts after every digit and before every week's key)."""
    if not -_OPEN < h < _OPEN:
        return "" if h < 0 else "W"
    return hour_key(h)


def _week_key(h: int) -> str:
    """The ``hour`` of the week row starting at Monday hour ``h``; open ends sort around every week's key."""
    if not -_OPEN < h < _OPEN:
        return "W" if h < 0 else "X"
    return week_key(h)[0]


def _rooms(f: UsageFilter, params: dict[str, Any], room: str) -> dict[str, str]:
    """totals and room_weeks from the hourly and weekly room sums (whole-hour offsets, no lecturer chosen)."""
    since, until = params["since"], params["until"]
    lo, hi = _hour_bound(since, -(1 << 40)), _hour_bound(until, 1 << 40)
    if lo is None or hi is None:
        return {}
    w_lo = lo + (-hour_of_week(lo)) % 168  # the first Monday 00:00 UTC at or after the start
    w_hi = hi - hour_of_week(hi)
    if w_lo >= w_hi:
        w_lo = w_hi = hi  # no whole week: hours only
    off = int(f.utc_offset_h)
    params.update(h_lo=lo, h_hi=hi, w_lo=w_lo, w_hi=w_hi, off_h=off)
    if room:  # one room's rows by its key (room_id, hour), never the other rooms' rows in the range
        params.update(k_lo=_hour_key(lo), k_hi=_hour_key(hi), k_wlo=_hour_key(w_lo), k_whi=_hour_key(w_hi),
                      kw_lo=_week_key(w_lo), kw_hi=_week_key(w_hi))
        weekly, first, last = (f"room_id = :room AND hour >= :{a} AND hour < :{b}"
                               for a, b in (("kw_lo", "kw_hi"), ("k_lo", "k_wlo"), ("k_whi", "k_hi")))
        in_weeks = "room_id = :room AND hour >= :k_wlo AND hour < :k_whi AND {}"
    else:
        weekly = "how = -1 AND h >= :w_lo AND h < :w_hi"
        first, last = ("h >= :h_lo AND h < :w_lo AND how >= 0", "h >= :w_hi AND h < :h_hi AND how >= 0")
        in_weeks = "{} AND h >= :w_lo AND h < :w_hi"
    parts = [
        f"SELECT room_id, h + 60 AS at, sessions, ms FROM roll_room_hours WHERE {weekly}",
        f"SELECT room_id, h AS at, sessions, ms FROM roll_room_hours WHERE {first}",
        f"SELECT room_id, h AS at, sessions, ms FROM roll_room_hours WHERE {last}",
    ]
    totals = (
        "SELECT coalesce(sum(n), 0), coalesce(sum(ms), 0) / 1000.0, "
        "coalesce(sum(CASE WHEN n > 0 THEN 1 ELSE 0 END), 0) FROM (SELECT room_id, sum(sessions) AS n, "
        "sum(ms) AS ms FROM (" + " UNION ALL ".join(parts) + ") AS u GROUP BY room_id) AS r"
    )
    if off:  # the hours of a UTC week that fall in the next (east) or last (west) local week move there
        hours = range(168 - off, 168) if off > 0 else range(-off)
        listed = ", ".join(str(k) for k in hours)
        # every room: a list, so the index on (how, h) is used; one room: ``how + 0``, which no index serves, so
        # PostgreSQL reads the room's key range too rather than the moved hours of every room (it picked those)
        moved = f"how + 0 IN ({listed})" if room else f"how IN ({listed})"
        parts += [
            f"SELECT room_id, h AS at, sessions, ms FROM roll_room_hours WHERE {in_weeks.format(moved)}",
            f"SELECT room_id, h - how + 60 AS at, -sessions, -ms FROM roll_room_hours WHERE {in_weeks.format(moved)}",
        ]
    weeks = (
        "SELECT room_id, wk, sum(ms) / 1000.0 FROM (SELECT room_id, dd - ((dd + 3) % 7) AS wk, sessions, ms "
        "FROM (SELECT room_id, (at + :off_h) / 24 AS dd, sessions, ms FROM (" + " UNION ALL ".join(parts) + ") AS u"
        ") AS x) AS y GROUP BY room_id, wk HAVING sum(sessions) > 0 ORDER BY wk, room_id"
    )
    return {"totals": totals, "room_weeks": weeks}


def build_cond(f: UsageFilter) -> list[str]:
    """The session filter of ``usage_sql.build_queries``, term by term."""
    terms = ["started_at >= :since", "started_at < :until"]
    if f.room:
        terms.append("room_id = :room")
    if f.lecturer:
        terms.append(lecturer_term(f, room_led=True))
    return terms


def plan(d: Dialect, f: UsageFilter) -> tuple[dict[str, str], dict[str, Any], frozenset[str]]:
    """Every statement by name, their parameters, and the charts read from the daily sums."""
    q, params = build_queries(d, f, room_led=True)
    since, until = params["since"], params["until"]
    room = " AND room_id = :room" if f.room else ""
    whole = f.utc_offset_h == int(f.utc_offset_h)
    # every device's newest; for one room only its devices' (ROOM_LAMPS), for a lecturer their rooms' and sessions'
    q["lamps"] = (ROOM_LAMPS if f.room else lecturer_lamps(" AND ".join(build_cond(f))) if f.lecturer
                  else "SELECT device_uid, lamp_hours FROM roll_lamps")
    if not f.lecturer and whole:
        q.update(_rooms(f, params, room))
    if f.lecturer:  # from the lecturer's sessions to their recordings, not every recording to its session
        rec_room = " AND sp.room_id = :room" if f.room else ""
        q["recordings"] = (
            "SELECT count(*), coalesce(sum(r.duration_s), 0), coalesce(sum(r.size_bytes), 0) FROM session_spans sp "
            f"JOIN recordings r ON r.room_id = sp.room_id AND r.session_id = sp.id WHERE sp.{lecturer_term(f, True)}"
            f"{rec_room} AND r.started_at >= :since AND r.started_at < :until"
        )
    if f.room or f.lecturer:  # the narrowed faults: from the chosen sessions to their fault events, by index
        q["fault_events"] = (
            "SELECT e.device_uid, count(*), max(e.wall_time) FROM session_spans sp JOIN session_events e "
            "ON e.room_id = sp.room_id AND e.session_id = sp.id AND e.kind IN ('error', 'command_failed') "
            f"WHERE {' AND '.join('sp.' + c for c in build_cond(f))} AND e.device_uid IS NOT NULL "
            "AND e.wall_time >= :since AND e.wall_time < :until GROUP BY e.device_uid"
        )
    days = day_split(since, until)
    if days is None or f.lecturer:
        return q, params, frozenset()
    m_lo, m_hi, md_lo, md_hi = _months(*days)
    params.update(day_lo=days[0], day_hi=days[1], lo_edge=_edge(days[0]), hi_edge=_edge(days[1]), m_lo=m_lo,
                  m_hi=m_hi, md_lo=md_lo, md_hi=md_hi)
    base_cond = "started_at >= :since AND started_at < :until"
    rolled: dict[str, tuple[str, str]] = {}  # chart: (from the sums, the same from the base tables)
    if not f.room:
        if whole:
            heat = _in_days("how, ms", "roll_heat", params)
            rolled["heatmap"] = (f"SELECT how, sum(ms) / 1000.0 FROM {heat} GROUP BY how", q["heatmap"])
        for key, dim in (("by_lecturer", "lecturer"), ("by_course", "course")):
            rolled[key] = (
                f"SELECT name, sum(sessions), sum(ms) / 1000.0 FROM "
                f"{_in_days('name, sessions, ms', 'roll_people', params, f' AND dim = {chr(39)}{dim}{chr(39)}')} "
                "GROUP BY name HAVING sum(sessions) > 0",
                f"SELECT {dim}, count(*), sum(dur_s) FROM session_spans WHERE {base_cond} GROUP BY {dim}",
            )
        rolled["fault_events"] = (
            f"SELECT device_uid, sum(n), max(last) FROM {_in_days('device_uid, n, last', 'roll_faults', params)} "
            "GROUP BY device_uid",
            q["fault_events"],
        )
    device_days = _in_days("device_uid, spans, ms", "roll_device_days", params, room)
    rolled["device_hours"] = (
        f"SELECT device_uid, sum(ms) / 1000.0 FROM {device_days} GROUP BY device_uid HAVING sum(spans) > 0",
        q["device_hours"],
    )
    rolled["recordings"] = (
        "SELECT coalesce(sum(n), 0), coalesce(sum(ms), 0) / 1000.0, coalesce(sum(bytes), 0) FROM "
        f"{_in_days('n, ms, bytes', 'roll_recordings', params, room)}",
        q["recordings"],
    )
    for name, (summed, base) in rolled.items():
        q[name] = summed
        if since < params["lo_edge"]:
            q[f"{name}__lo"] = _UNTIL.sub(":lo_edge", base)
        if params["hi_edge"] < until:
            q[f"{name}__hi"] = _SINCE.sub(":hi_edge", base)
    return q, params, frozenset(rolled)


def merge(rows: Mapping[str, Rows], rolled: frozenset[str]) -> dict[str, Rows]:
    """Each chart's rows with its ends' rows added in, as ``assemble`` takes them (``rolled``: from ``plan``)."""
    out: dict[str, Rows] = {k: v for k, v in rows.items() if "__" not in k}
    for name in out:
        parts = [rows[n] for n in (f"{name}__lo", f"{name}__hi") if n in rows]
        if name in ("by_lecturer", "by_course") and name in rolled:
            sums = _sum_by_key([out[name], *parts], (int, float))
            top = sorted(sums.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP_N]
            out[name] = [(k, n, s) for k, (n, s) in top]
        elif not parts:
            continue
        elif name in ("heatmap", "device_hours"):
            out[name] = [(k, v[0]) for k, v in _sum_by_key([out[name], *parts], (float,)).items()]
        elif name == "recordings":
            whole = [r[0] for r in (out[name], *parts)]
            out[name] = [(sum(int(r[0]) for r in whole), sum(float(r[1]) for r in whole),
                          sum(int(r[2]) for r in whole))]
        elif name == "fault_events":
            faults: dict[Any, list[Any]] = {}
            for part in (out[name], *parts):
                for uid, n, last in part:
                    cell = faults.setdefault(uid, [0, ""])
                    cell[0] += int(n)
                    cell[1] = max(cell[1], str(last))
            out[name] = [(uid, n, last) for uid, (n, last) in faults.items()]
    return out


def _sum_by_key(parts: list[Rows], kinds: tuple[type, ...]) -> dict[Any, list[Any]]:
    sums: dict[Any, list[Any]] = {}
    for part in parts:
        for key, *values in part:
            cell = sums.setdefault(key, [kind() for kind in kinds])
            for i, kind in enumerate(kinds):
                cell[i] += kind(values[i])
    return sums
