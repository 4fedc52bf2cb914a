"""Discovery tests wait for what they expect, within a generous bound, never for a fixed short window.

Adverts and replies arrive when a busy machine gets round to them: a test that looks for one second
races the machine. These helpers keep looking until the condition holds, and give up only at the bound.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from devices.discovery import DeviceFinder
from devices.discovery.dnssd import DnssdService, browse
from devices.model import DeviceInfo

BOUND_S = 30.0


async def watch_until(
    finder: DeviceFinder, done: Callable[[dict[str, DeviceInfo]], bool], within: float = BOUND_S
) -> dict[str, DeviceInfo]:
    """Every device the finder reported (latest copy each), once ``done`` holds or the bound passes."""
    found: dict[str, DeviceInfo] = {}
    async with contextlib.aclosing(finder.watch(within)) as updates:
        async for info in updates:
            found[info.uid] = info
            if done(found):
                break
    return found


async def browse_until(
    types: Sequence[str], names: set[str], interfaces: list[str], within: float = BOUND_S
) -> dict[str, DnssdService]:
    """Services by name, once every one of ``names`` has resolved or the bound passes."""
    found: dict[str, DnssdService] = {}
    async with contextlib.aclosing(browse(types, within, interfaces=interfaces)) as services:
        async for service in services:
            found[service.name] = service
            if names <= found.keys():
                break
    return found
