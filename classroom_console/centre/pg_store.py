"""Storing a session on PostgreSQL in one round trip: a server-side function given the upload as one JSON document.

Statement by statement a session cost about twenty-five round trips (the rows, the rollups, the old version's
sums); behind nginx with several centre processes those waits, not the work, bounded ingest. The function does
exactly what ``db_sqlite._store`` does in Python (tests compare the two back ends' reports): take the session's
old version away from the sums (rollups.py), write the rows, add the new version, count only inserted fault
events, and return how many events the session now holds. An advisory lock per session keeps two processes
storing the same session from both subtracting its old version.
"""

from __future__ import annotations

import json
import operator
import re
from typing import Any

import msgspec

from classroom_console import tablet_sessions
from classroom_console.centre import pg_locks
from classroom_console.centre.payloads import SessionRows
from classroom_console.centre.rollups import epoch_hour, hour_of_week, week_key

VERSION_SEQUENCE = "CREATE SEQUENCE IF NOT EXISTS centre_version"
BUMP = "SELECT nextval('centre_version')"  # after a commit: a report cached under the old number is stale
VERSION = "SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) FROM centre_version"


def sql_epoch_hour(text: str) -> str:
    return f"(CAST(extract(epoch FROM CAST(substr({text}, 1, 13) || ':00:00+00' AS timestamptz)) AS BIGINT) / 3600)"


def sql_date_of_hour(hour: str) -> str:
    return f"to_char(to_timestamp({hour} * 3600) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


LATEST_LAMPS = """SELECT DISTINCT ON (device_uid) device_uid, wall_time, lamp_hours FROM device_readings
    WHERE lamp_hours <> '[]' ORDER BY device_uid, wall_time DESC"""
_WEEK = "'W' || to_char(date_trunc('week', CAST(substr({}, 1, 10) AS date)), 'YYYY-MM-DD')"
_GRAINS = "LATERAL (VALUES (substr({0}, 1, 10)), ('M' || substr({0}, 1, 7))) AS g(day)"  # a day and its month

_MS = "round({} * 1000)::bigint"
_OLD_MS = _MS.format("o.dur_s")
_TABLET_SESSIONS = re.sub(r":room_id\b", "v_room", re.sub(r":id\b", "v_sid", tablet_sessions.CENTRE_INSERT))
_TABLET_SESSIONS_IN = tablet_sessions.CENTRE_INSERT.replace(
    "WHERE room_id = :room_id AND session_id = :id", "WHERE (room_id, session_id) IN {}")
assert "{}" in _TABLET_SESSIONS_IN

# A session's events in its document are arrays of five values (pg_store.document), not objects naming each field:
# two fifths of the document's bytes, which the server parses as JSON for every group.
_EVENT_ROWS = """(SELECT (v ->> 0)::bigint AS local_id, v ->> 1 AS device_uid, v ->> 2 AS kind, v ->> 3 AS payload,
                v ->> 4 AS wall_time FROM jsonb_array_elements({}) AS v)"""
