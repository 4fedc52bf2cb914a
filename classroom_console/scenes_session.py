"""A session as the lecturer runs it: start with a scene, switch scenes, end (turning the room off).

The session record starts first and always: a projector that fails to come on is reported, it does not
keep the lecture from being logged. A scene still applying when another is chosen (or the session ends)
is cancelled, so the room follows the latest wish. Scenes, the last course and title, and whether End
turns the room off are kept per room in scenes.json (``classroom_console.scenes``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from classroom_console import scenes as scene_file
from classroom_console.cli_text import in_every_language
from classroom_console.discovery_scope import SCOPE_LIMIT_ENV, Scope
from classroom_console.events import SceneStep
from classroom_console.room import Room, Session
from classroom_console.scenes import RoomScenes, Scene
from classroom_console.scenes_apply import RoomParts, TabletsSwitch, apply_scene
from classroom_console.tablets import ClassSession

if TYPE_CHECKING:
    from classroom_console.room_devices import DeviceCommandError

log = logging.getLogger(__name__)
TURN_OFF_WITHIN_S = 20.0
TABLETS_PORT = 8090  # easy to type from the projector; another free port when it is taken


class UnknownScene(ValueError):
    """No scene by that name; the room's scenes come with it, so a caller can word the refusal."""

    def __init__(self, name: str, known: tuple[Scene, ...]) -> None:
        super().__init__(f"no scene called {name!r}; this room has: {', '.join(s.name for s in known)}")
        self.name, self.known = name, known


