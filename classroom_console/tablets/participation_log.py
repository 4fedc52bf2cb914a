"""Where a class session writes who joined, what was asked, every answer and every hand: the session log.

``ParticipationLog`` is what ``ClassSession`` needs; ``RoomLog`` writes it as session events through the
``Room`` (so it lands in the store and goes to the centre with the session). Calls must not block: they
only queue a write.
"""

from __future__ import annotations

from typing import Any, Protocol


class ParticipationLog(Protocol):
    def joined(self, seat_id: int, name: str, rejoined: bool) -> None: ...

    def activity_started(self, activity: dict[str, Any]) -> None: ...

    def answered(self, activity_id: str, seat_id: int, answer: dict[str, Any], at: str) -> None: ...

    def activity_closed(self, results: dict[str, Any]) -> None: ...

    def hand(self, seat_id: int, up: bool, by: str) -> None: ...


class _EventSink(Protocol):
    def log_event(self, device_uid: str | None, kind: str, payload: dict[str, Any]) -> None: ...


class RoomLog:
    """Each call is one ``session_events`` row of kind ``tablet.*`` in the room's running session."""

    def __init__(self, room: _EventSink) -> None:
        self.room = room

    def joined(self, seat_id: int, name: str, rejoined: bool) -> None:
        self.room.log_event(None, "tablet.joined", {"seat": seat_id, "name": name, "rejoined": rejoined})

    def activity_started(self, activity: dict[str, Any]) -> None:
        self.room.log_event(None, "tablet.activity", activity)

    def answered(self, activity_id: str, seat_id: int, answer: dict[str, Any], at: str) -> None:
        self.room.log_event(None, "tablet.answer", {"activity": activity_id, "seat": seat_id, "at": at, **answer})

    def activity_closed(self, results: dict[str, Any]) -> None:
        self.room.log_event(None, "tablet.results", results)

    def hand(self, seat_id: int, up: bool, by: str) -> None:
        self.room.log_event(None, "tablet.hand", {"seat": seat_id, "up": up, "by": by})


class NoLog:
    """For benches and tests that keep nothing."""

    def joined(self, seat_id: int, name: str, rejoined: bool) -> None:
        pass

    def activity_started(self, activity: dict[str, Any]) -> None:
        pass

    def answered(self, activity_id: str, seat_id: int, answer: dict[str, Any], at: str) -> None:
        pass

    def activity_closed(self, results: dict[str, Any]) -> None:
        pass

    def hand(self, seat_id: int, up: bool, by: str) -> None:
        pass
