"""Strangers remembered across a restart take a stranger's place again, and the room's own devices are sheltered.

A stranger's row (found by adverts or search replies alone) was remembered at the next start and sheltered for good,
so each restart could keep up to the room's bound of strangers more (C5's probe: 2, 4, 6 cards over three starts with a
bound of 2). Making every such row a stranger again (stop 30's 85f29e7) made the room's own open projector, found by
broadcast search like its neighbours, a stranger at every start (R9), and one switched by scenes alone evicted after
an hour off (R10). Now a row is the room's when the lecturer sent its device a command (``room_devices.ROOM_USED``)
or it was heard answering for over a place's age (its readings, ``Store.known_devices``' ``answered_s``); an attack's
addresses answer a look and go. Real simulated projectors on loopback (127.0.49.x), a real store; the room's hour
passes on a clock.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from classroom_console.room import Room
from classroom_console.store import AsyncStore
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
    assert set(room.devices) == {uid(h) for h in then}
    assert set(devices.uids()) <= {uid(h) for h in then}
    assert kept == {uid(h) for h in then}  # old code: all four, the first two kept for good


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
                    await wait_until(lambda: uid(used) in devices.uids())  # noqa: B023
                    await asyncio.wait_for(devices.command(uid(used), Command("power", True)), 60)
                    assert room.devices[uid(used)].state["room_used"] is True
            else:
                assert set(room.devices) == {uid(used), uid(stranger)}  # both shown at once, as they were
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


async def test_a_device_heard_over_an_hour_is_the_rooms_at_the_next_start(tmp_path: Path) -> None:
    """The room's own projector, found by broadcast search and switched by scenes alone (never by its card), was
    heard through a lecture: off for an hour of the next run while strangers want its place it stays; one heard for
    minutes only is a stranger's row, and leaves."""
    own, brief, newcomers = "127.0.49.38", "127.0.49.39", ["127.0.49.40", "127.0.49.41"]
    await asyncio.to_thread(_rows_heard_for, tmp_path, {own: 2 * HOUR, brief: 600.0})
    store = await AsyncStore.open(tmp_path)
    room = Room("heard", log_store=store)
    devices, now = hearsay_room(room, [own, brief, *newcomers], store, in_room=3)
    try:
        await devices.start()
        assert set(room.devices) == {uid(own), uid(brief)}
        now[0] += HOUR
        await visit(devices, room, newcomers)
        assert set(room.devices) == {uid(own), *(uid(h) for h in newcomers)}
        assert set(devices.finder.registry.hearsay_addresses) == {own, *newcomers}  # it holds its place
    finally:
        await devices.stop()
        await store.close()


def _rows_heard_for(data: Path, heard: dict[str, float]) -> None:
    """Rows found by PJLink search replies alone, each with two readings ``heard[host]`` seconds apart."""
    from classroom_console.store import open_store

    open_store(data).close()
    db = Database(sqlite3.connect(data / "console.db"))
    try:
        for host, seconds in heard.items():
            extra = {"availability": "online", "found_by": ["search"], "state": {"power": "off"}}
            db.execute("INSERT INTO devices (uid, kind, name, last_address, last_port, protocol, first_seen, "
                       "last_seen, extra) VALUES (?, 'projector', 'P', ?, 4352, 'pjlink', '2026-11-01T08:00:00Z', "
                       "'2026-11-01T08:00:00Z', ?)", (uid(host), host, json.dumps(extra)))
            for at in (0, seconds):
                db.execute("INSERT INTO device_readings (device_uid, wall_time, power, lamp_hours, error_status) "
                           "VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-01T08:00:00', ?), 'off', '[]', '{}')",
                           (uid(host), f"+{seconds if at else 0} seconds"))
        db.conn.commit()
    finally:
        db.close()


def test_a_leaving_strangers_row_stays_where_a_logged_session_names_it(tmp_path: Path) -> None:
    """Its row and readings go when it leaves, unless a session's events name it: that session's upload sends the
    device's row and readings beside the events (R10: they were deleted with the row, before the centre had them)."""
    from classroom_console.store import open_store
    from classroom_console.store.records import Event
    from devices.model import DeviceInfo, DeviceKind

    store = open_store(tmp_path)
    try:
        named, unnamed = "mac:02:49:00:00:00:a1", "mac:02:49:00:00:00:a2"
        for device in (named, unnamed):
            store.upsert_device(DeviceInfo(device, DeviceKind.PROJECTOR, "P", "10.0.0.1", 4352, "pjlink"))
            store.record_device_reading(device, power="on", lamp_hours=[812])
        session_id = store.start_session(lecturer="L", course="C")
        store.save_news(events=[Event(session_id, named, "state", {"power": "off"})])
        store.forget_device(named)
        store.forget_device(unnamed)
        assert [row["uid"] for row in store.known_devices()] == [named]
        assert [r["lamp_hours"] for r in store.device_readings(named)] == [[812]]
        assert store.device_readings(unnamed) == []
    finally:
        store.close()


