"""Student tablets, lecturer side and tablet side over real loopback WebSockets (no browser here).

Simulated tablets (``classroom_console.tablets.sim``) join with the code, answer, raise hands and drop;
the lecturer's ``ClassSession`` and the events on its bus must see exactly what they did.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest

from classroom_console.events import EventBus, RoomEvent
from classroom_console.room import Room
from classroom_console.store import AsyncStore
from classroom_console.tablets import ClassSession
from classroom_console.tablets import events as ev
from classroom_console.tablets.codes import ALPHABET, normalise_code
from classroom_console.tablets.dnssd import SERVICE_TYPE, TabletAdvertiser
from classroom_console.tablets.sim import SimTablet, client_for
from tests.discovery_helpers import browse_until

BOUND_S = 30.0
T = TypeVar("T")


class Lecturer:
    """The session and what its bus said, for asserting on."""

    def __init__(self, session: ClassSession) -> None:
        self.session = session
        self.seen: list[RoomEvent] = []
        self.changed = asyncio.Event()
        session.events.subscribe(self._heard)

    def _heard(self, event: RoomEvent) -> None:
        self.seen.append(event)
        self.changed.set()

    def of(self, kind: type[T]) -> list[T]:
        return [e for e in self.seen if isinstance(e, kind)]

    async def until(self, check: Callable[[], bool], what: str) -> None:
        try:
            async with asyncio.timeout(BOUND_S):
                while not check():
                    self.changed.clear()
                    await self.changed.wait()
        except TimeoutError:
            raise AssertionError(f"the lecturer never saw {what} within {BOUND_S} s") from None


@pytest.fixture
async def lecturer() -> AsyncIterator[Lecturer]:
    session = ClassSession(host="127.0.0.1", advertise=False, bus=EventBus())
    await session.start()
    try:
        yield Lecturer(session)
    finally:
        await session.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with client_for("127.0.0.1") as client:
        yield client


async def joined(http: aiohttp.ClientSession, session: ClassSession, name: str) -> SimTablet:
    tablet = SimTablet(http, session.join_url, session.code, name)
    reply = await tablet.join()
    assert reply["t"] == "welcome", reply
    return tablet


def test_codes_are_short_unambiguous_and_forgiving() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert normalise_code(" k7q-x2m ") == "K7QX2M"
    assert normalise_code(None) == "" and normalise_code("x" * 10_000) == "X" * 16


async def test_join_url_code_and_a_fresh_code_every_session() -> None:
    session = ClassSession(host="127.0.0.1", advertise=False)
    await session.start()
    first = session.code
    assert len(first) == 6 and set(first) <= set(ALPHABET)
    assert session.join_url == f"http://127.0.0.1:{session.port}/?code={first}"
    await session.stop()
    await session.start()
    try:
        assert session.code != first
    finally:
        await session.stop()


async def test_two_tablets_join_answer_and_raise_hands_and_the_lecturer_sees_it(
        lecturer: Lecturer, http: aiohttp.ClientSession) -> None:
    session = lecturer.session
    ann = await joined(http, session, "Ann")
    bob = SimTablet(http, session.join_url, session.code.lower(), "  Bob\u202e\x00  ")  # code case ignored
    assert (await bob.join())["t"] == "welcome"
    assert [(j.seat_id, j.name) for j in lecturer.of(ev.TabletJoined)] == [(1, "Ann"), (2, "Bob")]
    poll = await session.start_poll("Ready?", ["Yes", "No"])
    for tablet in (ann, bob):
        got = await tablet.wait_for(lambda m: m["t"] == "activity")
        assert got["activity"]["options"] == ["Yes", "No"] and "correct" not in got["activity"]
    await ann.answer(poll, 0)
    await bob.answer(poll, 1)
    await bob.send({"t": "hand", "up": True})
    await bob.wait_for(lambda m: m["t"] == "hand")  # two sockets: make sure Bob's hand is in first
    await ann.send({"t": "hand", "up": True})
    await lecturer.until(lambda: len(session.hands()) == 2 and session.results().responders == 2, "answers, hands")
    assert session.results().counts == {"Yes": 1, "No": 1}
    assert session.hands() == [(2, "Bob"), (1, "Ann")]
    assert lecturer.of(ev.AnswerReceived)[-1].counts == {"Yes": 1, "No": 1}
    assert await session.lower_hand() == 2
    assert (await bob.wait_for(lambda m: m["t"] == "hand" and m["up"] is False))["up"] is False
    assert session.hands() == [(1, "Ann")]
    results = await session.close_poll()
    assert results.counts == {"Yes": 1, "No": 1} and not results.open
    await ann.send({"t": "answer", "activity": poll, "choice": [1]})
    assert (await ann.wait_for(lambda m: m["t"] == "refused"))["reason"] == "not-open"
    # Nobody was ever sent another student's name.
    for tablet, own in ((ann, "Ann"), (bob, "Bob")):
        other = "Bob" if own == "Ann" else "Ann"
        assert all(other not in str(m) for _, m in tablet.messages)
    await ann.close()
    await bob.close()


async def test_a_quiz_scores_right_answers_and_tells_each_tablet_its_own(
        lecturer: Lecturer, http: aiohttp.ClientSession) -> None:
    session = lecturer.session
    ann, bob = await joined(http, session, "Ann"), await joined(http, session, "Bob")
    quiz = await session.start_poll("2+2?", ["3", "4", "5"], correct=["4"])
    await ann.wait_for(lambda m: m["t"] == "activity")
    await bob.wait_for(lambda m: m["t"] == "activity")
    await ann.answer(quiz, 1)
    await bob.answer(quiz, 2)
    await lecturer.until(lambda: session.results().responders == 2, "two answers")
    results = await session.close_poll()
    assert results.correct == ("4",) and results.kind == "quiz"
    ann_closed = await ann.wait_for(lambda m: m["t"] == "closed")
    bob_closed = await bob.wait_for(lambda m: m["t"] == "closed")
    assert (ann_closed["right"], ann_closed["score"]) == (True, 1)
    assert (bob_closed["right"], bob_closed["score"]) == (False, 0)
    assert ann_closed["activity"]["correct"] == [1]
    assert [(s.name, s.score) for s in session.scores()] == [("Ann", 1), ("Bob", 0)]
    multi = await session.start_poll("Primes?", ["2", "4", "5"], multiple=True)
    await ann.wait_for(lambda m: m["t"] == "activity" and m["activity"]["id"] == multi)
    await ann.answer(multi, 0, 2)
    await ann.answer(multi, 0, 0)  # the same option twice is refused, the first answer stands
    assert (await ann.wait_for(lambda m: m["t"] == "refused"))["reason"] == "bad-choice"
    await lecturer.until(lambda: session.results().responders == 1, "multiple choice")
    assert session.results().counts == {"2": 1, "4": 0, "5": 1}
    await ann.close()
    await bob.close()


async def test_open_answers_reach_the_class_only_once_approved(lecturer: Lecturer, http: aiohttp.ClientSession) -> None:
    session = lecturer.session
    ann, bob = await joined(http, session, "Ann"), await joined(http, session, "Bob")
    question = await session.ask("One word for light?")
    await ann.wait_for(lambda m: m["t"] == "activity")
    await ann.answer(question, text="wave")
    await bob.answer(question, text="<img src=x onerror=alert(1)>")
    await lecturer.until(lambda: session.results().responders == 2, "two open answers")
    answers = session.results().answers
    assert [(a["name"], a["text"], a["approved"]) for a in answers] == [
        ("Ann", "wave", False), ("Bob", "<img src=x onerror=alert(1)>", False)]
    assert not any(m["t"] == "approved" for _, m in bob.messages), "nothing shown before approval"
    await session.approve_answer(answers[0]["id"])
    shown = await bob.wait_for(lambda m: m["t"] == "approved")
    assert shown["answers"] == [{"id": answers[0]["id"], "text": "wave"}], "approved, without the author's name"
    await session.share_results(question, names=True)
    shared = await bob.wait_for(lambda m: m["t"] == "results")
    assert shared["answers"] == [{"id": answers[0]["id"], "text": "wave", "name": "Ann"}]
    await ann.close()
    await bob.close()


async def test_timer_and_eyes_on_the_board_reach_every_tablet(lecturer: Lecturer, http: aiohttp.ClientSession) -> None:
    session = lecturer.session
    ann = await joined(http, session, "Ann")
    await session.start_timer(0.3)
    assert 200 <= (await ann.wait_for(lambda m: m["t"] == "timer"))["ms"] <= 300
    await ann.wait_for(lambda m: m["t"] == "timer" and m["ms"] == 0)
    assert [e.seconds for e in lecturer.of(ev.TimerChanged)] == [0.3, 0.0]
    await session.eyes_on_board(True)
    assert (await ann.wait_for(lambda m: m["t"] == "eyes"))["on"] is True
    late = await joined(http, session, "Late")
    assert late.messages[-1][1]["eyes"] is True, "a tablet joining while eyes are on the board is dimmed too"
    await session.eyes_on_board(False)
    await ann.wait_for(lambda m: m["t"] == "eyes" and m["on"] is False)
    with pytest.raises(ValueError):
        await session.start_timer(0)
    await ann.close()
    await late.close()


async def test_a_tablet_that_drops_rejoins_the_same_seat_with_its_answer(
        lecturer: Lecturer, http: aiohttp.ClientSession) -> None:
    session = lecturer.session
    ann = await joined(http, session, "Ann")
    poll = await session.start_poll("Ready?", ["Yes", "No"])
    await ann.answer(poll, 0)
    await lecturer.until(lambda: session.results().responders == 1, "the answer")
    await ann.close()
    await lecturer.until(lambda: session.connected == 0, "the drop noticed")
    back = SimTablet(http, session.join_url, session.code, "")
    welcome = await back.join(secret=ann.secret)
    assert welcome["t"] == "welcome" and welcome["seat"] == ann.seat and welcome["name"] == "Ann"
    assert welcome["activity"]["id"] == poll and welcome["mine"] == {"choice": [0]}
    assert len(session.seats) == 1 and lecturer.of(ev.TabletJoined)[-1].rejoined
    # A second socket with the same secret takes the seat over; the first is told and closed.
    again = SimTablet(http, session.join_url, session.code, "")
    assert (await again.join(secret=ann.secret))["seat"] == ann.seat
    await back.wait_for(lambda m: m["t"] == "replaced")
    assert session.connected == 1
    await back.close()
    await again.close()


async def test_wrong_code_no_name_and_unknown_messages_are_refused(
        lecturer: Lecturer, http: aiohttp.ClientSession) -> None:
    session = lecturer.session
    stranger = SimTablet(http, session.join_url, "AAAAAA" if session.code != "AAAAAA" else "BBBBBB", "Eve")
    assert (await stranger.join())["reason"] == "wrong-code"
    await stranger.send({"t": "answer", "activity": "a1", "choice": [0]})
    assert (await stranger.wait_for(lambda m: m.get("reason") == "not-joined"))["t"] == "refused"
    nameless = SimTablet(http, session.join_url, session.code, " \u200b\t ")
    reply = await nameless.join()
    assert reply["t"] == "refused" and reply["reason"] in ("name-needed",)
    ann = await joined(http, session, "Ann")
    await ann.send({"t": "power", "device": "projector", "on": False})  # no device control from a tablet
    assert (await ann.wait_for(lambda m: m["t"] == "error"))["reason"] == "bad-message"
    assert ann.ws is not None
    for garbage in ("not json", "[" * 4000, '{"t": ' * 600):  # the second nests deeper than json recurses
        since = len(ann.messages)
        await ann.ws.send_str(garbage)
        await ann.wait_for(lambda m: m["t"] == "error", since=since)
    assert not lecturer.of(ev.TabletJoined)[1:], "only Ann joined"
    for tablet in (stranger, nameless, ann):
        await tablet.close()


async def test_the_server_listens_only_while_the_rooms_session_is_open(http: aiohttp.ClientSession) -> None:
    room = Room("Test room")
    with pytest.raises(RuntimeError):
        ClassSession.for_room(room)
    await room.start_session("Dr Who", "Physics")
    session = ClassSession.for_room(room, host="127.0.0.1", advertise=False)
    heard: list[RoomEvent] = []
    closed = asyncio.Event()
    room.events.subscribe(heard.append)
    room.events.subscribe(lambda e: closed.set() if isinstance(e, ev.TabletsClosed) else None)
    await session.start()
    ann = await joined(http, session, "Ann")
    assert any(isinstance(e, ev.TabletJoined) for e in heard), "on the room's bus"
    await room.end_session()
    await ann.wait_for(lambda m: m["t"] == "ended")
    async with asyncio.timeout(BOUND_S):
        await closed.wait()
    assert not session.running
    with pytest.raises(aiohttp.ClientConnectionError):
        await http.get(f"http://127.0.0.1:{session.port}/")
    await ann.close()


async def test_the_page_and_its_assets_are_small_and_locked_down(lecturer: Lecturer,
                                                                 http: aiohttp.ClientSession) -> None:
    base = f"http://127.0.0.1:{lecturer.session.port}"
    async with http.get(base + "/?code=X", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
        assert int(response.headers["Content-Length"]) < 100_000
        policy = response.headers["Content-Security-Policy"]
        page = await response.text()
    assert "script-src 'sha256-" in policy and "unsafe" not in policy and "connect-src 'self'" in policy
    assert "<script>" in page and "<style>" in page and 'src="' not in page, "one response, nothing to fetch"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/../pyproject.toml", "/tablet.js", "/page/index.html"):
        async with http.get(base + path) as response:
            assert response.status == 404
    async with http.get(base + "/ws", headers={"Origin": "http://evil.example"}) as response:
        assert response.status == 403, "another site's script cannot open a tablet's socket"


async def test_the_tablets_page_is_announced_over_dnssd() -> None:
    advertiser = TabletAdvertiser(8123, "Room 101", interfaces=["127.0.0.1"])
    try:
        assert await advertiser.start()
        found = await browse_until([SERVICE_TYPE], {"Classroom Room 101"}, ["127.0.0.1"])
    finally:
        await advertiser.stop()
    service = found["Classroom Room 101"]
    assert (service.address, service.port) == ("127.0.0.1", 8123) and service.txt.get("path") == "/"


@pytest.mark.slow
async def test_two_hundred_tablets_answer_one_poll_and_every_answer_counts(lecturer: Lecturer) -> None:
    session = lecturer.session
    clients = [client_for(f"127.0.3.{i + 1}") for i in range(50)]  # four tablets an address, as on a busy LAN
    tablets = [SimTablet(clients[i % 50], session.join_url, session.code, f"Student {i}") for i in range(200)]
    try:
        replies = await asyncio.gather(*(t.join() for t in tablets))
        assert all(r["t"] == "welcome" for r in replies)
        poll = await session.start_poll("Which?", ["A", "B", "C"])
        await asyncio.gather(*(t.wait_for(lambda m: m["t"] == "activity") for t in tablets))
        await asyncio.gather(*(t.answer(poll, i % 3) for i, t in enumerate(tablets)))
        await lecturer.until(lambda: session.results().responders == 200, "200 answers")
        assert session.results().counts == {"A": 67, "B": 67, "C": 66}
        assert len(lecturer.of(ev.AnswerReceived)) == 200
    finally:
        await asyncio.gather(*(t.close() for t in tablets))
        for client in clients:
            await client.close()


async def test_what_students_do_lands_in_the_session_log_through_participation(
        http: aiohttp.ClientSession, tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    try:
        await store.call(lambda s: s.upsert_room("room:101", "Room 101"))
        room = Room("Room 101", store, room_id="room:101")
        await room.start_session("Aliya", "Physics")
        session = ClassSession.for_room(room, host="127.0.0.1", advertise=False)
        await session.start()
        ann, bob = await joined(http, session, "Ann"), await joined(http, session, "<b>Bob</b>")
        quiz = await session.start_poll("2+2?", ["3", "4"], correct=["4"])
        await ann.answer(quiz, 1)
        await bob.answer(quiz, 0)
        await bob.send({"t": "hand", "up": True})
        await bob.wait_for(lambda m: m["t"] == "hand")
        await session.lower_hand()
        question = await session.ask("Why?")
        await ann.answer(question, text="Because")
        await ann.wait_for(lambda m: m["t"] == "answered" and m["activity"] == question)
        await session.approve_answer(session.results(question).answers[0]["id"])
        await bob.close()
        async with asyncio.timeout(BOUND_S):
            while session.connected != 1:  # noqa: ASYNC110 (the server notices the close on its own time)
                await asyncio.sleep(0.01)
        await session.stop()
        await room.end_session()
        events = await store.events(session.session_id)
    finally:
        await store.close()
    kinds = [e["kind"] for e in events]
    assert kinds.count("participant_joined") == 2 and kinds.count("participant_left") >= 1
    assert [e["payload"]["name"] for e in events if e["kind"] == "participant_joined"] == ["Ann", "<b>Bob</b>"]
    answers = [(e["payload"]["seat"], e["payload"]["answer"], e["payload"]["correct"])
               for e in events if e["kind"] == "answer"]
    assert answers == [("1", "4", True), ("2", "3", False), ("1", "Because", None)]
    assert kinds.count("activity_started") == 2 and kinds.count("activity_ended") == 2
    assert ("hand_raised" in kinds and "hand_cleared" in kinds and "answer_shown" in kinds)


def test_the_page_has_every_message_in_english_and_russian() -> None:
    page = Path(__file__).resolve().parent.parent / "classroom_console" / "tablets" / "page"
    script = (page / "tablet.js").read_text(encoding="utf-8")
    blocks = {lang: re.search(rf"^    {lang}: \{{(.*?)^    \}}", script, re.S | re.M) for lang in ("en", "ru")}
    keys = {lang: set(re.findall(r"(?:'([\w-]+)'|(\w+)):\s*'", m.group(1))) for lang, m in blocks.items() if m}
    assert len(keys) == 2 and len(keys["en"]) > 30 and keys["en"] == keys["ru"]
    used = set(re.findall(r"data-i18n=\"([\w-]+)\"", (page / "index.html").read_text(encoding="utf-8")))
    assert used <= {k for pair in keys["en"] for k in pair if k}
    html = (page / "index.html").read_text(encoding="utf-8")
    for label in ('>Session code</label>', '>Your name</label>', '>Join</button>'):
        assert label in html
