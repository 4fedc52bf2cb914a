"""What a room may send, checked field by field and turned into row parameters; anything malformed is Invalid (400)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from classroom_console.centre import validate as v
from classroom_console.usage_participation import ROLLED_UP, rollup

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")
FILE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_EVENTS = 100_000  # one a second for a whole day, with room to spare
MAX_READINGS = 100_000
MAX_NAME, MAX_WORD, MAX_UID = 1000, 64, 256
MAX_LAMP_HOURS = 1_000_000
MAX_SESSION_S = 86400.0  # a session left open for days counts one day at most


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)  # a Python frame per object: the GIL can pass to the loop between them


def _no_constant(name: str) -> Any:
    raise v.Invalid("body", f"{name} is not a JSON number")


def decode(raw: bytes, yielding: bool = True) -> Any:
    """JSON text to Python values; anything that is not strict JSON is Invalid (one line).

    ``yielding`` (for a worker thread) makes a Python call per object so the GIL can pass to the loop; a
    small body decoded on the loop itself is faster without.
    """
    try:
        return json.loads(raw, parse_constant=_no_constant, object_pairs_hook=_object if yielding else None)
    except RecursionError:
        raise v.Invalid("body", "nested too deeply") from None
    except UnicodeDecodeError:
        raise v.Invalid("body", "is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise v.Invalid("body", f"is not JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    except v.Invalid:
        raise
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise v.Invalid("body", str(exc).splitlines()[0][:200]) from None


def check_id(value: Any, pattern: re.Pattern[str] = ID_RE) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value) or ".." in value:
        raise v.Invalid("", f"bad id: {str(value)[:100]!r}")
    return value


def _json(value: Any, path: str) -> str:
    """Stored as compact JSON text; too large to store whole is refused, never cut (cut JSON is not JSON)."""
    return v.json_text(value, path)


@dataclass(slots=True)
class SessionRows:
    session: dict[str, Any]
    events: list[dict[str, Any]]
    span: dict[str, Any]
    hours: list[dict[str, Any]]
    device_spans: list[dict[str, Any]]
    devices: list[dict[str, Any]]
    readings: list[dict[str, Any]]
    tablets: list[dict[str, Any]] = field(default_factory=list)  # the participation rollup (usage_participation)


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def span_of(started_at: str, ended_at: str | None) -> tuple[float, float]:
    """Start (epoch s) and length (s, at most a day), exactly as the room's store computes them."""
    t0 = round(_epoch(started_at), 3)
    if not ended_at:
        return t0, 0.0
    return t0, min(max(round(_epoch(ended_at) - _epoch(started_at), 3), 0.0), MAX_SESSION_S)


