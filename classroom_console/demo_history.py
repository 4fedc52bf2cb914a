"""Six weeks of plausible past sessions for the demo room, so the Centre workspace has something to show.

Only ever written into the demo's own store (``demo/`` under the data dir), and only when it has no
sessions yet; every row is marked ``kind = 'demo'`` so nobody can take it for a real lecture.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

from classroom_console.store import Store, utc_iso
from devices.sim.room import SimRoomConfig, plan

LECTURERS = ("Aigerim Sadykova", "Timur Rakhimov", "Dilnoza Yusupova", "Bakyt Osmonov", "Zarina Nurlanovna")
COURSES = ("Physics 1", "Linear algebra", "Academic writing", "Databases", "History of Central Asia")
WEEKS = 6
SLOTS = ((8, 30), (10, 15), (12, 0), (14, 0), (15, 45))  # a university timetable's pairs
DEMO_KIND = "demo"


def seed(store: Store, room_id: str, sim: SimRoomConfig, today: datetime | None = None) -> int:
    """Write the history if the store has no sessions yet; returns how many sessions were written."""
    if store.db.execute("SELECT count(*) FROM sessions").fetchone()[0]:
        return 0
    rng = random.Random(2026)
    now = (today or datetime.now(UTC)).astimezone()  # the timetable is in the PC's own time zone
    monday = (now - timedelta(days=now.weekday() + 7 * WEEKS)).replace(hour=0, minute=0, second=0, microsecond=0)
    devices = [f"mac:{c.mac}" for c in plan(sim) if c.mac]
    written = 0
    with store.db.atomic():
        for day in range(7 * WEEKS):
            date = monday + timedelta(days=day)
            if date.weekday() == 6 or date >= now - timedelta(hours=2):
                continue
            for hour, minute in SLOTS:
                if rng.random() > (0.75 if date.weekday() < 5 else 0.25):
                    continue
                start = date.replace(hour=hour, minute=minute)
                end = start + timedelta(minutes=80 + rng.randint(-5, 5))
                session_id = str(uuid.UUID(int=rng.getrandbits(128)))
                store.db.execute(
                    "INSERT INTO sessions (id, room_id, lecturer, course, kind, started_at, ended_at, status) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'ended')",
                    (
                        session_id,
                        room_id,
                        rng.choice(LECTURERS),
                        rng.choice(COURSES),
                        DEMO_KIND,
                        utc_iso(start),
                        utc_iso(end),
                    ),
                )
                for uid in devices:
                    for at, command in ((start, "power on"), (end - timedelta(minutes=1), "power off")):
                        store.db.execute(
                            "INSERT INTO session_events (session_id, device_uid, kind, payload, wall_time, "
                            "monotonic_ns) VALUES (?, ?, 'command', ?, ?, 0)",
                            (session_id, uid, json.dumps({"command": command, "demo": True}), utc_iso(at)),
                        )
                written += 1
    return written
