"""One record per physical device however it was found, keyed by MAC/serial so DHCP moves are updates."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.discovery._classify import classify, device_uid
from devices.driver import ID_CONFLICT, Identity, Reason
from devices.model import Availability, DeviceInfo

DEFAULT_PROTOCOL = "pjlink"  # what PJLink search, the TCP 4352 sweep and unknown DNS-SD types find


@dataclass(slots=True)
class Hints:
    """What the mechanisms said about one endpoint before (or besides) asking the device itself."""

    found_by: set[str] = field(default_factory=set)
    mac: str | None = None
    role: str | None = None
    label: str = ""
    txt: dict[str, str] = field(default_factory=dict)
    needs_password: bool | None = None
    protocol: str = DEFAULT_PROTOCOL

    def merge(self, other: Hints) -> bool:
        """Fold `other` in; True when something new was learnt."""
        before = (len(self.found_by), self.mac, self.role, self.label, len(self.txt))
        self.found_by |= other.found_by
        self.mac = self.mac or other.mac
        self.role = self.role or other.role
        self.label = self.label or other.label
        for key, value in other.txt.items():
            self.txt.setdefault(key, value)
        if other.needs_password is not None:
            self.needs_password = other.needs_password
        return before != (len(self.found_by), self.mac, self.role, self.label, len(self.txt))


class DeviceRegistry:
    """uid -> DeviceInfo, with MAC/serial/address aliases so a known device keeps its uid."""

    def __init__(self) -> None:
        self._devices: dict[str, DeviceInfo] = {}
        self._aliases: dict[str, str] = {}
        self._conflicts: dict[str, str] = {}  # claimant uid -> uid of the device whose id it claims
        self._silent: set[str] = set()  # strangers recorded while they did not answer (adverts, search replies)
        # Addresses taken in by hearsay alone (_hearsay.MAX_IN_ROOM) -> when last taken in or heard answering; one
        # silent for long enough is given back, and counted again if heard of again.
        self.hearsay_addresses: dict[str, float] = {}
        self.hearsay_since: dict[str, float] = {}  # when each was taken in: heard over a place's age, it keeps it
        self.hearsay_given_back: set[str] = set()
        self.clock: Callable[[], float] = time.monotonic
        # Whether a device at an address answers now: the room's drivers know best (RoomDevices sets it); alone,
        # what the look last heard.
        self.answering: Callable[[str], bool] = self._answered
        # An address's place given back, with the uids recorded there by hearsay alone: RoomDevices retires those
        # that are not the room's (a place given back while its stranger's card and poller stayed bounded only the
        # rate: 128 more each hour, R9). Alone, a look's records are kept.
        self.given_back: Callable[[str, list[str]], None] = lambda _address, _uids: None

    def get(self, uid: str) -> DeviceInfo | None:
        return self._devices.get(uid)

    def claimed(self, address: str, port: int, mac: str | None, ident: Identity | None = None) -> DeviceInfo | None:
        """The device recorded at another address under the id (MAC, serial) this endpoint gives, if any (another
        port of the same address is another face of one device: a camera's VISCA port beside its ONVIF)."""
        keys = id_keys(mac, ident, address, port)[:-1]
        uid = next((self._aliases[k] for k in keys if k in self._aliases), None)
        info = self._devices.get(uid) if uid is not None else None
        if info is None or info.address in ("", address):
            return None
        return info

    def remember(self, info: DeviceInfo) -> None:
        """A device the room knew before this look (the store's row): a newcomer claiming its id is checked
        against the address it was last at, instead of taking it for being asked first."""
        if info.uid in self._devices or not info.address:
            return
        self._devices[info.uid] = copy(info)
        self._aliases[info.uid] = info.uid
        self._aliases[device_uid(None, "", "", info.address, info.port)] = info.uid

    def admits_silent(self, address: str, port: int, mac: str | None, most: int) -> bool:
        """Whether a device heard of but not answering may be recorded: one already known may, a stranger only
        while fewer than ``most`` silent strangers are."""
        known = any(key in self._aliases for key in id_keys(mac, None, address, port))
        return known or len(self._silent) < most

    def _answered(self, address: str) -> bool:
        reachable = (Availability.ONLINE, Availability.AUTH_FAILED, Availability.FAULT)
        return any(info.address == address and info.availability in reachable for info in self._devices.values())

    def uids_at(self, address: str) -> list[str]:
        return [uid for uid, info in self._devices.items() if info.address == address]

    def forget(self, uid: str) -> None:
        """A stranger that left the room: its record, the ids it stood for and any claim by or against it go, so
        heard of again it is new (and counted again)."""
        self._devices.pop(uid, None)
        for key in [key for key, owner in self._aliases.items() if owner == uid]:
            del self._aliases[key]
        self._silent.discard(uid)
        self.settle({c for c in self._conflicts if c != uid and self._conflicts[c] != uid})

    def knows_endpoint(self, address: str, port: int) -> bool:
        return device_uid(None, "", "", address, port) in self._aliases

    def knows_mac(self, mac: str) -> bool:
        return device_uid(mac, "", "", "", 0) in self._aliases

    def addresses(self) -> set[str]:
        return {info.address for info in self._devices.values()}

    def ports_at(self, address: str) -> set[int]:
        """The ports of the devices recorded at ``address`` (a device's second face shares its record)."""
        return {info.port for info in self._devices.values() if info.address == address}

    def snapshot(self) -> dict[str, DeviceInfo]:
        return {uid: copy(info) for uid, info in self._devices.items()}

    def known_uids(self, address: str, port: int, mac: str | None) -> list[str]:
        """uids this endpoint or MAC already stands for, so per-device settings follow the device."""
        keys = [f"mac:{mac}"] if mac else []
        keys.append(device_uid(None, "", "", address, port))
        return [*keys, *(self._aliases[k] for k in keys if k in self._aliases)]

    def record(
        self, address: str, port: int, ident: Identity, hints: Hints, rival: tuple[str, int] | None = None
    ) -> DeviceInfo:
        """Create or update the device this endpoint belongs to and return it (the live record).

        ``rival`` is the endpoint the claimed id was last at, found still answering with it: the id stays
        there, this endpoint is recorded by its address, and both are flagged (``state["id_conflict"]``),
        so a laptop copying a projector's MAC cannot take its card and its commands.
        """
        keys = id_keys(hints.mac, ident, address, port)
        uid = next((self._aliases[k] for k in keys[:-1] if k in self._aliases), keys[0])
        held = self._devices.get(uid)
        if rival is not None and held is not None and (held.address, held.port) == rival:
            return self._record_claimant(address, port, ident, hints, held)
        new = uid not in self._devices or uid in self._silent  # a stranger, or one that never answered yet
        info = self._devices.get(uid)
        if info is None:
            info = DeviceInfo(uid, classify(hints.role), "", address, port, hints.protocol)
            self._devices[uid] = info
        self._forget_endpoint_of_others(uid, keys[-1])
        for key in keys:
            self._aliases[key] = uid
        if (info.address, info.port) not in ((address, port), ("", 0)):
            # It moved: its old address no longer answers with its id, so whoever claimed it is no rival now.
            self.settle({c for c, held in self._conflicts.items() if held != uid})
        self._apply(info, address, port, ident, hints)
        if "id_conflict" in info.state:
            _flag(info)
        if ident.availability is not Availability.OFFLINE:
            self._silent.discard(uid)
            if address in self.hearsay_addresses:
                self.hearsay_addresses[address] = self.clock()  # heard: its place is kept
        elif new:
            self._silent.add(uid)
        return info

    def _record_claimant(
        self, address: str, port: int, ident: Identity, hints: Hints, held: DeviceInfo
    ) -> DeviceInfo:
        """A second live address claiming ``held``'s id: its own record by address, no alias to the id."""
        uid = device_uid(None, "", "", address, port)
        info = self._devices.get(uid)
        if info is None:
            info = DeviceInfo(uid, classify(hints.role), "", address, port, hints.protocol)
            self._devices[uid] = info
        self._aliases[uid] = uid
        self._apply(info, address, port, ident, dataclasses.replace(hints, mac=None))
        info.state.pop("mac", None)  # the MAC it claims is the other's; kept as what it claims
        info.state["claims"] = held.uid
        self._conflicts[uid] = held.uid
        for one, other in ((info, held), (held, info)):
            one.state["id_conflict"] = endpoint_text(other.address, other.port)
            _flag(one)
        return info

    def settle(self, claimants: set[str]) -> list[DeviceInfo]:
        """Conflicts whose claimant is not among ``claimants`` (not heard claiming in a whole look) are over:
        the flags come off both; returns the devices that changed."""
        over = {c: held for c, held in self._conflicts.items() if c not in claimants}
        for claimant in over:
            del self._conflicts[claimant]
        changed = []
        for uid in {*over, *over.values()}:
            info = self._devices.get(uid)
            if info is None or uid in self._conflicts.values():
                continue  # another claimant still stands against it
            info.state.pop("id_conflict", None)
            info.state.pop("claims", None)
            if info.reason == ID_CONFLICT:  # what it was before the flag, as near as is known
                online = info.availability is Availability.FAULT
                info.availability = Availability.ONLINE if online else Availability.UNKNOWN
                info.reason = str(Reason.NONE if online else Reason.NOT_CHECKED)
            changed.append(info)
        return changed

    def conflict_partner(self, uid: str) -> DeviceInfo | None:
        """The device a claimant claims to be (None when ``uid`` is not one)."""
        held = self._conflicts.get(uid)
        return self._devices.get(held) if held is not None else None

    def add_hints(self, uid: str, hints: Hints) -> bool:
        """Merge a later mechanism's hints into an identified device; True if it changed."""
        info = self._devices[uid]
        before = (set(info.found_by), info.state.get("mac"), info.kind, info.name, dict(info.state.get("txt", {})))
        info.found_by |= hints.found_by
        mac_key = f"mac:{hints.mac}"
        if hints.mac and not info.state.get("mac") and self._aliases.get(mac_key, uid) == uid:
            info.state["mac"] = hints.mac  # not a MAC another device already stands for: an advert is anyone's
            self._aliases[mac_key] = uid
        if hints.role:
            info.kind = classify(hints.role)
        if hints.txt:
            info.state.setdefault("txt", {}).update(hints.txt)
        if hints.label and info.name in ("", info.address):  # the address was only a stand-in for a name
            info.name = hints.label
        return before != (info.found_by, info.state.get("mac"), info.kind, info.name, info.state.get("txt", {}))

    def _forget_endpoint_of_others(self, uid: str, addr_key: str) -> None:
        owner = self._aliases.get(addr_key)
        if owner is not None and owner != uid:
            del self._aliases[addr_key]

    @staticmethod
    def _apply(info: DeviceInfo, address: str, port: int, ident: Identity, hints: Hints) -> None:
        previous = (info.address, info.port)
        if hints.protocol != info.protocol and address == info.address:
            # A second face of the same device (a camera's VISCA port beside its ONVIF service): what it says
            # joins the state; the device stays at the endpoint and protocol it was first found by.
            info.found_by |= hints.found_by
            info.state.update(ident.extra)
            if hints.needs_password:  # the camera's ONVIF asked for the password its VISCA port did not
                info.state["needs_password"] = True
            return
        info.address, info.port, info.protocol = address, port, hints.protocol
        info.found_by |= hints.found_by
        reachable = ident.availability in (Availability.ONLINE, Availability.AUTH_FAILED, Availability.FAULT)
        if reachable or info.availability is Availability.UNKNOWN:
            info.availability = ident.availability
            info.reason = str(ident.reason)
        info.protocol_class = ident.protocol_class or info.protocol_class
        info.name = ident.name or hints.label or info.name or address
        info.kind = classify(hints.role, ident.product, ident.info) if (
            hints.role or ident.product or ident.info) else info.kind
        state = info.state
        for key in ("manufacturer", "product", "info", "serial"):
            if getattr(ident, key):
                state[key] = getattr(ident, key)
        state.update(ident.extra)
        if hints.mac or ident.mac:
            state["mac"] = hints.mac or ident.mac.lower()
        if hints.txt:
            state.setdefault("txt", {}).update(hints.txt)
        if ident.availability is Availability.AUTH_FAILED or hints.needs_password is not None:
            state["needs_password"] = ident.availability is Availability.AUTH_FAILED or bool(
                hints.needs_password)
        if ident.error:
            state["error"] = ident.error
        else:
            state.pop("error", None)
        if previous != (address, port) and previous != ("", 0):
            state["previous_address"] = f"{previous[0]}:{previous[1]}"


def id_keys(mac: str | None, ident: Identity | None, address: str, port: int) -> list[str]:
    """The uids an endpoint may stand for, strongest first: its MAC, its serial, its address (always last)."""
    mac = mac or (ident.mac.lower() if ident is not None else "") or None
    keys = [device_uid(mac, "", "", address, port)] if mac else []
    if ident is not None and ident.serial:
        keys.append(device_uid(None, ident.manufacturer, ident.serial, address, port))
    keys.append(device_uid(None, "", "", address, port))
    return keys


def _flag(info: DeviceInfo) -> None:
    """Reachable but not to be trusted blindly: the card shows the conflict, its controls still work."""
    if info.availability is Availability.ONLINE:
        info.availability = Availability.FAULT
    info.reason = ID_CONFLICT


def endpoint_text(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def copy(info: DeviceInfo) -> DeviceInfo:
    """A detached copy, so consumers can keep it while the registry moves on."""
    state = {k: dict(v) if isinstance(v, dict) else v for k, v in info.state.items()}
    return dataclasses.replace(info, state=state, found_by=set(info.found_by))
