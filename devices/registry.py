"""Device families by protocol name: the room builds a driver for a device through here, never by import.

A family registers itself when its package is imported; the built-in ones are imported on first use, so a
new family is one folder plus one line in ``BUILT_IN``.
"""

from __future__ import annotations

import importlib
from typing import Protocol, cast

from devices.driver import DriverOptions, Family
from devices.model import DeviceInfo

BUILT_IN = ("devices.pjlink.family", "devices.camera.family", "devices.tablet.family")
_families: dict[str, Family] = {}
_loaded = False


class UnknownProtocol(LookupError):
    """No family speaks this protocol (a remembered device of a family this build lacks)."""


def register(family: Family) -> Family:
    _families[family.protocol] = family
    return family


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in BUILT_IN:
            importlib.import_module(module)


# Where a protocol's family lives, so that driving one projector (`classroom-console device … status`) loads only
# PJLink, not the camera stack; a protocol not listed here loads every family.
HOMES = {"pjlink": "devices.pjlink.family"}


def family_for(protocol: str) -> Family:
    if protocol not in _families and protocol in HOMES:
        importlib.import_module(HOMES[protocol])
    if protocol not in _families:
        _load()
    try:
        return _families[protocol]
    except KeyError:
        raise UnknownProtocol(protocol) from None


# Families that can read one device once with no event loop (`read_once(info, options) -> DeviceInfo`, the device
# as its driver's first poll shows it): `classroom-console device ADDRESS status` then never loads asyncio.
READ_ONCE = {"pjlink": "devices.pjlink.blocking"}


class BlockingRead(Protocol):
    """A family's blocking single read (a module), for a command that reads one device without an event loop."""

    def read_once(self, info: DeviceInfo, options: DriverOptions) -> DeviceInfo:
        """The device as the room shows it after its driver's first poll."""

    def as_adopted(self, info: DeviceInfo) -> DeviceInfo:
        """The device as the room shows it once its driver is adopted, before that poll."""


def blocking_read_for(protocol: str) -> BlockingRead | None:
    """The family's blocking read, or None where it has none (the caller then drives it as the room does)."""
    home = READ_ONCE.get(protocol)
    return None if home is None else cast(BlockingRead, importlib.import_module(home))


def families() -> list[Family]:
    _load()
    return list(_families.values())


def dnssd_types() -> tuple[str, ...]:
    """Every DNS-SD type some family answers to: what the console browses for."""
    return tuple(dict.fromkeys(t for f in families() for t in f.dnssd_types))


def protocol_of_service(service_type: str) -> str | None:
    """Which family advertises itself as this DNS-SD type."""
    return next((f.protocol for f in families() if service_type in f.dnssd_types), None)
