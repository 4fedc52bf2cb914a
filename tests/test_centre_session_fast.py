"""The compiled session check (session_fast) accepts only what the reference (payloads.session_rows) accepts,
and makes exactly the reference's rows for it; the common shape really takes the fast path."""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classroom_console.centre import app as centre_app
from classroom_console.centre import validate
from classroom_console.centre.bodies import decode
from classroom_console.centre.payloads import FILE_ID_RE, ID_RE, SessionRows, check_id, recording_row, session_rows
from classroom_console.centre.session_fast import session_rows_fast
from tests.test_centre_api import T0, auth, session_body
from tests.test_centre_validation import HOSTILE_SESSIONS, RAW_SESSIONS
from tests.test_sync_support import add_token, running_centre


def _reference(raw: bytes) -> SessionRows | str:
    try:
        return session_rows("Room A", "s-1", decode(raw, yielding=False), T0)
    except validate.Invalid as exc:
        return str(exc)


def _same_or_declined(raw: bytes) -> SessionRows | None:
    fast = session_rows_fast("Room A", "s-1", raw, T0)
    if fast is not None:
        assert fast == _reference(raw)
    return fast


def test_the_common_shape_takes_the_fast_path_with_the_reference_rows() -> None:
    body = session_body("s-1", 40)
    for i, e in enumerate(body["events"]):
        e["payload"] = {"input": f"HDMI {i}", "on": i % 2 == 0, "n": i, "list": [1, None, "x"], "nested": {"b": 1}}
        e["device_uid"] = None if i % 5 == 0 else f"mac:{i % 3}"
    del body["events"][3]["payload"]  # a missing payload is {} in both
    raw = json.dumps(body).encode()
    rows = _same_or_declined(raw)
    assert rows is not None and len(rows.events) == 40
    assert rows.events[3]["payload"] == "{}" and rows.events[0]["device_uid"] is None


@pytest.mark.parametrize(("label", "body"), HOSTILE_SESSIONS, ids=[label for label, _ in HOSTILE_SESSIONS])
def test_every_hostile_body_is_left_to_the_reference(label: str, body: Any) -> None:
    raw = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
    assert session_rows_fast("Room A", "s-1", raw, T0) is None, label
    assert isinstance(_reference(raw), str), label


@pytest.mark.parametrize(("label", "raw"), RAW_SESSIONS, ids=[label for label, _ in RAW_SESSIONS])
def test_every_body_that_is_not_strict_json_is_left_to_the_reference(label: str, raw: bytes) -> None:
    assert session_rows_fast("Room A", "s-1", raw, T0) is None, label


@pytest.mark.parametrize("payload", [
    {"level": 0.5}, {"big": 1e16}, {"small": 1e-05}, {"name": "Проектор"}, {"raw": "HDMI\x01"},
    {"quote": 'say "hi"\\'}, {"del": "\x7f"}, {"serial": 1234567890123456789}, {"id": "1234567890123456789012"},
    {"a": [[[[[[[1]]]]]]]}, {"a": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}]}, {"z": 1, "a": 2, "M": 3},
    {"negative_zero": -0.0}, [1, 2, 3], "text", 7, None, True,
])
def test_a_payload_either_encoder_could_write_differently_is_stored_in_the_reference_form(payload: Any) -> None:
    body = session_body("s-1", 3)
    body["events"][1]["payload"] = payload
    raw = json.dumps(body, ensure_ascii=False).encode()
    rows = _same_or_declined(raw)
    reference = _reference(raw)
    assert isinstance(reference, SessionRows)
    assert rows is not None and rows.events[1]["payload"] == reference.events[1]["payload"]


@pytest.mark.parametrize("wall_time", [
    "2026-11-23T08:10:00Z", "2026-11-23T10:10:00.000000+02:00", "2026-02-30T08:00:00.000000Z",
    "2026-11-23T24:00:00.000000Z", "2026-11-23T23:60:00.000000Z", "1999-12-31T23:59:59.999999Z",
    "2200-01-01T00:00:00.000000Z", "2026-11-23T08:10:00.000000Z\n", "٢٠٢٦-11-23T08:10:00.000000Z",
    "2026-11-23T08:10:00.0000000Z", "2026-11-23 08:10:00.000000Z",
])
def test_a_time_not_in_the_consoles_own_form_is_left_to_the_reference(wall_time: str) -> None:
    body = session_body("s-1", 3)
    body["events"][2]["wall_time"] = wall_time
    assert session_rows_fast("Room A", "s-1", json.dumps(body).encode(), T0) is None