FUNCTION = f"""CREATE OR REPLACE FUNCTION centre_store_session(doc jsonb) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    v_s jsonb := doc -> 'session';
    v_sp jsonb := doc -> 'span';
    v_room text := v_s ->> 'room_id';
    v_sid text := v_s ->> 'id';
    v_started text := v_sp ->> 'started_at';
    v_ms bigint := {_MS.format("(v_sp ->> 'dur_s')::float8")};
    v_held bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(v_room), hashtext(v_sid));
    -- the previous version of this session, taken away from the sums
    UPDATE roll_room_hours t SET sessions = t.sessions - 1, ms = t.ms - {_OLD_MS} FROM session_spans o
        WHERE o.room_id = v_room AND o.id = v_sid AND t.room_id = v_room
        AND t.hour IN (substr(o.started_at, 1, 13), {_WEEK.format("o.started_at")});
    UPDATE roll_people t SET sessions = t.sessions - 1, ms = t.ms - {_OLD_MS} FROM session_spans o
        WHERE o.room_id = v_room AND o.id = v_sid
        AND t.day IN (substr(o.started_at, 1, 10), 'M' || substr(o.started_at, 1, 7))
        AND ((t.dim = 'lecturer' AND t.name = o.lecturer) OR (t.dim = 'course' AND t.name = o.course));
    UPDATE roll_heat t SET ms = t.ms - x.ms FROM (SELECT g.day, how, sum(round(secs * 1000))::bigint AS ms
            FROM session_hours, {_GRAINS.format("started_at")}
            WHERE room_id = v_room AND session_id = v_sid GROUP BY 1, 2) x
        WHERE t.day = x.day AND t.how = x.how;
    UPDATE roll_device_days t SET spans = t.spans - 1, ms = t.ms - {_OLD_MS} FROM device_spans o
        WHERE o.room_id = v_room AND o.session_id = v_sid AND o.device_uid IN
            (SELECT n.device_uid FROM jsonb_to_recordset(doc -> 'device_spans') AS n(device_uid text))
        AND t.room_id = v_room AND t.device_uid = o.device_uid
        AND t.day IN (substr(o.started_at, 1, 10), 'M' || substr(o.started_at, 1, 7));
    -- the rows
    INSERT INTO sessions (room_id, id, lecturer, course, kind, started_at, ended_at, status, received_at)
        VALUES (v_room, v_sid, v_s ->> 'lecturer', v_s ->> 'course', v_s ->> 'kind', v_s ->> 'started_at',
                v_s ->> 'ended_at', v_s ->> 'status', v_s ->> 'now')
        ON CONFLICT (room_id, id) DO UPDATE SET lecturer = excluded.lecturer, course = excluded.course,
            kind = excluded.kind, started_at = excluded.started_at, ended_at = excluded.ended_at,
            status = excluded.status, received_at = excluded.received_at;
    WITH added AS (
        INSERT INTO session_events (room_id, session_id, local_id, device_uid, kind, payload, wall_time)
        SELECT v_room, v_sid, e.local_id, e.device_uid, e.kind, e.payload, e.wall_time
            FROM {_EVENT_ROWS.format("doc -> 'events'")} AS e
        ON CONFLICT DO NOTHING RETURNING device_uid, kind, wall_time)
    INSERT INTO roll_faults (day, device_uid, n, last)
        SELECT g.day, device_uid, count(*), max(wall_time) FROM added, {_GRAINS.format("wall_time")}
            WHERE kind IN ('error', 'command_failed') AND device_uid IS NOT NULL GROUP BY 1, 2
        ON CONFLICT (day, device_uid) DO UPDATE SET n = roll_faults.n + excluded.n,
            last = CASE WHEN excluded.last > roll_faults.last THEN excluded.last ELSE roll_faults.last END;
    INSERT INTO session_spans (room_id, id, lecturer, course, started_at, t0_s, dur_s)
        VALUES (v_room, v_sid, v_sp ->> 'lecturer', v_sp ->> 'course', v_started, (v_sp ->> 't0_s')::float8,
                (v_sp ->> 'dur_s')::float8)
        ON CONFLICT (room_id, id) DO UPDATE SET lecturer = excluded.lecturer, course = excluded.course,
            started_at = excluded.started_at, t0_s = excluded.t0_s, dur_s = excluded.dur_s;
    DELETE FROM session_hours WHERE room_id = v_room AND session_id = v_sid;
    INSERT INTO session_hours (room_id, session_id, how, secs, started_at, lecturer)
        SELECT v_room, v_sid, h.how, h.secs, v_started, v_sp ->> 'lecturer'
            FROM jsonb_to_recordset(doc -> 'hours') AS h(how integer, secs float8);
    INSERT INTO device_spans (room_id, session_id, device_uid, started_at, lecturer, dur_s)
        SELECT v_room, v_sid, d.device_uid, d.started_at, d.lecturer, d.dur_s
            FROM jsonb_to_recordset(doc -> 'device_spans') AS d(device_uid text, started_at text, lecturer text,
                                                               dur_s float8)
        ON CONFLICT (room_id, session_id, device_uid) DO UPDATE SET started_at = excluded.started_at,
            lecturer = excluded.lecturer, dur_s = excluded.dur_s;
    INSERT INTO devices (room_id, uid, kind, name)
        SELECT v_room, d.uid, d.kind, d.name FROM jsonb_to_recordset(doc -> 'devices') AS d(uid text, kind text,
                                                                                              name text)
        ON CONFLICT (room_id, uid) DO UPDATE SET kind = excluded.kind, name = excluded.name;
    INSERT INTO device_readings (room_id, device_uid, wall_time, power, lamp_hours, error_status)
        SELECT v_room, r.device_uid, r.wall_time, r.power, r.lamp_hours, r.error_status
            FROM jsonb_to_recordset(doc -> 'readings')
            AS r(device_uid text, wall_time text, power text, lamp_hours text, error_status text)
        ON CONFLICT DO NOTHING;
    INSERT INTO roll_lamps (device_uid, wall_time, lamp_hours)
        SELECT DISTINCT ON (r.device_uid) r.device_uid, r.wall_time, r.lamp_hours
            FROM jsonb_to_recordset(doc -> 'readings') AS r(device_uid text, wall_time text, lamp_hours text)
            WHERE r.lamp_hours <> '[]' ORDER BY r.device_uid, r.wall_time DESC
        ON CONFLICT (device_uid) DO UPDATE SET wall_time = excluded.wall_time, lamp_hours = excluded.lamp_hours
        WHERE excluded.wall_time > roll_lamps.wall_time;
    DELETE FROM tablet_counts WHERE room_id = v_room AND session_id = v_sid;
    INSERT INTO tablet_counts (room_id, session_id, item, kind, activity_kind, title, events, seats,
                               started_at, lecturer, course, t0_s)
        SELECT v_room, v_sid, c.item, c.kind, c.activity_kind, c.title, c.events, c.seats, v_started,
               v_sp ->> 'lecturer', v_sp ->> 'course', (v_sp ->> 't0_s')::float8
            FROM jsonb_to_recordset(doc -> 'tablets') AS c(item text, kind text, activity_kind text, title text,
                                                           events bigint, seats bigint);
    DELETE FROM tablet_sessions WHERE room_id = v_room AND session_id = v_sid;
    {_TABLET_SESSIONS};
    -- the new version, added to the sums
    INSERT INTO roll_room_hours (room_id, hour, h, how, sessions, ms)
        VALUES (v_room, substr(v_started, 1, 13), (doc ->> 'h')::bigint, (doc ->> 'how')::integer, 1, v_ms),
               (v_room, doc ->> 'week', (doc ->> 'week_h')::bigint, -1, 1, v_ms)
        ON CONFLICT (room_id, hour) DO UPDATE SET sessions = roll_room_hours.sessions + 1,
            ms = roll_room_hours.ms + excluded.ms;
    INSERT INTO roll_people (dim, day, name, sessions, ms)
        SELECT p.dim, g.day, p.name, 1, v_ms FROM {_GRAINS.format("v_started")},
            (VALUES ('lecturer', v_sp ->> 'lecturer'), ('course', v_sp ->> 'course')) AS p(dim, name)
        ON CONFLICT (dim, day, name) DO UPDATE SET sessions = roll_people.sessions + 1,
            ms = roll_people.ms + excluded.ms;
    INSERT INTO roll_heat (day, how, ms)
        SELECT g.day, h.how, sum(round(h.secs * 1000))::bigint
            FROM jsonb_to_recordset(doc -> 'hours') AS h(how integer, secs float8), {_GRAINS.format("v_started")}
            GROUP BY g.day, h.how
        ON CONFLICT (day, how) DO UPDATE SET ms = roll_heat.ms + excluded.ms;
    INSERT INTO roll_device_days (room_id, day, device_uid, spans, ms)
        SELECT v_room, g.day, d.device_uid, 1, round(d.dur_s * 1000)::bigint
            FROM jsonb_to_recordset(doc -> 'device_spans') AS d(device_uid text, started_at text, dur_s float8),
            {_GRAINS.format("d.started_at")}
        ON CONFLICT (room_id, day, device_uid) DO UPDATE SET spans = roll_device_days.spans + 1,
            ms = roll_device_days.ms + excluded.ms;
    SELECT count(*) INTO v_held FROM session_events WHERE room_id = v_room AND session_id = v_sid;
    RETURN v_held;
END
$fn$"""

