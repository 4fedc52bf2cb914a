"""Turns the core's room events into Qt signals, and UI actions into core coroutines.

The asyncio loop runs inside Qt (qasync), so events arrive on the main thread; signals are
still the only way they reach widgets, which keeps that assumption in one place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from classroom_console.console import ConsoleCore
from classroom_console.events import (
    DeviceChanged,
    DeviceFound,
    DeviceLost,
    DeviceRemoved,
    ErrorCode,
    ErrorRaised,
    RecordingStarted,
    RecordingStopped,
    RoomEvent,
    RoomRenamed,
    SceneApplied,
    SceneStep,
    SessionEnded,
    SessionStarted,
    SyncProgressed,
)
from classroom_console.media.output import OutputStats
from classroom_console.media.preview import PreviewStatus, StreamPreview
from classroom_console.media.studio import Studio
from classroom_console.media.studio_setup import StudioSetup, load_setup, save_setup
from classroom_console.room_devices import DeviceCommandError
from classroom_console.tablets import events as tablet_events
from devices.driver import Command, Reason
from devices.model import DeviceInfo
from ui.reasons import error_text

log = logging.getLogger(__name__)
DEVICE_FLUSH_MS = 16  # a device's changes are shown at most once a frame: a burst is one repaint per card
DEVICE_FLUSH_BUDGET_S = 0.003  # cards updated per frame at most this long, the rest next frame (100 at once: 60 ms)


class RoomBridge(QObject):
    sig_device_found = Signal(object)
    sig_device_changed = Signal(object)
    sig_device_lost = Signal(object)
    sig_device_removed = Signal(object)  # a stranger that left the room: its card goes
    sig_session_started = Signal(str, str, str)
    sig_session_ended = Signal(str)
    sig_recording_started = Signal(str, str)
    sig_recording_stopped = Signal(str, str)
    sig_error = Signal(str, str)  # a sentence in the user's language, and the technical detail (English)
    sig_store_problem = Signal(str, str)  # the same, for problems with the session log: worth a dialog
    sig_busy = Signal(bool)
    sig_sync_progress = Signal(object)
    sig_room_renamed = Signal(str)
    sig_studio_source = Signal(str)  # a source spec ("camera:URL") a card asks the Studio to add
    sig_scene_step = Signal(object)  # a SceneStep: one device's progress while a scene applies
    sig_scene_applied = Signal(str, object)  # the scene's name and its failed SceneSteps
    sig_tablets = Signal(object)  # any classroom_console.tablets.events event (joins, answers, hands, timer…)

    def __init__(self, core: ConsoleCore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.room = core.room
        self._tasks: set[asyncio.Task[Any]] = set()
        self._previews: set[StreamPreview] = set()
        # A change with none in the last 16 ms is shown at once; the ones after it, within that window, wait for
        # the window's end and only each device's latest is shown (uid -> its DeviceInfo, by flush_devices).
        self._devices_due: dict[str, DeviceInfo] = {}
        self._device_timer = QTimer(self)
        self._device_timer.setSingleShot(True)
        self._device_timer.setInterval(DEVICE_FLUSH_MS)
        self._device_timer.setObjectName("device-flush")  # named for bench/ui_stall.py's trace
        self._device_timer.timeout.connect(self._window_ends)
        self._unsubscribe = self.room.events.subscribe(self._relay)

    def _device_changed(self, device: DeviceInfo) -> None:
        if self._device_timer.isActive():
            self._devices_due[device.uid] = device
        else:
            self._device_timer.start()
            self.sig_device_changed.emit(device)

    def _window_ends(self) -> None:
        if self._devices_due:
            self.flush_devices(DEVICE_FLUSH_BUDGET_S)
            self._device_timer.start()  # a burst goes on: the next changes (and any left) wait for the next window

    def flush_devices(self, budget_s: float | None = None) -> None:
        """Shows the waiting devices' latest states, oldest first, all of them or until ``budget_s`` is spent
        (any other event flushes all first, so the order holds)."""
        due = self._devices_due
        started = time.perf_counter()
        while due:
            self.sig_device_changed.emit(due.pop(next(iter(due))))
            if budget_s is not None and time.perf_counter() - started > budget_s:
                break

    def _relay(self, event: RoomEvent) -> None:
        if isinstance(event, DeviceChanged):
            self._device_changed(event.device)
            return
        if self._devices_due:
            self.flush_devices()
        match event:
            case DeviceFound(device=device):
                self.sig_device_found.emit(device)
            case DeviceLost(device=device):
                self.sig_device_lost.emit(device)
            case DeviceRemoved(device=device):
                self.sig_device_removed.emit(device)
            case SessionStarted(session_id=sid, lecturer=lecturer, course=course):
                self.sig_session_started.emit(sid, lecturer, course)
            case SessionEnded(session_id=sid):
                self.sig_session_ended.emit(sid)
            case RecordingStarted(recording_id=rid, path=path):
                self.sig_recording_started.emit(rid, path)
            case RecordingStopped(recording_id=rid, path=path):
                self.sig_recording_stopped.emit(rid, path)
            case ErrorRaised(source=source, message=message, code=code):
                named = self.room.devices.get(source)
                sentence = error_text(code, named.name if named is not None else source)
                self.sig_error.emit(sentence, message)
                if code in (ErrorCode.STORE_UNAVAILABLE, ErrorCode.STORE_WRITE_FAILED):
                    self.sig_store_problem.emit(sentence, message)
            case RoomRenamed(name=name):
                self.sig_room_renamed.emit(name)
            case SyncProgressed(progress=progress):
                self.sig_sync_progress.emit(progress)
            case SceneStep():
                self.sig_scene_step.emit(event)
            case SceneApplied(scene=scene, failed=failed):
                self.sig_scene_applied.emit(scene, failed)
            case _ if type(event).__module__ == tablet_events.__name__:
                self.sig_tablets.emit(event)

    def run(
        self,
        coro: Coroutine[Any, Any, Any],
        on_done: Callable[[Any], None] | None = None,
        what: str = "action",
        on_error: Callable[[str], None] | None = None,
        owner: QObject | None = None,
    ) -> None:
        """Run a core coroutine without blocking the window; failures become ``sig_error``.

        ``what`` is a translated verb phrase ("start the recording"): the user reads "Could not <what>."
        """
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self._tasks.discard(done)
            if done.cancelled():
                return
            if owner is not None and not shiboken6.isValid(owner):
                return  # the widget that asked went away meanwhile: touching it would crash, not raise
            exc = done.exception()
            if exc is not None:
                log.error("%s failed: %s", what, exc)
                self.sig_error.emit(self.tr("Could not %1.").replace("%1", what), f"{what}: {exc}")
                if on_error is not None:
                    on_error(str(exc))
            elif on_done is not None:
                on_done(done.result())

        task.add_done_callback(finished)

    def start_session(self, lecturer: str, course: str) -> None:
        self.run(self.room.start_session(lecturer, course), what=self.tr("start the session"))

    def end_session(self) -> None:
        self.run(self.room.end_session(), what=self.tr("end the session"))

    # -- devices ---------------------------------------------------------------------------
    def device_command(
        self, uid: str, command: Command, on_finished: Callable[[DeviceCommandError | None], None]
    ) -> None:
        """One command through the room (so it is logged); ``on_finished`` gets None or the refusal, with its code."""
        devices = self.core.devices
        if devices is None:
            on_finished(DeviceCommandError(uid, uid, command, Reason.NOT_READY, "device control is off"))
            return

        async def send() -> DeviceCommandError | None:
            try:
                await devices.command(uid, command)
            except DeviceCommandError as exc:
                log.info("%s", exc)
                return exc
            return None

        self.run(send(), on_done=on_finished, what=self.tr("send a command to a device"))

    def refresh_device(self, uid: str) -> None:
        """Read a device now (the Details dialog's "Check now")."""
        devices = self.core.devices
        if devices is not None:
            self.run(devices.refresh(uid), what=self.tr("check the device"))

    def power_all(self, on: bool, on_finished: Callable[[list[DeviceCommandError]], None]) -> None:
        devices = self.core.devices
        if devices is None:
            on_finished([])
            return
        what = self.tr("turn everything on") if on else self.tr("turn everything off")
        self.run(devices.power_all(on), on_done=on_finished, what=what)

    def choose_devices(self, choices: Mapping[str, bool | None],
                       on_done: Callable[[object], None] | None = None,
                       was: Mapping[str, bool | None] | None = None) -> None:
        """The lecturer's word on which devices are this room's (True yes, False no, None undecided again), kept by
        the core in each device's row (``RoomDevices.choose``); the cards hear the judgement back as device
        changes. ``was``: the words the window showed when these were given (a newer one elsewhere is kept)."""
        devices = self.core.devices
        if devices is None:
            return
        self.run(devices.choose(dict(choices), None if was is None else dict(was)), on_done=on_done,
                 what=self.tr("save which devices are this room's"))

    def set_password(self, uid: str, password: str) -> None:
        self.run(self.core.set_password(uid, password), what=self.tr("save the password"))

    def set_room_password(self, password: str, first: str, also: Sequence[str] = ()) -> None:
        """Tried on the room's devices that ask, on ``first`` and on ``also``, and kept for the room's own that ask
        later."""
        self.run(self.core.set_room_password(password, first, also), what=self.tr("save the password"))

    def live_health(self) -> dict[str, OutputStats]:
        """Each live destination's health now (cheap: counters only), for the LIVE sign in any workspace."""
        core = self.core
        return core.live.health(core.studio) if core.live is not None and core.studio is not None else {}

    def recording_elapsed_s(self) -> float | None:
        """How long the Studio has been recording, or None when it is not (cheap), for the REC sign."""
        studio = self.core.studio
        return studio.elapsed_s if studio is not None and studio.recording else None

    # -- the studio -------------------------------------------------------------------------
    def studio(self) -> Studio:
        """The core's studio (made there if the core could not start one; the window still records)."""
        return self.core.ensure_studio()

    def studio_setup(self) -> StudioSetup:
        """The Studio's sources and scenes as this room saved them."""
        return load_setup(self.core.settings)

    def save_studio_setup(self) -> None:
        """The Studio's sources (with their names) and scenes into the room's settings, off the loop."""
        studio = self.core.studio
        if studio is not None:
            self.run(save_setup(self.core.settings, self.core.db_path.parent, studio.setup()),
                     what=self.tr("save the Studio's sources and scenes"))

    def password_location(self) -> str:
        return self.core.passwords.where

    # -- camera previews ------------------------------------------------------------------
    def watch_stream(
        self,
        url: str,
        size: tuple[int, int],
        on_frame: Callable[[np.ndarray], None],
        on_status: Callable[[PreviewStatus], None],
    ) -> StreamPreview:
        """A live preview decoded on a thread of its own; both callbacks run on that thread.

        ``size`` (device pixels) bounds the frames; set ``handle.size`` when the tile is resized.
        """
        preview = StreamPreview(url, size, on_frame, on_status)
        self._previews.add(preview)
        preview.start()
        return preview

    def stop_stream(self, preview: StreamPreview) -> None:
        """Never waits: the thread ends by itself within a frame (a read timeout for a silent camera)."""
        preview.stop()
        self._previews.discard(preview)

    def use_in_studio(self, spec: str) -> None:
        self.sig_studio_source.emit(spec)

    def detach(self) -> None:
        self._unsubscribe()
        self._device_timer.stop()
        for preview in list(self._previews):
            self.stop_stream(preview)
        for task in self._tasks:
            task.cancel()
