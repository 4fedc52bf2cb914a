"""The headless console: one Room, its session store, its devices and (in the demo) a simulated room.

The GUI and the CLI both build one of these, so what works in a script works on screen.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classroom_console import demo_history
from classroom_console.device_thread import RoomDevicesThread
from classroom_console.discovery_scope import Scope, finder_config, listen_addresses
from classroom_console.events import ErrorCode, RoomRenamed
from classroom_console.live import LiveDestinations
from classroom_console.media.studio import Studio
from classroom_console.network import local_ipv4_addresses
from classroom_console.participation import NameRetention
from classroom_console.passwords import PasswordBook
from classroom_console.room import Room
from classroom_console.room_devices import RoomDevices
from classroom_console.room_sync import RoomSync
from classroom_console.scenes_session import SessionDirector
from classroom_console.settings import MAX_ROOM_NAME, RoomSettings
from classroom_console.settings import load as load_settings
from classroom_console.settings import save as save_settings
from classroom_console.store import AsyncStore, StoreError, data_dir, database_path
from classroom_console.usage import UsageSummary, summarise
from devices.discovery import expand_targets
from devices.sim.room import SimRoom, SimRoomConfig

log = logging.getLogger(__name__)
ROOM_PASSWORD = "room:*"  # the password most of the room's devices share, kept like a device's own


@dataclass(frozen=True, slots=True)
class ConsoleOptions:
    data_dir: Path | None = None
    demo: bool = False
    room_name: str = ""
    discover: bool = True
    scope: Scope | None = None  # None: loopback in the demo, everywhere otherwise
    sweep: tuple[str, ...] = ()
    sim_room: SimRoomConfig = field(default_factory=SimRoomConfig)
    demo_history: bool = True  # six weeks of past sessions in the demo's own log, for the Centre workspace
    poll_interval_s: float = 5.0
    rediscover_every_s: float = 60.0
    device_thread: bool = False  # the GUI's: devices polled on a loop in a worker thread (device_thread.py)


class ConsoleCore:
    def __init__(self, options: ConsoleOptions) -> None:
        if options.demo and options.data_dir is None:
            # The demo keeps its own log, so trying it out never mixes simulated sessions into the real one.
            options = dataclasses.replace(options, data_dir=data_dir() / "demo")
        self.options = options
        name = options.room_name or ("Demo room" if options.demo else socket.gethostname())
        self.room_id = f"room:{name}"
        self.store: AsyncStore | None = None
        self.room = Room(name, room_id=self.room_id)
        self.store_notice: str | None = None
        self.db_path = database_path(options.data_dir)
        self.sim_room: SimRoom | None = None
        self.devices: RoomDevices | None = None
        self.passwords = PasswordBook(None)
        self.settings = RoomSettings()
        self.sync: RoomSync | None = None
        self.studio: Studio | None = None
        self.live: LiveDestinations | None = None
        self.name_retention: NameRetention | None = None
        self.scenes = SessionDirector(self, self.db_path.parent, self.room_id)  # sessions with scenes

    async def start(self) -> None:
        """Open the store (recovering or refusing it with a clear notice), then find the room's devices."""
        await self._open_store()
        self.settings = await asyncio.to_thread(load_settings, self.db_path.parent)
        if self.settings.room_name and self.settings.room_name != self.room.name:
            self.room.name = self.settings.room_name
            self.room.events.emit(RoomRenamed(self.room.name))
        await self.scenes.load()
        try:
            if self.options.demo:
                await self._start_sim_room()
            if self.options.discover:
                await self._start_devices()
            # Sources start only when the technician adds one; recordings a crash cut short are closed now.
            self.studio = Studio(self.room, self.store, self.db_path.parent / "recordings")
            self.live = LiveDestinations(self.passwords, self.settings, self.db_path.parent)
            await self.live.load()
            if self.store is not None:
                self.name_retention = NameRetention(self.store, self.settings.personal_data_days)
                self.name_retention.start()  # now, then daily
                await self.studio.recover()
                self.sync = RoomSync(self.room, self.store)
                await self.sync.start()
        except BaseException:
            await self.stop()  # never leave the store's thread or a half-started room behind
            raise

    async def _open_store(self) -> None:
        try:
            self.store = await AsyncStore.open(self.options.data_dir)
        except StoreError as exc:
            # Without a store the room still works; the user is told that nothing is being logged.
            self.store_notice = str(exc)
            self.room.report_error("store", str(exc), ErrorCode.STORE_UNAVAILABLE)
            return
        self.store_notice = self.store.notice
        if self.store_notice:
            self.room.report_error("store", self.store_notice, ErrorCode.STORE_UNAVAILABLE)
        name, room_id = self.room.name, self.room_id
        await self.store.call(lambda s: s.upsert_room(room_id, name))
        if self.options.demo and self.options.demo_history:
            sim = self.options.sim_room
            await self.store.call(lambda s: demo_history.seed(s, room_id, sim))
        # A session still open is one a crash or a power cut left, unless another console (the window beside a
        # `class` command) holds this data folder: then it is that console's live session.
        if self.store.tidies_after_crash:
            interrupted = await self.store.call(lambda s: s.close_interrupted_sessions())
            if interrupted:
                log.warning("closed %d session(s) left open by an earlier crash", interrupted)
        self.room.attach_store(self.store)
        self.passwords = PasswordBook(self.store)

    async def _start_sim_room(self) -> None:
        sim = SimRoom(self.options.sim_room)
        try:
            await sim.start()
        except OSError as exc:
            # Most often another `sim room` already holds these addresses: the demo then uses that one.
            log.warning("simulated room not started (%s); looking for one already running", exc)
            return
        self.sim_room = sim

    async def _start_devices(self) -> None:
        scope = self.options.scope or (Scope.LOOPBACK if self.options.demo else Scope.ALL)
        known = [row["uid"] for row in await self.store.known_devices()] if self.store else []
        passwords = await self.passwords.load([*known, ROOM_PASSWORD])
        room_password = passwords.pop(ROOM_PASSWORD, None)
        if room_password is not None:
            passwords["*"] = room_password
        if self.options.demo and self.options.sim_room.password:
            passwords.setdefault("*", self.options.sim_room.password)
        kind = RoomDevicesThread if self.options.device_thread else RoomDevices
        self.devices = kind(
            self.room,
            finder_config(scope, self._sweep(), passwords),
            store=self.store,
            passwords=passwords,
            poll_interval_s=self.options.poll_interval_s,
            rediscover_every_s=self.options.rediscover_every_s,
            notify_addresses=listen_addresses(scope),
        )
        await self.devices.start()

    def _sweep(self) -> list[str]:
        return [*self.options.sweep, *self.settings.manual_addresses]

    async def set_manual_addresses(self, specs: list[str]) -> None:
        """Addresses or ranges to check directly (multicast does not cross VLANs); bad input raises ValueError."""
        cleaned = [spec.strip() for spec in specs if spec.strip()]
        expand_targets(cleaned)  # refuses a malformed address or an oversized range before anything is saved
        self.settings.manual_addresses = cleaned
        await asyncio.to_thread(save_settings, self.db_path.parent, self.settings)
        if self.devices is not None:
            await self.devices.look_at(self._sweep())

    async def set_room_password(self, password: str, first: str, also: Sequence[str] = ()) -> None:
        """One password for the room: kept, tried at once on the room's devices that ask, on ``first`` (the card
        it was typed on) and on ``also`` (devices new to the room the lecturer chose)."""
        await self.passwords.save(ROOM_PASSWORD, password)
        if self.devices is not None:
            self.devices.set_room_password(password, also=[first, *also])

    async def set_password(self, uid: str, password: str) -> None:
        await self.passwords.save(uid, password)
        if self.devices is not None:
            self.devices.set_password(uid, password)

    async def stop(self) -> None:
        if self.studio is not None:
            await self.studio.close()  # a running recording is finished, not left to crash recovery
            self.studio = None
        await self.scenes.close()  # the tablets told, a scene still applying stopped
        if self.room.session is not None:
            await self.room.end_session()
        if self.name_retention is not None:
            await self.name_retention.stop()
            self.name_retention = None
        if self.sync is not None:
            await self.sync.stop()
            self.sync.close()
            self.sync = None
        if self.devices is not None:
            await self.devices.stop()
            self.devices = None
        if self.sim_room is not None:
            await self.sim_room.stop()
            self.sim_room = None
        await self.room.flush()
        if self.store is not None:
            await self.store.close()
            self.store = None

    def ensure_studio(self) -> Studio:
        """The studio, made now if the core could not start one (the window still records, without a log)."""
        if self.studio is None:
            self.studio = Studio(self.room, self.store, data_dir(self.options.data_dir) / "recordings")
        if self.live is None:
            self.live = LiveDestinations(self.passwords, self.settings, data_dir(self.options.data_dir))
        return self.studio

    async def set_room_name(self, name: str) -> None:
        """What the room is called from now on; its id (the log's and the centre's key) stays. Empty: refused."""
        cleaned = " ".join(name.split())[:MAX_ROOM_NAME]
        if not cleaned:
            raise ValueError("a room needs a name")
        self.settings.room_name = cleaned
        await asyncio.to_thread(save_settings, self.db_path.parent, self.settings)
        self.room.name = cleaned
        if self.store is not None:
            room_id = self.room_id
            await self.store.call(lambda s: s.upsert_room(room_id, cleaned))
        self.room.events.emit(RoomRenamed(cleaned))

    async def recent_names(self) -> dict[str, list[str]]:
        """Past lecturers and courses, newest first (empty without a store)."""
        if self.store is None:
            return {"lecturer": [], "course": []}
        return await self.store.call(lambda s: s.recent_names())

    async def usage(self) -> UsageSummary:
        if self.store is None:
            return UsageSummary()
        return await self.store.call(summarise)

    @staticmethod
    def network_addresses() -> list[str]:
        """Cheap (one getifaddrs call), so it runs in place."""
        return local_ipv4_addresses()
