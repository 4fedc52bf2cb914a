"""The headless console: one Room, its session store, and (in the demo) a simulated room.

The GUI and the CLI both build one of these, so what works in a script works on screen.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from classroom_console.network import local_ipv4_addresses
from classroom_console.room import Room
from classroom_console.store import AsyncStore, StoreError, database_path
from classroom_console.usage import UsageSummary, summarise

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConsoleOptions:
    data_dir: Path | None = None
    demo: bool = False
    room_name: str = ""


class ConsoleCore:
    def __init__(self, options: ConsoleOptions) -> None:
        self.options = options
        name = options.room_name or ("Demo room" if options.demo else socket.gethostname())
        self.room_id = f"room:{name}"
        self.store: AsyncStore | None = None
        self.room = Room(name, room_id=self.room_id)
        self.store_notice: str | None = None
        self.db_path = database_path(options.data_dir)

    async def start(self) -> None:
        """Open the store (recovering or refusing it with a clear notice) and greet the room."""
        try:
            self.store = await AsyncStore.open(self.options.data_dir)
        except StoreError as exc:
            # Without a store the room still works; the user is told that nothing is being logged.
            self.store_notice = str(exc)
            self.room.report_error("store", str(exc))
            return
        self.store_notice = self.store.notice
        if self.store_notice:
            self.room.report_error("store", self.store_notice)
        name, room_id = self.room.name, self.room_id
        await self.store.call(lambda s: s.upsert_room(room_id, name))
        self.room.attach_store(self.store)

    async def stop(self) -> None:
        if self.room.session is not None:
            await self.room.end_session()
        await self.room.flush()
        if self.store is not None:
            await self.store.close()
            self.store = None

    async def usage(self) -> UsageSummary:
        if self.store is None:
            return UsageSummary()
        return await self.store.call(summarise)

    @staticmethod
    def network_addresses() -> list[str]:
        """Cheap (one getifaddrs call), so it runs in place."""
        return local_ipv4_addresses()
