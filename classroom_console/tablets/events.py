"""What changed in a class session, as events on the room's ``EventBus`` (so ``ui/bridge.py`` hears them
with everything else). Names are the students' own text: show them as plain text only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from classroom_console.events import RoomEvent


@dataclass(frozen=True, slots=True)
class TabletsOpened(RoomEvent):
    """The server listens: show ``join_url`` (QR) and ``code``."""

    join_url: str
    code: str


@dataclass(frozen=True, slots=True)
class TabletsClosed(RoomEvent):
    """The server stopped listening; every tablet was told the session ended."""


@dataclass(frozen=True, slots=True)
class TabletJoined(RoomEvent):
    seat_id: int
    name: str
    rejoined: bool = False  # the same seat came back (Wi-Fi dropped), not a new student


@dataclass(frozen=True, slots=True)
class TabletLeft(RoomEvent):
    """The seat's connection went away; the seat stays and may come back."""

    seat_id: int


@dataclass(frozen=True, slots=True)
class ActivityStarted(RoomEvent):
    activity: dict[str, Any]  # Activity.public(): id, kind, question, options, multiple


@dataclass(frozen=True, slots=True)
class AnswerReceived(RoomEvent):
    """One answer arrived; ``counts`` and ``responders`` are the activity's totals after it (for a live chart)."""

    activity_id: str
    seat_id: int
    counts: dict[str, int]
    responders: int
    answer_id: int = 0
    text: str = ""  # an open answer's text (not shown to the class until approved)


@dataclass(frozen=True, slots=True)
class ActivityClosed(RoomEvent):
    results: Any  # activities.Results


@dataclass(frozen=True, slots=True)
class AnswerApproved(RoomEvent):
    activity_id: str
    answer_id: int


@dataclass(frozen=True, slots=True)
class HandsChanged(RoomEvent):
    """The raise-hand queue in order: ((seat_id, name), …)."""

    queue: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class TimerChanged(RoomEvent):
    """A countdown started (``seconds`` left) or stopped/ran out (``seconds`` 0)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class EyesOnBoard(RoomEvent):
    on: bool


@dataclass(frozen=True, slots=True)
class ResultsShared(RoomEvent):
    activity_id: str
    names: bool
