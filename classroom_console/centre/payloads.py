"""What a room may send, checked and turned into row parameters; anything malformed is a ValueError (400)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")
FILE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_EVENTS = 200_000
MAX_TEXT = 4096
MAX_SESSION_S = 86400.0  # a session left open for days counts one day at most


def check_id(value: Any, pattern: re.Pattern[str] = ID_RE) -> str:
    if not isinstance(value, str) or not pattern.match(value) or ".." in value:
        raise ValueError(f"bad id: {str(value)[:100]!r}")
    return value


def _text(value: Any, default: str = "") -> str:
    if value is None:
        return default
    return str(value)[:MAX_TEXT]


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)[:65536]


@dataclass(slots=True)
class SessionRows:
    session: dict[str, Any]
    events: list[dict[str, Any]]
    span: dict[str, Any]
    hours: list[dict[str, Any]]
    device_spans: list[dict[str, Any]]
    devices: list[dict[str, Any]]
    readings: list[dict[str, Any]]


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
    """The room is the authenticated one, whatever the body claims."""
    if not isinstance(body, dict) or not isinstance(body.get("session"), dict):
        raise ValueError("body must be an object with a 'session' object")
    s = body["session"]
    if s.get("id") != session_id:
        raise ValueError("session id in the body does not match the URL")
    events = body.get("events") or []
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise ValueError(f"events must be a list of at most {MAX_EVENTS}")
    session = {
        "room_id": room, "id": session_id, "lecturer": _text(s.get("lecturer")), "course": _text(s.get("course")),
        "kind": _text(s.get("kind")), "started_at": _text(s.get("started_at")),
        "ended_at": s.get("ended_at") and _text(s.get("ended_at")), "status": _text(s.get("status")), "now": now,
    }
    if not session["started_at"]:
        raise ValueError("session needs started_at")
    rows, uids = [], set()
    for e in events:
        if not isinstance(e, dict) or not isinstance(e.get("id"), int):
            raise ValueError("each event needs an integer id")
        uid = e.get("device_uid")
        rows.append({
            "room_id": room, "session_id": session_id, "local_id": int(e["id"]),
            "device_uid": None if uid is None else _text(uid), "kind": _text(e.get("kind")),
            "payload": _json(e.get("payload", {})), "wall_time": _text(e.get("wall_time")),
        })
        if uid is not None:
            uids.add(_text(uid))
    try:
        t0, dur = span_of(session["started_at"], session["ended_at"])
    except ValueError as exc:
        raise ValueError(f"bad session time: {exc}") from None
    common = {"room_id": room, "started_at": session["started_at"], "lecturer": session["lecturer"]}
    span = {**common, "id": session_id, "course": session["course"], "t0_s": t0, "dur_s": dur}
    hours = [{**common, "session_id": session_id, "how": how, "secs": secs} for how, secs in hour_buckets(t0, dur)]
    dspans = [{**common, "session_id": session_id, "device_uid": u, "dur_s": dur} for u in sorted(uids)]
    devices = [
        {"room_id": room, "uid": _text(d.get("uid")), "kind": _text(d.get("kind")), "name": _text(d.get("name"))}
        for d in body.get("devices") or [] if isinstance(d, dict) and d.get("uid")
    ]
    readings = [
        {"room_id": room, "device_uid": _text(r.get("device_uid")), "wall_time": _text(r.get("wall_time")),
         "power": r.get("power") and _text(r.get("power")), "lamp_hours": _json(list(r.get("lamp_hours") or [])),
         "error_status": _json(dict(r.get("error_status") or {}))}
        for r in body.get("readings") or [] if isinstance(r, dict) and r.get("device_uid") and r.get("wall_time")
    ]
    return SessionRows(session, rows, span, hours, dspans, devices, readings)


def recording_row(room: str, body: Any, max_bytes: int) -> dict[str, Any]:
    """A recording announced before its bytes: id, size and checksum are fixed from here on."""
    if not isinstance(body, dict):
        raise ValueError("body must be an object")
    size = body.get("size")
    if not isinstance(size, int) or size < 0:
        raise ValueError("size must be a non-negative integer")
    if size > max_bytes:
        raise OverflowError(f"{size} bytes is more than this centre accepts ({max_bytes})")
    sha = str(body.get("sha256", "")).lower()
    if not SHA256_RE.match(sha):
        raise ValueError("sha256 must be 64 hex digits")
    session_id = body.get("session_id")
    return {
        "room_id": room, "id": check_id(body.get("id"), FILE_ID_RE),
        "session_id": None if session_id is None else check_id(session_id),
        "name": _text(body.get("name"))[:200], "started_at": _text(body.get("started_at")),
        "stopped_at": body.get("stopped_at") and _text(body.get("stopped_at")),
        "duration_s": float(body.get("duration_s") or 0.0), "size_bytes": size, "sha256": sha,
    }