class SessionDirector:
    def __init__(self, parts: RoomParts, data_dir: Path, room_id: str) -> None:
        self.parts = parts
        self.data_dir = data_dir
        self.room_id = room_id
        self.scenes = RoomScenes()
        self.current: str | None = None  # the scene the room was last walked to in this session
        self.title = ""
        self.tablets: TabletsSwitch | None = self.open_tablets  # what a scene's "tablets open" calls
        self.class_session: ClassSession | None = None  # the students' tablets (kept after closing, for results)
        # Tablets join over the room's LAN; a console kept on this machine (labs, tests) listens on loopback.
        self.tablets_host = "127.0.0.1" if os.environ.get(SCOPE_LIMIT_ENV) == Scope.LOOPBACK else "0.0.0.0"
        self.tablets_port = TABLETS_PORT
        self.tablets_advertise = True  # _classroom._tcp over DNS-SD
        self._applying: asyncio.Task[tuple[SceneStep, ...]] | None = None
        self.refused_at_end: tuple[DeviceCommandError, ...] = ()  # end()'s device problems, with their reason codes

    @property
    def room(self) -> Room:
        return self.parts.room

    async def load(self) -> RoomScenes:
        self.scenes = await asyncio.to_thread(scene_file.load, self.data_dir, self.room_id)
        return self.scenes

    async def _save(self) -> None:
        await asyncio.to_thread(scene_file.save, self.data_dir, self.room_id, self.scenes)

    # -- the scenes ------------------------------------------------------------------------------
    async def save_scene(self, scene: Scene, replacing: str | None = None) -> Scene:
        """Add or replace a scene (ValueError, one line, for a bad one); saved at once."""
        saved = self.scenes.save_scene(scene, replacing)
        await self._save()
        return saved

    async def delete_scene(self, name: str) -> None:
        self.scenes.delete(name)
        await self._save()

    async def set_turn_off_at_end(self, turn_off: bool) -> None:
        self.scenes.turn_off_at_end = turn_off
        await self._save()

    def scene(self, name: str) -> Scene:
        """The scene by its name, a shipped one also by the name the window shows in either language."""
        found = self.scenes.find(name)
        if found is None:
            typed = name.casefold()
            found = next((s for s in self.scenes.scenes if s.builtin and typed in {
                t.casefold() for t in in_every_language(s.name)}), None)
        if found is None:
            raise UnknownScene(name, tuple(self.scenes.scenes))
        return found

    # -- the tablets -----------------------------------------------------------------------------
    async def open_tablets(self, open_: bool) -> None:
        """Let students join (a fresh code each time) or close the door; only while a session runs."""
        current = self.class_session
        if not open_:
            if current is not None and current.running:
                await current.stop()
            return
        if current is not None and current.running:
            return
        if self.room.session is None:
            raise RuntimeError("no session is running: start one before opening the tablets")
        for port in dict.fromkeys((self.tablets_port, 0)):
            tablets = ClassSession.for_room(self.room, host=self.tablets_host, port=port,
                                            advertise=self.tablets_advertise)
            self.class_session = tablets  # before start(): its TabletsOpened listeners look it up
            try:
                await tablets.start()
                return
            except OSError as exc:
                self.class_session = current
                if not port:
                    raise
                log.info("tablet port %d is taken (%s): using another", port, exc)

    async def close(self) -> None:
        """The console is closing: the tablets are told the session ended and the server stops."""
        if self._applying is not None and not self._applying.done():
            self._applying.cancel()
            await asyncio.wait({self._applying})
        if self.class_session is not None and self.class_session.running:
            await self.class_session.stop()

    # -- the session -----------------------------------------------------------------------------
    async def start(self, lecturer: str, course: str, title: str, scene: str | None) -> Session:
        """Open the session record, then walk the room to the scene (None: leave the room as it is).

        Returns once the session has started; the scene goes on applying (``applied()`` waits for it).
        """
        chosen = self.scene(scene) if scene else None
        self.title = title  # before the SessionStarted event, whose listeners show it
        try:
            session = await self.room.start_session(lecturer, course)
        except BaseException:
            self.title = ""
            raise
        self.room.log_event(None, "session_info", {"title": title, "scene": chosen.name if chosen else ""})
        self.scenes.remember(course, title, chosen.name if chosen else self.scenes.last_scene)
        try:
            await self._save()
        except OSError as exc:  # remembering is a convenience: the session runs without it
            log.warning("could not remember the course and title: %s", exc)
        if chosen is not None:
            self._launch(chosen)
        return session

    async def switch(self, scene: str) -> None:
        """Walk the room to another scene mid-session, logged as a session event."""
        chosen = self.scene(scene)
        self._launch(chosen)

    def _launch(self, scene: Scene) -> None:
        if self._applying is not None and not self._applying.done():
            self._applying.cancel()  # the room follows the latest wish
        self.current = scene.name
        task = asyncio.get_running_loop().create_task(self._apply(scene), name=f"scene-{scene.name}")
        self._applying = task

    async def _apply(self, scene: Scene) -> tuple[SceneStep, ...]:
        failed = await apply_scene(self.parts, scene, self.tablets)
        self.room.log_event(None, "scene", {
            "scene": scene.name,
            "failed": [{"device": f.target, "name": f.name, "step": f.step, "reason": f.reason, "detail": f.detail}
                       for f in failed],
        })
        return failed

    async def applied(self) -> tuple[SceneStep, ...] | None:
        """What failed in the scene now applying (or last applied); None if it was cancelled by another."""
        task = self._applying
        if task is None:
            return ()
        await asyncio.wait({task})
        return None if task.cancelled() else task.result()

    async def end(self, turn_off: bool | None = None) -> list[str]:
        """Close the session record, the tablets, and (as configured) the room; returns what did not turn off."""
        if self._applying is not None and not self._applying.done():
            self._applying.cancel()
            await asyncio.wait({self._applying})
        turn_off = self.scenes.turn_off_at_end if turn_off is None else turn_off
        problems: list[str] = []
        self.refused_at_end = ()
        try:
            if self.tablets is not None:
                await self.tablets(False)
            if self.class_session is not None and self.class_session.running:
                await self.class_session.stop()  # opened here even if the scene's switch was replaced
        except Exception as exc:
            log.warning("closing the tablets: %s", exc)
            problems.append(f"tablets: {exc}")
        if turn_off:
            problems += await self._turn_off()
        await self.room.end_session()
        self.current, self.title = None, ""
        return problems

    async def _turn_off(self) -> list[str]:
        parts, problems = self.parts, []
        studio = parts.studio
        if studio is not None and studio.recording:
            try:
                await studio.stop_recording()  # live destinations end with it
            except Exception as exc:
                problems.append(f"recording: {exc}")
        if parts.devices is not None:
            try:
                async with asyncio.timeout(TURN_OFF_WITHIN_S):
                    self.refused_at_end = tuple(await parts.devices.power_all(False))
                    problems += [str(f) for f in self.refused_at_end]
            except TimeoutError:
                problems.append(f"devices: not all answered within {TURN_OFF_WITHIN_S:.0f} s")
        for problem in problems:
            log.warning("ending the session: %s", problem)
        return problems
