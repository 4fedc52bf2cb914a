"""Strangers remembered across a restart still leave with their place: a stranger's row (found by adverts or search
replies alone) was remembered at the next start and never retired, so each restart could keep up to the room's bound
of strangers more, for good (C5's probe: 2, 4, 6 cards over three starts with a bound of 2). Real simulated
projectors on loopback (127.0.49.x), a real store; the room's hour passes on a clock."""

from __future__ import annotations

from pathlib import Path

from classroom_console.room import Room
from classroom_console.store import AsyncStore
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
