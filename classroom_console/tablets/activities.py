"""Activities the lecturer runs on the tablets (polls, quizzes, open questions) and the answers they collect.

Plain data, no I/O: the session feeds answers in and reads results out. Results are keyed by the option's
text, as the lecturer wrote it, because that is what a chart and a script print.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from .codes import clean_text

MAX_OPTIONS = 12
OPTION_MAX = 120
QUESTION_MAX = 300


class Kind(StrEnum):
    POLL = "poll"
    QUIZ = "quiz"  # a poll with correct options: each right answer scores a point
    OPEN = "open"  # free text, shown to the class only once the lecturer approves it


class Refusal(StrEnum):
    """Why an answer was not taken (sent to the tablet as a code; the page words it)."""

    NOT_OPEN = "not-open"
    BAD_CHOICE = "bad-choice"
    EMPTY = "empty"


class PollProblem(StrEnum):
    """Why an activity cannot be asked as given (the command line and the window word the code; the English
    sentence stays the exception's text, for the log and for callers that printed it)."""

    QUESTION_EMPTY = "question-empty"
    OPEN_HAS_OPTIONS = "open-has-options"
    TOO_FEW_OPTIONS = "too-few-options"
    TOO_MANY_OPTIONS = "too-many-options"
    OPTION_EMPTY = "option-empty"
    SAME_OPTIONS = "same-options"
    CORRECT_NOT_AN_OPTION = "correct-not-an-option"
    ONE_CORRECT_ONLY = "one-correct-only"


class PollRefused(ValueError):
    """``reason``: a ``PollProblem``; ``value``: the correct answer that is not an option, or the most options."""

    def __init__(self, reason: PollProblem, message: str, value: str | int = "") -> None:
        super().__init__(message)
        self.reason, self.value = reason, value


def poll_problem(question: str, options: list[str] | tuple[str, ...] = (), *, multiple: bool = False,
                 correct: list[str] | tuple[str, ...] = (), open_text: bool = False) -> PollRefused | None:
    """What is wrong with an activity as the lecturer gave it, or None: a form can check before it asks."""
    opts = tuple(clean_text(o, OPTION_MAX) for o in options)
    right = [clean_text(c, OPTION_MAX) for c in correct]
    unknown = [c for c in right if c not in opts]
    checks: tuple[tuple[bool, PollProblem, str, str | int], ...] = (
        (not clean_text(question, QUESTION_MAX), PollProblem.QUESTION_EMPTY, "the question is empty", ""),
        (open_text and bool(opts), PollProblem.OPEN_HAS_OPTIONS, "an open question has no options", ""),
        (not open_text and len(opts) < 2, PollProblem.TOO_FEW_OPTIONS, "a poll needs at least two options", ""),
        (not open_text and len(opts) > MAX_OPTIONS, PollProblem.TOO_MANY_OPTIONS,
         f"a poll has at most {MAX_OPTIONS} options", MAX_OPTIONS),
        (not open_text and any(not o for o in opts), PollProblem.OPTION_EMPTY, "an option is empty", ""),
        (not open_text and len(set(opts)) != len(opts), PollProblem.SAME_OPTIONS, "two options have the same text",
         ""),
        (not open_text and bool(unknown), PollProblem.CORRECT_NOT_AN_OPTION,
         f"the correct answer {unknown[0]!r} is not one of the options" if unknown else "",
         unknown[0] if unknown else ""),
        (not open_text and len(right) > 1 and not multiple, PollProblem.ONE_CORRECT_ONLY,
         "a single-choice quiz has one correct option", ""),
    )
    for failed, reason, message, value in checks:
        if failed:
            return PollRefused(reason, message, value)
    return None


@dataclass(slots=True)
class Answer:
    id: int
    seat_id: int
    choice: tuple[int, ...] = ()
    text: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    approved: bool = False


@dataclass(frozen=True, slots=True)
class Results:
    """What an activity collected; ``counts`` by option text (polls, quizzes), ``answers`` for open ones."""

    activity_id: str
    kind: str
    question: str
    open: bool
    counts: dict[str, int]
    responders: int
    seats: int
    correct: tuple[str, ...] = ()
    answers: tuple[dict[str, Any], ...] = ()  # open answers: id, seat_id, name, text, approved

    @property
    def response_rate(self) -> float:
        return self.responders / self.seats if self.seats else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"activity": self.activity_id, "kind": self.kind, "question": self.question, "open": self.open,
                "results": dict(self.counts), "responders": self.responders, "seats": self.seats,
                "correct": list(self.correct), "answers": [dict(a) for a in self.answers]}


