"""Managed tablets as a device family: found by their agent's DNS-SD advert, shown with name and battery.

No protocol beyond the advert: the TXT record carries the facts (``facts.py``), discovery hears it change,
and the driver checks now and then that the agent's port still answers (a tablet asleep or gone is offline).
The tablets students join a session with (``classroom_console/tablets/``) need no agent; this is for tablets
the centre manages.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from devices.driver import (
    Capability,
    Command,
    CommandError,
    Driver,
    DriverOptions,
    Identity,
    NoticeListener,
    OnNotice,
    Reason,
)
from devices.model import Availability, DeviceInfo
from devices.registry import register
from devices.tablet.facts import SERVICE_TYPE, TabletFacts, parse_or_none


async def reachable(host: str, port: int, timeout_s: float) -> bool:
    """The agent's port accepts a connection (closed at once: nothing is said)."""
    try:
        async with asyncio.timeout(timeout_s):
            _reader, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


class TabletDriver(Driver):
    """The advert's facts as state; availability from whether the agent's port answers."""

    capabilities = frozenset[Capability]()

    def __init__(self, info: DeviceInfo, options: DriverOptions) -> None:
        super().__init__()
        self.info = info
        self.options = options
        self._facts = parse_or_none(info.state.get("txt", {}), info.name) or TabletFacts()
        self._availability = info.availability
        self._reason = Reason(info.reason) if info.reason in Reason._value2member_map_ else Reason.NONE
        self._detail = ""
        self._task: asyncio.Task[None] | None = None

    @property
    def availability(self) -> Availability:
        return self._availability

    @property
    def reason(self) -> Reason:
        return self._reason

    @property
    def detail(self) -> str:
        return self._detail

    @property
    def name(self) -> str:
        return self._facts.name

    def state(self) -> dict[str, Any]:
        return self._facts.state()

    def learn(self, info: DeviceInfo) -> None:
        """A new advert (the battery moved): believed only if it is well formed."""
        facts = parse_or_none(info.state.get("txt", {}), info.name)
        if facts is not None and facts != self._facts:
            self._facts = facts
            self._changed()

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._poll(), name=f"tablet {self.info.uid}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _poll(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self.options.poll_interval_s)

    async def refresh(self) -> None:
        ok = await reachable(self.info.address, self.info.port, self.options.timeout_s)
        availability = Availability.ONLINE if ok else Availability.OFFLINE
        reason = Reason.NONE if ok else Reason.UNREACHABLE
        self._detail = "" if ok else f"the tablet agent at {self.info.address}:{self.info.port} does not answer"
        if (availability, reason) != (self._availability, self._reason):
            self._availability, self._reason = availability, reason
            self._changed()

    async def command(self, command: Command) -> None:
        raise CommandError(Reason.UNSUPPORTED, f"a managed tablet takes no command ({command.label()})")


class TabletFamily:
    protocol: ClassVar[str] = "classroom-tablet"
    dnssd_types: ClassVar[tuple[str, ...]] = (SERVICE_TYPE,)
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def accepts(self, service_type: str, txt: Mapping[str, str]) -> bool:
        """A malformed record is ignored (and logged) rather than half believed."""
        return parse_or_none(txt, f"{txt.get('name', '')[:80]!r} ({service_type})") is not None

    async def identify(
        self, host: str, port: int, password: str | None, step_timeout: float, hints: Mapping[str, str]
    ) -> Identity:
        facts = parse_or_none(hints, f"{host}:{port}") or TabletFacts()
        ok = await reachable(host, port, step_timeout)
        return Identity(
            Availability.ONLINE if ok else Availability.OFFLINE, Reason.NONE if ok else Reason.UNREACHABLE,
            name=facts.name, manufacturer="tablet" if facts.serial else "", product=facts.model,
            serial=facts.serial, extra=facts.state(),
        )

    def driver(self, info: DeviceInfo, options: DriverOptions) -> Driver:
        return TabletDriver(info, options)

    def notices(self, addresses: Collection[str], port: int | None, on_notice: OnNotice) -> NoticeListener | None:
        return None


TABLET = register(TabletFamily())
