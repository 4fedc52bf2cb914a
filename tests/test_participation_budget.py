"""A hostile tablet cannot cost the lecture its session record: past a session's budget the students' events are
counted, not logged, and the session still uploads to a real centre (an attacker's walk found 100,551 hand toggles
in three minutes made the centre refuse the whole session, and 500-letter answers re-sent filled the disk)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from classroom_console import participation as pt
from classroom_console.participation import Participation
from classroom_console.store import AsyncStore
from classroom_console.store.records import dumps
from classroom_console.sync import items as sync_items
from classroom_console.sync.items import sweep
from tests.test_sync_support import add_token, engine_for, running_centre


async def test_a_hand_flood_is_capped_at_its_seat_and_the_session_still_reaches_the_centre(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: s.upsert_room("room:A", "A"))
        sid = await store.start_session(room_id="room:A", lecturer="Aliya", course="Physics")
        p = Participation(store)
        p.joined(sid, "honest", "Honest student")
        p.activity_started(sid, "q1", "poll", {"question": "Q?", "options": ["Yes", "No"]})
        toggles = pt.SEAT_EVENTS + 15_000
        for n in range(toggles):
            if n % 2:
                p.hand_cleared(sid, "flooder", by="student")
            else:
                p.hand_raised(sid, "flooder")
        p.answered(sid, "q1", "honest", "Yes")  # after the flood: the honest seat's budget is its own (R7)
        p.activity_ended(sid, "q1")
        await p.flush()
        await store.end_session(sid)
        events = await store.events(sid)
        kinds = [e["kind"] for e in events]
        flooder = [e for e in events if e["payload"].get("seat") == "flooder" and e["kind"] != pt.CAPPED]
        assert len(flooder) == pt.SEAT_EVENTS and p.over_budget == toggles - pt.SEAT_EVENTS
        assert [e["payload"] for e in events if e["kind"] == pt.CAPPED] == [
            {"seat": "flooder", "events": pt.SEAT_EVENTS, "characters": sum(len(dumps(e["payload"])) for e in flooder)}]
        assert kinds[-2:] == [pt.ANSWER, pt.ACTIVITY_ENDED] and events[-2]["payload"]["seat"] == "honest"
        assert p.failed == 0

        await store.call(sweep)
        async with running_centre(tmp_path / "centre") as centre:
            token = await add_token(centre, "Room 101")
            engine = engine_for(store, centre.url, token)
            try:
                result = await engine.run_once()
            finally:
                await engine.close()
        assert result.failed == 0 and result.uploaded >= 1  # the session, not set aside
        assert (await store.call(sync_items.counts)).get("failed", 0) == 0
    finally:
        await store.close()


async def test_many_seats_together_stop_at_the_sessions_backstop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A class of flooders, each within its seat's budget: the session's backstop still keeps the session under
    what the centre takes. The budgets are made small here (the same logic at a tenth of the count, for time)."""
    monkeypatch.setattr(pt, "SEAT_EVENTS", 50)
    monkeypatch.setattr(pt, "SESSION_EVENTS", 6_000)
    store = await AsyncStore.open(tmp_path / "room")
    try:
        sid = await store.start_session(course="Physics")
        p = Participation(store)
        seats, each = 150, pt.SEAT_EVENTS - 5
        for n in range(each):
            for seat in range(seats):
                p.hand_raised(sid, f"seat-{seat}") if n % 2 == 0 else p.hand_cleared(sid, f"seat-{seat}", "student")
        await p.flush()
        events = await store.events(sid)
        capped = [e["payload"] for e in events if e["kind"] == pt.CAPPED]
        assert len(events) == pt.SESSION_EVENTS + 1 and capped == [
            {"events": pt.SESSION_EVENTS, "characters": capped[0]["characters"]}]
        assert p.over_budget == seats * each - pt.SESSION_EVENTS
    finally:
        await store.close()


async def test_long_answers_resent_stop_at_each_seats_characters(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        sid = await store.start_session(course="Physics")
        p = Participation(store)
        p.activity_started(sid, "why", "text", {"question": "Why?"})
        answer = "Ж" * 500  # six characters of JSON a letter
        for n in range(5_000):
            p.answered(sid, "why", f"seat-{n % 64}", answer)
        await p.flush()
        events = await store.events(sid)
        answers = [e for e in events if e["kind"] == pt.ANSWER]
        assert 0 < len(answers) < 5_000 and p.over_budget == 5_000 - len(answers)
        capped = [e["payload"] for e in events if e["kind"] == pt.CAPPED]
        assert len(capped) == 64 and all(c["characters"] <= pt.SEAT_CHARACTERS for c in capped)
    finally:
        await store.close()


FULL_DISK_SCRIPT = """
import asyncio, logging, os, subprocess, sys
from classroom_console.participation import Participation
from classroom_console.store import AsyncStore

lines = []
class Keep(logging.Handler):
    def emit(self, record): lines.append(record.getMessage())
logging.getLogger().addHandler(Keep())

async def main():
    data = os.path.join(os.environ["D"], "data")
    store = await AsyncStore.open(data)
    sid = await store.start_session(course="Physics")
    if os.path.exists(os.path.join(data, "console.db-reserve")):  # made only where the disk has room for it
        os.remove(os.path.join(data, "console.db-reserve"))
    subprocess.run(["dd", "if=/dev/zero", "of=" + os.path.join(os.environ["D"], "fill"), "bs=64k"],
                   capture_output=True)
    p = Participation(store)
    for n in range(40):
        for seat in range(50):
            p.answered(sid, "why", f"seat-{seat}", "Ж" * 400)
        await asyncio.sleep(0)
    await p.flush()
    print("@@failed", p.failed, "written", p.written)
    print("@@lines", sum("participation" in line for line in lines))
    await store.close()

asyncio.run(main())
"""


def test_a_full_disk_is_said_once_not_once_an_event(tmp_path: Path) -> None:
    """A full disk wrote 9,565 'participation event … not written' lines in two minutes (E3): one now."""
    from tests.test_store_disk import _can_mount, in_namespace

    why = _can_mount(tmp_path)
    if why:
        pytest.skip(why)
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "flood.py"
    script.write_text(FULL_DISK_SCRIPT, encoding="utf-8")
    ran = in_namespace(disk, "4m", f"D=\"$D\" {sys.executable} {script}\n")
    found = {line.split()[0]: line.split()[1:] for line in ran.stdout.splitlines() if line.startswith("@@")}
    assert "@@failed" in found, (ran.stdout, ran.stderr[-3000:])
    assert int(found["@@failed"][0]) > 0  # the disk was full for some of them
    assert int(found["@@lines"][0]) <= 2, ran.stderr[-3000:]


def test_one_address_at_its_seats_budgets_stays_under_half_the_sessions_backstop() -> None:
    """One address's seats flooding at their budgets must leave the session's backstop room for the rest of the
    class (R7: 128 seats x 500 events passed the 60,000 backstop from one address)."""
    from classroom_console.tablets.limits import Limits

    assert Limits().seats_per_address * pt.SEAT_EVENTS <= pt.SESSION_EVENTS // 2
    assert Limits().seats_per_address * pt.SEAT_CHARACTERS <= pt.SESSION_CHARACTERS
