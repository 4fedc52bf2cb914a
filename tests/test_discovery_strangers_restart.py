"""Strangers remembered across a restart still leave with their place, and the devices the lecturer used stay.

A stranger's row (found by adverts or search replies alone) was remembered at the next start and sheltered for good,
so each restart could keep up to the room's bound of strangers more (C5's probe: 2, 4, 6 cards over three starts with a
bound of 2). Making every such row a stranger again (stop 30's 85f29e7) made the room's own open projector, found by
broadcast search like its neighbours, a stranger at every start (R9): a device the lecturer has sent a command to is
now marked the room's in its row (``room_devices.ROOM_USED``; rows from before, by their logged commands, store v15).
Real simulated projectors on loopback (127.0.49.x), a real store; the room's hour passes on a clock."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from classroom_console.room import Room
from classroom_console.store import AsyncStore, open_store
from classroom_console.store.database import Database
from classroom_console.store.migrations import migrate
from devices.driver import Command
from tests.test_device_impostors import mac_of, projector, wait_until
from tests.test_discovery_strangers_leave import HOUR, hearsay_room, uid, visit


async def test_strangers_remembered_from_the_last_run_take_their_places_again_and_leave(tmp_path: Path) -> None:
    first, then = ["127.0.49.30", "127.0.49.31"], ["127.0.49.32", "127.0.49.33"]
    for hosts in (first, then):
        store = await AsyncStore.open(tmp_path)
        room = Room("restarts", log_store=store)
        devices, now = hearsay_room(room, first + then, store)
        try:
            await devices.start()
            if hosts is then:
                assert set(room.devices) == {uid(h) for h in first}  # shown from the store at the start
                now[0] += HOUR  # an hour with nothing heard from them
            await visit(devices, room, hosts)
            await room.flush()
            kept = {row["uid"] for row in await store.known_devices()}
        finally:
            await devices.stop()
            await store.close()
    assert set(room.devices) == {uid(h) for h in then}  # old code: all four, the first two kept for good
    assert set(devices.uids()) <= {uid(h) for h in then}
    assert kept == {uid(h) for h in then}


async def test_a_device_the_lecturer_used_stays_the_rooms_across_restarts(tmp_path: Path) -> None:
    """Used at the first run, silent through an hour of the second while strangers come: it keeps its card and row
    and takes no stranger's place; the stranger found beside it at the first run leaves."""
    used, stranger, newcomers = "127.0.49.34", "127.0.49.35", ["127.0.49.36", "127.0.49.37"]
    for run in (1, 2):
        store = await AsyncStore.open(tmp_path)
        room = Room("used", log_store=store)
        devices, now = hearsay_room(room, [used, stranger, *newcomers], store)
        try:
            await devices.start()
            if run == 1:
                async with projector(used, mac_of(used), "Own", password=None), \
                        projector(stranger, mac_of(stranger), "Next door", password=None):
                    await devices.discover_once()
                    await wait_until(lambda d=devices: uid(used) in d.uids())
                    await asyncio.wait_for(devices.command(uid(used), Command("power", True)), 60)
                    assert room.devices[uid(used)].state["room_used"] is True
            else:
                assert {uid(used), uid(stranger)} <= set(room.devices)
                now[0] += HOUR
                await visit(devices, room, newcomers)
                assert set(room.devices) == {uid(used), *(uid(h) for h in newcomers)}
                assert set(devices.finder.registry.hearsay_addresses) == set(newcomers)
            await room.flush()
            kept = {row["uid"] for row in await store.known_devices()}
        finally:
            await devices.stop()
            await store.close()
    assert kept == {uid(used), *(uid(h) for h in newcomers)}


def test_the_upgrade_marks_the_devices_the_lecturer_sent_commands_to(tmp_path: Path) -> None:
    """Store v15: a row whose device had a command logged in a session is the room's; one only seen is not."""
    path = tmp_path / "console.db"
    db = Database(sqlite3.connect(path))
    try:
        assert migrate(db, path, target=14) == 14
        for n, device in enumerate(("mac:02:49:00:00:00:01", "mac:02:49:00:00:00:02")):
            extra = {"availability": "online", "found_by": ["pjlink-search"], "state": {"power": "on"}}
            db.execute("INSERT INTO devices (uid, kind, name, last_address, last_port, protocol, first_seen, "
                       "last_seen, extra) VALUES (?, 'projector', 'P', ?, 4352, 'pjlink', '2026-11-01T09:00:00Z', "
                       "'2026-11-01T09:00:00Z', ?)", (device, f"10.0.0.{n + 1}", json.dumps(extra)))
        db.execute("INSERT INTO sessions (id, started_at) VALUES ('s1', '2026-11-01T09:00:00Z')")
        for device, kind in (("mac:02:49:00:00:00:01", "command"), ("mac:02:49:00:00:00:02", "state")):
            db.execute("INSERT INTO session_events (session_id, device_uid, kind, payload, wall_time, monotonic_ns) "
                       "VALUES ('s1', ?, ?, '{}', '2026-11-01T09:01:00Z', 1)", (device, kind))
        db.conn.commit()
    finally:
        db.close()
    store = open_store(tmp_path)
    try:
        marked = {row["uid"]: row["extra"]["state"].get("room_used") for row in store.known_devices()}
    finally:
        store.close()
    assert marked == {"mac:02:49:00:00:00:01": True, "mac:02:49:00:00:00:02": None}
