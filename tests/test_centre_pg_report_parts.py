"""A report made from the last one's parts (``pg_report_parts``) is the report, and the bytes, a full one gives.

Rows change a few at a time, as rooms send between two reports, over two filters taken turn about; at every step
the report and its JSON equal ``usage_sql.assemble`` and ``reports.report_bytes`` over the same rows, and only the
changed devices and room-weeks are made again. Real PostgreSQL: a centre's reports, made while sessions are
stored between them, equal a report made from nothing on a fresh centre process of the same database.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from classroom_console.centre.pg_report_parts import ReportParts
from classroom_console.centre.reports import report_bytes
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import assemble
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)

ROOMS = ("Room 1", "Ауд. 204", 'Hall "A"', "Room 4")


def _device(rng: random.Random) -> str:
    return f"mac:{rng.randrange(4)}:{rng.randrange(6)}"


def _lamp(rng: random.Random) -> Any:
    return rng.choice([None, "[]", json.dumps([rng.randrange(3000), rng.randrange(3000)]), "[2900]"])


def rows_of(rng: random.Random) -> dict[str, list[tuple[Any, ...]]]:
    """A centre's rows as the charts' statement gives them; some uids twice (one per room), lamps without device."""
    devices = [(_device(rng), rng.choice(["Проектор", "", "Cam"]), rng.choice(["projector", "camera"]),
                rng.choice(ROOMS)) for _ in range(12)]
    hours = {_device(rng): rng.randrange(1, 90_000) / rng.choice([1, 3, 7]) for _ in range(16)}
    return {
        "totals": [(rng.randrange(100), rng.randrange(10**6) / 3, rng.randrange(5))],
        "heatmap": [(h, rng.randrange(3600)) for h in rng.sample(range(168), 20)],
        "room_weeks": sorted({(r, 20_000 + 7 * rng.randrange(6), rng.randrange(1, 40_000) / 7) for r in ROOMS
                              for _ in range(3)}, key=lambda row: (row[1], row[0])),
        "by_lecturer": [("Иванова", 3, 5400.0), ("Smith", 1, 60.5)],
        "by_course": [("Physics", 4, 5460.5)],
        "recordings": [(rng.randrange(9), rng.randrange(10**5) / 3, rng.randrange(10**9))],
        "device_hours": list(hours.items()),
        "devices": devices,
        "lamps": [(_device(rng), _lamp(rng)) for _ in range(10)],
        "fault_events": [(_device(rng), rng.randrange(1, 5), "2026-03-02T08:00:00.000000Z") for _ in range(3)],
        "fault_readings": [(_device(rng), rng.randrange(1, 5), "2026-03-03T08:00:00.000000Z") for _ in range(2)],
    }


def changed(rng: random.Random, rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """A few rows changed, added or gone, as a room's upload changes them between two reports."""
    out = {k: list(v) for k, v in rows.items()}
    fresh = rows_of(rng)
    for name in ("device_hours", "devices", "lamps", "room_weeks", "fault_events", "totals", "heatmap"):
        if rng.random() < 0.6 and out[name]:
            out[name][rng.randrange(len(out[name]))] = rng.choice(fresh[name])
        if rng.random() < 0.3:
            out[name].append(rng.choice(fresh[name]))
        if rng.random() < 0.2 and len(out[name]) > 1:
            out[name].pop(rng.randrange(len(out[name])))
    out["totals"] = out["totals"][:1]
    out["room_weeks"].sort(key=lambda row: (row[1], row[0]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_a_report_from_the_last_ones_parts_is_a_full_reports_bytes(seed: int) -> None:
    rng = random.Random(seed)
    parts = ReportParts()
    filters = (UsageFilter(), UsageFilter(lamp_rated_hours=2000, utc_offset_h=5))
    rows = {f: rows_of(rng) for f in filters}
    for step in range(40):
        f = filters[step % 2]
        rows[f] = changed(rng, rows[f])
        made_before = parts.made
        report, body = parts.make(f, rows[f])
        full = assemble(f, rows[f])
        assert report == full, step
        assert body == report_bytes(full), step
        if step >= 2:  # only what changed is made again: a few parts, not the report's every device and week
            assert parts.made - made_before <= 12 < len(full.devices) + len(full.room_weeks), step


def test_only_the_devices_and_weeks_whose_rows_changed_are_made_again() -> None:
    rng = random.Random(9)
    parts = ReportParts()
    f = UsageFilter()
    rows = rows_of(rng)
    parts.make(f, rows)
    first = parts.made
    assert first > 0
    parts.make(f, rows)
    assert parts.made == first  # the same rows: nothing made
    uid, secs = rows["device_hours"][0]
    rows["device_hours"][0] = (uid, secs + 3600)
    _, body = parts.make(f, rows)
    assert parts.made == first + 1 and body == report_bytes(assemble(f, rows))


async def test_a_centres_reports_between_stores_are_those_of_a_fresh_process(postgres_url: str) -> None:  # noqa: F811
    """Real rows: A keeps its parts from report to report while sessions are stored between them (a session re-sent
    too); B, a process with nothing kept, makes each report from its rows alone. The bytes are the same every time."""
    from classroom_console.centre.db_postgres import PostgresCentreDB
    from classroom_console.centre.payloads import session_rows
    from tests.test_centre_rollups import FILTERS, NOW, body

    a = await PostgresCentreDB.open(postgres_url)
    b = await PostgresCentreDB.open(postgres_url)
    try:
        rng, fresh_made = random.Random(11), 0
        async with asyncio.timeout(120):
            for step in range(6):
                for i in range(step * 4, step * 4 + 4):
                    sid = f"p{i % 10}"  # from the third step on, some are sent again (their sums change)
                    await a.store_session(session_rows(f"r{i % 3}", sid, body(rng, sid, i % 3, 6), NOW))
                for f in (UsageFilter(), *FILTERS[:4]):
                    b._parts = ReportParts()
                    _, kept = await a.reports.run(_made(a, f))
                    _, fresh = await b.reports.run(_made(b, f))
                    assert kept == fresh, (step, f)
                    fresh_made += b._parts.made
        assert a._parts.made < fresh_made  # A made again only what changed
    finally:
        await a.close()
        await b.close()


async def _made(db: Any, f: UsageFilter) -> tuple[Any, bytes]:
    async with db.report_pool.acquire() as conn:
        got: tuple[Any, bytes] = await db._make_report(f, conn)
        return got
