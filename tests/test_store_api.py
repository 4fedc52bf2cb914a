"""The synchronous store API: devices keyed by uid, sessions, events, recordings, the upload queue."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from classroom_console.store import Store, open_store
from devices.model import Availability, DeviceInfo, DeviceKind


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path)
    yield s
    s.close()


def _projector(address: str) -> DeviceInfo:
    return DeviceInfo(
        uid="mac:aa:bb:cc:dd:ee:01",
        kind=DeviceKind.PROJECTOR,
        name="Hall 1 projector",
        address=address,
        port=4352,
        protocol="pjlink",
        protocol_class="2",
        availability=Availability.ONLINE,
        found_by={"pjlink-search"},
    )


def test_device_keeps_its_row_when_dhcp_moves_it(store: Store) -> None:
    store.upsert_room("hall-1", "Study hall 1", "Main building")
    store.upsert_device(_projector("10.0.0.21"), room_id="hall-1")
    sid = store.start_session(room_id="hall-1")
    store.add_event(sid, "mac:aa:bb:cc:dd:ee:01", "command", {"power": "on"})
    first = store.known_devices()[0]

    store.upsert_device(_projector("10.0.0.57"))  # same uid, new address, no room given

    devices = store.known_devices()
    assert len(devices) == 1
    moved = devices[0]
    assert moved["last_address"] == "10.0.0.57" and moved["last_port"] == 4352
    assert moved["first_seen"] == first["first_seen"] and moved["last_seen"] >= first["last_seen"]
    assert moved["room_id"] == "hall-1"
    assert moved["extra"] == {"availability": "online", "found_by": ["pjlink-search"], "state": {}}
    assert [e["device_uid"] for e in store.events(sid)] == ["mac:aa:bb:cc:dd:ee:01"]


def test_readings_record_lamp_hours_and_faults_over_time(store: Store) -> None:
    store.upsert_device(_projector("10.0.0.21"))
    store.record_device_reading("mac:aa:bb:cc:dd:ee:01", power="on", lamp_hours=[1200], error_status={})
    store.record_device_reading(
        "mac:aa:bb:cc:dd:ee:01", power="on", lamp_hours=[1201], error_status={"lamp": "warning"}
    )
    readings = store.device_readings("mac:aa:bb:cc:dd:ee:01")
    assert [r["lamp_hours"] for r in readings] == [[1200], [1201]]
    assert readings[-1]["error_status"] == {"lamp": "warning"}
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on
        store.record_device_reading("serial:unknown", lamp_hours=[1])


def test_session_lifecycle_and_event_stamps(store: Store) -> None:
    sid = store.start_session(lecturer="Dr. Karimov", course="Physics 101", kind="active_learning")
    for n in range(3):
        store.add_event(sid, None, "state", {"n": n})
    store.add_event(None, "mac:x", "error", {"text": "lamp"})
    store.end_session(sid)

    events = store.events(sid)
    assert [e["payload"]["n"] for e in events] == [0, 1, 2]
    assert all(e["wall_time"].endswith("Z") for e in events)
    monotonic = [e["monotonic_ns"] for e in events]
    assert monotonic == sorted(monotonic)
    assert [e["kind"] for e in store.events(None)] == ["error"]
    session = store.session(sid)
    assert session is not None and session["status"] == "ended" and session["ended_at"]


def test_recording_markers_and_upload_queue(store: Store) -> None:
    sid = store.start_session()
    rec = store.add_recording(sid, "/videos/lecture.mp4", layout="pip", sources=["cam1", "board"])
    store.add_marker(rec, 12.5, "Chapter 1", sid)
    store.add_marker(rec, 3.0, "Intro", sid)
    store.finish_recording(rec, duration_s=60.0, size_bytes=1234, sha256="ab" * 32, stats={"dropped": 0})
    row = store.recording(rec)
    assert row is not None and row["sources"] == ["cam1", "board"] and row["stats"] == {"dropped": 0}
    assert [m["label"] for m in store.markers(rec)] == ["Intro", "Chapter 1"]

    qid = store.enqueue_upload("session", sid)
    assert store.enqueue_upload("session", sid) == qid  # idempotent
    assert [u["id"] for u in store.due_uploads()] == [qid]
    store.mark_upload(qid, error="centre unreachable", retry_in_s=3600)
    assert store.due_uploads() == []
    store.mark_upload(qid)
    (row_q,) = store.db.query("SELECT * FROM upload_queue")
    assert row_q["state"] == "done" and row_q["attempts"] == 1
