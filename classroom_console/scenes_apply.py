"""Applying a scene: every device at once, each reporting its own progress and, if it fails, exactly why.

Each device gets its own coroutine (power, then the warm-up wait, then input and blank, which a projector
refuses until it is on); the studio (recording, then streaming) and the tablets go alongside. Nothing
raises: a part that fails becomes a ``SceneStep`` with status "failed" and a reason code, the rest go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from classroom_console.events import SceneApplied, SceneStep
from classroom_console.live import LiveDestinations
from classroom_console.media.studio import Studio
from classroom_console.room import Room
from classroom_console.room_choice import switched
from classroom_console.room_devices import DeviceCommandError, RoomDevices
from classroom_console.scenes import Scene
from devices.driver import Capability, Command, Reason
from devices.model import DeviceInfo, DeviceKind

log = logging.getLogger(__name__)

WARM_UP_WITHIN_S = 120.0  # a real projector's lamp takes 30-60 s; past this the scene says it did not come on
SCREENS = (DeviceKind.PROJECTOR, DeviceKind.DISPLAY)

TabletsSwitch = Callable[[bool], Awaitable[object]]


class SceneReason:
    """Why a non-device part of a scene did not follow (device parts use ``devices.driver.Reason``)."""

    NO_SOURCE = "scene-no-source"  # recording asked for, nothing to record (no Studio source, no camera)
    NO_DESTINATION = "scene-no-destination"  # streaming asked for, no live destination saved
    NOT_AVAILABLE = "scene-not-available"  # this console has no studio / no tablet server
    WARM_UP_TIMEOUT = "scene-warm-up-timeout"  # turned on, but not on within WARM_UP_WITHIN_S
    FAILED = "scene-failed"  # anything else: the detail says what
    NOT_THIS_ROOMS = "scene-not-this-rooms"  # a device found on the network the room has not made its own: left alone


class RoomParts(Protocol):
    """What applying a scene needs of the console (``ConsoleCore`` has all of it)."""

    room: Room
    devices: RoomDevices | None
    studio: Studio | None
    live: LiveDestinations | None


class _Reporter:
    def __init__(self, room: Room, scene: str) -> None:
        self.room, self.scene = room, scene
        self.failed: list[SceneStep] = []

    def __call__(self, target: str, name: str, step: str, status: str, reason: str = "", detail: str = "") -> None:
        event = SceneStep(self.scene, target, name, step, status, str(reason), detail)
        if status == "failed":
            self.failed.append(event)
        self.room.events.emit(event)


async def apply_scene(parts: RoomParts, scene: Scene, tablets: TabletsSwitch | None = None,
                      warm_up_within_s: float = WARM_UP_WITHIN_S) -> tuple[SceneStep, ...]:
    """Walk the room to ``scene``; returns (and announces in ``SceneApplied``) every part that failed."""
    report = _Reporter(parts.room, scene.name)
    jobs: list[Awaitable[None]] = []
    for device in _devices_in(parts, scene):
        if switched(device):
            jobs.append(_device(parts, scene, device, report, warm_up_within_s))
        else:  # a neighbour's projector on the same subnet: said in the progress, not switched (room_choice.py)
            step = "preset" if device.kind is DeviceKind.CAMERA else "power"
            report(device.uid, device.name, step, "skipped", SceneReason.NOT_THIS_ROOMS, "not this room's")
    jobs.append(_studio(parts, scene, report))
    if scene.tablets_open is not None:
        jobs.append(_tablets(scene.tablets_open, tablets, report))
    results = await asyncio.gather(*jobs, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.error("applying scene %s: %r", scene.name, result)
    failed = tuple(report.failed)
    parts.room.events.emit(SceneApplied(scene.name, failed))
    return failed


def _devices_in(parts: RoomParts, scene: Scene) -> list[DeviceInfo]:
    """The room's devices the scene says something about, projectors first, as the cards are laid out."""
    wanted: list[DeviceInfo] = []
    for device in parts.room.devices.values():
        kind = device.kind
        screen_parts = (scene.projectors_on, scene.screen_blank, scene.projector_input or None)
        if kind in SCREENS and any(part is not None for part in screen_parts):
            wanted.append(device)
        elif kind is DeviceKind.BOARD and scene.boards_on is not None:
            wanted.append(device)
        elif kind is DeviceKind.CAMERA and scene.camera_preset is not None and \
                Capability.PRESETS in device.capabilities:
            wanted.append(device)
    order = {DeviceKind.PROJECTOR: 0, DeviceKind.DISPLAY: 0, DeviceKind.BOARD: 1, DeviceKind.CAMERA: 2}
    return sorted(wanted, key=lambda d: (order.get(d.kind, 9), d.name, d.uid))