def _parts(function: str) -> dict[str, str]:
    """``FUNCTION``'s statements by what they do, cut at its own lines, for the two halves below."""
    lines = function.split("\n")

    def at(start: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(start))

    def cut(a: str, b: str) -> str:
        return "\n".join(lines[at(a):at(b)])

    return {
        "declare": cut("DECLARE", "BEGIN"),
        "session": cut("    INSERT INTO sessions", "    WITH added AS ("),
        "rows": cut("    INSERT INTO session_spans", "    INSERT INTO roll_lamps"),
        "lamps": cut("    INSERT INTO roll_lamps", "    DELETE FROM tablet_counts"),
        "tablets": cut("    DELETE FROM tablet_counts", "    -- the new version"),
        "room_hours": cut("    INSERT INTO roll_room_hours (room_id, hour, h,", "    INSERT INTO roll_people"),
        "shared": cut("    INSERT INTO roll_people", "    INSERT INTO roll_device_days"),
        "device_days": cut("    INSERT INTO roll_device_days", "    SELECT count(*) INTO v_held"),
        "fault_sums": cut("        ON CONFLICT (day, device_uid) DO UPDATE", "    INSERT INTO session_spans"),
    }


_P = _parts(FUNCTION)

# A session that is new (most are) is stored in two halves: its own rows and its room's sums first, by groups side
# by side; the sums every room shares (lecturers, courses, the heat map, faults, lamps) after, one group at a time.
NEW_FUNCTION = f"""CREATE OR REPLACE FUNCTION centre_store_new_session(doc jsonb) RETURNS bigint
LANGUAGE plpgsql AS $fn$
{_P["declare"]}
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(v_room), hashtext(v_sid));
    IF EXISTS (SELECT 1 FROM sessions WHERE room_id = v_room AND id = v_sid)
            OR EXISTS (SELECT 1 FROM session_spans WHERE room_id = v_room AND id = v_sid) THEN
        RETURN -1;  -- stored before: centre_store_session takes its old version away first
    END IF;
{_P["session"]}
    INSERT INTO session_events (room_id, session_id, local_id, device_uid, kind, payload, wall_time)
        SELECT v_room, v_sid, e.local_id, e.device_uid, e.kind, e.payload, e.wall_time
            FROM {_EVENT_ROWS.format("doc -> 'events'")} AS e
        ON CONFLICT DO NOTHING;
{_P["rows"]}
{_P["tablets"]}
{_P["room_hours"]}
{_P["device_days"]}
    SELECT count(*) INTO v_held FROM session_events WHERE room_id = v_room AND session_id = v_sid;
    RETURN v_held;
END
$fn$"""