async def test_remembered_strangers_past_the_rooms_places_are_not_shown(tmp_path: Path) -> None:
    """R10's F9: rows heard for hours (an attacker's addresses answering for over an hour, changing state an hour
    apart) were sheltered at the next start without a place, so each restart let the room's bound more in for good.
    Every row heard of by hearsay alone takes a place at the start, and past the room's places it is not shown."""
    hosts = ["127.0.49.42", "127.0.49.43", "127.0.49.44"]
    await asyncio.to_thread(_rows_heard_for, tmp_path, dict.fromkeys(hosts, 2 * HOUR))
    store = await AsyncStore.open(tmp_path)
    room = Room("bounded", log_store=store)
    devices, _now = hearsay_room(room, hosts, store, in_room=2)
    try:
        await devices.start()
        assert len(room.devices) == 2 and len(devices.finder.registry.hearsay_addresses) == 2
    finally:
        await devices.stop()
        await store.close()


def test_a_store_that_had_the_broad_mark_opens_and_loses_it(tmp_path: Path) -> None:
    """R10's F16: 3228de0's v15 marked every device a session's end had turned off the room's; it was taken back,
    and a store already at v15 must still open (it refused: "schema version 15, only versions up to 14"), without
    the mark. A store at v14 goes through both steps with its rows as they were."""
    from classroom_console.store import open_store

    path = tmp_path / "console.db"
    db = Database(sqlite3.connect(path))
    try:
        assert migrate(db, path, target=14) == 14
        for device, state in (("mac:02:49:00:00:00:b1", {"power": "on", "room_used": True}),
                              ("mac:02:49:00:00:00:b2", {"power": "off", "room_known": True})):
            extra = {"availability": "online", "found_by": ["search"], "state": state}
            db.execute("INSERT INTO devices (uid, kind, name, last_address, last_port, protocol, first_seen, "
                       "last_seen, extra) VALUES (?, 'projector', 'P', '10.0.0.1', 4352, 'pjlink', "
                       "'2026-11-01T09:00:00Z', '2026-11-01T09:00:00Z', ?)", (device, json.dumps(extra)))
        db.execute("PRAGMA user_version = 15")  # as 3228de0's v15 left it
        db.conn.commit()
    finally:
        db.close()
    store = open_store(tmp_path)
    try:
        states = {row["uid"]: row["extra"]["state"] for row in store.known_devices()}
    finally:
        store.close()
    assert states == {"mac:02:49:00:00:00:b1": {"power": "on"},
                      "mac:02:49:00:00:00:b2": {"power": "off", "room_known": True}}


async def test_the_places_at_the_start_go_to_the_longest_heard(tmp_path: Path) -> None:
    """R10's F14: the places went to the rows most recently written (the last change), so the room's own projector,
    heard for hours and switched off before its neighbours changed, was not shown at the next start, and when it
    answered again every place was held. Rows written later, heard for minutes, now wait."""
    own, *neighbours = "127.0.49.45", "127.0.49.46", "127.0.49.47"
    await asyncio.to_thread(_rows_heard_for, tmp_path, {own: 3 * HOUR, **dict.fromkeys(neighbours, 600.0)})
    await asyncio.to_thread(_written_later, tmp_path, [uid(h) for h in neighbours])
    store = await AsyncStore.open(tmp_path)
    room = Room("longest", log_store=store)
    devices, _now = hearsay_room(room, [own, *neighbours], store, in_room=2)
    try:
        await devices.start()
        assert uid(own) in room.devices and len(room.devices) == 2
    finally:
        await devices.stop()
        await store.close()


def _written_later(data: Path, uids: list[str]) -> None:
    db = Database(sqlite3.connect(data / "console.db"))
    try:
        for device in uids:
            db.execute("UPDATE devices SET last_seen = '2026-11-02T08:00:00Z' WHERE uid = ?", (device,))
        db.conn.commit()
    finally:
        db.close()
