"""Sessions stored as a group (centre/sqlite_sessions.py) leave the file exactly as storing them one by one does.

The group holds what a busy centre meets: new sessions, a session sent twice within the group, re-sends of
sessions the file holds already, repeated event ids, devices and readings that several uploads name, faults,
tablet activity, and one upload that cannot be stored. Every table is compared row for row with the same
uploads stored one at a time by the reference (``store_one``), and the chart sums with a recount.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from classroom_console.centre import db_sqlite
from classroom_console.centre.db_sqlite import SqliteCentreDB
from classroom_console.centre.payloads import SessionRows, session_rows
from classroom_console.centre.sqlite_sessions import CHUNK, EXACT, store_many, store_one
from tests.test_centre_rollups import FILTERS, NOW, body, recount

TABLES = ("sessions", "session_events", "session_spans", "session_hours", "device_spans", "devices",
          "device_readings", "tablet_counts", "tablet_sessions", "roll_room_hours", "roll_people", "roll_heat",
          "roll_device_days", "roll_faults", "roll_lamps")


def uploads(seed: int) -> list[SessionRows]:
    """Upload order as a centre might receive it within one write group."""
    rng = random.Random(seed)
    out: list[SessionRows] = []

    def add(room: int, sid: str, b: dict[str, Any]) -> None:
        out.append(session_rows(f"r{room}", sid, b, NOW))

    for i in range(40):
        b = body(rng, f"s{i}", i % 3, CHUNK + EXACT + 3 if i == 11 else rng.choice((0, 3, EXACT + 5)))
        b["devices"][0]["name"] = f"name {i}"  # the last upload naming a device wins
        if i % 5 == 0 and b["events"]:
            b["events"].append({**b["events"][0], "kind": "error", "device_uid": "dup"})  # a repeated id: first kept
        if i % 6 == 0:
            b["events"] += [
                {"id": 900, "kind": "tablet.joined", "device_uid": None, "payload": {"seat": "a"},
                 "wall_time": b["session"]["started_at"]},
                {"id": 901, "kind": "tablet.answer", "device_uid": None,
                 "payload": {"seat": "a", "activity": "q1", "answer": "x"}, "wall_time": b["session"]["started_at"]},
            ]
        add(i % 3, f"s{i}", b)
        if i % 9 == 4:  # sent again within the group, changed
            add(i % 3, f"s{i}", body(rng, f"s{i}", i % 3, 6))
    for i in (1, 2, 7, 20, 30):  # re-sends: of sessions the file held before the group, and of earlier ones in it
        add(i % 3, f"s{i}", body(rng, f"s{i}", i % 3, 4))
    return out


def bad() -> SessionRows:
    rows = session_rows("r0", "bad", body(random.Random(9), "bad", 0, 5), NOW)
    rows.events[0]["kind"] = None  # NOT NULL: this upload fails, alone, and the rest of its group is stored
    return rows


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        conn.close()


def fill(path: Path, grouped: bool, broken: bool = False) -> list[tuple[int | None, str | None]]:
    conn = db_sqlite._connect(path)
    try:
        first = uploads(1)[:12]  # held before: the group's re-sends find them
        conn.execute("BEGIN")
        for rows in first:
            store_one(conn, rows)
        conn.execute("COMMIT")
        group = uploads(2)
        group.insert(17, bad())
        if broken:  # past every check, it breaks the gathering of sums: the group is stored one by one instead
            odd = session_rows("r1", "odd", body(random.Random(7), "odd", 1, 5), NOW)
            odd.hours[0]["how"] = "not a number"
            group.insert(5, odd)
        conn.execute("BEGIN")
        if grouped:
            outcomes = store_many(conn, group)
        else:
            outcomes = []
            for rows in group:
                conn.execute("SAVEPOINT one")
                try:
                    outcomes.append((store_one(conn, rows), None))
                    conn.execute("RELEASE one")
                except Exception as exc:  # as the writer takes each job: any error fails that job alone
                    conn.execute("ROLLBACK TO one")
                    conn.execute("RELEASE one")
                    outcomes.append((None, exc))
        conn.execute("COMMIT")
        return [(held, type(error).__name__ if error else None) for held, error in outcomes]
    finally:
        conn.close()


@pytest.mark.parametrize("broken", [False, True])
def test_a_group_stores_every_table_exactly_as_one_by_one(tmp_path: Path, broken: bool) -> None:
    grouped = fill(tmp_path / "grouped.db", grouped=True, broken=broken)
    alone = fill(tmp_path / "alone.db", grouped=False, broken=broken)
    assert grouped == alone
    assert [error for _, error in grouped].count("IntegrityError") == 1
    tables = contents(tmp_path / "grouped.db")
    assert tables == contents(tmp_path / "alone.db")
    assert len(tables["tablet_sessions"]) > 0 and len(tables["roll_faults"]) > 0 and len(tables["roll_lamps"]) > 0
    for f in FILTERS:
        rolled, base = recount(tmp_path / "grouped.db", f)
        assert rolled == base, f


async def test_uploads_arriving_together_are_answered_and_summed_exactly(tmp_path: Path) -> None:
    """Through the writer thread: uploads sent at once are grouped; each is answered with its own count."""
    db = await SqliteCentreDB.open(tmp_path / "centre.db")
    try:
        group = uploads(4)
        seen: dict[tuple[str, str], set[int]] = {}
        expected = []
        for rows in group:  # events are never taken away: a session holds every id it was ever sent
            ids = seen.setdefault((rows.span["room_id"], rows.span["id"]), set())
            ids |= {e["local_id"] for e in rows.events}
            expected.append(len(ids))
        held = await asyncio.gather(*(db.store_session(rows) for rows in group))
        for rows in uploads(5)[:20]:
            await db.store_session(rows)
    finally:
        await db.close()
    assert held == expected
    for f in FILTERS:
        rolled, base = await asyncio.to_thread(recount, tmp_path / "centre.db", f)
        assert rolled == base, f
