"""Discovery tests wait for what they expect, within a generous bound, never for a fixed short window.

Adverts and replies arrive when a busy machine gets round to them: a test that looks for one second
races the machine. These helpers keep looking until the condition holds, and give up only at the bound.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

import ifaddr
import pytest

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


def with_a_lan_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine seen with a LAN adapter (192.0.2.10/24, a documentation network) beside loopback. The test
    workers run in network namespaces of their own that hold only ``lo``: a test that checks what discovery leaves
    out of the LAN would pass there whatever the code did. Nothing is sent to it."""
    adapters = [ifaddr.Adapter("lo", "lo", [ifaddr.IP("127.0.0.1", 8, "lo")], index=1),
                ifaddr.Adapter("eth0", "eth0", [ifaddr.IP("192.0.2.10", 24, "eth0")], index=2)]
    monkeypatch.setattr(ifaddr, "get_adapters", lambda: adapters)
