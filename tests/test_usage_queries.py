"""The usage queries on a small store whose answers are known by hand; and the headless usage command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from classroom_console.cli import main
from classroom_console.store import Event, Store, open_store
from classroom_console.usage import query_room_store
from classroom_console.usage_export import sessions_csv, to_csv, to_table
from classroom_console.usage_model import UsageFilter, UsageReport


def add_session(s: Store, room: str, lecturer: str, course: str, start: str, end: str | None) -> str:
    sid = s.start_session(room_id=room, lecturer=lecturer, course=course)
    s.db.execute("UPDATE sessions SET started_at = ?, ended_at = ? WHERE id = ?", (start, end, sid))
    return sid


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(tmp_path)
    s.upsert_room("room:A", "A")
    s.upsert_room("room:B", "B")
    # Monday 2026-11-23 08:30-10:15 UTC in A; Tuesday 2026-11-24 23:30 - Wednesday 00:30 in B (crosses midnight)
    a = add_session(s, "room:A", "Aliya", "Physics", "2026-11-23T08:30:00.000000Z", "2026-11-23T10:15:00.000000Z")
    b = add_session(s, "room:B", "Bolat", "Chemistry", "2026-11-24T23:30:00.000000Z", "2026-11-25T00:30:00.000000Z")
    add_session(s, "room:A", "Aliya", "Physics", "2026-11-30T09:00:00.000000Z", "2026-11-30T10:00:00.000000Z")
    add_session(s, "room:A", "Aliya", "Physics", "2026-12-01T09:00:00.000000Z", None)  # never ended: 0 h
    s.add_events([
        Event(a, "mac:proj", "state", {}, wall_time="2026-11-23T08:31:00.000000Z"),
        Event(a, "mac:proj", "error", {"message": "lamp"}, wall_time="2026-11-23T09:00:00.000000Z"),
        Event(b, "mac:cam", "command_failed", {}, wall_time="2026-11-24T23:40:00.000000Z"),
    ])
    s.db.execute(
        "INSERT INTO devices (uid, kind, name, room_id, first_seen, last_seen) VALUES "
        "('mac:proj', 'projector', 'Epson', 'room:A', 'x', 'x'), ('mac:cam', 'camera', 'PTZ', 'room:B', 'x', 'x')"
    )
    s.db.execute(
        "INSERT INTO device_readings (device_uid, wall_time, power, lamp_hours, error_status) VALUES "
        "('mac:proj', '2026-11-23T08:00:00.000000Z', 'on', '[2600]', '{}'), "
        "('mac:proj', '2026-11-23T10:00:00.000000Z', 'on', '[2702]', '{\"lamp\":\"warning\"}')"
    )
    rid = s.add_recording(a, "/nowhere/a.mp4")
    s.db.execute("UPDATE recordings SET started_at = '2026-11-23T08:35:00.000000Z' WHERE id = ?", (rid,))
    s.finish_recording(rid, duration_s=5400.0, size_bytes=2_000_000_000, sha256="0" * 64)
    s.db.execute("UPDATE recordings SET started_at = '2026-11-23T08:35:00.000000Z' WHERE id = ?", (rid,))
    return s


def test_heatmap_weeks_people_and_courses(store: Store) -> None:
    r = query_room_store(store.db, UsageFilter(), "room:A")
    assert r.sessions == 4 and r.rooms == 2
    assert r.hours_in_use == pytest.approx(1.75 + 1 + 1)
    assert r.heatmap[0][8] == pytest.approx(0.5 + 0) and r.heatmap[0][9] == pytest.approx(1.0 + 1.0)
    assert r.heatmap[0][10] == pytest.approx(0.25)
    assert r.heatmap[1][23] == pytest.approx(0.5) and r.heatmap[2][0] == pytest.approx(0.5)  # split at midnight
    weeks = {(w.room, w.week): w.hours for w in r.room_weeks}
    assert weeks == {("room:A", "2026-11-23"): 1.75, ("room:B", "2026-11-23"): 1.0, ("room:A", "2026-11-30"): 1.0}
    assert [(n.name, n.sessions) for n in r.by_lecturer] == [("Aliya", 3), ("Bolat", 1)]
    assert [(n.name, n.sessions) for n in r.by_course] == [("Physics", 3), ("Chemistry", 1)]
    assert (r.recordings.count, r.recordings.hours, r.recordings.size_bytes) == (1, 1.5, 2_000_000_000)
    assert r.tablets is not None and r.tablets["joins"] == 0 and r.tablets["response_rate"] is None and not r.notes


def test_local_time_shifts_the_heatmap(store: Store) -> None:
    r = query_room_store(store.db, UsageFilter(utc_offset_h=6), "room:A")  # Almaty
    assert r.heatmap[0][14] == pytest.approx(0.5) and r.heatmap[2][5] == pytest.approx(0.5)


def test_lamps_faults_and_device_hours(store: Store) -> None:
    r = query_room_store(store.db, UsageFilter(lamp_rated_hours=3000), "room:A")
    proj = next(d for d in r.devices if d.uid == "mac:proj")
    assert proj.lamp_hours == 2702 and proj.lamp_warning and proj.hours_in_sessions == 1.75
    assert proj.room == "A"  # by the name people use, not the id "room:A"
    assert not next(d for d in r.devices if d.uid == "mac:cam").lamp_warning
    assert not query_room_store(store.db, UsageFilter(lamp_rated_hours=4000), "room:A").devices[1].lamp_warning
    faults = {f.uid: (f.fault_events, f.fault_readings) for f in r.faults}
    assert faults == {"mac:proj": (1, 1), "mac:cam": (1, 0)}


def test_filters(store: Store) -> None:
    by_room = query_room_store(store.db, UsageFilter(room="room:B"), "room:A")
    assert by_room.sessions == 1 and [d.uid for d in by_room.devices] == ["mac:cam"]
    assert [f.uid for f in by_room.faults] == ["mac:cam"] and by_room.recordings.count == 0
    by_dates = query_room_store(store.db, UsageFilter(since=date(2026, 11, 30), until=date(2026, 11, 30)), "room:A")
    assert by_dates.sessions == 1 and by_dates.faults == ()
    by_person = query_room_store(store.db, UsageFilter(lecturer="Bolat"), "room:A")
    assert by_person.sessions == 1 and by_person.by_course[0].name == "Chemistry"


def test_report_survives_json_and_exports(store: Store) -> None:
    r = query_room_store(store.db, UsageFilter(since=date(2026, 11, 1), room="room:A"), "room:A")
    assert UsageReport.from_json(json.loads(json.dumps(r.as_json()))) == r
    rows = list(csv.reader(io.StringIO(to_csv(r))))
    assert rows[0] == ["section", "key", "detail", "value"]
    assert ["lamp_hours", "Epson", "of 3000 rated; WARNING: near end of life", "2702"] in rows
    assert "WARNING" in to_table(r) and "Tablet participation: 0 session(s), 0 joined" in to_table(r)


def test_usage_command_formats(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store.close()
    args = ["--data-dir", str(tmp_path), "usage", "--format", "json", "--room", "room:A", "--utc-offset", "0"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sessions"] == 3 and report["filter"]["room"] == "room:A"
    assert main(["--data-dir", str(tmp_path), "usage", "--format", "csv", "--since", "2026-11-30"]) == 0
    assert "totals,sessions,,2" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path), "usage"]) == 0
    assert "Sessions by lecturer" in capsys.readouterr().out


def test_a_recording_made_outside_a_session_belongs_to_the_consoles_room(store: Store) -> None:
    """It has no session, so filtering by room once dropped it: the room's own view showed 0 recordings."""
    rid = store.add_recording(None, "/nowhere/outside.mp4")
    store.finish_recording(rid, duration_s=37.0, size_bytes=1_000_000, sha256="1" * 64)
    store.db.execute("UPDATE recordings SET started_at = '2026-11-23T12:00:00.000000Z' WHERE id = ?", (rid,))
    assert query_room_store(store.db, UsageFilter(), "room:A").recordings.count == 2
    for room in ("room:A", "A"):  # by id or by the name people call it
        report = query_room_store(store.db, UsageFilter(room=room), "room:A")
        assert report.recordings.count == 2 and report.sessions == 3 and report.filter.room == room
    assert query_room_store(store.db, UsageFilter(room="room:B"), "room:A").recordings.count == 0
    assert query_room_store(store.db, UsageFilter(room="room:B"), "room:B").recordings.count == 1
    assert query_room_store(store.db, UsageFilter(lecturer="Aliya"), "room:A").recordings.count == 1