async def _device(parts: RoomParts, scene: Scene, device: DeviceInfo, report: _Reporter, warm_up_s: float) -> None:
    uid, name = device.uid, device.name
    devices = parts.devices
    if devices is None:
        report(uid, name, "power", "failed", Reason.NOT_READY, "device control is off")
        return

    async def send(step: str, command: Command) -> bool:
        report(uid, name, step, "working")
        try:
            await devices.command(uid, command, chosen=False)
        except DeviceCommandError as exc:
            report(uid, name, step, "failed", exc.reason, str(exc))
            return False
        return True

    if device.kind is DeviceKind.CAMERA:
        if scene.camera_preset is not None and await send("preset", Command("preset-recall", scene.camera_preset)):
            report(uid, name, "preset", "done")
        return
    power = scene.boards_on if device.kind is DeviceKind.BOARD else scene.projectors_on
    if power is not None and not await send("power", Command("power", power)):
        return
    if power is False:
        report(uid, name, "power", "done")
        return
    if device.kind is DeviceKind.BOARD or not (scene.projector_input or scene.screen_blank is not None):
        if power:
            # On, or warming up: done as far as the scene goes (the card counts the warm-up down).
            report(uid, name, "power", "done")
        return
    if power:
        report(uid, name, "warm-up", "waiting")
        if not await _until_on(parts.room, uid, warm_up_s):
            now = _power_of(parts.room, uid)
            report(uid, name, "warm-up", "failed", SceneReason.WARM_UP_TIMEOUT,
                   f"power is {now!r} after {warm_up_s:.0f} s")
            return
    elif _power_of(parts.room, uid) != "on":
        report(uid, name, "input", "skipped", Reason.BUSY, "the scene leaves it off")
        return
    if scene.projector_input and not await send("input", Command("input", scene.projector_input)):
        return
    if scene.screen_blank is not None and not await send("blank", Command("blank", scene.screen_blank)):
        return
    report(uid, name, "blank" if scene.screen_blank is not None else "input", "done")


def _power_of(room: Room, uid: str) -> object:
    device = room.devices.get(uid)
    return device.state.get("power") if device is not None else None


async def _until_on(room: Room, uid: str, within_s: float) -> bool:
    """Waits for the device's own report of being on (the poller's, or a PJLink notification)."""
    deadline = time.monotonic() + within_s
    while _power_of(room, uid) != "on":
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def _studio(parts: RoomParts, scene: Scene, report: _Reporter) -> None:
    """Recording first, then streaming (which records too): one after the other, as they share the encoder."""
    studio = parts.studio
    if scene.recording is not None:
        step = "recording"
        if studio is None:
            report(step, step, step, "failed", SceneReason.NOT_AVAILABLE, "no studio in this console")
        else:
            await _recording(parts, studio, scene.recording, report)
    if scene.streaming is not None:
        step = "streaming"
        if studio is None or parts.live is None:
            report(step, step, step, "failed", SceneReason.NOT_AVAILABLE, "no studio in this console")
        else:
            await _streaming(parts.live, studio, scene.streaming, report)


async def _recording(parts: RoomParts, studio: Studio, on: bool, report: _Reporter) -> None:
    step = "recording"
    report(step, step, step, "working")
    try:
        if on and not studio.recording:
            if not studio.sources:
                camera = _first_camera(parts.room)
                if camera is None:
                    report(step, step, step, "failed", SceneReason.NO_SOURCE, "no source in the studio and no camera")
                    return
                await studio.add_source(f"camera:{camera}")  # the room's camera, as the card's "Use in Studio"
            await studio.start_recording()
        elif not on and studio.recording:
            await studio.stop_recording()
    except Exception as exc:  # a recording that cannot start is this part's failure, not the scene's
        log.warning("scene recording %s: %s", "on" if on else "off", exc)
        report(step, step, step, "failed", SceneReason.FAILED, str(exc))
        return
    report(step, step, step, "done")


def _first_camera(room: Room) -> str | None:
    cameras = sorted((d for d in room.devices.values() if d.state.get("stream_url") and switched(d)),
                     key=lambda d: (d.name, d.uid))  # a neighbour's camera is not recorded
    return str(cameras[0].state["stream_url"]) if cameras else None


async def _streaming(live: LiveDestinations, studio: Studio, on: bool, report: _Reporter) -> None:
    step = "streaming"
    report(step, step, step, "working")
    try:
        if on:
            names = [d.name for d in live.destinations()]
            if not names:
                report(step, step, step, "failed", SceneReason.NO_DESTINATION, "no live destination saved")
                return
            for name in names:
                await live.go_live(name, studio)
        else:
            for name in list(live.health(studio)):
                await live.end(name, studio)
    except Exception as exc:
        log.warning("scene streaming %s: %s", "on" if on else "off", exc)
        report(step, step, step, "failed", SceneReason.FAILED, str(exc))
        return
    report(step, step, step, "done")


async def _tablets(open_: bool, switch: TabletsSwitch | None, report: _Reporter) -> None:
    step = "tablets"
    if switch is None:
        report(step, step, step, "skipped", SceneReason.NOT_AVAILABLE, "no tablet server in this console")
        return
    report(step, step, step, "working")
    try:
        await switch(open_)
    except Exception as exc:
        log.warning("scene tablets %s: %s", "open" if open_ else "closed", exc)
        report(step, step, step, "failed", SceneReason.FAILED, str(exc))
        return
    report(step, step, step, "done")
