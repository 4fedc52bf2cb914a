"""Finding PJLink projectors, boards and displays: class 2 search, DNS-SD and a unicast sweep, merged.

Each name is imported from its module on first use (PEP 562): `device_uid` alone must not load zeroconf and
the ONVIF client, as `classroom-console device ADDRESS status` needs it and nothing else from here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devices.discovery._classify import classify, device_uid
    from devices.discovery.dnssd import DEFAULT_SERVICE_TYPES, DnssdService, browse
    from devices.discovery.finder import DeviceFinder, FinderConfig
    from devices.discovery.pjlink_search import SearchReply, directed_broadcasts, search, search_one
    from devices.discovery.sweep import RangeTooLargeError, SweepHit, expand_targets, probe, scan

_HOMES = {
    "devices.discovery._classify": ("classify", "device_uid"),
    "devices.discovery.dnssd": ("DEFAULT_SERVICE_TYPES", "DnssdService", "browse"),
    "devices.discovery.finder": ("DeviceFinder", "FinderConfig"),
    "devices.discovery.pjlink_search": ("SearchReply", "directed_broadcasts", "search", "search_one"),
    "devices.discovery.sweep": ("RangeTooLargeError", "SweepHit", "expand_targets", "probe", "scan"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'devices.discovery' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_SERVICE_TYPES",
    "DeviceFinder",
    "DnssdService",
    "FinderConfig",
    "RangeTooLargeError",
    "SearchReply",
    "SweepHit",
    "browse",
    "classify",
    "device_uid",
    "directed_broadcasts",
    "expand_targets",
    "probe",
    "scan",
    "search",
    "search_one",
]