def test_times_that_only_line_up_when_joined_are_not_taken() -> None:
    body = session_body("s-1", 2)
    body["events"][0]["wall_time"] = "2026-11-23T08:10:00.000000"
    body["events"][1]["wall_time"] = "Z2026-11-23T08:10:00.000000Z"[:27]
    assert session_rows_fast("Room A", "s-1", json.dumps(body).encode(), T0) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)
EVENT_FIELDS = ["id", "device_uid", "kind", "payload", "wall_time", "extra"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 2), field=st.sampled_from(EVENT_FIELDS), value=json_values,
       payload=json_values)
def test_any_event_value_is_declined_or_gives_the_reference_rows(index: int, field: str, value: Any,
                                                                 payload: Any) -> None:
    body = copy.deepcopy(session_body("s-1", 3))
    body["events"][(index + 1) % 3]["payload"] = payload
    body["events"][index][field] = value
    raw = json.dumps(body, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    _same_or_declined(raw)


@pytest.mark.parametrize("text", ["2026-11-23T08:10:00.000000Z\n", "2026-11-23T10:10:00+02:00\n"])
def test_a_time_with_a_trailing_newline_is_refused_not_stored(text: str) -> None:
    with pytest.raises(validate.Invalid):
        validate.timestamp(text, "wall_time")


def test_an_id_with_a_trailing_newline_is_refused() -> None:
    for pattern in (ID_RE, FILE_ID_RE):
        with pytest.raises(validate.Invalid):
            check_id("r1\n", pattern)
    with pytest.raises(validate.Invalid):
        recording_row("Room A", {"id": "r1\n", "size": 1, "sha256": "a" * 64, "started_at": T0}, 10)


async def test_the_centre_takes_common_uploads_by_the_fast_path_and_the_rest_by_the_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small (on the loop) and medium (on a worker thread) common bodies never reach session_rows, a float in a
    payload included (that payload alone is encoded by the reference); a time with an offset does reach it.
    Every payload is stored in the reference's text."""
    called: list[str] = []

    def counted(room: str, session_id: str, body: Any, now: str) -> SessionRows:
        called.append(session_id)
        return session_rows(room, session_id, body, now)

    monkeypatch.setattr(centre_app, "session_rows", counted)
    small, medium, offset = session_body("s-small", 5), session_body("s-medium", 1500), session_body("s-offset", 5)
    small["events"][2]["payload"] = {"level": 0.25, "big": 1e16}
    offset["events"][1]["wall_time"] = "2026-11-23T10:10:00+02:00"
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        for body in (small, medium, offset):
            sid = body["session"]["id"]
            raw = json.dumps(body).encode()
            if body is medium:
                assert centre_app.Limits().inline_json_bytes < len(raw) < centre_app.Limits().fast_json_bytes
            async with http.put(f"{centre.url}/api/v1/sessions/{sid}", data=raw,
                                headers={**auth(token), "Content-Type": "application/json"}) as r:
                assert r.status == 200, await r.text()
                assert (await r.json())["events"] == len(body["events"])
    assert called == ["s-offset"]
    conn = sqlite3.connect(tmp_path / "centre.db")
    try:
        stored = dict(conn.execute(
            "SELECT session_id || ':' || local_id, payload FROM session_events WHERE local_id = 3").fetchall())
    finally:
        conn.close()
    for body in (small, medium, offset):
        sid = body["session"]["id"]
        assert stored[f"{sid}:3"] == validate.encode_json(body["events"][2]["payload"])


@pytest.mark.parametrize("payload", [
    "01", "+1", ".5", "1.", "-", "0x10", "'a'", "[1,]", '{"a":1,}', "/*c*/1", '"\\x"', '"\\u12"', '"a\tb"', "1e",
    "[1 2]", '{"a" 1}', "tru", "1}", "-01", "-0", '"\\u0000"', "1E+2", '"\\/"', "1 x",
])
def test_json_that_a_strict_parser_refuses_is_never_taken(payload: str) -> None:
    head = json.dumps({"session": {"id": "s-1", "started_at": T0}})[:-1]
    event = '{"id": 1, "kind": "k", "wall_time": "2026-11-23T08:00:00.000000Z", "payload": ' + payload + "}"
    raw = (head + ', "events": [' + event + "]}").encode()
    _same_or_declined(raw)
