"""The usage report's tablet participation queries over a year of tablet sessions (target: <= 100 ms, as every
other chart of the Centre workspace): ``tablets_courses`` (sums per course), ``tablets_sessions`` (the listed
sessions) and ``tablets`` (the listed activities' rows), each timed and their sum, beside the query before
tablet_counts carried its sessions (a join).

Data: ``--sessions`` sessions (default 50,000, a busy centre's year), ``--tablet-share`` of them with tablets
(default 10 %): each has 30 seats joining, 5 polls and about 27 answers to each, and a few hands; every
session also has 20 device events. Reference in the same run: ``SELECT count(*)`` of the participation
events through their partial index (the least any query over them must read), and the report's cheapest
rollup chart (``totals``).
Usage: python bench/usage_participation.py [--sessions 50000] [--tablet-share 0.1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom_console.store import open_store
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_participation import participation_sql
from classroom_console.usage_sql import SQLITE, build_queries, used_params

TARGET_MS = 100.0
TABLET_QUERIES = ("tablets_courses", "tablets_sessions", "tablets")
SEATS, POLLS = 30, 5


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(folder: Path, sessions: int, share: float) -> Path:
    store = open_store(folder)
    path = store.path
    store.close()
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    start = datetime(2025, 9, 1, tzinfo=UTC)
    rows: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for i in range(sessions):
        begin = start + timedelta(days=rng.randrange(365), hours=rng.randrange(8, 18))
        sid = f"s{i:08d}"
        rows.append((sid, f"room:{rng.randrange(40)}", f"Lecturer {rng.randrange(300)}",
                     f"Course {rng.randrange(400)}", "active-learning", iso(begin), iso(begin + timedelta(hours=1)),
                     "completed"))
        for k in range(20):
            events.append((sid, f"mac:{k % 8}", "state", "{}", iso(begin + timedelta(seconds=k)), 0))
        if rng.random() >= share:
            continue
        at = iso(begin + timedelta(minutes=1))
        for seat in range(SEATS):
            events.append((sid, None, "participant_joined", json.dumps({"seat": str(seat), "name": f"S{seat}"}), at, 0))
        for poll in range(POLLS):
            events.append((sid, None, "activity_started", json.dumps({
                "activity_id": f"p{poll}", "activity_kind": "poll", "title": f"Question {poll}?",
                "definition": {"question": f"Question {poll}?", "options": ["Yes", "No"]}}), at, 0))
            for seat in range(SEATS):
                if rng.random() < 0.9:
                    events.append((sid, None, "answer", json.dumps({
                        "activity_id": f"p{poll}", "seat": str(seat), "answer": "Yes", "correct": None}), at, 0))
        for _ in range(3):
            events.append((sid, None, "hand_raised", json.dumps({"seat": str(rng.randrange(SEATS))}), at, 0))
    with conn:
        conn.executemany("INSERT INTO sessions (id, room_id, lecturer, course, kind, started_at, ended_at, status) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("INSERT INTO session_events (session_id, device_uid, kind, payload, wall_time, monotonic_ns) "
                         "VALUES (?, ?, ?, ?, ?, ?)", events)
    conn.execute("ANALYZE")
    conn.close()
    return path


def median_ms(conn: sqlite3.Connection, f: UsageFilter, name: str) -> float:
    """One chart's query alone (the whole report runs every chart: slow to repeat on a busy machine)."""
    queries, params = build_queries(SQLITE, f, "room:0")
    if name == "joined":  # the query before tablet_counts carried its sessions: the rollup joined with them
        where = queries["totals"].split(" WHERE ", 1)[1]
        queries[name] = participation_sql(f"fs AS (SELECT id, room_id, lecturer, course, t0_s AS t0 "
                                          f"FROM session_spans WHERE {where})")
    sql = queries[name]
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        conn.execute(sql, used_params(sql, params)).fetchall()
        runs.append((time.perf_counter() - started) * 1000)
    return sorted(runs)[len(runs) // 2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sessions", type=int, default=50_000)
    ap.add_argument("--tablet-share", type=float, default=0.1)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cc-bench-"))
    try:
        path = folder / "console.db"
        if not path.exists():
            t = time.perf_counter()
            path = generate(folder, args.sessions, args.tablet_share)
            print(f"generated in {time.perf_counter() - t:.1f} s ({path})")
        open_store(folder).close()  # a kept store from an older version is migrated first
        conn = sqlite3.connect(path)
        counted = conn.execute("SELECT count(*) FROM session_events WHERE kind IN ('participant_joined', "
                               "'activity_started', 'answer', 'hand_raised', 'tablet.joined', 'tablet.activity', "
                               "'tablet.answer', 'tablet.hand')").fetchone()[0]
        t = time.perf_counter()
        conn.execute("SELECT count(*) FROM session_events WHERE kind IN ('participant_joined', 'activity_started', "
                     "'answer', 'hand_raised', 'tablet.joined', 'tablet.activity', 'tablet.answer', 'tablet.hand')"
                     ).fetchone()
        ref_ms = (time.perf_counter() - t) * 1000
        print(f"{counted} participation events; reference: counting them through their index {ref_ms:.1f} ms")
        worst = 0.0
        for label, f in (("everything", UsageFilter()), ("one month", UsageFilter(since=date(2026, 1, 1),
                                                                                  until=date(2026, 1, 31))),
                         ("one lecturer", UsageFilter(lecturer="Lecturer 42"))):
            for name in TABLET_QUERIES:
                median_ms(conn, f, name)  # warm the page cache
            each = {name: median_ms(conn, f, name) for name in TABLET_QUERIES}
            joined, totals = median_ms(conn, f, "joined"), median_ms(conn, f, "totals")
            both = sum(each.values())
            worst = max(worst, both)
            print(f"{label:<13} tablets {both:7.1f} ms (" + ", ".join(f"{k} {v:.1f}" for k, v in each.items())
                  + f"; before, joined with the sessions: {joined:.1f} ms; totals chart {totals:.1f} ms; "
                  f"{both / ref_ms:.2f} x the reference)")
        verdict = "ok" if worst <= TARGET_MS else "OVER"
        print(f"worst (the three tablet queries together) {worst:.1f} ms, target <= {TARGET_MS:.0f} ms: {verdict}")
        return 0 if worst <= TARGET_MS else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
