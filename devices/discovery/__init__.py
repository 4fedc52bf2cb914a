"""Finding PJLink projectors, boards and displays: class 2 search, DNS-SD and a unicast sweep, merged."""

from devices.discovery._classify import classify, device_uid
from devices.discovery.dnssd import DEFAULT_SERVICE_TYPES, DnssdService, browse
from devices.discovery.finder import DeviceFinder, FinderConfig
from devices.discovery.pjlink_search import SearchReply, directed_broadcasts, search, search_one
from devices.discovery.sweep import RangeTooLargeError, SweepHit, expand_targets, probe, scan

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