_ids = itertools.count(1)


@dataclass(slots=True)
class Activity:
    id: str
    kind: Kind
    question: str
    options: tuple[str, ...] = ()
    multiple: bool = False
    correct: frozenset[int] = frozenset()
    open: bool = True
    answers: dict[int, Answer] = field(default_factory=dict)  # by seat id: the seat's latest answer
    tally: list[int] = field(default_factory=list)  # votes per option, kept as answers come (a chart per answer)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def make(cls, activity_id: str, question: str, options: list[str] | tuple[str, ...] = (), *,
             multiple: bool = False, correct: list[str] | tuple[str, ...] = (), open_text: bool = False) -> Activity:
        """Checks what the lecturer gave: ``PollRefused`` (a ValueError) with its code and one English line."""
        problem = poll_problem(question, options, multiple=multiple, correct=correct, open_text=open_text)
        if problem is not None:
            raise problem
        question = clean_text(question, QUESTION_MAX)
        if open_text:
            return cls(activity_id, Kind.OPEN, question)
        opts = tuple(clean_text(o, OPTION_MAX) for o in options)
        right = [clean_text(c, OPTION_MAX) for c in correct]
        return cls(activity_id, Kind.QUIZ if right else Kind.POLL, question, opts, multiple,
                   frozenset(opts.index(c) for c in right))

    def take(self, seat_id: int, payload: dict[str, Any]) -> Answer | Refusal:
        """The seat's answer from a tablet's message (``choice``: option indexes, or ``text``)."""
        if not self.open:
            return Refusal.NOT_OPEN
        if self.kind == Kind.OPEN:
            text = clean_text(payload.get("text"))
            if not text:
                return Refusal.EMPTY
            answer = Answer(next(_ids), seat_id, text=text)
        else:
            raw = payload.get("choice")
            if not isinstance(raw, list) or not 1 <= len(raw) <= len(self.options):
                return Refusal.BAD_CHOICE
            if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(self.options) for i in raw):
                return Refusal.BAD_CHOICE
            choice = tuple(sorted(set(raw)))
            if len(choice) != len(raw) or (len(choice) > 1 and not self.multiple):
                return Refusal.BAD_CHOICE
            answer = Answer(next(_ids), seat_id, choice=choice)
            if len(self.tally) != len(self.options):
                self.tally = [0] * len(self.options)
            previous = self.answers.get(seat_id)
            for i in previous.choice if previous is not None else ():
                self.tally[i] -= 1
            for i in choice:
                self.tally[i] += 1
        self.answers[seat_id] = answer
        return answer

    def is_right(self, answer: Answer) -> bool:
        return self.kind == Kind.QUIZ and frozenset(answer.choice) == self.correct

    def counts(self) -> dict[str, int]:
        """Votes by option text; O(options), so every answer can redraw the lecturer's chart."""
        return dict(zip(self.options, self.tally or [0] * len(self.options), strict=True))

    def public(self) -> dict[str, Any]:
        """What a tablet is sent: never who answered, never the correct options while it is open."""
        out: dict[str, Any] = {"id": self.id, "kind": str(self.kind), "question": self.question,
                               "options": list(self.options), "multiple": self.multiple, "open": self.open}
        if not self.open and self.kind == Kind.QUIZ:
            out["correct"] = sorted(self.correct)
        return out

    def results(self, seats: int, names: dict[int, str]) -> Results:
        answers: tuple[dict[str, Any], ...] = ()
        if self.kind == Kind.OPEN:
            answers = tuple({"id": a.id, "seat_id": a.seat_id, "name": names.get(a.seat_id, ""), "text": a.text,
                             "approved": a.approved, "at": a.at.isoformat()}
                            for a in sorted(self.answers.values(), key=lambda a: a.id))
        return Results(self.id, str(self.kind), self.question, self.open, self.counts(), len(self.answers), seats,
                       tuple(self.options[i] for i in sorted(self.correct)), answers)