def test_session_rows_for_the_export(store: Store) -> None:
    r = query_room_store(store.db, UsageFilter(utc_offset_h=6, session_rows=True), "room:A")
    assert [(s.room, s.lecturer, s.course, s.recordings) for s in r.session_rows] == [
        ("A", "Aliya", "Physics", 1), ("B", "Bolat", "Chemistry", 0),
        ("A", "Aliya", "Physics", 0), ("A", "Aliya", "Physics", 0),
    ]
    first = r.session_rows[0]
    assert first.duration_s == 6300.0 and first.start_s % 86400 == (8.5 + 6) * 3600  # local time
    assert r.session_rows[-1].duration_s == 0.0  # never ended
    assert query_room_store(store.db, UsageFilter(), "room:A").session_rows == ()  # only when asked
    assert UsageReport.from_json(json.loads(json.dumps(r.as_json()))) == r


def test_sessions_csv_has_one_row_per_session(store: Store) -> None:
    r = query_room_store(store.db, UsageFilter(utc_offset_h=6, session_rows=True), "room:A")
    rows = list(csv.reader(io.StringIO(sessions_csv(r))))
    assert rows[0] == ["room", "date", "start", "end", "lecturer", "course", "hours", "recordings"]
    assert rows[1] == ["A", "2026-11-23", "14:30", "16:15", "Aliya", "Physics", "1.75", "1"]
    assert rows[2] == ["B", "2026-11-25", "05:30", "06:30", "Bolat", "Chemistry", "1.00", "0"]
    assert rows[4][3] == "" and len(rows) == 5  # never ended: no end
    utc = query_room_store(store.db, UsageFilter(session_rows=True), "room:A")
    assert list(csv.reader(io.StringIO(sessions_csv(utc))))[2][1:4] == ["2026-11-24", "23:30", "2026-11-25 00:30"]


def test_the_text_report_shows_a_short_recording_in_seconds(store: Store) -> None:
    rid = store.add_recording(None, "/nowhere/short.mp4")
    store.finish_recording(rid, duration_s=37.0, size_bytes=1_000, sha256="2" * 64)
    text = to_table(query_room_store(store.db, UsageFilter(since=date(2026, 11, 29)), "room:A"))
    assert "Recordings: 1, 37 s," in text