SHARED_FUNCTION = f"""CREATE OR REPLACE FUNCTION centre_add_shared_sums(doc jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
{_P["declare"]}
BEGIN
    -- a new session: every one of its events was inserted by this transaction
    INSERT INTO roll_faults (day, device_uid, n, last)
        SELECT g.day, device_uid, count(*), max(wall_time) FROM session_events, {_GRAINS.format("wall_time")}
            WHERE room_id = v_room AND session_id = v_sid AND kind IN ('error', 'command_failed')
            AND device_uid IS NOT NULL GROUP BY 1, 2
{_P["fault_sums"]}
{_P["lamps"]}
{_P["shared"]}
END
$fn$"""

# A group of sessions (pg_writer.py), its commit and the version's bump in one round trip: a procedure may commit
# (when CALLed outside a transaction block, as the pool's connections are), and the bump must follow the commit,
# or a report could be made from the old rows under the new number and kept. New sessions' own rows go first, in
# room order (every group takes a room's rows in the same order: no deadlock between groups side by side); then,
# under a cluster-wide lock, the shared sums and the sessions stored before (whose old version is taken away from
# shared rows in no set order).
GROUP_LOCK = pg_locks.GROUP_LOCK
# One lock order for every group: its sessions' locks (in key order), then the gate, then rows, then GROUP_LOCK. A
# group of new sessions only passes the gate shared, side by side with others; a group re-storing a session stored
# before passes it alone (exclusive), before any row: the session's old version is taken away from its room's rows
# under GROUP_LOCK, and a group side by side holding those rows while it waited for GROUP_LOCK was a deadlock
# (the server ended one after a second, and up to 64 sessions were stored again one at a time). Re-sends are rare.
GATE_LOCK = pg_locks.GATE_LOCK
# A group's new sessions (most are) stored by statements over the whole group rather than some twenty statements per
# session in centre_store_new_session: the same rows and sums (summed per key where two sessions share one), each
# table's rows taken in the keys' order so that groups side by side never take them in opposite orders.
_FRESH_IN = """(SELECT x.i, x.d -> 'session' ->> 'room_id' AS room, x.d -> 'session' ->> 'id' AS sid,
        x.d -> 'session' AS s, x.d -> 'span' AS sp, x.d AS doc, {ms} AS ms
        FROM jsonb_array_elements(docs) WITH ORDINALITY AS x(d, i) WHERE x.i = ANY({{}})) AS n""".format(
    ms=_MS.format("(x.d -> 'span' ->> 'dur_s')::float8"))
