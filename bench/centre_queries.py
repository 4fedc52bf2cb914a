"""Centre workspace queries over 50,000 sessions and 1,000,000 session events (target: each chart <= 100 ms).

Reference in the same run: a plain ``SELECT count(*)`` over the events table (a full scan).
Usage: python bench/centre_queries.py [--sessions 50000] [--events 1000000] [--keep DIR]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom_console.store import open_store
from classroom_console.usage import query_sqlite
from classroom_console.usage_model import UsageFilter

ROOMS, DEVICES_PER_ROOM, LECTURERS, COURSES = 40, 8, 300, 400
TARGET_MS = 100.0


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(folder: Path, sessions: int, events: int) -> Path:
    store = open_store(folder)
    path = store.path
    store.close()
    rng = random.Random(5)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    start = datetime(2025, 9, 1, tzinfo=UTC)
    with conn:
        conn.executemany("INSERT INTO rooms (id, name, created_at) VALUES (?, ?, ?)",
                         [(f"room:{r}", f"Room {r}", iso(start)) for r in range(ROOMS)])
        conn.executemany(
            "INSERT INTO devices (uid, kind, name, room_id, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
            [(f"mac:{r}:{d}", "projector" if d < 2 else "camera", f"Device {r}.{d}", f"room:{r}", iso(start),
              iso(start)) for r in range(ROOMS) for d in range(DEVICES_PER_ROOM)],
        )
    rows, ev_rows = [], []
    per_session = events // sessions
    for i in range(sessions):
        room = rng.randrange(ROOMS)
        day = start + timedelta(days=rng.randrange(365))
        begin = day.replace(hour=rng.randrange(7, 19), minute=rng.choice((0, 10, 30, 40)))
        end = begin + timedelta(minutes=rng.randrange(40, 200))
        sid = f"s{i:08d}"
        rows.append((sid, f"room:{room}", f"Lecturer {rng.randrange(LECTURERS)}", f"Course {rng.randrange(COURSES)}",
                     "active-learning", iso(begin), iso(end), "completed"))
        span = (end - begin).total_seconds()
        for _ in range(per_session):
            kind = rng.choices(("state", "command", "error", "command_failed"), (80, 18, 1.5, 0.5))[0]
            at = begin + timedelta(seconds=rng.random() * span)
            ev_rows.append((sid, f"mac:{room}:{rng.randrange(DEVICES_PER_ROOM)}", kind, "{}", iso(at), 0))
    readings = []
    for r in range(ROOMS):
        for d in range(2):
            lamp = rng.randrange(500, 3100)
            for k in range(0, 365, 2):
                readings.append((f"mac:{r}:{d}", iso(start + timedelta(days=k, hours=10)), "on",
                                 json.dumps([lamp + k * 4]), "{}" if rng.random() > 0.02 else '{"lamp":"warning"}'))
    recs = [(f"r{i:07d}", rows[i][0], f"/media/{i}.mp4", rows[i][5], rows[i][6], 5400.0, 1_500_000_000, "0" * 64)
            for i in range(0, sessions, 10)]
    with conn:
        conn.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("INSERT INTO session_events (session_id, device_uid, kind, payload, wall_time, monotonic_ns) "
                         "VALUES (?, ?, ?, ?, ?, ?)", ev_rows)
        conn.executemany("INSERT INTO device_readings (device_uid, wall_time, power, lamp_hours, error_status) "
                         "VALUES (?, ?, ?, ?, ?)", readings)
        conn.executemany("INSERT INTO recordings (id, session_id, path, started_at, stopped_at, duration_s, "
                         "size_bytes, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", recs)
    conn.execute("ANALYZE")
    conn.close()
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sessions", type=int, default=50_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cc-bench-"))
    try:
        t = time.perf_counter()
        path = generate(folder, args.sessions, args.events)
        print(f"generated {args.sessions} sessions, {args.events} events in {time.perf_counter() - t:.1f} s ({path})")
        conn = sqlite3.connect(path)
        t = time.perf_counter()
        conn.execute("SELECT count(*) FROM session_events").fetchone()
        ref_ms = (time.perf_counter() - t) * 1000
        print(f"reference: SELECT count(*) over session_events: {ref_ms:.1f} ms")
        filters = {
            "everything": UsageFilter(),
            "one room": UsageFilter(room="room:7"),
            "one lecturer": UsageFilter(lecturer="Lecturer 42"),
            "one month": UsageFilter(since=date(2026, 1, 1), until=date(2026, 1, 31)),
        }
        worst: dict[str, float] = {}
        for label, f in filters.items():
            query_sqlite(conn, f)  # warm the page cache, as a workspace that is opened twice would
            runs: dict[str, list[float]] = {}
            for _ in range(5):
                timings: dict[str, float] = {}
                query_sqlite(conn, f, timings)
                for name, secs in timings.items():
                    runs.setdefault(name, []).append(secs * 1000)
            medians = {name: sorted(v)[len(v) // 2] for name, v in runs.items()}
            print(f"\n{label}: " + ", ".join(f"{n} {ms:.1f} ms" for n, ms in medians.items()))
            print(f"  whole report {sum(medians.values()):.1f} ms")
            for name, ms in medians.items():
                worst[name] = max(worst.get(name, 0.0), ms)
        print("\nworst case per chart query (median of 5), target <= 100 ms:")
        for name, ms in worst.items():
            print(f"  {name:<15} {ms:7.1f} ms  {'ok' if ms <= TARGET_MS else 'OVER'}  ({ms / ref_ms:.2f} x full scan)")
        return 0 if all(ms <= TARGET_MS for ms in worst.values()) else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
