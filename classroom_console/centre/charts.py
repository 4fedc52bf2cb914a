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

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from classroom_console.centre.rollups import epoch_hour
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import TOP_N, Dialect, Rows, build_queries

MIDNIGHT = "T00:00:00.000000Z"
LOW, HIGH = "0000", "9999"  # utc_bounds' open ends
_SINCE = re.compile(r":since\b")
_UNTIL = re.compile(r":until\b")


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


def plan(d: Dialect, f: UsageFilter) -> tuple[dict[str, str], dict[str, Any], frozenset[str]]:
    """Every statement by name, their parameters, and the charts read from the daily sums."""
    q, params = build_queries(d, f)
    since, until = params["since"], params["until"]
    whole = f.utc_offset_h == int(f.utc_offset_h)
    room = " AND room_id = :room" if f.room else ""
    if not f.lecturer and whole:
        lo, hi = _hour_bound(since, -(1 << 40)), _hour_bound(until, 1 << 40)
        if lo is not None and hi is not None:
            params.update(h_lo=lo, h_hi=hi, off_h=int(f.utc_offset_h))
            where = f"h >= :h_lo AND h < :h_hi{room}"
            q["totals"] = ("SELECT coalesce(sum(sessions), 0), coalesce(sum(ms), 0) / 1000.0, count(DISTINCT "
                           f"CASE WHEN sessions > 0 THEN room_id END) FROM roll_room_hours WHERE {where}")
            q["room_weeks"] = (
                "SELECT room_id, wk, sum(ms) / 1000.0 FROM (SELECT room_id, dd - ((dd + 3) % 7) AS wk, sessions, ms "
                f"FROM (SELECT room_id, (h + :off_h) / 24 AS dd, sessions, ms FROM roll_room_hours WHERE {where}) x) y "
                "GROUP BY room_id, wk HAVING sum(sessions) > 0 ORDER BY wk, room_id"
            )
    days = day_split(since, until)
    if days is None or f.lecturer:
        return q, params, frozenset()
    params.update(day_lo=days[0], day_hi=days[1], lo_edge=_edge(days[0]), hi_edge=_edge(days[1]))
    in_days = "day >= :day_lo AND day < :day_hi"
    base_cond = "started_at >= :since AND started_at < :until"
    rolled: dict[str, tuple[str, str]] = {}  # chart: (from the sums, the same from the base tables)
    if not f.room:
        if whole:
            rolled["heatmap"] = (f"SELECT how, sum(ms) / 1000.0 FROM roll_heat WHERE {in_days} GROUP BY how",
                                 q["heatmap"])
        for key, dim in (("by_lecturer", "lecturer"), ("by_course", "course")):
            rolled[key] = (
                f"SELECT name, sum(sessions), sum(ms) / 1000.0 FROM roll_people WHERE dim = '{dim}' AND {in_days} "
                "GROUP BY name HAVING sum(sessions) > 0",
                f"SELECT {dim}, count(*), sum(dur_s) FROM session_spans WHERE {base_cond} GROUP BY {dim}",
            )
        rolled["fault_events"] = (
            f"SELECT device_uid, sum(n), max(last) FROM roll_faults WHERE {in_days} GROUP BY device_uid",
            q["fault_events"],
        )
    rolled["device_hours"] = (
        f"SELECT device_uid, sum(ms) / 1000.0 FROM roll_device_days WHERE {in_days}{room} GROUP BY device_uid "
        "HAVING sum(spans) > 0",
        q["device_hours"],
    )
    rolled["recordings"] = (
        "SELECT coalesce(sum(n), 0), coalesce(sum(ms), 0) / 1000.0, coalesce(sum(bytes), 0) FROM roll_recordings "
        f"WHERE {in_days}{room}",
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
