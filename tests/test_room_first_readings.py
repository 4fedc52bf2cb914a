"""A room's devices found together keep their first readings (found in review of a change since reverted).

A device's reading row refers to its device row (a foreign key). When device rows were written by one queued task
in turn, a reading could reach the store before its device's row and fail ("FOREIGN KEY constraint failed": a
"could not save" message, and the reading not tried again for ten minutes). Real Room, RoomDevices, AsyncStore
and simulated PJLink projectors on loopback; 15 of 20 readings were lost that way.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from classroom_console.events import ErrorRaised, RoomEvent
from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices
from classroom_console.store import AsyncStore, Store
from devices.model import DeviceInfo, DeviceKind
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

DEVICES = 20


async def test_devices_adopted_together_keep_every_first_reading(tmp_path: Path) -> None:
    sims = [SimulatedProjector(SimProjectorConfig(host="127.0.0.1", port=0, udp_port=None,
                                                  mac=f"02:00:00:00:5e:{i:02x}", name=f"P{i}", idle_timeout_s=60))
            for i in range(DEVICES)]
    for sim in sims:
        await sim.start()
    store = await AsyncStore.open(tmp_path)
    room = Room("Room 1", log_store=store)
    errors: list[ErrorRaised] = []

    def on_event(event: RoomEvent) -> None:
        if isinstance(event, ErrorRaised):
            errors.append(event)

    room.events.subscribe(on_event)
    controls = RoomDevices(room, None, store=store, poll_interval_s=3600.0, timeout_s=5.0)
    infos = [DeviceInfo(f"mac:02:00:00:00:5e:{i:02x}", DeviceKind.PROJECTOR, f"P{i}", "127.0.0.1", sim.tcp_port,
                        "pjlink") for i, sim in enumerate(sims)]

    async def readings_kept() -> int:
        def count(store_now: Store) -> int:
            return sum(1 for info in infos if store_now.device_readings(info.uid))

        return await store.call(count)

    try:
        await asyncio.gather(*(controls.adopt(info) for info in infos))
        await asyncio.gather(*(controls.refresh(info.uid) for info in infos))
        deadline = time.monotonic() + 60
        while (await readings_kept() < DEVICES or len(await store.known_devices()) < DEVICES) and not errors:
            assert time.monotonic() < deadline, "the first readings were not kept within 60 s"
            await room.flush()
            await asyncio.sleep(0.05)
    finally:
        await controls.stop()
        await room.flush()
        await store.close()
        for sim in sims:
            await sim.stop()
    assert errors == []
