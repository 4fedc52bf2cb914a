"""Storing uploaded sessions in the centre's SQLite file: the new ones of a write group together, a re-send alone.

Why: with 200 rooms uploading at once, each 40-event session took some twenty statements and a step per event
row. The sqlite3 module lets go of the GIL for every step, and getting it back from a busy event loop waits up
to the switch interval: 1.5 ms of CPU per session became 4-8 ms of the writer's time (measured beside a busy
thread), and the uploads queued behind it. Here the new sessions of a write group are stored with a few multi-row
statements per table (up to ``CHUNK`` rows each, bound in C), their chart sums (``rollups``) added up in Python over
the whole group first, one upsert per key; a group of 50 sessions is some twenty steps, not a thousand.

``store_one`` is the reference, kept for a session the centre already holds (a re-send) and for one sent twice
within a group: it reads what the old version added and takes it away first. The uploads' order is kept (the
sessions gathered so far are written before such a one), so devices (the last upload wins), readings (the first
wins) and lamps end exactly as one by one; ``tests/test_centre_sqlite_sessions.py`` compares every table.
"""

from __future__ import annotations

import functools
import operator
import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

from classroom_console import tablet_sessions
from classroom_console.centre import rollups, schema
from classroom_console.centre.payloads import SessionRows

CHUNK = 512  # rows a statement at most (512 x 12 values: well under SQLite's 32,766 bound values)
EXACT = 64  # up to this many rows a statement of their own size; more are cut in powers of two


@functools.cache
def _values_sql(head: str, width: int, rows: int, tail: str) -> str:
    one = "(" + ", ".join(["?"] * width) + ")"
    return f"{head} VALUES {', '.join([one] * rows)}{tail}"


