"""What adverts and search replies, anyone's words, may add to the room in one look.

A laptop listening on 300 ports, each answering PJLink's greeting with "I need a password" and each advertised by
DNS-SD, made 256-299 cards from its one address in one look (R8): answering, they were not the silent strangers
``finder.MAX_SILENT_STRANGERS`` bounds. A projector, a board or a camera is one address and one to three endpoints
(a camera's ONVIF, VISCA and stream), so an address heard of adds a few endpoints, and a look a bounded number of
new addresses. Endpoints the room already holds (the store's rows are remembered before a look), a device whose
MAC the room knows at its new address, and what the lecturer's own sweep finds are never refused: only strangers
by hearsay are, and an address the lecturer listed (a sweep host, a unicast search or WS-Discovery target) is the
lecturer's word, not hearsay: it takes no stranger's place, or a 1,000-projector campus look of listed addresses
finds 64 by their replies and waits for the sweep's polite rate to reach the rest (1.07 s became 5.3 s). It keeps
the bound on endpoints an address. The simulated room's range is not bounded by address: ``sim room`` runs its
tablets' agents on one address, as nothing on the LAN can answer there.

The room's places age: an address that has neither answered a look nor its driver for ``AGE_S`` gives its place
back when a new one wants it (after an attack they stayed spent until the console restarted), and is counted again
if heard of again. A place is given back at the earliest ``AGE_S`` after it was taken or last heard, so the room
still takes in at most ``MAX_IN_ROOM`` strangers by hearsay in any ``AGE_S``; and the strangers found there by hearsay
alone leave the room with it (``DeviceRegistry.given_back``), so it holds at most ``MAX_IN_ROOM`` of them at a time
(their cards and pollers stayed: 128 more each hour, R9). An address heard answering for ``AGE_S`` or more after it
was taken in is a real device, the room's own projector or a neighbour's, and keeps its place when silent: the ageing
recycles an attack's addresses that answer once and go, not real projectors (R10: the room's own, switched by scenes
alone and off for an hour, was evicted in a building past the room's places).

A device the lecturer said is not this room's (its address or MAC in ``later``) is admitted after the others in a
look (``deferred``, asked once the look's candidates are in): with the places nearly full, a refused neighbour that
answered first took the last one and the room's own new projector, answering the same look, was left out (R11 F14).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

from devices.discovery._registry import DeviceRegistry, Hints
from devices.sim.loopback import LOOPBACK_ROOM

HEARSAY = frozenset({"dnssd", "wsdiscovery", "search"})
MAX_PER_ADDRESS = 4  # endpoints one address may have in the room by hearsay
MAX_NEW_PER_LOOK = 64  # addresses new to the room a look may ask, by hearsay (one that proves silent is given back)
# addresses the room may take in by hearsay over its life: a bound a look at a time let one attacker with many
# addresses add 64 cards a look, each look (R8: 65, 129, 193, 255 after four looks)
MAX_IN_ROOM = 128
AGE_S = 3600.0  # an address taken in by hearsay and silent this long gives its place in the room back

Endpoint = tuple[str, int]


class HearsayBudget:
    """One look's admission of endpoints heard of; counts the distinct endpoints it refused."""

    def __init__(self, registry: DeviceRegistry, per_address: int = MAX_PER_ADDRESS,
                 per_look: int = MAX_NEW_PER_LOOK, in_room: int = MAX_IN_ROOM, age_s: float = AGE_S,
                 listed: frozenset[str] = frozenset(), later: Collection[str] = frozenset()) -> None:
        self.registry, self.per_address, self.per_look, self.in_room = registry, per_address, per_look, in_room
        self.listed = listed  # addresses the lecturer named: not strangers
        self.age_s = age_s
        self.aged = False  # the room's silent places looked at this look (once: a flood asks thousands of times)
        self.ports: dict[str, set[int]] = {}  # address -> ports taken up this look
        self.claims: set[tuple[str, str]] = set()  # (address, known MAC) let in by that claim, once each
        self.strangers: dict[str, set[int]] = {}  # new addresses this look -> their ports not yet proved silent
        self.refused: set[Endpoint] = set()
        self.later = later  # addresses and MACs of devices the lecturer refused: a stranger's place after the others
        self.deferred: dict[Endpoint, Hints] = {}  # refused devices heard this look, waiting for ``admit_later``
        self.last_call = False  # the look's candidates are in: the deferred take what places are left

    def admits(self, address: str, port: int, hints: Hints) -> bool:
        welcome = self._welcome(address, port, hints)
        if welcome is None:
            held = self.deferred.get((address, port))
            if held is None:
                self.deferred[(address, port)] = hints
            else:
                held.merge(hints)
            return False
        if not welcome:
            self.refused.add((address, port))
            return False
        self.refused.discard((address, port))
        self.ports.setdefault(address, set()).add(port)
        return True

    def admit_later(self) -> list[tuple[Endpoint, Hints]]:
        """The refused devices deferred this look, each admitted now if a place is left (the last call)."""
        self.last_call = True
        deferred, self.deferred = self.deferred, {}
        return [(endpoint, hints) for endpoint, hints in deferred.items() if self.admits(*endpoint, hints)]

    def _welcome(self, address: str, port: int, hints: Hints) -> bool | None:
        """Whether the endpoint is admitted; None: not yet, a refused device waits for the others (``later``)."""
        given_back = self.registry.hearsay_given_back
        if hints.found_by - HEARSAY or (self.registry.knows_endpoint(address, port) and address not in given_back):
            return True
        mac = (hints.mac or "").lower()
        if mac and self.registry.knows_mac(mac) and (address, mac) not in self.claims:
            self.claims.add((address, mac))  # a known device moved here; a claim repeated on many ports is not
            return True
        held = self.registry.ports_at(address)
        ports = held | self.ports.get(address, set())
        if port not in ports and len(ports) >= self.per_address and not _simulated(address):
            return False
        if address in self.listed:
            return True
        if (not held or address in given_back) and address not in self.strangers:
            if not self.last_call and (address in self.later or (mac and mac in self.later)):
                return None
            taken = self.registry.hearsay_addresses
            if len(self.strangers) >= self.per_look:
                return False
            if address not in taken and len(taken) >= self.in_room and not self._give_back_silent():
                return False
            self.strangers[address] = set()
            taken[address] = self.registry.hearsay_since[address] = self.registry.clock()
            given_back.discard(address)
        if address in self.strangers:
            self.strangers[address].add(port)
        return True

    def silent(self, endpoint: Endpoint) -> None:
        """A new address none of whose endpoints answered gives its place back: a flood of names pointing
        nowhere, running before the look, must not spend the look on itself (silent strangers have their own
        bound in the registry)."""
        address, port = endpoint
        waiting = self.strangers.get(address)
        if waiting is not None and port in waiting:
            waiting.discard(port)
            if not waiting:
                del self.strangers[address]
                self.registry.hearsay_addresses.pop(address, None)
                self.registry.hearsay_since.pop(address, None)

    def _give_back_silent(self) -> bool:
        """The room's places of addresses silent for ``age_s`` (no look heard them, no driver of theirs answers)
        given back, once a look; whether one is free now."""
        if not self.aged:
            self.aged = True
            registry = self.registry
            now = registry.clock()
            for address, heard in list(registry.hearsay_addresses.items()):
                if now - heard < self.age_s or address in self.strangers:
                    continue
                if registry.answering(address):
                    registry.hearsay_addresses[address] = now  # still there: heard now
                    continue
                if heard - registry.hearsay_since.get(address, heard) >= self.age_s:
                    continue  # a real device, heard answering for over an hour (the room's own projector through a
                    # lecture, or a neighbour's), keeps its place: the places recycle an attack's addresses that
                    # answer a look and go, and do not churn real projectors (R9, R10)
                del registry.hearsay_addresses[address]
                registry.hearsay_since.pop(address, None)
                registry.hearsay_given_back.add(address)
                held = registry.uids_at(address)
                strangers = [uid for uid in held if _by_hearsay(registry, uid)]
                if len(strangers) < len(held):  # found there by the lecturer's sweep too: not a stranger's address
                    registry.hearsay_given_back.discard(address)
                registry.given_back(address, strangers)  # its strangers leave the room with the place
        return len(self.registry.hearsay_addresses) < self.in_room


def _by_hearsay(registry: DeviceRegistry, uid: str) -> bool:
    info = registry.get(uid)
    return info is not None and not info.found_by - HEARSAY


def _simulated(address: str) -> bool:
    try:
        return ipaddress.ip_address(address) in LOOPBACK_ROOM
    except ValueError:
        return False