def hour_buckets(t0: float, dur: float) -> list[tuple[int, float]]:
    """Seconds in each UTC hour of the week (Monday 00:00 = 0) that the session touches."""
    out: list[tuple[int, float]] = []
    t1, h = t0 + dur, int(t0 // 3600)
    while h * 3600 < t1:
        out.append(((h + 72) % 168, min(t1, (h + 1) * 3600.0) - max(t0, h * 3600.0)))
        h += 1
    return out


def session_rows(room: str, session_id: str, body: Any, now: str) -> SessionRows:
    """Every field checked (``validate``); the room is the authenticated one, whatever the body claims.

    The reference for what a session may hold: ``session_fast`` takes the common shape from the raw bytes
    more cheaply, and hands anything it does not accept at once back to this.
    """
    body = v.obj(body, "body")
    session = session_head(room, session_id, body, now)
    rows: list[dict[str, Any]] = []
    for i, e in enumerate(v.array(body.get("events"), "events", MAX_EVENTS)):
        try:
            rows.append(_event(room, session_id, e))
        except v.Invalid as exc:  # paths are spelled out only for the one that failed
            raise v.Invalid(f"events[{i}]", str(exc)) from None
    return session_tail(room, session_id, session, rows, body)


def session_head(room: str, session_id: str, body: dict[str, Any], now: str) -> dict[str, Any]:
    """The session's own row from ``body["session"]``."""
    s = v.obj(body.get("session"), "session")
    if s.get("id") != session_id:
        raise v.Invalid("session.id", "does not match the URL")
    return {
        "room_id": room, "id": session_id, "lecturer": v.text(s.get("lecturer", ""), "session.lecturer", MAX_NAME),
        "course": v.text(s.get("course", ""), "session.course", MAX_NAME),
        "kind": v.text(s.get("kind", ""), "session.kind", MAX_WORD),
        "started_at": v.timestamp(s.get("started_at"), "session.started_at"),
        "ended_at": v.optional_timestamp(s.get("ended_at"), "session.ended_at"),
        "status": v.text(s.get("status", ""), "session.status", MAX_WORD), "now": now,
    }


def session_tail(
    room: str, session_id: str, session: dict[str, Any], rows: list[dict[str, Any]], body: dict[str, Any],
    uids: set[Any] | None = None, any_rolled_up: bool = True,
) -> SessionRows:
    """Everything derived from the checked session and event rows, plus the body's devices and readings.

    ``uids`` (the events' device uids) and ``any_rolled_up`` (whether any event's kind is rolled up) may be
    given by a caller that already knows them.
    """
    uids = ({row["device_uid"] for row in rows} if uids is None else uids) - {None}
    t0, dur = span_of(str(session["started_at"]), session["ended_at"])
    common = {"room_id": room, "started_at": session["started_at"], "lecturer": session["lecturer"]}
    span = {**common, "id": session_id, "course": session["course"], "t0_s": t0, "dur_s": dur}
    hours = [{**common, "session_id": session_id, "how": how, "secs": secs} for how, secs in hour_buckets(t0, dur)]
    dspans = [{**common, "session_id": session_id, "device_uid": u, "dur_s": dur} for u in sorted(uids)]
    devices = [_device(room, d, f"devices[{i}]") for i, d in enumerate(v.array(body.get("devices"), "devices", 1000))]
    readings = [_reading(room, r, f"readings[{i}]")
                for i, r in enumerate(v.array(body.get("readings"), "readings", MAX_READINGS))]
    tablets = [{**t, "room_id": room, "session_id": session_id}
               for t in rollup((r["kind"], json.loads(r["payload"])) for r in rows if r["kind"] in ROLLED_UP)
               ] if any_rolled_up else []
    return SessionRows(session, rows, span, hours, dspans, devices, readings, tablets)


def _plain(value: Any, max_len: int) -> bool:
    """Short printable ASCII: what nearly every id, kind and device uid is, checked in a few C calls."""
    return type(value) is str and 0 < len(value) <= max_len and value.isascii() and value.isprintable()


def _event(room: str, session_id: str, e: Any) -> dict[str, Any]:
    """One event's row; the common shape is checked in a few steps, anything else field by field."""
    if type(e) is dict:
        local_id, uid, kind = e.get("id"), e.get("device_uid"), e.get("kind")
        if (type(local_id) is int and 0 < local_id <= v.INT64_MAX and _plain(kind, MAX_WORD)
                and (uid is None or _plain(uid, MAX_UID))):
            return {
                "room_id": room, "session_id": session_id, "local_id": local_id, "device_uid": uid, "kind": kind,
                "payload": v.json_text(e.get("payload", {}), "payload"),
                "wall_time": v.timestamp(e.get("wall_time"), "wall_time"),
            }
    e = v.obj(e, "")
    uid = e.get("device_uid")
    return {
        "room_id": room, "session_id": session_id, "local_id": v.integer(e.get("id"), "id", 1),
        "device_uid": None if uid is None else v.text(uid, "device_uid", MAX_UID),
        "kind": v.text(e.get("kind"), "kind", MAX_WORD, empty=False),
        "payload": v.json_text(e.get("payload", {}), "payload"),
        "wall_time": v.timestamp(e.get("wall_time"), "wall_time"),
    }


def _device(room: str, d: Any, at: str) -> dict[str, Any]:
    d = v.obj(d, at)
    return {"room_id": room, "uid": v.text(d.get("uid"), f"{at}.uid", MAX_UID, empty=False),
            "kind": v.text(d.get("kind", ""), f"{at}.kind", MAX_WORD),
            "name": v.text(d.get("name", ""), f"{at}.name", MAX_NAME)}


def _reading(room: str, r: Any, at: str) -> dict[str, Any]:
    r = v.obj(r, at)
    lamps = [v.integer(h, f"{at}.lamp_hours[{k}]", 0, MAX_LAMP_HOURS)
             for k, h in enumerate(v.array(r.get("lamp_hours"), f"{at}.lamp_hours", 8))]
    errors = v.obj(r.get("error_status") or {}, f"{at}.error_status")
    if len(errors) > 16:
        raise v.Invalid(f"{at}.error_status", "more than 16 components")
    for key, level in errors.items():
        v.name(key, f"{at}.error_status", MAX_WORD)
        v.text(level, f"{at}.error_status.{key}"[:120], MAX_WORD)
    return {"room_id": room, "device_uid": v.text(r.get("device_uid"), f"{at}.device_uid", MAX_UID, empty=False),
            "wall_time": v.timestamp(r.get("wall_time"), f"{at}.wall_time"),
            "power": v.optional_text(r.get("power"), f"{at}.power", MAX_WORD) or None,
            "lamp_hours": _json(lamps, f"{at}.lamp_hours"), "error_status": _json(errors, f"{at}.error_status")}


def recording_row(room: str, body: Any, max_bytes: int) -> dict[str, Any]:
    """A recording announced before its bytes: id, size and checksum are fixed from here on."""
    body = v.obj(body, "body")
    size = v.integer(body.get("size"), "size", 0)
    if size > max_bytes:
        raise OverflowError(f"{size} bytes is more than this centre accepts ({max_bytes})")
    sha = v.text(body.get("sha256"), "sha256", 64, pattern=SHA256_RE, empty=False)
    session_id = body.get("session_id")
    return {
        "room_id": room, "id": check_id(body.get("id"), FILE_ID_RE),
        "session_id": None if session_id is None else check_id(session_id),
        "name": v.text(body.get("name") or "", "name", 255),
        "started_at": v.timestamp(body.get("started_at"), "started_at"),
        "stopped_at": v.optional_timestamp(body.get("stopped_at"), "stopped_at"),
        "duration_s": v.number(body.get("duration_s") or 0.0, "duration_s", 0.0, MAX_SESSION_S * 30),
        "size_bytes": size, "sha256": sha,
    }
