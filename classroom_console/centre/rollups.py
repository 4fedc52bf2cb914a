"""Hourly and daily sums the usage charts read instead of every session, kept exact in each upload's transaction.

Why: at 500,000 sessions and 10,000,000 events a chart that groups the raw rows takes seconds; a day's or an
hour's sums are a few thousand rows a year. Exact, not approximate:

- a re-sent session first takes away what its previous version added (read in the same transaction), then adds
  the new version; device spans are upserted, never removed, so only the devices the upload names are redone;
- events are insert-only (ON CONFLICT DO NOTHING), so the fault sums add only the events the insert added;
- a recording is counted when its row is first inserted.

Each sum is kept at two grains, so a year is a few dozen rows: per UTC hour (``started_at[:13]``) and per UTC
week (``W`` + its Monday) for the rooms' totals and weeks; per UTC day (``started_at[:10]``) and per month (``M`` +
``YYYY-MM``) for the rest. The letters sort after every digit, so a range of days never takes in a month's row.
Seconds are summed as integer milliseconds, so any order of adding gives the same total. ``centre/charts.py``
reads these tables; a centre whose sums are missing or older (``FILLED``) remakes them from its rows on start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

FAULT_KINDS = ("error", "command_failed")
FILLED = "rollups_v3"  # the roll_state row saying the tables hold everything the base tables do, at every grain
TABLES = ("roll_room_hours", "roll_people", "roll_heat", "roll_device_days", "roll_faults", "roll_recordings",
          "roll_lamps")
_EPOCH_DAY = date(1970, 1, 1).toordinal()


def tables(sqlite: bool) -> tuple[str, ...]:
    """CREATE statements; on SQLite the sums are clustered by their key (WITHOUT ROWID): a range is one scan."""
    tail = " WITHOUT ROWID" if sqlite else ""
    return (
        f"""CREATE TABLE IF NOT EXISTS roll_room_hours (room_id TEXT NOT NULL, hour TEXT NOT NULL, h BIGINT NOT NULL,
            how INTEGER NOT NULL, sessions BIGINT NOT NULL, ms BIGINT NOT NULL, PRIMARY KEY (room_id, hour)){tail}""",
        "CREATE INDEX IF NOT EXISTS roll_room_hours_h ON roll_room_hours(h, how, room_id, sessions, ms)",
        "CREATE INDEX IF NOT EXISTS roll_room_hours_how ON roll_room_hours(how, h, room_id, sessions, ms)",
        f"""CREATE TABLE IF NOT EXISTS roll_people (dim TEXT NOT NULL, day TEXT NOT NULL, name TEXT NOT NULL,
            sessions BIGINT NOT NULL, ms BIGINT NOT NULL, PRIMARY KEY (dim, day, name)){tail}""",
        f"""CREATE TABLE IF NOT EXISTS roll_heat (day TEXT NOT NULL, how INTEGER NOT NULL, ms BIGINT NOT NULL,
            PRIMARY KEY (day, how)){tail}""",
        f"""CREATE TABLE IF NOT EXISTS roll_device_days (room_id TEXT NOT NULL, day TEXT NOT NULL,
            device_uid TEXT NOT NULL, spans BIGINT NOT NULL, ms BIGINT NOT NULL,
            PRIMARY KEY (room_id, day, device_uid)){tail}""",
        "CREATE INDEX IF NOT EXISTS roll_device_days_day ON roll_device_days(day, device_uid, spans, ms)",
        f"""CREATE TABLE IF NOT EXISTS roll_faults (day TEXT NOT NULL, device_uid TEXT NOT NULL, n BIGINT NOT NULL,
            last TEXT NOT NULL, PRIMARY KEY (day, device_uid)){tail}""",
        f"""CREATE TABLE IF NOT EXISTS roll_recordings (room_id TEXT NOT NULL, day TEXT NOT NULL, n BIGINT NOT NULL,
            ms BIGINT NOT NULL, bytes BIGINT NOT NULL, PRIMARY KEY (room_id, day)){tail}""",
        "CREATE INDEX IF NOT EXISTS roll_recordings_day ON roll_recordings(day, n, ms, bytes)",
        # each device's newest reading that carries lamp hours (the lamps chart)
        """CREATE TABLE IF NOT EXISTS roll_lamps (device_uid TEXT PRIMARY KEY, wall_time TEXT NOT NULL,
            lamp_hours TEXT NOT NULL)""",
    )


STATE = "CREATE TABLE IF NOT EXISTS roll_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL)"


_MS = "CAST(round({}) AS BIGINT)"
_FAULT_IN = "kind IN ('error', 'command_failed')"


def fill(epoch_hour: Callable[[str], str], date_of_hour: Callable[[str], str], latest_lamps: str) -> tuple[str, ...]:
    """Sums of what the base tables hold: run once, in the transaction that (re)creates the tables.

    ``epoch_hour(x)``: the dialect's whole hours since 1970 of canonical time text ``x``; ``date_of_hour(h)``: the
    ISO date of an hour number; ``latest_lamps``: (device_uid, wall_time, lamp_hours) of each device's newest
    reading with lamp hours. The coarser grains (weeks, months) are then summed from the finer rows.
    """
    ms = "CAST(sum(round({} * 1000)) AS BIGINT)"
    eh = epoch_hour("min(started_at)")
    return (
        f"""INSERT INTO roll_room_hours (room_id, hour, h, how, sessions, ms) SELECT room_id,
            substr(started_at, 1, 13), {eh}, ({eh} + 72) % 168, count(*), {ms.format('dur_s')}
            FROM session_spans GROUP BY 1, 2""",
        f"""INSERT INTO roll_room_hours (room_id, hour, h, how, sessions, ms) SELECT room_id,
            'W' || {date_of_hour('wh')}, wh, -1, sum(sessions), sum(ms)
            FROM (SELECT room_id, h - how AS wh, sessions, ms FROM roll_room_hours WHERE how >= 0) AS x
            GROUP BY room_id, wh""",
        f"""INSERT INTO roll_people (dim, day, name, sessions, ms) SELECT 'lecturer', substr(started_at, 1, 10),
            lecturer, count(*), {ms.format('dur_s')} FROM session_spans GROUP BY 2, 3""",
        f"""INSERT INTO roll_people (dim, day, name, sessions, ms) SELECT 'course', substr(started_at, 1, 10),
            course, count(*), {ms.format('dur_s')} FROM session_spans GROUP BY 2, 3""",
        f"""INSERT INTO roll_heat (day, how, ms) SELECT substr(started_at, 1, 10), how, {ms.format('secs')}
            FROM session_hours GROUP BY 1, 2""",
        f"""INSERT INTO roll_device_days (room_id, day, device_uid, spans, ms) SELECT room_id,
            substr(started_at, 1, 10), device_uid, count(*), {ms.format('dur_s')} FROM device_spans GROUP BY 1, 2, 3""",
        f"""INSERT INTO roll_faults (day, device_uid, n, last) SELECT substr(wall_time, 1, 10), device_uid, count(*),
            max(wall_time) FROM session_events WHERE {_FAULT_IN} AND device_uid IS NOT NULL GROUP BY 1, 2""",
        f"""INSERT INTO roll_recordings (room_id, day, n, ms, bytes) SELECT room_id, substr(started_at, 1, 10),
            count(*), {ms.format('coalesce(duration_s, 0)')}, CAST(sum(coalesce(size_bytes, 0)) AS BIGINT)
            FROM recordings GROUP BY 1, 2""",
        # the months, from the days
        """INSERT INTO roll_people (dim, day, name, sessions, ms) SELECT dim, 'M' || substr(day, 1, 7), name,
            sum(sessions), sum(ms) FROM roll_people GROUP BY 1, 2, 3""",
        """INSERT INTO roll_heat (day, how, ms) SELECT 'M' || substr(day, 1, 7), how, sum(ms) FROM roll_heat
            GROUP BY 1, 2""",
        """INSERT INTO roll_device_days (room_id, day, device_uid, spans, ms) SELECT room_id, 'M' || substr(day, 1, 7),
            device_uid, sum(spans), sum(ms) FROM roll_device_days GROUP BY 1, 2, 3""",
        """INSERT INTO roll_faults (day, device_uid, n, last) SELECT 'M' || substr(day, 1, 7), device_uid, sum(n),
            max(last) FROM roll_faults GROUP BY 1, 2""",
        """INSERT INTO roll_recordings (room_id, day, n, ms, bytes) SELECT room_id, 'M' || substr(day, 1, 7), sum(n),
            sum(ms), sum(bytes) FROM roll_recordings GROUP BY 1, 2""",
        f"INSERT INTO roll_lamps (device_uid, wall_time, lamp_hours) {latest_lamps}",
        "DELETE FROM roll_state WHERE name LIKE 'rollups_%'",
        f"INSERT INTO roll_state (name, value) VALUES ('{FILLED}', 1)",
    )


IS_FILLED = f"SELECT count(*) FROM roll_state WHERE name = '{FILLED}'"
DROP = tuple(f"DROP TABLE IF EXISTS {table}" for table in TABLES)  # derived data: remade whole when it changes

# Upserts adding a delta (negative when a re-sent session takes its old version away).
ADD_ROOM_HOUR = """INSERT INTO roll_room_hours (room_id, hour, h, how, sessions, ms)
    VALUES (:room_id, :hour, :h, :how, :n, :ms)
    ON CONFLICT (room_id, hour) DO UPDATE SET sessions = roll_room_hours.sessions + excluded.sessions,
        ms = roll_room_hours.ms + excluded.ms"""
ADD_PEOPLE = """INSERT INTO roll_people (dim, day, name, sessions, ms) VALUES (:dim, :day, :name, :n, :ms)
    ON CONFLICT (dim, day, name) DO UPDATE SET sessions = roll_people.sessions + excluded.sessions,
        ms = roll_people.ms + excluded.ms"""
ADD_HEAT = """INSERT INTO roll_heat (day, how, ms) VALUES (:day, :how, :ms)
    ON CONFLICT (day, how) DO UPDATE SET ms = roll_heat.ms + excluded.ms"""
ADD_DEVICE_DAY = """INSERT INTO roll_device_days (room_id, day, device_uid, spans, ms)
    VALUES (:room_id, :day, :device_uid, :n, :ms)
    ON CONFLICT (room_id, day, device_uid) DO UPDATE SET spans = roll_device_days.spans + excluded.spans,
        ms = roll_device_days.ms + excluded.ms"""
ADD_FAULTS = """INSERT INTO roll_faults (day, device_uid, n, last) VALUES (:day, :device_uid, :n, :last)
    ON CONFLICT (day, device_uid) DO UPDATE SET n = roll_faults.n + excluded.n,
        last = CASE WHEN excluded.last > roll_faults.last THEN excluded.last ELSE roll_faults.last END"""
ADD_RECORDING = """INSERT INTO roll_recordings (room_id, day, n, ms, bytes) VALUES (:room_id, :day, 1, :ms, :bytes)
    ON CONFLICT (room_id, day) DO UPDATE SET n = roll_recordings.n + 1, ms = roll_recordings.ms + excluded.ms,
        bytes = roll_recordings.bytes + excluded.bytes"""

ADD_LAMP = """INSERT INTO roll_lamps (device_uid, wall_time, lamp_hours) VALUES (:device_uid, :wall_time, :lamp_hours)
    ON CONFLICT (device_uid) DO UPDATE SET wall_time = excluded.wall_time, lamp_hours = excluded.lamp_hours
    WHERE excluded.wall_time > roll_lamps.wall_time"""

# What a session's previous version added (SQLite reads these before rewriting it).
OLD_SPAN = "SELECT started_at, lecturer, course, dur_s FROM session_spans WHERE room_id = :room_id AND id = :id"
OLD_HEAT = f"""SELECT substr(started_at, 1, 10), how, {_MS.format('sum(round(secs * 1000))')} FROM session_hours
    WHERE room_id = :room_id AND session_id = :id GROUP BY 1, 2"""
OLD_DEVICES = """SELECT device_uid, started_at, dur_s FROM device_spans
    WHERE room_id = :room_id AND session_id = :id"""
SESSION_FAULTS = f"""SELECT substr(wall_time, 1, 10), device_uid, count(*), max(wall_time) FROM session_events
    WHERE room_id = :room_id AND session_id = :id AND {_FAULT_IN} AND device_uid IS NOT NULL GROUP BY 1, 2"""


def ms(seconds: Any) -> int:
    return round(float(seconds or 0.0) * 1000)


def epoch_hour(started_at: str) -> int:
    """Whole hours since 1970 of a canonical UTC time's hour, from its text (no float rounding)."""
    day = date(int(started_at[:4]), int(started_at[5:7]), int(started_at[8:10])).toordinal() - _EPOCH_DAY
    return day * 24 + int(started_at[11:13])