_FRESH = _FRESH_IN.format("fresh")
_IN = "(SELECT x.d -> 'session' ->> 'room_id', x.d -> 'session' ->> 'id' FROM jsonb_array_elements(docs) " \
    "WITH ORDINALITY AS x(d, i) WHERE x.i = ANY({}))"
_HAS = "(SELECT true FROM {} t WHERE t.room_id = x.room AND t.{} = x.sid LIMIT 1)"
# Which sessions are new, asked by one index probe each: as NOT EXISTS the planner took the server's estimate of 100
# sessions for the group and made a hash anti-join over every session stored (2 ms a group at 4,000 sessions, and
# growing). The rows a new session should not have but might (a session whose own row went), and its participation
# sums, are found the same way, so the statements that clear or sum them (semi-joins the planner may also make over
# every row) run only when there is something to do: almost never, and for sessions with tablets.
# A new session's events go in by a plain INSERT (no ON CONFLICT: the server's speculative insertion, a check of
# the key before each row and a confirmation after, was a third of the events' cost) when nothing can conflict:
# the session has no events stored (one more index probe) and its own ids are each once ("once", pg_store.document;
# two sessions of one group never share a key, and its sessions' advisory locks keep any other writer out until
# commit). The others (a session whose own rows went but not its events, an upload naming an event id twice)
# keep ON CONFLICT DO NOTHING, the first of a repeated id winning, as before.
_NEW_AND_STALE = f"""    SELECT coalesce(array_agg(x.i), '{{}}'),
            coalesce(array_agg(x.i) FILTER (WHERE {_HAS.format("session_hours", "session_id")}
                OR {_HAS.format("tablet_counts", "session_id")}
                OR {_HAS.format("tablet_sessions", "session_id")}), '{{}}'),
            coalesce(array_agg(x.i) FILTER (WHERE jsonb_array_length(x.d -> 'tablets') > 0), '{{}}'),
            coalesce(array_agg(x.i) FILTER (WHERE x.clean), '{{}}'),
            coalesce(array_agg(x.i) FILTER (WHERE NOT x.clean), '{{}}')
        INTO fresh, stale, tabbed, clean, clashing
        FROM (SELECT x.i, x.d, x.room, x.sid, (x.d ->> 'once') = 'true'
                  AND {_HAS.format("session_events", "session_id")} IS NULL AS clean
              FROM (SELECT x.i, x.d, x.d -> 'session' ->> 'room_id' AS room, x.d -> 'session' ->> 'id' AS sid
                    FROM jsonb_array_elements(docs) WITH ORDINALITY AS x(d, i)) AS x) AS x
        WHERE {_HAS.format("sessions", "id")} IS NULL AND {_HAS.format("session_spans", "id")} IS NULL;"""
_EVENTS = """INSERT INTO session_events (room_id, session_id, local_id, device_uid, kind, payload, wall_time)
        SELECT n.room, n.sid, e.local_id, e.device_uid, e.kind, e.payload, e.wall_time
            FROM {}, LATERAL """ + _EVENT_ROWS.format("n.doc -> 'events'") + """ AS e"""
