"""Which found devices are this room's: once the lecturer has chosen, scenes, All on/off and the session's end leave
the neighbour's projector alone (its simulated power is read from the simulator itself), and the choice outlives a
restart; before any choice every device found is switched, as before."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from classroom_console.console import ConsoleCore
from classroom_console.events import RoomEvent, SceneStep
from classroom_console.room_choice import Belonging, answer, belonging, switched
from classroom_console.scenes import Scene
from classroom_console.scenes_apply import SceneReason, apply_scene
from classroom_console.store import open_store
from devices.model import Availability
from devices.pjlink.values import PowerState
from devices.sim.pjlink_projector import SimulatedProjector
from devices.sim.room import SimRoomConfig
from tests.sim_helpers import demo_core

FIRST_HOST = 56  # 127.0.80.56-57: apart from the other tests' rooms
ON = Scene("On", projectors_on=True)


async def wait_until(predicate: Callable[[], bool], within: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {within} s waiting for {what}"
        await asyncio.sleep(0.05)


def sim_config() -> SimRoomConfig:
    return SimRoomConfig(projectors=2, boards=0, cameras=0, warmup_s=0.3, cooling_s=0.3, advertise=False,
                         first_host=FIRST_HOST)


async def found(core: ConsoleCore, sims: list[SimulatedProjector],
                judged: tuple[Belonging, Belonging] = (Belonging.UNDECIDED, Belonging.UNDECIDED)) -> tuple[str, str]:
    """Both projectors found by the search, answering and judged so: the room's and the neighbour's uids."""
    assert core.devices is not None
    # The search's replies stand for a broadcast search's (loopback has no broadcast: the demo asks each address);
    # search targets are no evidence, only addresses named in the sweep one by one are, so nothing is changed after
    # the start (clearing the finder's list then raced the first look, R11 F11)
    macs = [f"mac:{sim.mac.lower()}" for sim in sims]
    def ready() -> bool:
        shown = [core.room.devices.get(uid) for uid in macs]
        return all(device is not None and device.availability is Availability.ONLINE and belonging(device) is was
                   for device, was in zip(shown, judged, strict=True))

    await wait_until(ready, within=60, what=f"both projectors online and {judged}")
    return macs[0], macs[1]


async def test_after_the_room_chose_scenes_all_off_and_the_end_leave_the_neighbours_projector_alone(
    tmp_path: Path,
) -> None:
    core = demo_core(tmp_path, sim_config())
    await core.start()
    try:
        assert core.sim_room is not None and core.devices is not None
        ours_sim, theirs_sim = core.sim_room.devices[0], core.sim_room.devices[1]
        ours, theirs = await found(core, [ours_sim, theirs_sim])

        # Before any choice: every device found, as before.
        await apply_scene(core, ON)
        await wait_until(lambda: theirs_sim.power_state is PowerState.ON and ours_sim.power_state is PowerState.ON,
                         what="both on before any choice")
        await core.devices.power_all(False)
        await wait_until(lambda: theirs_sim.power_state is PowerState.OFF, what="the neighbour off before any choice")
        await wait_until(lambda: ours_sim.power_state is PowerState.OFF, what="ours off")

        await core.devices.choose({ours: True, theirs: False})
        await wait_until(lambda: not switched(core.room.devices[theirs]), what="the neighbour judged again")
        assert switched(core.room.devices[ours])
        assert answer(core.room.devices[ours]) is True and answer(core.room.devices[theirs]) is False

        steps: list[SceneStep] = []

        def heard(event: RoomEvent) -> None:
            if isinstance(event, SceneStep):
                steps.append(event)

        core.room.events.subscribe(heard)
        failed = await apply_scene(core, ON)
        assert failed == ()
        await wait_until(lambda: ours_sim.power_state is PowerState.ON, what="ours on by the scene")
        assert theirs_sim.power_state is PowerState.OFF  # never sent a command
        left = [s for s in steps if s.target == theirs]
        assert [(s.status, s.reason) for s in left] == [("skipped", SceneReason.NOT_THIS_ROOMS)]

        theirs_sim._set_power(PowerState.ON)  # the neighbour's lecturer turned theirs on
        await wait_until(lambda: core.room.devices[theirs].state.get("power") == "on", what="seen on")
        await core.scenes.start("Lecturer", "Course", "Optics", None)
        problems = await core.scenes.end(turn_off=True)  # the session's end: everything of the room's off
        assert problems == []
        await wait_until(lambda: ours_sim.power_state is PowerState.OFF, what="ours off at the end")
        assert theirs_sim.power_state is PowerState.ON  # the neighbour's lecture goes on
        assert await core.devices.power_all(False) == []  # "All off": returns once every command was answered
        assert theirs_sim.power_state is PowerState.ON
    finally:
        await core.stop()


def words_kept(data_dir: Path) -> dict[str, object]:
    store = open_store(data_dir)
    try:
        return {row["uid"]: row["room_choice"] for row in store.known_devices()}
    finally:
        store.close()


@pytest.mark.parametrize("device_thread", [False, True], ids=["room-loop", "device-thread"])
async def test_a_refused_device_stays_refused_after_a_restart(tmp_path: Path, device_thread: bool) -> None:
    """The window's devices run on a thread of their own (device_thread.py): the word crosses it, and its store
    link, as the room loop's own call does."""
    core = demo_core(tmp_path, sim_config())
    core.options = dataclasses.replace(core.options, device_thread=device_thread)
    await core.start()
    try:
        assert core.sim_room is not None and core.devices is not None
        ours, theirs = await found(core, list(core.sim_room.devices[:2]))
        await core.devices.choose({theirs: False})
        # A refusal alone protects the refused device, not the rest (R11 F9): ours, undecided, is still switched
        assert core.devices.switches(ours, core.room.devices[ours].address)
        assert not core.devices.switches(theirs, core.room.devices[theirs].address)
    finally:
        await core.stop()
    said = await asyncio.to_thread(words_kept, tmp_path)
    assert said[theirs] == 0 and said[ours] is None

    again = demo_core(tmp_path, sim_config())
    again.options = dataclasses.replace(again.options, device_thread=device_thread)
    await again.start()
    try:
        assert again.sim_room is not None and again.devices is not None
        await found(again, list(again.sim_room.devices[:2]), (Belonging.UNDECIDED, Belonging.REFUSED))
        assert not switched(again.room.devices[theirs]) and switched(again.room.devices[ours])
        await apply_scene(again, ON)  # returns once every command it sent was answered
        sims = again.sim_room.devices
        await wait_until(lambda: sims[0].power_state is PowerState.ON, what="ours on: no yes yet")
        assert sims[1].power_state is PowerState.OFF  # the refused one, never sent a command
    finally:
        await again.stop()


