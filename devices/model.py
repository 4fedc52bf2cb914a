"""What every device family reports upward, so the core can treat them alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DeviceKind(StrEnum):
    PROJECTOR = "projector"
    DISPLAY = "display"
    BOARD = "board"
    CAMERA = "camera"
    MICROPHONE = "microphone"
    TABLET = "tablet"


class Availability(StrEnum):
    """The one word a user sees first on a device card."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    AUTH_FAILED = "auth_failed"
    FAULT = "fault"


@dataclass(slots=True)
class DeviceInfo:
    """A device as found on the network.

    ``uid`` is the stable identity (``mac:aa:bb:cc:dd:ee:ff`` or ``serial:...``); the address
    may change under DHCP while the uid stays, so the store and the session log key on it.
    """

    uid: str
    kind: DeviceKind
    name: str
    address: str
    port: int
    protocol: str
    protocol_class: str = ""
    availability: Availability = Availability.UNKNOWN
    state: dict[str, Any] = field(default_factory=dict)
    found_by: set[str] = field(default_factory=set)
    reason: str = ""  # why it is in that availability: a devices.driver.Reason code the UI words
    capabilities: frozenset[str] = frozenset()  # devices.driver.Capability values: what a card may offer

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.uid,
            "kind": str(self.kind),
            "name": self.name,
            "address": self.address,
            "port": self.port,
            "protocol": self.protocol,
            "class": self.protocol_class,
            "availability": str(self.availability),
            "reason": self.reason,
            "capabilities": sorted(self.capabilities),
            "state": self.state,
            "found_by": sorted(self.found_by),
        }