def pieces(n: int) -> list[int]:
    """Rows per statement for ``n`` rows: few steps (each gives the GIL away and waits to get it back behind
    the loop, up to the switch interval) and few distinct statements to prepare and keep (about 70 a table)."""
    out = [CHUNK] * (n // CHUNK)
    n %= CHUNK
    size = CHUNK // 2
    while n > EXACT:
        if n >= size:
            out.append(size)
            n -= size
        size //= 2
    return [*out, n] if n else out


class Many:
    """A one-row INSERT with named parameters, run for many rows as a few multi-row statements (``pieces``)."""

    def __init__(self, statement: str) -> None:
        head, found, rest = statement.partition(" VALUES ")
        inner, _, tail = rest.strip().removeprefix("(").partition(")")
        self.keys = tuple(name.strip().removeprefix(":") for name in inner.split(","))
        if not found or len(self.keys) < 2 or not all(name.strip().startswith(":") for name in inner.split(",")):
            raise ValueError(f"not a one-row INSERT with named parameters: {statement[:60]!r}")
        self.head, self.tail = head.strip(), (" " + tail.strip()) if tail.strip() else ""
        self._values = operator.itemgetter(*self.keys)

    def run(self, c: sqlite3.Connection, rows: Sequence[dict[str, Any]]) -> None:
        width, start = len(self.keys), 0
        for size in pieces(len(rows)):
            part = rows[start:start + size]
            start += size
            c.execute(_values_sql(self.head, width, size, self.tail), list(chain.from_iterable(
                map(self._values, part))))


_SESSIONS = Many(schema.UPSERT_SESSION)
_EVENTS = Many(schema.INSERT_EVENT)
_SPANS = Many(schema.UPSERT_SPAN)
_HOURS = Many(schema.INSERT_HOUR)
_DEVICE_SPANS = Many(schema.UPSERT_DEVICE_SPAN)
_DEVICES = Many(schema.UPSERT_DEVICE)
_READINGS = Many(schema.INSERT_READING)
_LAMPS = Many(rollups.ADD_LAMP)
_FAULTS = Many(rollups.ADD_FAULTS)
_ONE_TABLETS = Many(schema.INSERT_TABLET)
# INSERT_TABLET followed by SPAN_TABLETS, in one: a new session's rollup rows carry its span at once.
_TABLETS = Many("""INSERT INTO tablet_counts (room_id, session_id, item, kind, activity_kind, title, events, seats,
        started_at, lecturer, course, t0_s)
    VALUES (:room_id, :session_id, :item, :kind, :activity_kind, :title, :events, :seats, :started_at, :lecturer,
        :course, :t0_s)""")
_SUMS = {statement: Many(statement) for statement in
         (rollups.ADD_ROOM_HOUR, rollups.ADD_PEOPLE, rollups.ADD_HEAT, rollups.ADD_DEVICE_DAY)}
_HELD = ("SELECT s.room_id, s.id FROM (VALUES {}) AS k "
         "JOIN session_spans s ON s.room_id = k.column1 AND s.id = k.column2")
_LOCAL_ID = operator.itemgetter("local_id")


def store_one(c: sqlite3.Connection, rows: SessionRows) -> int:
    """One session's rows and the rollups' changes, inside the caller's transaction; how many events it holds."""
    room, sid = rows.span["room_id"], rows.span["id"]
    key = {"room_id": room, "id": sid}
    deltas = rollups.Deltas()
    old = c.execute(rollups.OLD_SPAN, key).fetchone()
    if old is not None:
        started_at, lecturer, course, dur_s = old
        deltas.span(room, started_at, lecturer, course, dur_s, -1)
        for day, how, ms in c.execute(rollups.OLD_HEAT, key):
            deltas.hour(day, int(how), -int(ms))
        redone = {d["device_uid"] for d in rows.device_spans}
        for uid, started_at, dur_s in c.execute(rollups.OLD_DEVICES, key):
            if uid in redone:
                deltas.device(room, uid, started_at, dur_s, -1)
    span = rows.span
    deltas.span(room, span["started_at"], span["lecturer"], span["course"], span["dur_s"], 1)
    for hour in rows.hours:
        deltas.hour(hour["started_at"], int(hour["how"]), rollups.ms(hour["secs"]))
    for d in rows.device_spans:
        deltas.device(room, d["device_uid"], d["started_at"], d["dur_s"], 1)
    faulty = rollups.has_faults(rows.events)
    before = c.execute(rollups.SESSION_FAULTS, key).fetchall() if faulty and old is not None else []
    c.execute(schema.UPSERT_SESSION, rows.session)
    _EVENTS.run(c, rows.events)
    c.execute(schema.UPSERT_SPAN, rows.span)
    c.execute(schema.DELETE_HOURS, {"room_id": room, "session_id": sid})
    _HOURS.run(c, rows.hours)
    _DEVICE_SPANS.run(c, rows.device_spans)
    _DEVICES.run(c, rows.devices)
    _READINGS.run(c, rows.readings)
    _LAMPS.run(c, [r for r in rows.readings if r["lamp_hours"] != "[]"])
    c.execute(schema.DELETE_TABLETS, {"room_id": room, "session_id": sid})
    _ONE_TABLETS.run(c, rows.tablets)
    c.execute(schema.SPAN_TABLETS, rows.span)
    c.execute(tablet_sessions.CENTRE_DELETE, rows.span)
    c.execute(tablet_sessions.CENTRE_INSERT, rows.span)
    if faulty:
        after = c.execute(rollups.SESSION_FAULTS, key).fetchall()
        _FAULTS.run(c, rollups.fault_deltas(before, after))
    for statement, delta in deltas.rows():
        _SUMS[statement].run(c, delta)
    held = int(c.execute(schema.COUNT_EVENTS, {"room_id": room, "session_id": sid}).fetchone()[0])
    return held


def _distinct_ids(events: list[dict[str, Any]]) -> int:
    """In slices: one C call over a 15 MB session's 80,000 events held the GIL for 10 ms and more."""
    ids: set[int] = set()
    for start in range(0, len(events), 4096):
        ids.update(map(_LOCAL_ID, events[start:start + 4096]))
    return len(ids)


class _Batch:
    """New sessions gathered in upload order; ``write`` stores them all, ``store_one``'s rows exactly."""

    def __init__(self) -> None:
        self.rows: list[SessionRows] = []
        self.keys: set[tuple[str, str]] = set()
        self.deltas = rollups.Deltas()
        self.faults: dict[tuple[str, str], list[Any]] = {}

    def add(self, rows: SessionRows) -> int:
        """Counts its sums in; the events it will hold (new: each event id once, the first one sent kept)."""
        span = rows.span
        room = span["room_id"]
        self.rows.append(rows)
        self.keys.add((room, span["id"]))
        self.deltas.span(room, span["started_at"], span["lecturer"], span["course"], span["dur_s"], 1)
        for hour in rows.hours:
            self.deltas.hour(hour["started_at"], int(hour["how"]), rollups.ms(hour["secs"]))
        for d in rows.device_spans:
            self.deltas.device(room, d["device_uid"], d["started_at"], d["dur_s"], 1)
        if rollups.has_faults(rows.events):
            self._count_faults(rows.events)
        return _distinct_ids(rows.events)

    def _count_faults(self, events: list[dict[str, Any]]) -> None:
        """What SESSION_FAULTS would find after the insert (nothing before it: the session is new)."""
        kept: dict[int, dict[str, Any]] = {}
        for e in events:
            kept.setdefault(e["local_id"], e)  # ON CONFLICT DO NOTHING: the first of an id is the one stored
        for e in kept.values():
            if e["kind"] in rollups.FAULT_KINDS and e["device_uid"] is not None:
                day = e["wall_time"][:10]
                for grain in (day, rollups.month_key(day)):
                    cell = self.faults.setdefault((grain, e["device_uid"]), [0, ""])
                    cell[0] += 1
                    cell[1] = max(cell[1], e["wall_time"])

    def write(self, c: sqlite3.Connection) -> None:
        group = self.rows
        _SESSIONS.run(c, [r.session for r in group])
        _EVENTS.run(c, [e for r in group for e in r.events])
        spans = [r.span for r in group]
        _SPANS.run(c, spans)
        _HOURS.run(c, [h for r in group for h in r.hours])
        _DEVICE_SPANS.run(c, [d for r in group for d in r.device_spans])
        _DEVICES.run(c, [d for r in group for d in r.devices])
        readings = [x for r in group for x in r.readings]
        _READINGS.run(c, readings)
        _LAMPS.run(c, [x for x in readings if x["lamp_hours"] != "[]"])
        with_tablets = [r for r in group if r.tablets]
        _TABLETS.run(c, [{**t, "started_at": r.span["started_at"], "lecturer": r.span["lecturer"],
                          "course": r.span["course"], "t0_s": r.span["t0_s"]} for r in with_tablets for t in r.tablets])
        for r in with_tablets:
            c.execute(tablet_sessions.CENTRE_INSERT, r.span)
        _FAULTS.run(c, [{"day": day, "device_uid": uid, "n": n, "last": last}
                        for (day, uid), (n, last) in self.faults.items()])
        for statement, delta in self.deltas.rows():
            _SUMS[statement].run(c, delta)


def held_already(c: sqlite3.Connection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these (room, session id) the file holds already, in a few statements (``pieces``)."""
    found: set[tuple[str, str]] = set()
    start = 0
    for size in pieces(len(keys)):
        part = keys[start:start + size]
        start += size
        sql = _HELD.format(", ".join(["(?, ?)"] * size))
        found.update((str(room), str(sid)) for room, sid in c.execute(sql, list(chain.from_iterable(part))))
    return found


Outcome = tuple[int | None, Exception | None]


def store_many(c: sqlite3.Connection, group: Sequence[SessionRows]) -> list[Outcome]:
    """Each session's events held, or the error that kept it out, in order; inside the caller's transaction.

    A failure while the gathered sessions are written takes them back and stores each alone, so one bad
    session fails by itself, as it did one by one; so does one that breaks the gathering itself (the checks
    before make that unlikely, but the group holds other rooms' uploads).
    """
    c.execute("SAVEPOINT many")
    try:
        out = _gathered(c, group)
    except Exception:
        c.execute("ROLLBACK TO many")
        c.execute("RELEASE many")
        return [_alone(c, rows) for rows in group]
    c.execute("RELEASE many")
    return out


def _gathered(c: sqlite3.Connection, group: Sequence[SessionRows]) -> list[Outcome]:
    keys = [(r.span["room_id"], r.span["id"]) for r in group]
    old = held_already(c, keys)
    out: list[Outcome] = []
    batch, waiting = _Batch(), 0  # waiting: the first of ``out`` the batch answers

    def flush() -> None:
        nonlocal batch
        if batch.rows:
            _flush(c, batch, out, waiting)
            old.update(batch.keys)  # held now: sent again later in the group, it is a re-send
        batch = _Batch()

    for rows, key in zip(group, keys, strict=True):
        if key in old or key in batch.keys:
            flush()
            out.append(_alone(c, rows))
            old.add(key)
            waiting = len(out)
            continue
        out.append((batch.add(rows), None))
    flush()
    return out


def _flush(c: sqlite3.Connection, batch: _Batch, out: list[Outcome], first: int) -> None:
    c.execute("SAVEPOINT batch")
    try:
        batch.write(c)
    except Exception:
        c.execute("ROLLBACK TO batch")
        c.execute("RELEASE batch")
        for i, rows in enumerate(batch.rows):
            out[first + i] = _alone(c, rows)
        return
    c.execute("RELEASE batch")


def _alone(c: sqlite3.Connection, rows: SessionRows) -> Outcome:
    c.execute("SAVEPOINT one")
    try:
        held = store_one(c, rows)
    except Exception as exc:
        c.execute("ROLLBACK TO one")
        c.execute("RELEASE one")
        return None, exc
    c.execute("RELEASE one")
    return held, None
