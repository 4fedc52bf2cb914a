"""Store migration v9: the tablet participation rollup (``tablet_counts``, ``tablet_seats``) kept by triggers.

The usage figures read a few rows per session here instead of every answer (over 866,000 participation events:
27 s without, see bench/usage_participation.py). The triggers spell out what ``usage_participation.rollup``
computes in Python for the centre; existing events are rolled up by that very function, so both agree.
Kept apart from ``store/migrations.py`` because it is long; it imports nothing from the store at load time.
"""

from __future__ import annotations

import json
from typing import Any

_JOINS = "'participant_joined', 'tablet.joined'"
_HANDS = "'hand_raised', 'tablet.hand'"
_STARTS = "'activity_started', 'tablet.activity'"
_ANSWERS = "'answer', 'tablet.answer'"
_ALL = f"{_JOINS}, {_STARTS}, {_ANSWERS}, {_HANDS}"


def _j(key: str) -> str:
    return f"json_extract(new.payload, '$.{key}')"


_ACT = f"CAST(coalesce({_j('activity_id')}, {_j('activity')}, {_j('id')}) AS TEXT)"
_ITEM = f"CASE WHEN new.kind IN ({_JOINS}, {_HANDS}) THEN '' ELSE {_ACT} END"
_KIND = (f"CASE WHEN new.kind IN ({_JOINS}) THEN 'join' WHEN new.kind IN ({_HANDS}) THEN 'hand' "
         f"WHEN new.kind IN ({_STARTS}) THEN 'activity' ELSE 'answer' END")
_AKIND = (f"CASE WHEN new.kind IN ({_STARTS}) THEN coalesce(CAST(coalesce({_j('activity_kind')}, {_j('kind')}) "
          "AS TEXT), '') ELSE '' END")
_TITLE = (f"CASE WHEN new.kind IN ({_STARTS}) THEN coalesce(CAST(coalesce({_j('title')}, {_j('question')}) "
          "AS TEXT), '') ELSE '' END")

DDL = f"""
CREATE TABLE tablet_seats (
    session_id TEXT NOT NULL,
    item TEXT NOT NULL,
    seat TEXT NOT NULL,
    PRIMARY KEY (session_id, item, seat)
) WITHOUT ROWID;
CREATE TABLE tablet_counts (
    session_id TEXT NOT NULL,
    item TEXT NOT NULL,
    kind TEXT NOT NULL,
    activity_kind TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    events INTEGER NOT NULL DEFAULT 0,
    seats INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, item, kind)
) WITHOUT ROWID;
CREATE TRIGGER tablet_counts_events AFTER INSERT ON session_events
    WHEN new.session_id IS NOT NULL AND new.kind IN ({_ALL}) AND json_valid(new.payload)
        AND NOT (new.kind = 'tablet.hand' AND coalesce({_j('up')}, 0) <> 1)
BEGIN
    INSERT INTO tablet_counts (session_id, item, kind, activity_kind, title, events)
        SELECT new.session_id, x.item, x.k, x.akind, x.title, 1
        FROM (SELECT {_ITEM} AS item, {_KIND} AS k, {_AKIND} AS akind, {_TITLE} AS title) AS x
        WHERE x.item IS NOT NULL
        ON CONFLICT (session_id, item, kind) DO UPDATE SET events = events + 1,
            activity_kind = CASE WHEN excluded.kind = 'activity' THEN excluded.activity_kind ELSE activity_kind END,
            title = CASE WHEN excluded.kind = 'activity' THEN excluded.title ELSE title END;
    INSERT OR IGNORE INTO tablet_seats (session_id, item, seat)
        SELECT new.session_id, x.item, CAST({_j('seat')} AS TEXT) FROM (SELECT {_ITEM} AS item) AS x
        WHERE new.kind IN ({_JOINS}, {_ANSWERS}) AND x.item IS NOT NULL AND {_j('seat')} IS NOT NULL;
    UPDATE tablet_counts SET seats = (SELECT count(*) FROM tablet_seats s
            WHERE s.session_id = new.session_id AND s.item = tablet_counts.item)
        WHERE new.kind IN ({_JOINS}, {_ANSWERS}) AND session_id = new.session_id AND item = ({_ITEM})
            AND kind = ({_KIND});
END;
CREATE TRIGGER tablet_counts_sessions AFTER DELETE ON sessions BEGIN
    DELETE FROM tablet_counts WHERE session_id = old.id;
    DELETE FROM tablet_seats WHERE session_id = old.id;
END;
"""


def add_tablet_rollup(db: Any) -> None:
    """Migration v9 (a callable step: run inside the migration's transaction)."""
    from classroom_console.usage_participation import rollup  # the store is importing us: load it only now

    db.executescript(DDL)
    sessions = [r[0] for r in db.execute(
        f"SELECT DISTINCT session_id FROM session_events WHERE kind IN ({_ALL}) AND session_id IS NOT NULL")]
    for session_id in sessions:
        events = [(kind, _loads(text)) for kind, text in db.execute(
            f"SELECT kind, payload FROM session_events WHERE session_id = ? AND kind IN ({_ALL}) ORDER BY id",
            (session_id,))]
        for row in rollup(events):
            db.execute("INSERT INTO tablet_counts (session_id, item, kind, activity_kind, title, events, seats) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (session_id, row["item"], row["kind"], row["activity_kind"],
                                                        row["title"], row["events"], row["seats"]))
        for item, seat in _seats(events):
            db.execute("INSERT OR IGNORE INTO tablet_seats (session_id, item, seat) VALUES (?, ?, ?)",
                       (session_id, item, seat))


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _seats(events: list[tuple[str, Any]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for kind, payload in events:
        if not isinstance(payload, dict) or payload.get("seat") is None:
            continue
        if kind in ("participant_joined", "tablet.joined"):
            out.add(("", str(payload["seat"])))
        elif kind in ("answer", "tablet.answer"):
            act = next((payload[k] for k in ("activity_id", "activity", "id") if payload.get(k) is not None), None)
            if act is not None:
                out.add((str(act), str(payload["seat"])))
    return out
