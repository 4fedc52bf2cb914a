"""Scenes against a simulated room: "Lecture" walks it to its state, a failing projector is named with its reason."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from classroom_console import scenes as scene_file
from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.events import RoomEvent, SceneApplied, SceneStep
from classroom_console.room_devices import RoomDevices
from classroom_console.scenes import RoomScenes, Scene, default_scenes
from devices.discovery import FinderConfig
from devices.driver import Command, Reason
from devices.model import Availability, DeviceKind
from devices.pjlink.values import PowerState
from devices.sim.room import SimRoom, SimRoomConfig

FIRST_HOST = 36  # 127.0.80.36-39: apart from the other tests' rooms and a running demo


async def wait_until(predicate: Callable[[], bool], within: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {within} s waiting for {what}"
        await asyncio.sleep(0.05)


def test_the_four_scenes_ship_and_a_lecturers_own_are_kept_per_room(tmp_path: Path) -> None:
    room = scene_file.load(tmp_path, "room:A")
    assert [s.name for s in room.scenes] == ["Lecture", "Discussion", "Group work", "Recording only"]
    lecture = room.find("lecture")
    assert lecture is not None and lecture.projectors_on and lecture.recording and lecture.tablets_open
    mine = room.save_scene(Scene(room.copy_name("Lecture"), projectors_on=True, camera_preset=3))
    assert mine.name == "Lecture (2)" and not mine.builtin
    room.save_scene(Scene("  Lab   demo ", boards_on=False), replacing="Lecture (2)")  # edited and renamed
    with pytest.raises(ValueError, match="already a scene"):
        room.save_scene(Scene("Discussion"), replacing="Lab demo")
    with pytest.raises(ValueError, match="cannot be deleted"):
        room.delete("Lecture")
    with pytest.raises(ValueError, match="needs a name"):
        room.save_scene(Scene("   "))
    room.remember("Physics", "Optics", "Lab demo")
    scene_file.save(tmp_path, "room:A", room)
    scene_file.save(tmp_path, "room:B", RoomScenes(turn_off_at_end=False))

    again = scene_file.load(tmp_path, "room:A")
    assert [s.name for s in again.scenes][-1] == "Lab demo"
    assert again.find("Lab demo") == Scene("Lab demo", boards_on=False)
    assert (again.last_course, again.last_title, again.last_scene) == ("Physics", "Optics", "Lab demo")
    assert again.recent_titles == ["Optics"]
    assert scene_file.load(tmp_path, "room:B").turn_off_at_end is False  # the other room's own part
    assert scene_file.load(tmp_path, "room:C").scenes == default_scenes()

    (tmp_path / scene_file.FILE_NAME).write_text('{"rooms": {"room:A": {"scenes": [{"name": 5}]}}}')
    assert scene_file.load(tmp_path, "room:A").scenes == default_scenes()  # unreadable: defaults, said in the log
    raw = {"rooms": {"room:A": {"scenes": [{"name": "Quiet", "screen_blank": True, "future_field": 1}]}}}
    (tmp_path / scene_file.FILE_NAME).write_text(json.dumps(raw))
    names = [s.name for s in scene_file.load(tmp_path, "room:A").scenes]
    assert names[0] == "Quiet" and set(scene_file.DEFAULT_NAMES) <= set(names)  # the four are always there


async def _console_on(sim: SimRoom, data_dir: Path) -> ConsoleCore:
    """A console driving only this simulated room (swept by address: other rooms on loopback stay untouched)."""
    core = ConsoleCore(ConsoleOptions(data_dir=data_dir, discover=False))
    await core.start()
    core.scenes.tablets_host, core.scenes.tablets_port, core.scenes.tablets_advertise = "127.0.0.1", 0, False
    hosts = [d.host for d in sim.devices] + [c.host for c in sim.cameras]
    config = FinderConfig(search_targets=(), dnssd_types=(), sweep=hosts, wsd_interfaces=(), step_timeout=3.0)
    core.devices = RoomDevices(core.room, config, store=core.store, poll_interval_s=0.2, discovery_window_s=4.0)
    await core.devices.start()
    return core


async def test_lecture_walks_the_simulated_room_to_its_state_and_names_the_projector_that_failed(
    tmp_path: Path,
) -> None:
    config = SimRoomConfig(projectors=2, boards=1, cameras=1, warmup_s=1.0, cooling_s=0.5, advertise=False,
                           first_host=FIRST_HOST, camera_size=(320, 180), camera_fps=10)
    async with SimRoom(config) as sim:
        good, broken = sim.devices[0], sim.devices[1]
        board = next(d for d in sim.devices if d.config.role == "board")
        broken.inject_error("lamp", 2)  # a lamp that failed: the projector refuses to turn on (PJLink ERR4)
        core = await _console_on(sim, tmp_path)
        steps: list[SceneStep] = []
        applied: list[SceneApplied] = []

        def heard(event: RoomEvent) -> None:
            if isinstance(event, SceneStep):
                steps.append(event)
            elif isinstance(event, SceneApplied):
                applied.append(event)

        core.room.events.subscribe(heard)
        try:
            def ready() -> bool:
                devices = core.room.devices.values()
                return len(devices) == 4 and all(d.availability in (Availability.ONLINE, Availability.FAULT)
                                                 for d in devices)

            await wait_until(ready, within=60, what="the four devices found")
            camera = next(d for d in core.room.devices.values() if d.kind is DeviceKind.CAMERA)
            assert core.devices is not None
            await core.devices.command(camera.uid, Command("preset-store", 1))
            by_name = {d.name: d.uid for d in core.room.devices.values()}
            broken_uid = by_name[broken.config.name]

            session = await core.scenes.start("A. Lecturer", "Physics", "Optics", "Lecture")
            assert core.room.session is session  # the session is open before any device has answered
            failed = await asyncio.wait_for(core.scenes.applied(), 90)

            assert failed is not None
            assert [(f.target, f.step, f.reason) for f in failed] == [(broken_uid, "power", Reason.DEVICE_FAULT)]
            assert good.power_state is PowerState.ON and good.current_input == "31"  # "HDMI 1"
            assert good._mute["video"] is False
            assert board.power_state in (PowerState.ON, PowerState.WARMING)
            assert broken.power_state is PowerState.OFF
            assert core.studio is not None and core.studio.recording  # the room's camera, recorded
            done = {(s.target, s.step) for s in steps if s.status == "done"}
            assert {(by_name[good.config.name], "blank"), (by_name[board.config.name], "power"),
                    (camera.uid, "preset"), ("recording", "recording")} <= done
            waited = [s for s in steps if s.target == by_name[good.config.name] and s.status == "waiting"]
            assert waited and waited[0].step == "warm-up"  # the input waited for the lamp
            assert ("tablets", "done") in {(s.target, s.status) for s in steps}
            tablets = core.scenes.class_session
            assert tablets is not None and tablets.running and len(tablets.code) == 6  # students may join
            assert applied[-1].scene == "Lecture" and applied[-1].failed == failed

            await core.scenes.switch("Discussion")  # mid-session: the picture blanked for a discussion
            assert await asyncio.wait_for(core.scenes.applied(), 60) is not None
            assert good._mute["video"] is True

            problems = await core.scenes.end(turn_off=True)
            assert core.room.session is None
            assert not core.studio.recording
            assert not tablets.running  # the door closes with the session
            assert good.power_state in (PowerState.COOLING, PowerState.OFF), problems
            assert core.store is not None
            await core.room.flush()
            row = await core.store.call(lambda s: s.session(session.id))
            assert row is not None and row["ended_at"] is not None and row["course"] == "Physics"
            events = await core.store.call(lambda s: s.events(session.id))
            kinds = [e["kind"] for e in events]
            assert "session_info" in kinds
            logged = [e["payload"] for e in events if e["kind"] == "scene"]
            assert [p["scene"] for p in logged] == ["Lecture", "Discussion"]
            assert logged[0]["failed"][0]["reason"] == "device-fault"
            info = next(e["payload"] for e in events if e["kind"] == "session_info")
            assert info == {"title": "Optics", "scene": "Lecture"}
            remembered = await asyncio.to_thread(scene_file.load, core.db_path.parent, core.room_id)
            assert (remembered.last_course, remembered.last_title) == ("Physics", "Optics")
        finally:
            await core.stop()


def test_a_shipped_scene_renamed_is_the_rooms_own_beside_it(tmp_path: Path) -> None:
    """Renamed, "Lecture" was replaced: the picker lost it until the next start brought it back."""
    room = scene_file.load(tmp_path, "room:A")
    mine = room.save_scene(Scene("Lecture with board", boards_on=True), replacing="Lecture")
    assert not mine.builtin
    names = [s.name for s in room.scenes]
    assert names == ["Lecture", "Discussion", "Group work", "Recording only", "Lecture with board"], names
    lecture = room.find("Lecture")
    assert lecture is not None and lecture.builtin
    scene_file.save(tmp_path, "room:A", room)
    assert [s.name for s in scene_file.load(tmp_path, "room:A").scenes] == names  # the same after a start
    edited = room.save_scene(Scene("Lecture", recording=False), replacing="Lecture")  # kept its name: edited
    assert edited.builtin and [s.name for s in room.scenes] == names
