"""The usage report's tablet participation queries over ``tablet_counts`` alone (no join with the sessions).

Each ``tablet_counts`` row carries its session's start, room, lecturer, course and ``t0_s`` (the room's store
migration v10 keeps them by triggers; the centre copies them from the span on each upload), so the report's
filters are that table's own indexes. Returning every rollup row of a year to Python cost more than the chart's
100 ms by itself (60,000 rows), so the database sums: ``tablets_courses`` is one row per course (sessions,
joins, activities, answers, hands, respondents and answer slots) from ``tablet_sessions`` (one row of sums per
session, tablet_sessions.py), and ``tablets`` returns the rollup rows only of the sessions the report lists (the newest
``MAX_LISTED``, and the newest ``MAX_LISTED`` with an activity, which hold the newest ``MAX_LISTED``
activities). ``tablet_figures`` gives the same section, number for number, as ``usage_participation.figures``
over every row; tests/test_participation_rollup_exact.py checks that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from classroom_console.usage_participation import MAX_LISTED, figures

Rows = Sequence[Sequence[Any]]


def tablet_queries(cond: str, off_s: float) -> dict[str, str]:
    """The two statements for the filter ``cond`` (usage_sql's WHERE over start, room and lecturer)."""
    courses = (
        "SELECT course, count(*), sum(joins), sum(acts), sum(answers), sum(hands), sum(respondents), "
        f"sum(acts * joins) FROM tablet_sessions WHERE {cond} GROUP BY course"
    )
    newest = f"ORDER BY t0_s DESC, room_id, session_id LIMIT {MAX_LISTED:d}"
    listed = (
        f"WITH pick AS (SELECT room_id, session_id FROM (SELECT room_id, session_id FROM tablet_sessions "
        f"WHERE {cond} {newest}) AS a UNION SELECT room_id, session_id FROM (SELECT room_id, session_id "
        f"FROM tablet_sessions WHERE {cond} AND acts > 0 {newest}) AS b) "
        f"SELECT t.session_id, t.room_id, t.course, t.t0_s + {off_s!r}, t.kind, t.item, t.activity_kind, t.title, "
        "t.events, t.seats FROM tablet_counts t JOIN pick p ON p.room_id = t.room_id AND p.session_id = t.session_id"
    )
    return {"tablets_courses": courses, "tablets": listed}


def _ratio(respondents: int, slots: int) -> float | None:
    return round(min(1.0, respondents / slots), 4) if slots else None


def tablet_figures(courses: Rows, listed: Rows) -> dict[str, Any]:
    """The report's ``tablets`` section: totals and courses from the sums, the lists from the listed rows."""
    lists = figures(listed)
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
    return {
        **total,
        "response_rate": _ratio(respondents, slots),
        "by_session": lists["by_session"],
        "by_course": by_course,
        "by_activity": lists["by_activity"],
    }
