"""Tablet participation figures (joins, answers per activity, response rates) from the participation events.

The events (``participation.py``'s kinds and the tablets server's ``tablet.*``) are rolled up per session
into ``tablet_counts``: by triggers in a room's store (``participation_rollup.py``, migration v9), and by
``rollup`` below at the centre from each upload. One plain query reads those few rows per session, the
same on SQLite and PostgreSQL; the rates are worked out here in Python, so every back end gives the same
numbers.

Response rate: of the seats that joined a session, the share that answered an activity (each seat counted
once however often it changed its answer). A session's rate is over all its activities, a course's over
all its sessions: respondents / (activities x joined seats).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from classroom_console.cli_text import tr
from classroom_console.participation import (
    ACTIVITY_STARTED,
    ANSWER,
    HAND_RAISED,
    JOINED,
    TABLET_ACTIVITY,
    TABLET_ANSWER,
    TABLET_HAND,
    TABLET_JOINED,
)

MAX_LISTED = 500  # sessions and activities listed one by one (the newest); the totals count them all
# Two spellings of the same facts: participation.py's, and the tablets server's own log (``tablet.*``: the
# activity as ``id``/``kind``/``question``, an answer's activity as ``activity``, a hand with ``up``).
_KINDS = (JOINED, ACTIVITY_STARTED, ANSWER, HAND_RAISED, TABLET_JOINED, TABLET_ACTIVITY, TABLET_ANSWER, TABLET_HAND)
_JOINS, _STARTS, _ANSWERS, _HANDS = (JOINED, TABLET_JOINED), (ACTIVITY_STARTED, TABLET_ACTIVITY), (
    ANSWER, TABLET_ANSWER), (HAND_RAISED, TABLET_HAND)


# The rollup both sides keep (the room's store by triggers, migration v9; the centre from each upload, here):
# one row per session and (item, kind): kind "join" and "hand" with item "", "activity" and "answer" with the
# activity's id; ``events`` counts rows, ``seats`` distinct seats. Reading it is a few rows per session.
ROLLED_UP = frozenset(_KINDS)


def _activity_id(payload: Mapping[str, Any]) -> str | None:
    for key in ("activity_id", "activity", "id"):
        if payload.get(key) is not None:
            return str(payload[key])
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def rollup(events: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The rollup rows of one session from its (kind, payload) events, as migration v9's triggers make them."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    seats: dict[tuple[str, str], set[str]] = {}
    for kind, payload in events:
        if kind not in _KINDS or not isinstance(payload, dict):
            continue
        seat = None if payload.get("seat") is None else str(payload["seat"])
        if kind in _JOINS:
            key = ("", "join")
        elif kind in _HANDS:
            if kind == TABLET_HAND and payload.get("up") not in (True, 1):
                continue
            key = ("", "hand")
        else:
            item = _activity_id(payload)
            if item is None:
                continue
            key = (item, "activity" if kind in _STARTS else "answer")
        row = rows.setdefault(key, {"item": key[0], "kind": key[1], "activity_kind": "", "title": "",
                                    "events": 0, "seats": 0})
        row["events"] += 1
        if key[1] == "activity":
            row["activity_kind"] = _text(payload.get("activity_kind", payload.get("kind")))
            row["title"] = _text(payload.get("title", payload.get("question")))
        elif seat is not None and key[1] in ("join", "answer"):
            seats.setdefault(key, set()).add(seat)
            row["seats"] = len(seats[key])
    return list(rows.values())


def participation_sql(fs: str) -> str:
    """The rollup rows of the filtered sessions (``fs``: the filtered-sessions CTE), matched by session id."""
    return (
        f"WITH {fs} SELECT t.session_id, fs.room_id, fs.course, fs.t0, t.kind, t.item, t.activity_kind, t.title, "
        "t.events, t.seats FROM tablet_counts t JOIN fs ON fs.id = t.session_id"
    )


def _rate(respondents: int, activities: int, joins: int) -> float | None:
    if activities <= 0 or joins <= 0:
        return None
    return round(min(1.0, respondents / (activities * joins)), 4)


def figures(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """The report's ``tablets`` section from ``participation_sql``'s rows; pure Python."""
    sessions: dict[tuple[str, str], dict[str, Any]] = {}
    for sid, room, course, t0, kind, act, akind, title, count, seats in rows:
        s = sessions.setdefault((str(room), str(sid)), {
            "session_id": str(sid), "room": str(room), "course": str(course), "start_s": float(t0),
            "joins": 0, "hands": 0, "answers": 0, "activities": {},
        })
        if kind == "join":
            s["joins"] += int(seats)
        elif kind == "hand":
            s["hands"] += int(count)
        elif act:
            a = s["activities"].setdefault(str(act), {"kind": "", "title": "", "answers": 0, "respondents": 0})
            if kind == "activity":
                a["kind"], a["title"] = str(akind or ""), str(title or "")
            else:
                a["answers"] += int(count)
                a["respondents"] += int(seats)
                s["answers"] += int(count)
    by_session: list[dict[str, Any]] = []
    by_activity: list[dict[str, Any]] = []
    courses: dict[str, dict[str, Any]] = {}
    total = {"sessions": 0, "joins": 0, "activities": 0, "answers": 0, "hands": 0, "respondents": 0, "slots": 0}
    for s in sorted(sessions.values(), key=lambda x: (-x["start_s"], x["room"], x["session_id"])):
        acts = s.pop("activities")
        respondents = sum(a["respondents"] for a in acts.values())
        n_acts = len(acts)
        s.update(activities=n_acts, response_rate=_rate(respondents, n_acts, s["joins"]))
        by_session.append(s)
        for aid, a in sorted(acts.items()):
            by_activity.append({"session_id": s["session_id"], "room": s["room"], "course": s["course"],
                                "activity_id": aid, **a, "response_rate": _rate(a["respondents"], 1, s["joins"])})
        c = courses.setdefault(s["course"], {"course": s["course"], "sessions": 0, "joins": 0, "activities": 0,
                                             "answers": 0, "respondents": 0, "slots": 0})
        for bucket in (c, total):
            bucket["sessions"] += 1
            bucket["joins"] += s["joins"]
            bucket["activities"] += n_acts
            bucket["answers"] += s["answers"]
            bucket["respondents"] += respondents
            bucket["slots"] += n_acts * s["joins"]
        total["hands"] += s["hands"]
    by_course = []
    for c in sorted(courses.values(), key=lambda x: (-x["sessions"], x["course"])):
        respondents, slots = c.pop("respondents"), c.pop("slots")
        by_course.append({**c, "response_rate": round(min(1.0, respondents / slots), 4) if slots else None})
    respondents, slots = total.pop("respondents"), total.pop("slots")
    return {
        **total,
        "response_rate": round(min(1.0, respondents / slots), 4) if slots else None,
        "by_session": by_session[:MAX_LISTED],
        "by_course": by_course,
        "by_activity": by_activity[:MAX_LISTED],
    }


def _pct(rate: Any) -> str:
    return "-" if rate is None else f"{float(rate) * 100:.0f}%"


def _num(rate: Any) -> str:
    return "" if rate is None else str(rate)


def tablet_rows(r: Any) -> list[tuple[str, str, str, str]]:
    """The CSV export's rows for ``UsageReport.tablets`` (``r``), or the report's note when there are none."""
    t = r.tablets
    if t is None:
        return [("tablets", "participation", "; ".join(r.notes), "")]
    rows = [("tablets", key, "", str(t.get(key, 0))) for key in ("sessions", "joins", "activities", "answers", "hands")]
    rows.append(("tablets", "response_rate", "", _num(t.get("response_rate"))))
    for c in t.get("by_course", ()):
        rows.append(("tablets_course_joins", c["course"], "", str(c["joins"])))
        rows.append(("tablets_course_response_rate", c["course"], "", _num(c["response_rate"])))
    for s in t.get("by_session", ()):
        rows.append(("tablets_session_response_rate", s["session_id"], s["course"], _num(s["response_rate"])))
    for a in t.get("by_activity", ()):
        detail = f"{a['session_id']} {a['title']}"
        rows.append(("tablets_activity_answers", a["activity_id"], detail, str(a["answers"])))
    return rows


def tablet_lines(r: Any) -> list[str]:
    """The text report's lines for the tablets section, in the CLI's language."""
    t = r.tablets
    if t is None:
        return [tr("Tablet participation: {notes}").format(notes="; ".join(tr(n) for n in r.notes))]
    lines = [tr("Tablet participation: {sessions} session(s), {joins} joined, {activities} activities, {answers} "
                "answers, response rate {rate}").format(
        sessions=t["sessions"], joins=t["joins"], activities=t["activities"], answers=t["answers"],
        rate=_pct(t["response_rate"]))]
    lines += ["  " + tr("{course:<32} {sessions:6d} sessions {joins:6d} joined {answers:6d} answers  {rate}").format(
        course=c["course"] or tr("(not given)"), sessions=c["sessions"], joins=c["joins"], answers=c["answers"],
        rate=_pct(c["response_rate"])) for c in t.get("by_course", ())[:15]]
    return lines
