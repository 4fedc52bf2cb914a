"""The device thread's news crossing to the room's loop (``device_thread.RoomLink``): every device's latest state
arrives, in order with what was queued around it, and the room's loop is woken at most once a frame.

A real Room on the test's loop, a real asyncio loop in a thread of its own sending as the device thread does.
Before, each change arriving after the last batch was taken woke the room's loop again: ~100 wake-ups a second of
the window's thread for 100 devices polled each second.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

from classroom_console.device_thread import WAKE_EVERY_S, RoomLink
from classroom_console.events import DeviceChanged, DeviceFound, ErrorRaised, RoomEvent
from classroom_console.room import Room
from devices.model import Availability, DeviceInfo, DeviceKind

DEVICES = 10
ROUNDS = 150


def _device(i: int, tick: int) -> DeviceInfo:
    return DeviceInfo(f"mac:02:00:00:00:72:{i:02x}", DeviceKind.PROJECTOR, f"P{i}", "127.0.0.1", 4352, "pjlink",
                      availability=Availability.ONLINE, state={"lamp_hours": [tick]})


async def test_every_latest_change_arrives_in_order_with_a_wake_up_a_frame_at_most() -> None:
    room = Room("Room 1")
    room_loop = asyncio.get_running_loop()
    link = RoomLink(room, room_loop)
    heard: list[tuple[str, Any]] = []

    def on_event(event: RoomEvent) -> None:
        if isinstance(event, DeviceFound | DeviceChanged):
            heard.append((event.device.uid, event.device.state["lamp_hours"][0]))
        elif isinstance(event, ErrorRaised):
            heard.append(("after", event.message))

    room.events.subscribe(on_event)
    posts: list[float] = []
    post = room_loop.call_soon_threadsafe
    device_loop = asyncio.new_event_loop()

    def counted(callback: Any, *args: Any, **kwargs: Any) -> asyncio.Handle:
        if threading.current_thread() is not threading.main_thread():
            posts.append(time.monotonic())
        return post(callback, *args, **kwargs)

    room_loop.call_soon_threadsafe = counted  # type: ignore[method-assign,assignment]

    async def polls() -> None:
        for tick in range(ROUNDS):  # as the device thread's polls: a change, and news queued after it
            for i in range(DEVICES):
                link.update_device(_device(i, tick))
            link.report_error(_device(0, 0).uid, f"{tick}")
            await asyncio.sleep(0.002)
        await asyncio.sleep(0.5)  # the device loop runs on (as it does until the devices stop): its last wake-up

    thread = threading.Thread(target=device_loop.run_until_complete, args=(polls(),), name="room-devices")
    try:
        thread.start()
        deadline = time.monotonic() + 60
        while thread.is_alive() or ("after", f"{ROUNDS - 1}") not in heard:
            assert time.monotonic() < deadline, "the news did not all arrive within 60 s"
            await asyncio.sleep(0.01)
    finally:
        thread.join(10)
        device_loop.close()
        del room_loop.call_soon_threadsafe

    for i in range(DEVICES):  # each device's states in the order they happened, ending with its latest
        ticks = [tick for uid, tick in heard if uid == _device(i, 0).uid]
        assert ticks == sorted(set(ticks)) and ticks[-1] == ROUNDS - 1, (i, ticks)
    shown = -1
    for uid, what in heard:  # what was queued after a change never comes before it
        if uid == _device(0, 0).uid:
            shown = what
        elif uid == "after":
            assert shown >= int(what), (shown, what)
    assert room.devices[_device(5, 0).uid].state["lamp_hours"] == [ROUNDS - 1]
    gaps = [b - a for a, b in itertools.pairwise(posts)]
    assert len(posts) >= 2 and min(gaps) >= WAKE_EVERY_S * 0.9, (len(posts), sorted(gaps)[:5])
