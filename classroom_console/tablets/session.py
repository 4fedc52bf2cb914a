"""``ClassSession``: the lecturer's side of the student tablets, headless.

It owns the tablet server for as long as a class session is open, the join code, the seats, the current
activity, the hand queue, the timer and "eyes on the board", and it reports every change as an event on the
bus it is given (the room's, so ``ui/bridge.py`` relays it). Everything runs on the loop and never awaits a
tablet: a message to the class is serialised once and queued to each tablet.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from classroom_console.discovery_scope import SCOPE_LIMIT_ENV, Scope
from classroom_console.events import EventBus, SessionEnded
from classroom_console.network import local_ipv4_addresses
from classroom_console.participation import Participation
from classroom_console.store import AsyncStore

from . import events as ev
from .activities import Activity, Answer, Kind, Refusal, Results
from .codes import clean_name, new_code, new_secret, normalise_code
from .dnssd import TabletAdvertiser
from .limits import Limits
from .participation_log import NoLog, ParticipationLog, RoomLog, StoreLog
from .server import Tablet, TabletServer, text_frame

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Seat:
    id: int
    name: str
    secret: str
    tablet: Tablet | None = None
    hand_at: float | None = None
    score: int = 0


@dataclass(frozen=True, slots=True)
class SeatView:
    """A seat as the lecturer's screen shows it (``name`` is untrusted text: plain text only)."""

    id: int
    name: str
    connected: bool
    hand: bool
    score: int


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class ClassSession:
    """Student tablets for one class session. ``start`` opens the server (new code), ``stop`` closes it.

    Lecturer calls are coroutines (``start_poll``, ``close_poll``, ``approve_answer``, …) so the UI can run
    them with ``bridge.run``; reads (``results``, ``hands``, ``seats``) are plain methods.
    """

    def __init__(self, *, session_id: str = "", bus: EventBus | None = None, log: ParticipationLog | None = None,
                 host: str = "0.0.0.0", port: int = 0, public_host: str | None = None,
                 limits: Limits | None = None, advertise: bool = True, name: str = "") -> None:
        self.session_id = session_id
        self.events = bus or EventBus()
        self.log: ParticipationLog = log or NoLog()
        self.limits = limits or Limits()
        self.public_host = public_host
        self.advertise, self.name = advertise, name
        self.server = TabletServer(self, host, port, self.limits)
        self.code = ""
        self.seats: dict[int, Seat] = {}
        self.activities: dict[str, Activity] = {}
        self.current: Activity | None = None
        self.eyes = False
        self._by_secret: dict[str, Seat] = {}
        self._seats_from: dict[str, int] = {}  # seats each address took (a rejoin by secret takes none)
        self._joined_from: set[str] = set()  # addresses a tablet joined from with the right code
        self._timer_end: float | None = None
        self._timer_handle: asyncio.TimerHandle | None = None
        self._advertiser: TabletAdvertiser | None = None
        self._advertising: asyncio.Task[bool] | None = None
        self._unsubscribe: Any = None
        self.running = False

    @classmethod
    def for_room(cls, room: Any, **kwargs: Any) -> ClassSession:
        """Tablets for the room's running session: its events on the room's bus, its log in the room's session,
        and the server closes by itself when that session ends (it listens only while one is open)."""
        if room.session is None:
            raise RuntimeError("no session is running: start one before opening the tablets")
        kwargs.setdefault("name", room.name)
        store = room.store
        participation = StoreLog(Participation(store), room.session.id) if isinstance(store, AsyncStore) \
            else RoomLog(room)
        session = cls(session_id=room.session.id, bus=room.events, log=participation, **kwargs)

        def ended(event: object) -> None:
            if isinstance(event, SessionEnded) and event.session_id == session.session_id and session.running:
                asyncio.get_running_loop().create_task(session.stop())

        session._unsubscribe = room.events.subscribe(ended)
        return session

    # -- the server ------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.server.port

    @property
    def join_url(self) -> str:
        """What the QR code holds: the page on this PC's LAN address, with the code prefilled."""
        return f"http://{self.address()}:{self.port}/?code={self.code}"

    def address(self) -> str:
        if self.public_host:
            return self.public_host
        if self.server.host not in ("0.0.0.0", "", "::"):
            return self.server.host
        lan = [] if os.environ.get(SCOPE_LIMIT_ENV) == Scope.LOOPBACK else local_ipv4_addresses()
        return lan[0] if lan else "127.0.0.1"

    async def start(self) -> None:
        """Listen (an address in use is an OSError here), draw a fresh code, announce ``_classroom._tcp``."""
        if self.running:
            return
        self.code = new_code(previous=self.code)
        await self.server.start()
        self.running = True
        if self.advertise:  # DNS-SD probing takes ~1.6 s: the URL works at once, the advert follows
            self._advertiser = TabletAdvertiser(self.port, self.name)
            self._advertising = asyncio.get_running_loop().create_task(self._advertiser.start())
        self.events.emit(ev.TabletsOpened(self.join_url, self.code))

    async def stop(self) -> None:
        """Close the current activity, tell every tablet the session ended, stop listening."""
        if not self.running:
            return
        self.running = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.current is not None and self.current.open:
            self._close(self.current)
        self._cancel_timer()
        await self.log.flush()  # on disk before the session record is closed and queued for upload
        if self._advertiser is not None:
            if self._advertising is not None:  # still probing (a short session): give up the advert
                self._advertising.cancel()
                await asyncio.gather(self._advertising, return_exceptions=True)
                self._advertising = None
            await self._advertiser.stop()
            self._advertiser = None
        await self.server.stop(_dumps({"t": "ended"}))
        for seat in self.seats.values():
            seat.tablet = None
        self.events.emit(ev.TabletsClosed())

    # -- activities ------------------------------------------------------------------------
    async def start_poll(self, question: str, options: list[str] | tuple[str, ...], *, multiple: bool = False,
                         correct: list[str] | tuple[str, ...] = ()) -> str:
        """A poll (a quiz when ``correct`` names the right options) on every tablet; returns its id. The
        activity still open is closed first. Bad input: ValueError with a one-line reason."""
        activity = Activity.make(self._next_id(), question, options, multiple=multiple, correct=correct)
        return self._begin(activity)

    async def ask(self, question: str) -> str:
        """An open question: tablets answer in text, shown to the class only once approved."""
        return self._begin(Activity.make(self._next_id(), question, open_text=True))

    async def close_poll(self, activity_id: str | None = None) -> Results:
        """Stop taking answers (the current activity by default); a quiz scores each right answer."""
        activity = self._activity(activity_id)
        if activity.open:
            self._close(activity)
        return self._results(activity)

    close_activity = close_poll

    def results(self, activity_id: str | None = None) -> Results:
        """Counts by option text (or the open answers) of an activity, the current or latest by default."""
        return self._results(self._activity(activity_id))

    async def share_results(self, activity_id: str | None = None, *, names: bool = False) -> None:
        """Show the counts on every tablet; ``names`` adds who wrote each approved open answer."""
        activity = self._activity(activity_id)
        message: dict[str, Any] = {"t": "results", "activity": activity.id, "question": activity.question,
                                   "counts": activity.counts()}
        if activity.kind == Kind.OPEN:
            message["answers"] = self._approved(activity, names)
        self.server.broadcast(_dumps(message))
        self.events.emit(ev.ResultsShared(activity.id, names))

    async def approve_answer(self, answer_id: int) -> None:
        """Show one open answer to the class (without its author's name)."""
        for activity in self.activities.values():
            for answer in activity.answers.values():
                if answer.id == answer_id:
                    if not answer.approved:
                        answer.approved = True
                        self.log.answer_shown(activity.id, answer.seat_id)
                        self.server.broadcast(_dumps({"t": "approved", "activity": activity.id,
                                                      "answers": self._approved(activity, False)}))
                        self.events.emit(ev.AnswerApproved(activity.id, answer_id))
                    return
        raise KeyError(f"no answer {answer_id}")

    def scores(self) -> list[SeatView]:
        """Seats by quiz score, best first."""
        return sorted(self.seat_views(), key=lambda s: (-s.score, s.id))

    # -- hands, timer, eyes ----------------------------------------------------------------
    def hands(self) -> list[tuple[int, str]]:
        """The raise-hand queue, first raised first: (seat id, name)."""
        up = sorted((s for s in self.seats.values() if s.hand_at is not None), key=lambda s: s.hand_at or 0.0)
        return [(s.id, s.name) for s in up]

    async def lower_hand(self, seat_id: int | None = None) -> int | None:
        """Take a hand down (the first in the queue by default); returns the seat's id, None if none was up."""
        queue = self.hands()
        if seat_id is None:
            seat_id = queue[0][0] if queue else None
        seat = self.seats.get(seat_id) if seat_id is not None else None
        if seat is None or seat.hand_at is None:
            return None
        self._set_hand(seat, False, "lecturer")
        return seat.id

    async def start_timer(self, seconds: float) -> None:
        """A countdown on every tablet (and on the lecturer's screen via ``TimerChanged``)."""
        if not 0 < seconds <= 24 * 3600:
            raise ValueError("a timer runs from 1 second to 24 hours")
        self._cancel_timer()
        loop = asyncio.get_running_loop()
        self._timer_end = time.monotonic() + seconds
        self._timer_handle = loop.call_later(seconds, self._timer_done)
        self.server.broadcast(_dumps({"t": "timer", "ms": round(seconds * 1000)}))
        self.events.emit(ev.TimerChanged(seconds))

    async def stop_timer(self) -> None:
        if self._timer_end is not None:
            self._timer_done()

    def timer_left(self) -> float:
        return max(0.0, self._timer_end - time.monotonic()) if self._timer_end is not None else 0.0

    async def eyes_on_board(self, on: bool) -> None:
        """Dim every tablet (``on``) until released."""
        self.eyes = on
        self.server.broadcast(_dumps({"t": "eyes", "on": on}))
        self.events.emit(ev.EyesOnBoard(on))

    # -- seats -----------------------------------------------------------------------------
    def seat_views(self) -> list[SeatView]:
        return [SeatView(s.id, s.name, s.tablet is not None, s.hand_at is not None, s.score)
                for s in self.seats.values()]

    @property
    def connected(self) -> int:
        return sum(1 for s in self.seats.values() if s.tablet is not None)

    # -- from the tablets (server.Handler) -------------------------------------------------
    def on_message(self, tablet: Tablet, message: dict[str, Any]) -> None:
        kind = message["t"]
        if kind == "join":
            self._join(tablet, message)
        elif tablet.seat is None:
            tablet.send_json({"t": "refused", "reason": "not-joined"})
        elif kind == "answer":
            self._answer(tablet.seat, message)
        elif kind == "hand":
            self._set_hand(tablet.seat, bool(message.get("up")), "tablet")
        elif kind == "ping":
            tablet.send_json({"t": "pong"})
        else:
            tablet.send_json({"t": "error", "reason": "bad-message"})

    def on_close(self, tablet: Tablet) -> None:
        seat = tablet.seat
        if seat is not None and seat.tablet is tablet:
            seat.tablet = None
            if self.running:  # a tablet that dropped mid-class, not every tablet as the class ends
                self.log.left(seat.id)
            self.events.emit(ev.TabletLeft(seat.id))

    def _join(self, tablet: Tablet, message: dict[str, Any]) -> None:
        if tablet.seat is not None:
            return
        right = self.running and normalise_code(message.get("code")) == self.code
        wait = self.server.guard.locked_out_s(tablet.address)
        # The lockout keeps guessers away from a class they cannot see. An address students already joined from is
        # the room's own (its Wi-Fi's NAT): whoever guesses there can read the code off the projector, so a right
        # code still joins, and one guesser cannot lock the class out (8 of 10 students were, E3).
        if wait > 0 and not (right and tablet.address in self._joined_from):
            tablet.send_json({"t": "refused", "reason": "locked-out", "retry_s": round(wait, 1)})
            return
        if not right:
            self.server.guard.wrong_code(tablet.address)
            tablet.send_json({"t": "refused", "reason": "wrong-code"})
            return
        secret = message.get("secret")
        seat = self._by_secret.get(secret) if isinstance(secret, str) else None
        rejoined = seat is not None
        if seat is None:
            name = clean_name(message.get("name"))
            if not name:
                tablet.send_json({"t": "refused", "reason": "name-needed"})
                return
            taken = self._seats_from.get(tablet.address, 0)
            if len(self.seats) >= self.limits.max_seats or taken >= self.limits.seats_per_address:
                tablet.send_json({"t": "refused", "reason": "full"})
                return
            self._seats_from[tablet.address] = taken + 1
            seat = Seat(len(self.seats) + 1, name, new_secret())
            self.seats[seat.id] = seat
            self._by_secret[seat.secret] = seat
        elif seat.tablet is not None:  # the same seat from a fresh socket: the old one is dead or a second tab
            old, seat.tablet = seat.tablet, None
            old.seat = None
            old.send_json({"t": "replaced"})
            old.close()
        seat.tablet = tablet
        tablet.seat = seat
        self._joined_from.add(tablet.address)
        tablet.send(_dumps(self._welcome(seat)))
        self.log.joined(seat.id, seat.name, rejoined)
        self.events.emit(ev.TabletJoined(seat.id, seat.name, rejoined))

    def _welcome(self, seat: Seat) -> dict[str, Any]:
        current = self.current
        mine = current.answers.get(seat.id) if current is not None else None
        return {"t": "welcome", "seat": seat.id, "name": seat.name, "secret": seat.secret, "code": self.code,
                "activity": current.public() if current is not None else None,
                "mine": _answer_json(mine) if mine is not None else None,
                "approved": self._approved(current, False) if current is not None and current.kind == Kind.OPEN
                else [],
                "timer_ms": round(self.timer_left() * 1000), "eyes": self.eyes, "hand": seat.hand_at is not None,
                "score": seat.score}

    def _answer(self, seat: Seat, message: dict[str, Any]) -> None:
        activity = self.current
        if activity is None or message.get("activity") != activity.id:
            self._tell(seat, {"t": "refused", "reason": Refusal.NOT_OPEN})
            return
        answer = activity.take(seat.id, message)
        if isinstance(answer, Refusal):
            self._tell(seat, {"t": "refused", "reason": str(answer)})
            return
        self._tell(seat, {"t": "answered", "activity": activity.id, "mine": _answer_json(answer)})
        logged = _answer_json(answer)
        if answer.choice:
            logged["options"] = [activity.options[i] for i in answer.choice]
        if activity.kind == Kind.QUIZ:
            logged["correct"] = activity.is_right(answer)
        self.log.answered(activity.id, seat.id, logged, answer.at.isoformat())
        self.events.emit(ev.AnswerReceived(activity.id, seat.id, activity.counts(), len(activity.answers),
                                           answer.id, answer.text))

    @staticmethod
    def _tell(seat: Seat, message: dict[str, Any]) -> None:
        if seat.tablet is not None:
            seat.tablet.send(_dumps(message))

    def _set_hand(self, seat: Seat, up: bool, by: str) -> None:
        if (seat.hand_at is not None) == up:
            return
        seat.hand_at = time.monotonic() if up else None
        if seat.tablet is not None:
            seat.tablet.send_json({"t": "hand", "up": up})
        self.log.hand(seat.id, up, by)
        self.events.emit(ev.HandsChanged(tuple(self.hands())))

    # -- inside ------------------------------------------------------------------------------
    def _next_id(self) -> str:
        return f"a{len(self.activities) + 1}"

    def _begin(self, activity: Activity) -> str:
        if not self.running:
            raise RuntimeError("the tablets are not open")
        public = activity.public()
        frame = text_frame(_dumps({"t": "activity", "activity": public}))
        if self.current is not None and self.current.open:
            self._close(self.current, frame)  # one write a tablet: the old one closed, then the new one
        else:
            self.server.broadcast_frame(frame)
        self.activities[activity.id] = activity
        self.current = activity
        self.log.activity_started({**public, "correct": [activity.options[i] for i in sorted(activity.correct)]})
        self.events.emit(ev.ActivityStarted(public))
        return activity.id

    def _close(self, activity: Activity, then: bytes = b"") -> None:
        """Stop taking answers and tell the tablets, each message ``then`` written right behind it."""
        activity.open = False
        if activity.kind == Kind.QUIZ:
            for seat_id, answer in activity.answers.items():
                if activity.is_right(answer) and seat_id in self.seats:
                    self.seats[seat_id].score += 1
            public = activity.public()
            for seat in self.seats.values():
                if seat.tablet is not None:
                    mine = activity.answers.get(seat.id)
                    seat.tablet.send_frame(text_frame(_dumps({
                        "t": "closed", "activity": public, "score": seat.score,
                        "right": mine is not None and activity.is_right(mine)})) + then)
        else:
            self.server.broadcast_frame(text_frame(_dumps({"t": "closed", "activity": activity.public()})) + then)
        results = self._results(activity)
        self.log.activity_closed(results.as_dict() | {"answers": len(results.answers)})
        self.events.emit(ev.ActivityClosed(results))

    def _activity(self, activity_id: str | None) -> Activity:
        if activity_id is None:
            if self.current is None:
                raise KeyError("no activity has been started")
            return self.current
        try:
            return self.activities[activity_id]
        except KeyError:
            raise KeyError(f"no activity {activity_id!r}") from None

    def _results(self, activity: Activity) -> Results:
        return activity.results(len(self.seats), {s.id: s.name for s in self.seats.values()})

    def _approved(self, activity: Activity, names: bool) -> list[dict[str, Any]]:
        out = []
        for answer in sorted(activity.answers.values(), key=lambda a: a.id):
            if answer.approved:
                item: dict[str, Any] = {"id": answer.id, "text": answer.text}
                if names and answer.seat_id in self.seats:
                    item["name"] = self.seats[answer.seat_id].name
                out.append(item)
        return out

    def _timer_done(self) -> None:
        self._cancel_timer()
        self.server.broadcast(_dumps({"t": "timer", "ms": 0}))
        self.events.emit(ev.TimerChanged(0.0))

    def _cancel_timer(self) -> None:
        if self._timer_handle is not None:
            self._timer_handle.cancel()
        self._timer_handle, self._timer_end = None, None


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {"choice": list(answer.choice)} if answer.text == "" else {"text": answer.text}


