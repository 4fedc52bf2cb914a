"""What students do on tablets, written to the session log as ``session_events`` rows.

The tablets server (``classroom_console/tablets/``) calls a ``Participation`` from the asyncio loop. Every
method returns at once: it checks its input, stamps the event (the answer's time, not the disk's) and queues
it; queued events go to the store's writer thread together, in one transaction, so 500 answers in a second
cost one fsync rather than 500, and the loop never waits on SQLite. Because they are ordinary session
events (no device uid), the sync uploads them unchanged with their session, and the usage figures
(``usage_sql.py``) count them on the room and at the centre alike.

What is logged (``kind``: payload):

- ``participant_joined``: ``{"seat", "name"}`` - the student's display name, verbatim (``drop_old_names``
  blanks it after the retention period and sets ``"name_dropped": true``; the row, so the count, stays)
- ``participant_left``: ``{"seat"}``
- ``activity_started``: ``{"activity_id", "activity_kind", "title", "definition"}``
- ``activity_ended``: ``{"activity_id"}``
- ``answer``: ``{"activity_id", "seat", "answer", "correct"}`` (every answer, a changed answer again)
- ``answer_shown``: ``{"activity_id", "seat"}`` (an open answer the lecturer approved for the class)
- ``hand_raised`` / ``hand_cleared``: ``{"seat"}`` / ``{"seat", "by"}``
- ``participation_capped``: ``{"seat"?, "events", "characters"}`` - once, when a seat's (or the session's) budget
  is spent (below)

Sizes are bounded so one event can never make the centre refuse its whole session (``MAX_PAYLOAD``), and so are
each seat's events (``SEAT_EVENTS``, ``SEAT_CHARACTERS``) and, as a backstop, the session's students' events
together (``SESSION_EVENTS``, ``SESSION_CHARACTERS``): tablets toggling their hands or re-sending a long answer ten
times a second, under their rate limit, wrote 100,551 events in three minutes, the centre refused the session whole
(its times, devices and attendance with it) and the lecturer's disk filled. Past its budget a seat's events are
counted, not logged, so one flooding seat costs no other seat its log; the lecturer's (an activity started or ended)
are always logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from classroom_console.store import AsyncStore, Event, Store, StoreUnavailableError, utc_iso
from classroom_console.store.records import dumps

log = logging.getLogger(__name__)

JOINED, LEFT = "participant_joined", "participant_left"
ACTIVITY_STARTED, ACTIVITY_ENDED = "activity_started", "activity_ended"
ANSWER, ANSWER_SHOWN = "answer", "answer_shown"
HAND_RAISED, HAND_CLEARED = "hand_raised", "hand_cleared"
KINDS = (JOINED, LEFT, ACTIVITY_STARTED, ACTIVITY_ENDED, ANSWER, ANSWER_SHOWN, HAND_RAISED, HAND_CLEARED)
# The tablets server's own log (classroom_console/tablets/participation_log.py) spells the same facts so; the
# figures count both, and the retention blanks names in both.
TABLET_JOINED, TABLET_ACTIVITY, TABLET_ANSWER = "tablet.joined", "tablet.activity", "tablet.answer"
TABLET_HAND, TABLET_RESULTS = "tablet.hand", "tablet.results"

MAX_ID = 64  # seats, activity ids and kinds
MAX_NAME = 200  # a display name
MAX_PAYLOAD = 32768  # characters of one event's JSON (the centre refuses a payload over 65536)
MAX_DEPTH = 5  # nesting inside an answer or a definition (the centre refuses payloads deeper than 8)
RETENTION_EVERY_S = 86400.0
# A student answering 60 questions, changing some, joining twice and raising a hand now and then is ~150 events. The
# centre takes 100,000 events a session (devices' too) and 16 MiB a body, where a Cyrillic letter is up to six
# characters of the store's JSON: the session's backstop stays under both, and one address's seats
# (tablets/limits.seats_per_address, 96) at their budgets under half of it (R7).
SEAT_EVENTS = 300
SEAT_CHARACTERS = 100_000
SESSION_EVENTS = 60_000
SESSION_CHARACTERS = 10_000_000
CAPPED = "participation_capped"
UNCAPPED = (ACTIVITY_STARTED, ACTIVITY_ENDED)  # the lecturer's own steps: the log must keep them


def _ident(value: Any, what: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{what} must be text")
    text = str(value)
    if not text or len(text) > MAX_ID or not text.isprintable():
        raise ValueError(f"{what} must be 1..{MAX_ID} printable characters")
    return text


def _depth(value: Any, left: int) -> None:
    if isinstance(value, dict | list):
        if left <= 0:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        for item in value.values() if isinstance(value, dict) else value:
            _depth(item, left - 1)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 63:
        raise ValueError("a number too large to store")


def _stamp(at: datetime | None) -> str:
    if at is not None and at.tzinfo is None:
        raise ValueError("at must carry its time zone (UTC)")
    return utc_iso(at)


class Participation:
    """Queue-and-return logging of tablet participation; ``await flush()`` when it must be on disk.

    Bad input (an id too long, a payload too large, a naive time) raises ``ValueError`` at the call, before
    anything is queued. A write the store refuses (a full disk, an unknown session id) is logged and counted
    in ``failed``; it never reaches the caller, who is serving tablets and cannot do better.
    """

    def __init__(self, store: AsyncStore | None) -> None:
        self._store = store
        self._pending: list[Event] = []
        self._writer: asyncio.Task[None] | None = None
        self._spent: dict[str, tuple[int, int]] = {}  # session, or session+seat -> (events, characters) queued
        self.written = 0
        self.failed = 0
        self.over_budget = 0  # students' events counted, not logged: their session's budget was spent
        self._told_unavailable = False  # the log said once that the store refuses (a full disk), not per event

    # what the tablets server calls

    def joined(self, session_id: str, seat: str, display_name: str, at: datetime | None = None) -> None:
        """A tablet took a seat (again, after a drop: the same seat counts once)."""
        if not isinstance(display_name, str) or len(display_name) > MAX_NAME:
            raise ValueError(f"a display name is text of at most {MAX_NAME} characters")
        self._add(session_id, JOINED, {"seat": _ident(seat, "seat"), "name": display_name}, at)

    def left(self, session_id: str, seat: str, at: datetime | None = None) -> None:
        self._add(session_id, LEFT, {"seat": _ident(seat, "seat")}, at)

    def activity_started(
        self, session_id: str, activity_id: str, kind: str, definition: Mapping[str, Any],
        at: datetime | None = None,
    ) -> None:
        """``kind``: poll, multi_poll, quiz, text, timer, ...; ``definition``: the question, options, answers."""
        definition = dict(definition)
        _depth(definition, MAX_DEPTH)
        title = definition.get("question") or definition.get("title") or ""
        payload = {"activity_id": _ident(activity_id, "activity_id"), "activity_kind": _ident(kind, "kind"),
                   "title": str(title)[:MAX_NAME], "definition": definition}
        self._add(session_id, ACTIVITY_STARTED, payload, at)

    def activity_ended(self, session_id: str, activity_id: str, at: datetime | None = None) -> None:
        self._add(session_id, ACTIVITY_ENDED, {"activity_id": _ident(activity_id, "activity_id")}, at)

    def answered(
        self, session_id: str, activity_id: str, seat: str, answer: Any, at: datetime | None = None,
        correct: bool | None = None,
    ) -> None:
        """``answer`` is any JSON value (an option's text, a list of them, free text), stored verbatim."""
        _depth(answer, MAX_DEPTH)
        payload = {"activity_id": _ident(activity_id, "activity_id"), "seat": _ident(seat, "seat"),
                   "answer": answer, "correct": None if correct is None else bool(correct)}
        self._add(session_id, ANSWER, payload, at)

    def answer_shown(self, session_id: str, activity_id: str, seat: str, at: datetime | None = None) -> None:
        payload = {"activity_id": _ident(activity_id, "activity_id"), "seat": _ident(seat, "seat")}
        self._add(session_id, ANSWER_SHOWN, payload, at)

    def hand_raised(self, session_id: str, seat: str, at: datetime | None = None) -> None:
        self._add(session_id, HAND_RAISED, {"seat": _ident(seat, "seat")}, at)

    def hand_cleared(self, session_id: str, seat: str, by: str = "lecturer", at: datetime | None = None) -> None:
        """``by``: "lecturer" (cleared from the queue) or "student" (lowered on the tablet)."""
        self._add(session_id, HAND_CLEARED, {"seat": _ident(seat, "seat"), "by": _ident(by, "by")}, at)

    async def flush(self) -> None:
        """Return once everything queued so far is written (or counted failed); call before ending a session."""
        for _ in range(1000):  # each pass writes at least one batch; bounded all the same
            writer = self._writer
            if writer is None:
                if not self._pending:
                    return
                self._start()
                continue
            await asyncio.shield(writer)  # the writer catches its own failures; a cancelled flush leaves it going

    # inside

    def _add(self, session_id: str, kind: str, payload: dict[str, Any], at: datetime | None) -> None:
        if not isinstance(session_id, str) or not session_id:
            raise ValueError("a session id is needed")
        text = dumps(payload)
        if len(text) > MAX_PAYLOAD:
            raise ValueError(f"more than {MAX_PAYLOAD} characters of JSON in one {kind}")
        if self._store is None:
            return  # no store (it could not open): the room works, nothing is logged, as for devices
        if kind not in UNCAPPED and not self._within_budget(session_id, str(payload.get("seat", "")), len(text), at):
            return
        self._queue(Event(session_id, None, kind, payload, _stamp(at), time.monotonic_ns()))

    def _within_budget(self, session_id: str, seat: str, characters: int, at: datetime | None) -> bool:
        """Whether the seat's and the session's budgets have room; the first event over either is said once."""
        seat_key = f"{session_id}\0{seat}"
        for key, most_events, most_characters, who in ((seat_key, SEAT_EVENTS, SEAT_CHARACTERS, {"seat": seat}),
                                                       (session_id, SESSION_EVENTS, SESSION_CHARACTERS, {})):
            events, spent = self._spent.get(key, (0, 0))
            if events >= most_events or spent + characters > most_characters:
                if events < most_events + 1:  # the first one over: said once, in the log and the session's log
                    self._spent[key] = (most_events + 1, spent)
                    log.warning("session %s%s: the students' events reached their budget (%d events, %d characters);"
                                " further ones are counted, not logged", session_id, f", seat {seat}" if who else "",
                                events, spent)
                    capped = {**who, "events": events, "characters": spent}
                    self._queue(Event(session_id, None, CAPPED, capped, _stamp(at), time.monotonic_ns()))
                self.over_budget += 1
                return False
        for key in (seat_key, session_id):
            events, spent = self._spent.get(key, (0, 0))
            self._spent[key] = (events + 1, spent + characters)
        return True

    def _queue(self, event: Event) -> None:
        self._pending.append(event)
        if self._writer is None:
            self._start()

    def _start(self) -> None:
        self._writer = asyncio.get_running_loop().create_task(self._drain(), name="participation-writer")

    async def _drain(self) -> None:
        store = self._store
        try:
            while self._pending and store is not None:
                batch, self._pending = self._pending, []
                try:
                    await store.call(functools.partial(Store.add_events, events=batch))
                    self.written += len(batch)
                    self._told_unavailable = False
                except StoreUnavailableError as exc:  # a full or read-only disk: no single event would land
                    self.failed += len(batch)
                    if not self._told_unavailable:
                        self._told_unavailable = True
                        log.warning("participation events are not written while the session log cannot be "
                                    "(%s): counted only", exc.reason)
                except Exception as exc:  # one bad event (an unknown session) must not sink the rest
                    log.warning("participation batch not written whole (%s); writing one by one", exc)
                    for event in batch:
                        try:
                            await store.call(functools.partial(_write_one, event=event))
                            self.written += 1
                        except Exception as one:
                            self.failed += 1
                            log.warning("participation event %s not written: %s", event.kind, one)
        finally:
            self._writer = None


def _write_one(store: Store, event: Event) -> None:
    store.add_events([event])


# personal data

def drop_old_names(store: Store, days: int, now: datetime | None = None) -> int:
    """Blank display names older than ``days`` (0 or less: keep them); counts stay. Blocking: store thread."""
    if days <= 0:
        return 0
    cutoff = utc_iso((now or datetime.now(UTC)) - timedelta(days=days))
    dropped = 0
    for _ in range(100_000):  # bounded: a batch per pass, until none is left
        with store.db.atomic():
            rows = store.db.execute(
                f"SELECT id, payload FROM session_events WHERE kind IN ({', '.join('?' * len(_NAMED))}) "
                "AND wall_time < ? AND instr(payload, '\"name\"') > 0 "
                "AND json_extract(payload, '$.name_dropped') IS NULL LIMIT 2000",
                (*_NAMED, cutoff),
            ).fetchall()
            for row_id, text in rows:
                store.db.execute("UPDATE session_events SET payload = ? WHERE id = ?",
                                 (dumps(_without_names(json.loads(text))), row_id))
        dropped += len(rows)
        if len(rows) < 2000:
            break
    return dropped


_NAMED = (JOINED, TABLET_JOINED, TABLET_RESULTS)


def _without_names(payload: Any) -> Any:
    """A display name blanked where it stands (the payload itself, or each answer of a results list)."""
    if not isinstance(payload, dict):
        return payload
    if "name" in payload:
        payload["name"] = ""
    answers = payload.get("answers")
    if isinstance(answers, list):
        for answer in answers:
            if isinstance(answer, dict) and "name" in answer:
                answer["name"] = ""
    payload["name_dropped"] = True
    return payload


class NameRetention:
    """Runs ``drop_old_names`` now and then every ``every_s`` (a day), while the console runs."""

    def __init__(self, store: AsyncStore, days: int, every_s: float = RETENTION_EVERY_S) -> None:
        self.store = store
        self.days = days
        self.every_s = every_s
        self.dropped = 0
        self.runs = 0
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        days = self.days
        dropped = await self.store.call(lambda s: drop_old_names(s, days))
        self.dropped += dropped
        self.runs += 1
        if dropped:
            log.info("dropped %d display name(s) older than %d days", dropped, days)
        return dropped

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="name-retention")

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # a full disk today is no reason to stop trying tomorrow
                log.warning("dropping old display names failed: %s", exc)
            await asyncio.sleep(self.every_s)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def answers_text(payload: Mapping[str, Any]) -> str:
    """An answer as one line of text (lists joined), for tables and exports; the UI escapes it when shown."""
    answer = payload.get("answer")
    if isinstance(answer, list):
        return ", ".join(str(a) for a in answer)
    return answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
