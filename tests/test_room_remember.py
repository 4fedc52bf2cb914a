"""The Room writes each device's row to the real store by one task in turn: a burst is each device's latest, once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from classroom_console.room import Room
from classroom_console.store import AsyncStore
from devices.model import Availability, DeviceInfo, DeviceKind

DEVICES = 20
ROUNDS = 10


def projector(i: int, hours: int) -> DeviceInfo:
    return DeviceInfo(uid=f"mac:02:d0:00:00:00:{i:02x}", kind=DeviceKind.PROJECTOR, name=f"Projector {i + 1}",
                      address=f"127.0.0.{i + 1}", port=4352, protocol="pjlink", availability=Availability.ONLINE,
                      state={"power": "on", "lamp_hours": [hours]})


async def test_a_burst_is_written_as_each_devices_latest(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    written: list[str] = []
    upsert = store.upsert_device

    async def counted(info: DeviceInfo, room_id: str | None = None) -> None:
        written.append(info.uid)
        await upsert(info, room_id)

    store.upsert_device = counted  # type: ignore[method-assign]  # the real write, counted
    try:
        room = Room("R1", log_store=store)
        for hours in range(ROUNDS):  # one burst: the loop never runs in between
            for i in range(DEVICES):
                room.update_device(projector(i, hours))
        await room.flush()
        assert sorted(written) == sorted(projector(i, 0).uid for i in range(DEVICES))  # once each, not ROUNDS times
        rows = await store.known_devices()
        assert {r["extra"]["state"]["lamp_hours"][0] for r in rows} == {ROUNDS - 1}
        # a change after the burst is written too, in its turn
        room.update_device(dataclasses.replace(projector(0, 99)))
        await room.flush()
        by_uid = {r["uid"]: r for r in await store.known_devices()}
        assert by_uid[projector(0, 0).uid]["extra"]["state"]["lamp_hours"] == [99]
    finally:
        await store.close()
