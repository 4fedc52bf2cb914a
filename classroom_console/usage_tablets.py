"""The usage report's tablet participation figures, read without joining the sessions or every rollup row.

Each ``tablet_counts`` row carries its session's start, room, lecturer, course and ``t0_s`` (room store v10
by triggers; the centre copies them from the span on each upload), and ``tablet_sessions`` holds one row of
sums per session (tablet_sessions.py). Returning a year's 60,000 rollup rows to Python cost more than the
chart's 100 ms by itself, so: ``tablets_courses`` sums ``tablet_sessions`` per course, ``tablets_sessions``
is the newest ``MAX_LISTED`` sessions, and ``tablets`` the rollup rows (joins, activities, answers) only of
the sessions holding the newest ``MAX_LISTED`` activities. ``tablet_figures`` gives the same section, number
for number, as ``usage_participation.figures`` over every row (tests/test_participation_exact.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from classroom_console.usage_participation import MAX_LISTED, figures

Rows = Sequence[Sequence[Any]]


def tablet_queries(cond: str, off_s: float) -> dict[str, str]:
    """The three statements for the filter ``cond`` (usage_sql's WHERE over start, room and lecturer)."""
    courses = (
        "SELECT course, count(*), sum(joins), sum(acts), sum(answers), sum(hands), sum(respondents), "
        f"sum(acts * joins) FROM tablet_sessions WHERE {cond} GROUP BY course"
    )
    newest = "ORDER BY t0_s DESC, room_id, session_id"
    sessions = (
        f"SELECT session_id, room_id, course, t0_s + {off_s!r}, joins, hands, answers, acts, respondents "
        f"FROM tablet_sessions WHERE {cond} {newest} LIMIT {MAX_LISTED:d}"
    )
    # The sessions holding the newest MAX_LISTED activities: those with fewer than that before them.
    activities = (
        f"WITH ss AS (SELECT room_id, session_id, acts, sum(acts) OVER ({newest} ROWS BETWEEN UNBOUNDED PRECEDING "
        f"AND CURRENT ROW) AS upto FROM tablet_sessions WHERE {cond} AND acts > 0) "
        f"SELECT t.session_id, t.room_id, t.course, t.t0_s + {off_s!r}, t.kind, t.item, t.activity_kind, t.title, "
        "t.events, t.seats FROM tablet_counts t JOIN ss ON ss.room_id = t.room_id AND ss.session_id = t.session_id "
        f"WHERE ss.upto - ss.acts < {MAX_LISTED:d} AND t.kind <> 'hand'"
    )
    return {"tablets_courses": courses, "tablets_sessions": sessions, "tablets": activities}


def _ratio(respondents: int, slots: int) -> float | None:
    return round(min(1.0, respondents / slots), 4) if slots else None


def _session(row: Sequence[Any]) -> dict[str, Any]:
    """One ``by_session`` entry, keys in ``figures``' order."""
    sid, room, course, t0, joins, hands, answers, acts, respondents = row
    joins, acts = int(joins or 0), int(acts or 0)
    rate = None if acts <= 0 or joins <= 0 else _ratio(int(respondents or 0), acts * joins)
    return {"session_id": str(sid), "room": str(room), "course": str(course), "start_s": float(t0), "joins": joins,
            "hands": int(hands or 0), "answers": int(answers or 0), "activities": acts, "response_rate": rate}


def tablet_figures(courses: Rows, sessions: Rows, activities: Rows) -> dict[str, Any]:
    """The report's ``tablets`` section: totals and courses from the sums, the lists from the listed rows."""
    total: dict[str, int] = {"sessions": 0, "joins": 0, "activities": 0, "answers": 0, "hands": 0}
    respondents = slots = 0
    by_course: list[dict[str, Any]] = []
    for course, n, joins, acts, answers, hands, resp, slot in courses:
        c: dict[str, Any] = {"course": str(course), "sessions": int(n), "joins": int(joins or 0),
                             "activities": int(acts or 0), "answers": int(answers or 0)}
        for key in total:
            total[key] += int(hands or 0) if key == "hands" else c[key]
        respondents += int(resp or 0)
        slots += int(slot or 0)
        by_course.append({**c, "response_rate": _ratio(int(resp or 0), int(slot or 0))})
    by_course.sort(key=lambda x: (-x["sessions"], x["course"]))
    by_session = sorted((_session(r) for r in sessions), key=lambda x: (-x["start_s"], x["room"], x["session_id"]))
    return {
        **total,
        "response_rate": _ratio(respondents, slots),
        "by_session": by_session[:MAX_LISTED],
        "by_course": by_course,
        "by_activity": figures(activities)["by_activity"],
    }
