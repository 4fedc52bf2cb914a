"""Hostile bodies from a well-authenticated room: each one 400 with one line, nothing stored, the report still JSON."""

from __future__ import annotations

import copy
import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classroom_console.centre import validate
from classroom_console.centre.bodies import decode
from classroom_console.centre.payloads import recording_row, session_rows
from classroom_console.centre.tokens import STAFF
from classroom_console.usage_model import UsageFilter
from tests.test_centre_api import T0, auth, session_body
from tests.test_sync_support import add_token, running_centre

SHA = "a" * 64


def _set(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


GOOD = session_body("s-1")
HOSTILE_SESSIONS: list[tuple[str, Any]] = [
    ("not an object", [1, 2, 3]),
    ("session missing", {"events": []}),
    ("session a string", {"session": "s-1"}),
    ("id mismatch", _set(GOOD, ("session", "id"), "s-2")),
    ("started_at missing", _set(GOOD, ("session", "started_at"), None)),
    ("started_at garbage", _set(GOOD, ("session", "started_at"), "yesterday")),
    ("started_at a number", _set(GOOD, ("session", "started_at"), 1700000000)),
    ("started_at year 9999", _set(GOOD, ("session", "started_at"), "9999-12-31T23:59:59Z")),
    ("started_at without zone", _set(GOOD, ("session", "started_at"), "2026-11-23T08:00:00")),
    ("ended_at impossible date", _set(GOOD, ("session", "ended_at"), "2026-02-30T10:00:00Z")),
    ("lecturer a list", _set(GOOD, ("session", "lecturer"), ["x"])),
    ("lecturer with NUL", _set(GOOD, ("session", "lecturer"), "Dr\x00Evil")),
    ("lecturer lone surrogate", _set(GOOD, ("session", "lecturer"), "\ud800")),
    ("course too long", _set(GOOD, ("session", "course"), "c" * 5000)),
    ("events an object", _set(GOOD, ("events",), {"id": 1})),
    ("event id a string", _set(GOOD, ("events", 0, "id"), "1")),
    ("event id a float", _set(GOOD, ("events", 0, "id"), 1.5)),
    ("event id a bool", _set(GOOD, ("events", 0, "id"), True)),
    ("event id negative", _set(GOOD, ("events", 0, "id"), -1)),
    ("event id beyond int64", _set(GOOD, ("events", 0, "id"), 1 << 70)),
    ("event kind missing", _set(GOOD, ("events", 0, "kind"), None)),
    ("event wall_time garbage", _set(GOOD, ("events", 0, "wall_time"), "\u0661\u0662:00")),
    ("event payload too deep", _set(GOOD, ("events", 0, "payload"), _deep(40))),
    ("event payload huge number", _set(GOOD, ("events", 0, "payload"), {"x": 1e308 * 10})),
    ("event payload integer beyond int64", _set(GOOD, ("events", 0, "payload"), {"x": [1, 10**30]})),
    ("event payload too large", _set(GOOD, ("events", 0, "payload"), {"x": ["y" * 60000, "z" * 60000]})),
    ("device uid missing", _set(GOOD, ("devices", 0, "uid"), None)),
    ("device a string", _set(GOOD, ("devices", 0), "mac:1")),
    ("reading lamp hours NaN-ish", _set(GOOD, ("readings", 0, "lamp_hours"), [1e400])),
    ("reading lamp hours float", _set(GOOD, ("readings", 0, "lamp_hours"), [2950.5])),
    ("reading lamp hours huge", _set(GOOD, ("readings", 0, "lamp_hours"), [10**30])),
    ("reading lamp hours a string", _set(GOOD, ("readings", 0, "lamp_hours"), "2950")),
    ("reading error_status a list", _set(GOOD, ("readings", 0, "error_status"), ["lamp"])),
    ("reading error_status nested", _set(GOOD, ("readings", 0, "error_status"), {"lamp": {"x": 1}})),
    ("reading wall_time missing", _set(GOOD, ("readings", 0, "wall_time"), None)),
]
# Bodies that are not even JSON a strict parser accepts: NaN, Infinity, deep nesting, a huge integer, bad UTF-8.
RAW_SESSIONS: list[tuple[str, bytes]] = [
    ("NaN literal", json.dumps(GOOD).replace('"lamp_hours": [2950]', '"lamp_hours": [NaN]').encode()),
    ("Infinity literal", json.dumps(GOOD).replace('"i": 0', '"i": Infinity').encode()),
    ("nested 100000 deep", b'{"session": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ("integer of 5000 digits", json.dumps(GOOD).replace('"id": 1,', '"id": ' + "9" * 5000 + ",").encode()),
    ("not UTF-8", b'{"session": {"id": "s-1", "lecturer": "\xff\xfe"}}'),
    ("truncated", json.dumps(GOOD).encode()[:-5]),
    ("empty", b""),
]
HOSTILE_RECORDINGS: list[tuple[str, Any]] = [
    ("size a string", {"id": "r1", "size": "10", "sha256": SHA, "started_at": T0}),
    ("size negative", {"id": "r1", "size": -1, "sha256": SHA, "started_at": T0}),
    ("size a float", {"id": "r1", "size": 10.0, "sha256": SHA, "started_at": T0}),
    ("sha256 short", {"id": "r1", "size": 10, "sha256": "abc", "started_at": T0}),
    ("sha256 upper hex", {"id": "r1", "size": 10, "sha256": "A" * 64, "started_at": T0}),
    ("id with a space", {"id": "r 1", "size": 10, "sha256": SHA, "started_at": T0}),
    ("started_at missing", {"id": "r1", "size": 10, "sha256": SHA}),
    ("duration NaN-ish", {"id": "r1", "size": 10, "sha256": SHA, "started_at": T0, "duration_s": 1e999}),
    ("duration negative", {"id": "r1", "size": 10, "sha256": SHA, "started_at": T0, "duration_s": -5}),
    ("session_id a number", {"id": "r1", "size": 10, "sha256": SHA, "started_at": T0, "session_id": 5}),
    ("name with NUL", {"id": "r1", "size": 10, "sha256": SHA, "started_at": T0, "name": "a\x00b"}),
]


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} in the report")

    return json.loads(text, parse_constant=refuse)


async def test_every_hostile_body_is_400_with_one_line_and_nothing_is_stored(tmp_path: Path) -> None:
    async with running_centre(tmp_path) as centre, aiohttp.ClientSession() as http:
        token = await add_token(centre, "Room A")
        staff = await add_token(centre, "Staff", STAFF)
        url = f"{centre.url}/api/v1/sessions/s-1"
        headers = {**auth(token), "Content-Type": "application/json"}
        for label, body in HOSTILE_SESSIONS:
            raw = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
            async with http.put(url, data=raw, headers=headers) as r:
                answer = await r.json()
                assert r.status == 400, (label, answer)
                assert answer["error"] and "\n" not in answer["error"], label
        for label, raw in RAW_SESSIONS:
            async with http.put(url, data=raw, headers=headers) as r:
                answer = await r.json()
                assert r.status == 400, (label, answer)
                assert "\n" not in answer["error"], label
        for label, body in HOSTILE_RECORDINGS:
            raw = json.dumps(body, allow_nan=True).encode()
            async with http.post(f"{centre.url}/api/v1/recordings", data=raw, headers=headers) as r:
                answer = await r.json()
                assert r.status == 400, (label, answer)
        for query in ({"utc_offset_h": "nan"}, {"since": "9999-12-31"}, {"until": "0001-01-01"},
                      {"lamp_rated_hours": "1e9"}, {"utc_offset_h": "inf"}, {"since": "2026-13-45"}):
            async with http.get(f"{centre.url}/api/v1/usage", params=query, headers=auth(staff)) as r:
                assert r.status == 400, query
        async with http.get(f"{centre.url}/api/v1/usage", headers=auth(staff)) as r:
            assert r.status == 200
            report = _strict(await r.text())
        assert report["sessions"] == 0 and report["recordings"]["count"] == 0
        # A good body after all that is stored as usual, and the report is still strict JSON. A device's stray
        # control byte inside an event payload is kept (stored escaped), not a reason to refuse the session.
        garbled = _set(GOOD, ("events", 1, "payload"), {"input_name": "HDMI\x01\ud800"})
        raw = json.dumps(garbled).encode()
        async with http.put(url, data=raw, headers=headers) as r:
            assert r.status == 200, await r.text()
        async with http.get(f"{centre.url}/api/v1/usage", headers=auth(staff)) as r:
            sent = _strict(await r.text())
        assert sent["sessions"] == 1
        assert centre.db is not None  # the centre's own JSON is exactly the report's as_json()
        assert sent == json.loads(json.dumps((await centre.db.usage(UsageFilter())).as_json()))
    conn = sqlite3.connect(tmp_path / "centre.db")
    try:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM session_events").fetchone()[0] == 3
        assert conn.execute("SELECT count(*) FROM recordings").fetchone()[0] == 0
    finally:
        conn.close()


# Any JSON value in any field: either refused as Invalid, or rows that every back end can store and report.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = [("session", "lecturer"), ("session", "started_at"), ("session", "ended_at"), ("session", "status"),
          ("events", 0, "id"), ("events", 0, "device_uid"), ("events", 0, "kind"), ("events", 0, "payload"),
          ("events", 0, "wall_time"), ("devices", 0, "uid"), ("devices", 0, "name"), ("readings", 0, "power"),
          ("readings", 0, "lamp_hours"), ("readings", 0, "error_status"), ("readings", 0, "wall_time"),
          ("events",), ("devices",), ("readings",), ("session",)]


