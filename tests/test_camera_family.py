"""Cameras as a second device family, against simulated cameras on loopback that speak the real protocols.

A PTZ camera is found three ways (WS-Discovery, its VISCA advert, its stream advert) and must come out as one
device; the room aims it through the same driver interface as a projector, and every move is logged.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from classroom_console.discovery_scope import Scope, finder_config
from classroom_console.media.snapshot import save_picture
from classroom_console.room import Room
from classroom_console.room_devices import DeviceCommandError, RoomDevices
from classroom_console.store import AsyncStore
from devices.camera.driver import CameraDriver
from devices.discovery import DeviceFinder, FinderConfig
from devices.driver import Command, CommandError, DriverOptions, Reason
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.sim.camera import SimCameraConfig, SimulatedCamera
from devices.sim.room import SimRoom, SimRoomConfig
from tests.cli_helpers import finish
from tests.discovery_helpers import watch_until

FIRST_HOST = 50  # 127.0.80.50 on: apart from the projector tests' rooms
SMALL = (320, 180)


def camera_room(**extra: object) -> SimRoomConfig:
    options: dict[str, object] = {"projectors": 0, "boards": 0, "cameras": 1, "fixed_cameras": 1,
                                  "first_host": FIRST_HOST, "camera_size": SMALL, "camera_fps": 10.0}
    options.update(extra)
    return SimRoomConfig(**options)  # type: ignore[arg-type]


@pytest.fixture
async def cameras() -> AsyncIterator[SimRoom]:
    async with SimRoom(camera_room()) as room:
        yield room


def ptz_uid(room: SimRoom) -> str:
    return f"mac:{room.cameras[0].camera.mac}"


def fixed_uid(room: SimRoom) -> str:
    return f"mac:{room.cameras[1].camera.mac}"


async def wait_until(predicate: Callable[[], object], what: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_each_camera_is_found_once_by_every_mechanism(cameras: SimRoom) -> None:
    ptz, fixed = ptz_uid(cameras), fixed_uid(cameras)

    def both_complete(found: dict[str, DeviceInfo]) -> bool:
        return all(uid in found and {"dnssd", "wsdiscovery"} <= found[uid].found_by
                   and found[uid].state.get("stream_url") and found[uid].state.get("onvif") for uid in (ptz, fixed))

    found = await watch_until(DeviceFinder(finder_config(Scope.LOOPBACK, step_timeout=1.0)), both_complete)
    assert both_complete(found), {uid: (d.found_by, d.state) for uid, d in found.items() if uid in (ptz, fixed)}
    ours = [d for d in found.values() if d.address in {c.host for c in cameras.cameras}]
    assert sorted(d.uid for d in ours) == sorted([ptz, fixed])  # three faces, one device each
    assert all(d.kind is DeviceKind.CAMERA and d.availability is Availability.ONLINE for d in ours)
    assert found[ptz].state["visca_port"] == cameras.cameras[0].camera.visca_port
    assert "visca_port" not in found[fixed].state
    assert found[ptz].state["stream_url"] == cameras.cameras[0].camera.stream_url


async def test_the_room_aims_a_camera_and_logs_it(cameras: SimRoom, tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path)
    room = Room("Camera room", log_store=store)
    devices = RoomDevices(room, finder_config(Scope.LOOPBACK, step_timeout=1.0), store=store, poll_interval_s=0.5,
                          discovery_window_s=3.0)
    uid = ptz_uid(cameras)
    try:
        await devices.start()
        # what a camera offers is learnt as its faces answer (the stream's address may come after the head's port)
        await wait_until(lambda: uid in room.devices and "position" in room.devices[uid].state
                         and room.devices[uid].state["ptz"]["protocol"] == "visca-ip"
                         and {"stream", "ptz", "presets"} <= room.devices[uid].capabilities,
                         "the camera, with its head and its stream")
        camera = room.devices[uid]
        assert {"stream", "ptz", "presets"} <= camera.capabilities
        before = await asyncio.to_thread(grab, camera.state["snapshot_url"], tmp_path / "before.png")
        session = await room.start_session("Aliya", "Physics")
        await devices.command(uid, Command("preset-recall", 2))
        preset = cameras.cameras[0].camera.head.presets()[2][1]
        position = room.devices[uid].state["position"]
        assert (position["pan"], position["tilt"], position["zoom"]) == pytest.approx(
            (preset.pan, preset.tilt, preset.zoom), abs=0.01)
        after = await asyncio.to_thread(grab, camera.state["snapshot_url"], tmp_path / "after.png")
        assert float(np.mean(cv2.absdiff(before, after))) > 10  # the picture really moved
        await devices.command(uid, Command("ptz-home"))
        await room.end_session()
        await room.flush()
        commands = [e["payload"]["command"] for e in await store.events(session.id) if e["kind"] == "command"]
        assert commands == ["preset-recall 2", "ptz-home"]
        with pytest.raises(DeviceCommandError) as refused:
            await devices.command(fixed_uid(cameras), Command("ptz-home"))
        assert refused.value.reason is Reason.UNSUPPORTED or refused.value.reason is Reason.NOT_READY
    finally:
        await devices.stop()
        await room.flush()
        await store.close()


def grab(url: str, path: Path) -> np.ndarray:
    save_picture(url, path)
    image = cv2.imread(str(path))
    assert image is not None
    return image


async def test_onvif_ptz_drives_the_head_when_a_camera_has_no_visca(cameras: SimRoom) -> None:
    sim = cameras.cameras[0]
    assert sim.onvif is not None
    info = DeviceInfo(ptz_uid(cameras), DeviceKind.CAMERA, "Camera 1", sim.host, sim.onvif_port, "onvif",
                      state={"onvif": sim.onvif.device_url, "onvif_ptz": True, "stream_url": sim.camera.stream_url})
    driver = CameraDriver(info, DriverOptions(timeout_s=2.0))
    try:
        assert driver.state()["ptz"] == {"protocol": "onvif", "port": None}
        await driver.command(Command("ptz-goto", (0.5, -0.25, 0.3)))
        await wait_until(lambda: not sim.camera.head.moving(), "the head to arrive")
        await driver.refresh()
        assert driver.availability is Availability.ONLINE
        position = driver.state()["position"]
        assert (position["pan"], position["tilt"], position["zoom"]) == pytest.approx((0.5, -0.25, 0.3), abs=0.02)
    finally:
        await driver.stop()


async def test_a_camera_that_stops_answering_goes_offline_with_a_reason(tmp_path: Path) -> None:
    room_config = camera_room(fixed_cameras=0, first_host=FIRST_HOST + 4)
    async with SimRoom(room_config) as room:
        sim = room.cameras[0]
        port = sim.camera.visca_port
        assert port is not None
        info = DeviceInfo(f"mac:{sim.camera.mac}", DeviceKind.CAMERA, "Camera 1", sim.host, port, "visca-ip",
                          state={"visca_port": port, "stream_url": sim.camera.stream_url})
        driver = CameraDriver(info, DriverOptions(timeout_s=0.5, poll_interval_s=0.3))
        try:
            await driver.refresh()
            assert driver.availability is Availability.ONLINE
        finally:
            pass
    await driver.refresh()  # the whole camera is gone now
    try:
        assert driver.availability is Availability.OFFLINE and driver.reason in (Reason.NO_ANSWER, Reason.UNREACHABLE)
    finally:
        await driver.stop()


# -- the command line, as a script would use it -----------------------------------------------------------------

CLI = [sys.executable, "-m", "classroom_console"]


@pytest.fixture
def sim_cameras() -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [*CLI, "sim", "room", "--projectors", "0", "--boards", "0", "--cameras", "1", "--fixed-cameras", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if "Simulated room running" in line or not line:
                break
        assert proc.poll() is None, "sim room did not start"
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--data-dir", str(data_dir), *args], capture_output=True, text=True, timeout=120,
                          check=False)


def start_cli(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    """A command started now and read later: commands that do not depend on each other run side by side."""
    return subprocess.Popen([*CLI, "--data-dir", str(data_dir), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_discover_and_aim_cameras_from_the_command_line(sim_cameras: subprocess.Popen[str], tmp_path: Path) -> None:
    # An unknown id makes the command look on the network for 5 s before saying so: that runs beside the rest,
    # on a data folder of its own (it remembers nothing either way).
    unknown = start_cli(tmp_path / "elsewhere", "device", "mac:02:00:00:00:00:99", "ptz", "home")
    started = [unknown]
    try:
        deadline = time.monotonic() + 60
        cameras: list[dict[str, object]] = []
        visca = {"protocol": "visca-ip", "port": 52381}

        def both_with_their_faces() -> bool:
            return len(cameras) == 2 and any(c["name"] == "Camera 1" and c["ptz"] == visca for c in cameras)

        # A 2 s look on a busy machine may hear a camera's ONVIF and not yet its VISCA face: the next look adds it.
        while time.monotonic() < deadline and not both_with_their_faces():
            done = cli(tmp_path, "discover", "--scope", "loopback", "--timeout", "2", "--json")
            assert done.returncode == 0, done.stderr
            cameras = [d for d in json.loads(done.stdout)
                       if d["kind"] == "camera" and d["name"].startswith("Camera")]
        assert len(cameras) == 2, cameras
        by_name = {str(c["name"]): c for c in cameras}
        ptz, fixed = by_name["Camera 1"], by_name["Camera 2 (fixed)"]
        assert ptz["ptz"] == {"protocol": "visca-ip", "port": 52381}
        assert fixed["ptz"] == {"protocol": None, "port": None}
        assert str(ptz["stream_url"]).startswith("http://127.0.80.")
        assert str(ptz["onvif"]).endswith("/onvif/device_service")

        picture = tmp_path / "camera.png"
        snapshot = start_cli(tmp_path, "device", str(ptz["id"]), "snapshot", str(picture))
        failing = [(args, words, start_cli(tmp_path, "device", *args)) for args, words in (
            ((str(fixed["id"]), "ptz", "home"), "no PTZ"),
            ((str(ptz["id"]), "ptz", "preset", "recall", "999"), "not a preset number"),
            ((str(ptz["id"]), "ptz", "move", "--pan", "3", "--tilt", "0"), "outside"),
            ((str(ptz["id"]), "snapshot", str(tmp_path / "no" / "such" / "folder.png")), "not a folder"),
        )]
        started += [snapshot, *(proc for _, _, proc in failing)]
        recalled = cli(tmp_path, "device", str(ptz["id"]), "ptz", "preset", "recall", "2")
        assert recalled.returncode == 0, recalled.stderr
        where = json.loads(cli(tmp_path, "device", str(ptz["id"]), "ptz", "position", "--json").stdout)
        assert (where["pan"], where["tilt"]) == pytest.approx((0.6, -0.5), abs=0.01)
        assert finish(snapshot).returncode == 0
        assert cv2.imread(str(picture)) is not None

        failing.append((("mac:02:00:00:00:00:99", "ptz", "home"), "no device", unknown))
        for args, words, proc in failing:
            failed = finish(proc)
            assert failed.returncode != 0 and words in failed.stderr, (args, failed.stderr)
            assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


async def test_a_camera_on_another_segment_is_found_by_the_address_sweep() -> None:
    """No multicast reaches it (no adverts, no WS-Discovery): the sweep asks its host for ONVIF and VISCA."""
    config = camera_room(fixed_cameras=0, first_host=FIRST_HOST + 8, advertise=False)
    async with SimRoom(config) as room:
        sim = room.cameras[0]
        uid, visca_port = f"mac:{sim.camera.mac}", sim.camera.visca_port
        finder = DeviceFinder(FinderConfig(search_targets=(), dnssd_types=(), sweep=[sim.host], step_timeout=1.0))
        found = await watch_until(finder, lambda seen: uid in seen and "visca_port" in seen[uid].state
                                  and bool(seen[uid].state.get("stream_url")))
    camera = found[uid]
    assert camera.kind is DeviceKind.CAMERA and camera.found_by == {"sweep"}
    assert camera.state["visca_port"] == visca_port
    assert camera.state["onvif"].endswith(":8899/onvif/device_service")
    assert [d for d in found.values() if d.address == sim.host] == [camera]  # one device, two faces


async def test_a_preset_keeps_the_name_it_was_given_across_a_restart(cameras: SimRoom, tmp_path: Path) -> None:
    sim = cameras.cameras[0]
    port = sim.camera.visca_port
    info = DeviceInfo(ptz_uid(cameras), DeviceKind.CAMERA, "Camera 1", sim.host, port or 0, "visca-ip",
                      state={"visca_port": port, "stream_url": sim.camera.stream_url})
    driver = CameraDriver(info, DriverOptions(timeout_s=1.0))
    try:
        await driver.command(Command("preset-rename", "2:Students"))
        with pytest.raises(CommandError):
            await driver.command(Command("preset-rename", "two:Students"))
        assert driver.state()["presets"]["2"] == "Students"
    finally:
        await driver.stop()
    remembered = DeviceInfo(info.uid, info.kind, info.name, info.address, info.port, info.protocol,
                            state={**info.state, **driver.state()})  # as the store keeps a device's last state
    again = CameraDriver(remembered, DriverOptions(timeout_s=1.0))
    assert again.state()["presets"]["2"] == "Students"
    await again.stop()


async def test_a_head_that_stops_answering_is_a_fault_logged_for_the_centre(tmp_path: Path) -> None:
    """The picture still comes but the head is silent: a fault on the card and a reading in the log."""
    async with SimRoom(camera_room(fixed_cameras=0, first_host=FIRST_HOST + 12)) as room:
        sim = room.cameras[0]
        port = sim.camera.visca_port
        store = await AsyncStore.open(tmp_path)
        core_room = Room("Camera room", log_store=store)
        devices = RoomDevices(core_room, FinderConfig(search_targets=(), dnssd_types=()), store=store,
                              poll_interval_s=0.3, timeout_s=0.5)
        uid = f"mac:{sim.camera.mac}"
        info = DeviceInfo(uid, DeviceKind.CAMERA, "Camera 1", sim.host, port or 0, "visca-ip",
                          state={"visca_port": port, "stream_url": sim.camera.stream_url,
                                 "snapshot_url": sim.camera.snapshot_url})
        try:
            await devices.adopt(info)
            await wait_until(lambda: uid in core_room.devices
                             and core_room.devices[uid].availability is Availability.ONLINE, "the camera online")
            camera = sim.camera
            assert camera._visca is not None
            await camera._visca.stop()  # the head's control goes silent; the picture goes on
            await wait_until(lambda: core_room.devices[uid].availability is Availability.FAULT, "a fault")
            assert core_room.devices[uid].state["errors"] == {"ptz": "error"}
            await wait_until(lambda: bool(readings(tmp_path, uid)), "a reading in the log")
        finally:
            await devices.stop()
            await core_room.flush()
            await store.close()


def readings(folder: Path, uid: str) -> list[str]:
    import sqlite3

    with sqlite3.connect(folder / "console.db") as db:
        return [row[0] for row in db.execute(
            "SELECT error_status FROM device_readings WHERE device_uid = ? AND error_status LIKE '%ptz%'", (uid,))]


async def test_the_visca_framing_is_a_per_camera_setting() -> None:
    """A camera that takes bare VISCA over TCP (port 5678 style) is driven that way when its advert says so."""
    config = SimCameraConfig(name="Raw TCP camera", host=f"127.0.80.{FIRST_HOST + 14}", http_port=0, visca_port=0,
                             visca_tcp_port=0, width=160, height=90, fps=5)
    camera = SimulatedCamera(config)
    await camera.start()
    try:
        port = camera.visca_tcp_port
        assert port is not None
        info = DeviceInfo("mac:02:00:00:00:00:5e", DeviceKind.CAMERA, "Raw", config.host, port, "visca-ip",
                          state={"visca_port": port, "visca_framing": "raw-tcp"})
        driver = CameraDriver(info, DriverOptions(timeout_s=1.0))
        try:
            await driver.refresh()
            assert driver.availability is Availability.ONLINE
            await driver.command(Command("preset-recall", 1))
            preset = camera.head.presets()[1][1]
            assert driver.state()["position"]["pan"] == pytest.approx(preset.pan, abs=0.01)
        finally:
            await driver.stop()
    finally:
        await camera.stop()