GROUP_NEW = f"""    PERFORM pg_advisory_xact_lock(hashtext(k.room), hashtext(k.sid))
        FROM (SELECT x.d -> 'session' ->> 'room_id' AS room, x.d -> 'session' ->> 'id' AS sid
              FROM jsonb_array_elements(docs) AS x(d) ORDER BY 1, 2 OFFSET 0) AS k;
{_NEW_AND_STALE}
    IF cardinality(fresh) < jsonb_array_length(docs) THEN
        PERFORM pg_advisory_xact_lock({GATE_LOCK});  -- a session stored before: alone, before any row
    ELSE
        PERFORM pg_advisory_xact_lock_shared({GATE_LOCK});
    END IF;
    IF cardinality(fresh) > 0 THEN
    IF cardinality(stale) > 0 THEN
    WITH hours AS (DELETE FROM session_hours WHERE (room_id, session_id) IN {_IN.format("stale")}),
        counts AS (DELETE FROM tablet_counts WHERE (room_id, session_id) IN {_IN.format("stale")})
    DELETE FROM tablet_sessions WHERE (room_id, session_id) IN {_IN.format("stale")};
    END IF;
    INSERT INTO sessions (room_id, id, lecturer, course, kind, started_at, ended_at, status, received_at)
        SELECT n.room, n.sid, n.s ->> 'lecturer', n.s ->> 'course', n.s ->> 'kind', n.s ->> 'started_at',
            n.s ->> 'ended_at', n.s ->> 'status', n.s ->> 'now' FROM {_FRESH} ORDER BY n.room, n.sid
        ON CONFLICT (room_id, id) DO UPDATE SET lecturer = excluded.lecturer, course = excluded.course,
            kind = excluded.kind, started_at = excluded.started_at, ended_at = excluded.ended_at,
            status = excluded.status, received_at = excluded.received_at;
    IF cardinality(clean) > 0 THEN
    {_EVENTS.format(_FRESH_IN.format("clean"))};
    END IF;
    IF cardinality(clashing) > 0 THEN
    {_EVENTS.format(_FRESH_IN.format("clashing"))} ON CONFLICT DO NOTHING;
    END IF;
    INSERT INTO session_spans (room_id, id, lecturer, course, started_at, t0_s, dur_s)
        SELECT n.room, n.sid, n.sp ->> 'lecturer', n.sp ->> 'course', n.sp ->> 'started_at',
            (n.sp ->> 't0_s')::float8, (n.sp ->> 'dur_s')::float8 FROM {_FRESH} ORDER BY n.room, n.sid
        ON CONFLICT (room_id, id) DO UPDATE SET lecturer = excluded.lecturer, course = excluded.course,
            started_at = excluded.started_at, t0_s = excluded.t0_s, dur_s = excluded.dur_s;
    INSERT INTO session_hours (room_id, session_id, how, secs, started_at, lecturer)
        SELECT n.room, n.sid, h.how, h.secs, n.sp ->> 'started_at', n.sp ->> 'lecturer'
            FROM {_FRESH}, jsonb_to_recordset(n.doc -> 'hours') AS h(how integer, secs float8);
    INSERT INTO device_spans (room_id, session_id, device_uid, started_at, lecturer, dur_s)
        SELECT n.room, n.sid, d.device_uid, d.started_at, d.lecturer, d.dur_s
            FROM {_FRESH}, jsonb_to_recordset(n.doc -> 'device_spans')
            AS d(device_uid text, started_at text, lecturer text, dur_s float8)
            ORDER BY n.room, n.sid, d.device_uid
        ON CONFLICT (room_id, session_id, device_uid) DO UPDATE SET started_at = excluded.started_at,
            lecturer = excluded.lecturer, dur_s = excluded.dur_s;
    INSERT INTO devices (room_id, uid, kind, name)
        SELECT DISTINCT ON (n.room, d.uid) n.room, d.uid, d.kind, d.name
            FROM {_FRESH}, jsonb_to_recordset(n.doc -> 'devices') AS d(uid text, kind text, name text)
            ORDER BY n.room, d.uid, n.i DESC
        ON CONFLICT (room_id, uid) DO UPDATE SET kind = excluded.kind, name = excluded.name;
    INSERT INTO device_readings (room_id, device_uid, wall_time, power, lamp_hours, error_status)
        SELECT n.room, r.device_uid, r.wall_time, r.power, r.lamp_hours, r.error_status
            FROM {_FRESH}, jsonb_to_recordset(n.doc -> 'readings')
            AS r(device_uid text, wall_time text, power text, lamp_hours text, error_status text)
        ON CONFLICT DO NOTHING;
    INSERT INTO tablet_counts (room_id, session_id, item, kind, activity_kind, title, events, seats,
                               started_at, lecturer, course, t0_s)
        SELECT n.room, n.sid, c.item, c.kind, c.activity_kind, c.title, c.events, c.seats, n.sp ->> 'started_at',
               n.sp ->> 'lecturer', n.sp ->> 'course', (n.sp ->> 't0_s')::float8
            FROM {_FRESH}, jsonb_to_recordset(n.doc -> 'tablets') AS c(item text, kind text, activity_kind text,
                                                                      title text, events bigint, seats bigint);
    IF cardinality(tabbed) > 0 THEN
    {_TABLET_SESSIONS_IN.format(_IN.format("tabbed"))};
    END IF;
    INSERT INTO roll_room_hours (room_id, hour, h, how, sessions, ms)
        SELECT n.room, k.hour, min(k.h), min(k.how), count(*), sum(n.ms) FROM {_FRESH},
            LATERAL (VALUES (substr(n.sp ->> 'started_at', 1, 13), (n.doc ->> 'h')::bigint, (n.doc ->> 'how')::integer),
                            (n.doc ->> 'week', (n.doc ->> 'week_h')::bigint, -1)) AS k(hour, h, how)
            GROUP BY n.room, k.hour ORDER BY n.room, k.hour
        ON CONFLICT (room_id, hour) DO UPDATE SET sessions = roll_room_hours.sessions + excluded.sessions,
            ms = roll_room_hours.ms + excluded.ms;
    INSERT INTO roll_device_days (room_id, day, device_uid, spans, ms)
        SELECT n.room, g.day, d.device_uid, count(*), sum(round(d.dur_s * 1000)::bigint)
            FROM {_FRESH}, jsonb_to_recordset(n.doc -> 'device_spans') AS d(device_uid text, started_at text,
                                                                            dur_s float8),
            {_GRAINS.format("d.started_at")}
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (room_id, day, device_uid) DO UPDATE SET spans = roll_device_days.spans + excluded.spans,
            ms = roll_device_days.ms + excluded.ms;
    FOR i, n IN SELECT x.i, CASE WHEN x.i = ANY(clean) THEN jsonb_array_length(x.d -> 'events')  -- each went in
                ELSE (SELECT count(*) FROM session_events e WHERE e.room_id = x.d -> 'session' ->> 'room_id'
                      AND e.session_id = x.d -> 'session' ->> 'id') END
            FROM jsonb_array_elements(docs) WITH ORDINALITY AS x(d, i) WHERE x.i = ANY(fresh) LOOP
        held[i] := n;
    END LOOP;
    END IF;"""