def say_elsewhere(data_dir: Path, uid: str, word: bool | None) -> None:
    """Another program's word, on a connection of its own (``device ID room`` does this)."""
    store = open_store(data_dir)
    try:
        assert store.set_room_choice(uid, word)
    finally:
        store.close()


@pytest.mark.parametrize("device_thread", [False, True], ids=["room-loop", "device-thread"])
async def test_a_word_another_program_writes_in_the_store_reaches_the_running_room(
    tmp_path: Path, device_thread: bool
) -> None:
    """The window's devices ask the store each poll (``PRAGMA data_version``), across the device thread's store link
    too: a word from the command line is judged within a poll or two, and taken back as well."""
    core = demo_core(tmp_path, sim_config())
    core.options = dataclasses.replace(core.options, device_thread=device_thread)
    await core.start()
    try:
        assert core.sim_room is not None and core.devices is not None and core.store is not None
        ours, theirs = await found(core, list(core.sim_room.devices[:2]))
        await core.room.flush()  # the rows the other program finds the devices by
        await asyncio.to_thread(say_elsewhere, tmp_path, theirs, False)
        await wait_until(lambda: belonging(core.room.devices[theirs]) is Belonging.REFUSED, within=10,
                         what="the refusal from elsewhere judged")
        await asyncio.to_thread(say_elsewhere, tmp_path, ours, True)
        await wait_until(lambda: belonging(core.room.devices[ours]) is Belonging.CHOSEN, within=10,
                         what="the choice from elsewhere judged")
        assert not core.devices.switches(theirs, core.room.devices[theirs].address)
        await asyncio.to_thread(say_elsewhere, tmp_path, theirs, None)
        await wait_until(lambda: belonging(core.room.devices[theirs]) is Belonging.UNDECIDED, within=10,
                         what="the word taken back elsewhere")
    finally:
        await core.stop()
