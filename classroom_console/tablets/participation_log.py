"""Where a class session writes who joined, what was asked, every answer and every hand: the session log.

``ParticipationLog`` is what ``ClassSession`` needs. ``StoreLog`` hands it to ``classroom_console.participation``
(``participant_joined``, ``activity_started``, ``answer``, ``hand_raised`` ... session events, stamped with the
answer's own time and written in batches off the loop), which the sync uploads with the session and the usage
figures count; ``ClassSession.for_room`` uses it whenever the room has a store. ``RoomLog`` writes the same facts
as ``tablet.*`` events through the ``Room`` (the figures count those too). Calls never block: they queue.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from classroom_console.participation import Participation

log = logging.getLogger(__name__)


class ParticipationLog(Protocol):
    def joined(self, seat_id: int, name: str, rejoined: bool) -> None: ...

    def left(self, seat_id: int) -> None: ...

    def activity_started(self, activity: dict[str, Any]) -> None: ...

    def answered(self, activity_id: str, seat_id: int, answer: dict[str, Any], at: str) -> None: ...

    def answer_shown(self, activity_id: str, seat_id: int) -> None: ...

    def activity_closed(self, results: dict[str, Any]) -> None: ...

    def hand(self, seat_id: int, up: bool, by: str) -> None: ...

    async def flush(self) -> None: ...


class StoreLog:
    """Through ``participation.Participation`` for one session. ``answer`` carries ``choice`` (indexes) with
    ``options`` (their texts), or ``text``, and ``correct`` for a quiz."""

    def __init__(self, participation: Participation, session_id: str) -> None:
        self.p, self.session_id = participation, session_id

    def _safe(self, what: str, call: Any, *args: Any, **kwargs: Any) -> None:
        try:
            call(self.session_id, *args, **kwargs)
        except ValueError as exc:  # refused by participation's bounds: the class goes on, the log says why
            log.warning("tablet %s not logged: %s", what, exc)

    def joined(self, seat_id: int, name: str, rejoined: bool) -> None:
        self._safe("join", self.p.joined, str(seat_id), name)

    def left(self, seat_id: int) -> None:
        self._safe("leave", self.p.left, str(seat_id))

    def activity_started(self, activity: dict[str, Any]) -> None:
        kind = {"open": "text", "quiz": "quiz"}.get(activity.get("kind", ""),
                                                    "multi_poll" if activity.get("multiple") else "poll")
        self._safe("activity", self.p.activity_started, str(activity["id"]), kind, activity)

    def answered(self, activity_id: str, seat_id: int, answer: dict[str, Any], at: str) -> None:
        if "text" in answer:
            value: Any = answer["text"]
        else:
            texts = list(answer.get("options", answer.get("choice", [])))
            value = texts[0] if len(texts) == 1 else texts
        self._safe("answer", self.p.answered, activity_id, str(seat_id), value, at=datetime.fromisoformat(at),
                   correct=answer.get("correct"))

    def answer_shown(self, activity_id: str, seat_id: int) -> None:
        self._safe("shown answer", self.p.answer_shown, activity_id, str(seat_id))

    def activity_closed(self, results: dict[str, Any]) -> None:
        self._safe("activity end", self.p.activity_ended, str(results["activity"]))

    def hand(self, seat_id: int, up: bool, by: str) -> None:
        if up:
            self._safe("hand", self.p.hand_raised, str(seat_id))
        else:
            self._safe("hand", self.p.hand_cleared, str(seat_id), by="student" if by == "tablet" else by)

    async def flush(self) -> None:
        await self.p.flush()


class _EventSink(Protocol):
    def log_event(self, device_uid: str | None, kind: str, payload: dict[str, Any]) -> None: ...

    async def flush(self) -> None: ...


class RoomLog:
    """Each call is one ``session_events`` row of kind ``tablet.*`` in the room's running session."""

    def __init__(self, room: _EventSink) -> None:
        self.room = room

    def joined(self, seat_id: int, name: str, rejoined: bool) -> None:
        self.room.log_event(None, "tablet.joined", {"seat": seat_id, "name": name, "rejoined": rejoined})

    def left(self, seat_id: int) -> None:
        self.room.log_event(None, "tablet.left", {"seat": seat_id})

    def activity_started(self, activity: dict[str, Any]) -> None:
        self.room.log_event(None, "tablet.activity", activity)

    def answered(self, activity_id: str, seat_id: int, answer: dict[str, Any], at: str) -> None:
        self.room.log_event(None, "tablet.answer", {"activity": activity_id, "seat": seat_id, "at": at, **answer})

    def answer_shown(self, activity_id: str, seat_id: int) -> None:
        self.room.log_event(None, "tablet.shown", {"activity": activity_id, "seat": seat_id})

    def activity_closed(self, results: dict[str, Any]) -> None:
        self.room.log_event(None, "tablet.results", results)

    def hand(self, seat_id: int, up: bool, by: str) -> None:
        self.room.log_event(None, "tablet.hand", {"seat": seat_id, "up": up, "by": by})

    async def flush(self) -> None:
        await self.room.flush()


class NoLog:
    """For benches and tests that keep nothing."""

    def joined(self, seat_id: int, name: str, rejoined: bool) -> None:
        pass

    def left(self, seat_id: int) -> None:
        pass

    def activity_started(self, activity: dict[str, Any]) -> None:
        pass

    def answered(self, activity_id: str, seat_id: int, answer: dict[str, Any], at: str) -> None:
        pass

    def answer_shown(self, activity_id: str, seat_id: int) -> None:
        pass

    def activity_closed(self, results: dict[str, Any]) -> None:
        pass

    def hand(self, seat_id: int, up: bool, by: str) -> None:
        pass

    async def flush(self) -> None:
        pass