JSON_COLUMNS = {"payload", "lamp_hours", "error_status"}


def _storable(value: Any, column: str = "") -> None:
    if isinstance(value, str):
        value.encode("utf-8")  # no lone surrogates
        assert "\x00" not in value
        if column in JSON_COLUMNS:
            _strict(value)
    elif isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert abs(value) < 1 << 63


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_any_value_in_any_field_is_refused_or_storable(field: tuple[Any, ...], value: Any) -> None:
    body = _set(GOOD, field, value)
    try:
        rows = session_rows("Room A", "s-1", body, T0)
    except validate.Invalid as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for table in (rows.session, rows.span, *rows.events, *rows.hours, *rows.device_spans, *rows.devices,
                  *rows.readings):
        for column, item in table.items():
            _storable(item, column)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(["id", "size", "sha256", "name", "session_id", "started_at", "stopped_at", "duration_s"]),
       value=json_values)
def test_any_value_in_a_recording_announcement_is_refused_or_storable(key: str, value: Any) -> None:
    body = {"id": "r1", "size": 10, "sha256": SHA, "started_at": T0, key: value}
    try:
        row = recording_row("Room A", body, 1 << 40)
    except (validate.Invalid, OverflowError):
        return
    for item in row.values():
        _storable(item)


@pytest.mark.parametrize("raw", [b"[" * 50_000, b'{"a": NaN}', b"-Infinity", b"1" * 5000, b"\xff"])
def test_decode_refuses_what_strict_json_does_not_allow(raw: bytes) -> None:
    with pytest.raises(validate.Invalid):
        decode(raw)
