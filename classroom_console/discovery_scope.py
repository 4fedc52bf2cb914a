"""Where the console looks for devices: the room's LAN, this PC's loopback, or both.

Loopback holds simulated rooms (``sim room``, the demo) and local bridges; the LAN holds hardware.
Multicast does not cross VLANs, so a manual list or range (``sweep``) is always added as well.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from enum import StrEnum

from classroom_console.network import local_ipv4_addresses
from devices import registry
from devices.discovery import FinderConfig, directed_broadcasts
from devices.sim.loopback import LOOPBACK_ROOM  # not devices.sim.room: that loads every simulator

PJLINK_PORT = 4352
LOOPBACK_DNSSD = "127.0.0.1"
SCOPE_LIMIT_ENV = "CLASSROOM_CONSOLE_SCOPE"  # "loopback" keeps every discovery on this machine (labs, tests)


class Scope(StrEnum):
    ALL = "all"
    LAN = "lan"
    LOOPBACK = "loopback"


def loopback_search_targets(port: int = PJLINK_PORT) -> list[tuple[str, int]]:
    """Loopback has no broadcast, so class 2 search asks each address of the local device range."""
    return [(str(host), port) for host in LOOPBACK_ROOM.hosts()]


def finder_config(
    scope: Scope = Scope.ALL,
    sweep: Sequence[str] = (),
    passwords: Mapping[str, str] | None = None,
    default_password: str | None = None,
    step_timeout: float = 2.0,
) -> FinderConfig:
    if os.environ.get(SCOPE_LIMIT_ENV) == Scope.LOOPBACK:
        scope = Scope.LOOPBACK
    search: list[tuple[str, int]] = []
    interfaces: list[str] = []
    if scope in (Scope.ALL, Scope.LAN):
        search += directed_broadcasts(PJLINK_PORT)
        interfaces += local_ipv4_addresses()
    if scope in (Scope.ALL, Scope.LOOPBACK):
        search += loopback_search_targets()
        interfaces.append(LOOPBACK_DNSSD)
    return FinderConfig(
        search_targets=search,
        dnssd_types=registry.dnssd_types() if interfaces else (),
        wsd_interfaces=interfaces,
        sweep=list(sweep),
        dnssd_interfaces=interfaces,
        passwords=dict(passwords or {}),
        default_password=default_password,
        step_timeout=step_timeout,
    )


def listen_addresses(scope: Scope) -> list[str]:
    """Where to hear PJLink notifications: the same places discovery looks."""
    if os.environ.get(SCOPE_LIMIT_ENV) == Scope.LOOPBACK:
        scope = Scope.LOOPBACK
    found = local_ipv4_addresses() if scope in (Scope.ALL, Scope.LAN) else []
    if scope in (Scope.ALL, Scope.LOOPBACK):
        found.append(LOOPBACK_DNSSD)
    return found