# The new sessions' shared sums in one statement for the whole group, summed per key (centre_add_shared_sums' four
# statements per session were a fifth of the store's time, all of it under the cluster-wide lock). A reading of a
# lamp at the same time in two sessions: the earlier session's stays, as when they came one by one.
GROUP_SHARED_SUMS = f"""    WITH n AS MATERIALIZED (
        SELECT x.d -> 'session' ->> 'room_id' AS room, x.d -> 'session' ->> 'id' AS sid,
            x.d -> 'span' ->> 'started_at' AS started, x.d -> 'span' ->> 'lecturer' AS lecturer,
            x.d -> 'span' ->> 'course' AS course, {_MS.format("(x.d -> 'span' ->> 'dur_s')::float8")} AS ms,
            x.d -> 'hours' AS hours, x.d -> 'readings' AS readings, x.i
        FROM jsonb_array_elements(docs) WITH ORDINALITY AS x(d, i) WHERE held[x.i::integer] >= 0),
    faults AS (INSERT INTO roll_faults (day, device_uid, n, last)
        SELECT g.day, e.device_uid, count(*), max(e.wall_time)
            FROM n JOIN session_events e ON e.room_id = n.room AND e.session_id = n.sid, {_GRAINS.format("e.wall_time")}
            WHERE e.kind IN ('error', 'command_failed') AND e.device_uid IS NOT NULL GROUP BY 1, 2
        ON CONFLICT (day, device_uid) DO UPDATE SET n = roll_faults.n + excluded.n,
            last = CASE WHEN excluded.last > roll_faults.last THEN excluded.last ELSE roll_faults.last END),
    lamps AS (INSERT INTO roll_lamps (device_uid, wall_time, lamp_hours)
        SELECT DISTINCT ON (r.device_uid) r.device_uid, r.wall_time, r.lamp_hours
            FROM n, jsonb_to_recordset(n.readings) AS r(device_uid text, wall_time text, lamp_hours text)
            WHERE r.lamp_hours <> '[]' ORDER BY r.device_uid, r.wall_time DESC, n.i
        ON CONFLICT (device_uid) DO UPDATE SET wall_time = excluded.wall_time, lamp_hours = excluded.lamp_hours
        WHERE excluded.wall_time > roll_lamps.wall_time),
    people AS (INSERT INTO roll_people (dim, day, name, sessions, ms)
        SELECT p.dim, g.day, p.name, count(*), sum(n.ms) FROM n, {_GRAINS.format("n.started")},
            LATERAL (VALUES ('lecturer', n.lecturer), ('course', n.course)) AS p(dim, name) GROUP BY 1, 2, 3
        ON CONFLICT (dim, day, name) DO UPDATE SET sessions = roll_people.sessions + excluded.sessions,
            ms = roll_people.ms + excluded.ms)
    INSERT INTO roll_heat (day, how, ms)
        SELECT g.day, h.how, sum(round(h.secs * 1000))::bigint
            FROM n, jsonb_to_recordset(n.hours) AS h(how integer, secs float8), {_GRAINS.format("n.started")}
            GROUP BY g.day, h.how
        ON CONFLICT (day, how) DO UPDATE SET ms = roll_heat.ms + excluded.ms;"""
