"""What adverts and search replies, anyone's words, may add to the room in one look.

A laptop listening on 300 ports, each answering PJLink's greeting with "I need a password" and each advertised by
DNS-SD, made 256-299 cards from its one address in one look (R8): answering, they were not the silent strangers
``finder.MAX_SILENT_STRANGERS`` bounds. A projector, a board or a camera is one or two endpoints, so an address
heard of adds a few, and a look a bounded number of new ones. Endpoints the room already holds (the store's rows
are remembered before a look), a device whose MAC the room knows at its new address, and what the lecturer's own
sweep finds are never refused: only strangers by hearsay are.
"""

from __future__ import annotations

from devices.discovery._registry import DeviceRegistry, Hints

HEARSAY = frozenset({"dnssd", "wsdiscovery", "search"})
MAX_PER_ADDRESS = 4  # endpoints one address may have in the room by hearsay
MAX_NEW_PER_LOOK = 64  # new strangers by hearsay in one look

Endpoint = tuple[str, int]


class HearsayBudget:
    """One look's admission of endpoints heard of; counts the distinct endpoints it refused."""

    def __init__(self, registry: DeviceRegistry, per_address: int = MAX_PER_ADDRESS,
                 per_look: int = MAX_NEW_PER_LOOK) -> None:
        self.registry, self.per_address, self.per_look = registry, per_address, per_look
        self.ports: dict[str, set[int]] = {}  # address -> ports taken up this look
        self.claims: set[tuple[str, str]] = set()  # (address, known MAC) let in by that claim, once each
        self.new = 0
        self.counted: set[Endpoint] = set()  # the new ones, until they prove silent
        self.refused: set[Endpoint] = set()

    def admits(self, address: str, port: int, hints: Hints) -> bool:
        if not self._welcome(address, port, hints):
            self.refused.add((address, port))
            return False
        self.refused.discard((address, port))
        self.ports.setdefault(address, set()).add(port)
        return True

    def _welcome(self, address: str, port: int, hints: Hints) -> bool:
        if hints.found_by - HEARSAY or self.registry.knows_endpoint(address, port):
            return True
        mac = (hints.mac or "").lower()
        if mac and self.registry.knows_mac(mac) and (address, mac) not in self.claims:
            self.claims.add((address, mac))  # a known device moved here; a claim repeated on many ports is not
            return True
        ports = self.registry.ports_at(address) | self.ports.get(address, set())
        if (port not in ports and len(ports) >= self.per_address) or self.new >= self.per_look:
            return False
        self.new += 1
        self.counted.add((address, port))
        return True

    def silent(self, endpoint: Endpoint) -> None:
        """A new one that did not answer gives its place back: a flood of names pointing nowhere, running before
        the look, must not spend the look on itself (silent strangers have their own bound in the registry)."""
        if endpoint in self.counted:
            self.counted.discard(endpoint)
            self.new -= 1