def hour_key(h: int) -> str:
    """``roll_room_hours.hour`` of hour ``h`` since 1970: its ``started_at[:13]``."""
    return date.fromordinal(_EPOCH_DAY + h // 24).isoformat() + f"T{h % 24:02d}"


def hour_of_week(h: int) -> int:
    """0 = Monday 00:00 UTC (1970-01-01 was a Thursday: 72 hours after a Monday)."""
    return (h + 72) % 168


def week_key(h: int) -> tuple[str, int]:
    """The key and first hour of the UTC week (Monday 00:00) holding hour ``h``."""
    start = h - hour_of_week(h)
    return "W" + date.fromordinal(_EPOCH_DAY + start // 24).isoformat(), start


def month_key(day: str) -> str:
    return "M" + day[:7]


def has_faults(events: list[dict[str, Any]]) -> bool:
    return any(e["kind"] in FAULT_KINDS and e["device_uid"] is not None for e in events)


class Deltas:
    """The rows to add to each rollup for one upload, at every grain: minus the old version, plus the new."""

    def __init__(self) -> None:
        self.room_hours: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # h, how, n, ms
        self.people: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.heat: dict[tuple[str, int], int] = defaultdict(int)
        self.devices: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])

    def span(self, room: str, started_at: str, lecturer: str, course: str, dur_s: Any, sign: int) -> None:
        h = epoch_hour(started_at)
        week, start = week_key(h)
        for key, at, how in ((started_at[:13], h, hour_of_week(h)), (week, start, -1)):
            cell = self.room_hours[(room, key)]
            cell[0], cell[1] = at, how
            cell[2] += sign
            cell[3] += sign * ms(dur_s)
        for day in (started_at[:10], month_key(started_at)):
            for person in (self.people[("lecturer", day, lecturer)], self.people[("course", day, course)]):
                person[0] += sign
                person[1] += sign * ms(dur_s)

    def hour(self, started_at: str, how: int, secs_ms: int) -> None:
        for day in (started_at[:10], month_key(started_at)):
            self.heat[(day, how)] += secs_ms

    def device(self, room: str, uid: str, started_at: str, dur_s: Any, sign: int) -> None:
        for day in (started_at[:10], month_key(started_at)):
            cell = self.devices[(room, day, uid)]
            cell[0] += sign
            cell[1] += sign * ms(dur_s)

    def rows(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(upsert, rows) for each table; cells that cancelled out (a re-send of the same data) are skipped."""
        return [
            (ADD_ROOM_HOUR, [{"room_id": r, "hour": key, "h": h, "how": how, "n": n, "ms": t}
                             for (r, key), (h, how, n, t) in self.room_hours.items() if n or t]),
            (ADD_PEOPLE, [{"dim": dim, "day": day, "name": name, "n": n, "ms": t}
                          for (dim, day, name), (n, t) in self.people.items() if n or t]),
            (ADD_HEAT, [{"day": day, "how": how, "ms": t} for (day, how), t in self.heat.items() if t]),
            (ADD_DEVICE_DAY, [{"room_id": r, "day": day, "device_uid": uid, "n": n, "ms": t}
                              for (r, day, uid), (n, t) in self.devices.items() if n or t]),
        ]


def fault_deltas(before: list[tuple[Any, ...]], after: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The faults an insert added, per (day, device) and (month, device), from the session's sums around it."""
    old = {(day, uid): int(n) for day, uid, n, _last in before}
    out: dict[tuple[str, str], list[Any]] = {}
    for day, uid, n, last in after:
        added = int(n) - old.get((day, uid), 0)
        if added:
            for key in (day, month_key(day)):
                cell = out.setdefault((key, uid), [0, ""])
                cell[0] += added
                cell[1] = max(cell[1], str(last))
    return [{"day": day, "device_uid": uid, "n": n, "last": last} for (day, uid), (n, last) in out.items()]


def recording_rows(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A newly announced recording's rows for ``ADD_RECORDING``: its day and its month."""
    day = str(row["started_at"])[:10]
    return [{"room_id": row["room_id"], "day": key, "ms": ms(row.get("duration_s")),
             "bytes": int(row.get("size_bytes") or 0)} for key in (day, month_key(day))]