GROUP = f"""CREATE OR REPLACE PROCEDURE centre_store_sessions(docs jsonb, INOUT held bigint[] DEFAULT NULL)
LANGUAGE plpgsql AS $pr$
DECLARE
    d jsonb;
    i bigint;
    n bigint;
    fresh bigint[];
    stale bigint[];
    tabbed bigint[];
    clean bigint[];
    clashing bigint[];
BEGIN
    held := array_fill(-1::bigint, ARRAY[jsonb_array_length(docs)]);
{GROUP_NEW}
    PERFORM pg_advisory_xact_lock({GROUP_LOCK});
{GROUP_SHARED_SUMS}
    FOR i, d IN SELECT ordinality, value FROM jsonb_array_elements(docs) WITH ORDINALITY ORDER BY ordinality LOOP
        IF held[i] < 0 THEN
            held[i] := centre_store_session(d);
        END IF;
    END LOOP;
    COMMIT;
    PERFORM nextval('centre_version');
END
$pr$"""
STORE_GROUP = "CALL centre_store_sessions($1::jsonb)"

ADD_RECORDING = """WITH added AS (
        INSERT INTO recordings (room_id, id, session_id, name, started_at, stopped_at, duration_s, size_bytes, sha256)
        VALUES (:room_id, :id, :session_id, :name, :started_at, :stopped_at, :duration_s, :size_bytes, :sha256)
        ON CONFLICT DO NOTHING RETURNING room_id, started_at, duration_s, size_bytes)
    INSERT INTO roll_recordings (room_id, day, n, ms, bytes)
        SELECT room_id, g.day, 1, round(coalesce(duration_s, 0) * 1000)::bigint, coalesce(size_bytes, 0)
        FROM added, LATERAL (VALUES (substr(started_at, 1, 10)), ('M' || substr(started_at, 1, 7))) AS g(day)
    ON CONFLICT (room_id, day) DO UPDATE SET n = roll_recordings.n + 1, ms = roll_recordings.ms + excluded.ms,
        bytes = roll_recordings.bytes + excluded.bytes"""


def document(rows: SessionRows) -> str:
    """The upload as the function's one argument; a device named twice is stored once, the last as before."""
    devices = list({d["uid"]: d for d in rows.devices}.values())
    h = epoch_hour(str(rows.span["started_at"]))
    week, week_h = week_key(h)
    doc: dict[str, Any] = {
        "session": rows.session, "span": rows.span, "h": h, "how": hour_of_week(h), "week": week, "week_h": week_h,
        "events": list(map(_EVENT, rows.events)), "hours": rows.hours, "device_spans": rows.device_spans,
        "devices": devices, "readings": rows.readings, "tablets": rows.tablets,
        # each event id once: the group may insert its events without ON CONFLICT (GROUP_NEW)
        "once": len({e["local_id"] for e in rows.events}) == len(rows.events),
    }
    try:
        return _ENCODE(doc).decode()
    except (msgspec.EncodeError, UnicodeError, TypeError, OverflowError):  # what msgspec will not write as JSON
        return json.dumps(doc, separators=(",", ":"))


_EVENT = operator.itemgetter("local_id", "device_uid", "kind", "payload", "wall_time")  # _EVENT_ROWS' order
_ENCODE = msgspec.json.Encoder().encode  # C, 4x json.dumps on a session's rows (7% of a PostgreSQL centre's time)
