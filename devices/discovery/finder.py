"""Runs every discovery mechanism at once and turns their hits into identified, de-duplicated devices."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import time
from collections.abc import AsyncGenerator, AsyncIterator, Collection, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from zeroconf import InterfaceChoice
from zeroconf.asyncio import AsyncZeroconf

from devices import onvif
from devices import registry as families
from devices.discovery import camera_sweep, dnssd, pjlink_search, sweep
from devices.discovery._hearsay import AGE_S, HEARSAY, MAX_IN_ROOM, MAX_NEW_PER_LOOK, MAX_PER_ADDRESS, HearsayBudget
from devices.discovery._registry import DEFAULT_PROTOCOL, DeviceRegistry, Hints, copy, id_keys
from devices.driver import Identity, Reason
from devices.model import Availability, DeviceInfo
from devices.text import device_text

log = logging.getLogger(__name__)

PJLINK_PORT = 4352
MECHANISMS = frozenset({"search", "dnssd", "sweep", "wsdiscovery"})
DEFAULT_ROLES = {"onvif": "camera", "visca-ip": "camera", "camera-stream": "camera", "classroom-tablet": "tablet"}
Endpoint = tuple[str, int]
MIN_IDENTIFY, MAX_IDENTIFY = 16, 256
# What anyone on the LAN can send: an advert or a search reply naming an address that then does not answer. A
# flood of them (10,000 DNS-SD adverts a second, each a new name) made ~450 silent devices a look, each a card and
# a poller, more every look; past this many silent strangers in the room a new one is dropped (and counted).
# Strangers that answer are bounded by address and by look before they are asked (_hearsay.py).
MAX_SILENT_STRANGERS = 64


@dataclass(slots=True)
class HeldBack:
    """What the flood bounds held back over a finder's looks, the sums of the numbers each look logs: names past
    ``dnssd.MAX_SERVICES``, silent strangers past MAX_SILENT_STRANGERS, endpoints the hearsay budget refused. How
    many a flood's look gets to depends on the machine's speed: this says whether a bound was reached at all."""

    names: int = 0
    silent: int = 0
    hearsay: int = 0


@dataclass(slots=True)
class FinderConfig:
    """Where to look and how hard; the defaults suit a real classroom LAN."""

    search_targets: Sequence[Endpoint] | None = None  # None: directed broadcasts; (): search off
    sweep: Sequence[str | Endpoint] = ()  # "10.0.0.5", "10.0.0.5:4400", "10.0.0.0/24" (max /22)
    dnssd_types: Sequence[str] = field(default_factory=families.dnssd_types)  # every family's; (): DNS-SD off
    dnssd_interfaces: InterfaceChoice | list[str] = InterfaceChoice.Default
    zeroconf: AsyncZeroconf | None = None  # share the app's instance instead of opening one
    passwords: Mapping[str, str] = field(default_factory=dict)  # address or uid -> PJLink password
    default_password: str | None = None  # discover --password: offered only to a device that asks (PASSWORD_NEEDED)
    tcp_ports: Mapping[str, int] = field(default_factory=dict)  # address -> TCP port where only the IP is given
    udp_ports: Mapping[str, int] = field(default_factory=dict)  # address -> UDP port for the MAC query
    wsd_interfaces: Sequence[str] = ()  # local addresses to send WS-Discovery Probes from; (): off
    wsd_targets: Sequence[str] = ()  # addresses also probed by unicast (multicast does not cross VLANs)
    wsd_port: int = 3702
    sweep_cameras: bool = True  # the sweep also asks each listed host for ONVIF and VISCA
    camera_onvif_ports: Sequence[int] = camera_sweep.ONVIF_PORTS
    camera_visca_port: int = 52381
    listen_fraction: float = 0.6  # of the run spent listening; the rest is left to identification
    step_timeout: float = 2.0
    sweep_concurrency: int = 32
    sweep_rate: float = 200.0
    identify_concurrency: int | None = None  # None: scaled to the look (16..256, within the fd limit)
    hearsay_per_address: int = MAX_PER_ADDRESS  # endpoints an address may have by adverts and search replies
    hearsay_per_look: int = MAX_NEW_PER_LOOK  # addresses new to the room a look may ask by adverts and search
    hearsay_in_room: int = MAX_IN_ROOM  # and the room at a time
    hearsay_age_s: float = AGE_S  # a silent one's place comes back after this long


def identify_concurrency(finder: DeviceFinder) -> int:
    """How many devices to identify at once: enough for a campus sweep, never near the process's fd limit.

    Sixteen at a time made 1,000 devices queue for seconds behind each other's round trips; each identification
    holds one socket (two briefly, asking for the MAC), so a quarter of the soft fd limit is the ceiling.
    """
    targets = len(finder.sweep_targets) + len(finder.config.search_targets or ())
    wanted = max(MIN_IDENTIFY, min(MAX_IDENTIFY, targets or MAX_IDENTIFY // 2))
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return MIN_IDENTIFY
    return max(1, min(wanted, soft // 4)) if soft > 0 else wanted


class DeviceFinder:
    """Search + DNS-SD + sweep -> PJLink identification -> one DeviceInfo per physical device."""

    def __init__(self, config: FinderConfig | None = None) -> None:
        self.config = config or FinderConfig()
        self.registry = DeviceRegistry()
        # A bad or oversized range fails here, loudly, before any traffic.
        self.sweep_targets = sweep.expand_targets(self.config.sweep, ports=self.config.tcp_ports)
        named = [host for host, _port in [*self.sweep_targets, *(self.config.search_targets or ())]]
        self.listed = frozenset([*named, *self.config.wsd_targets])  # the lecturer's addresses, not hearsay
        # Addresses and MACs of devices the lecturer said are not this room's (kept by the room's devices): by
        # hearsay they take a stranger's place after the others in a look (``_hearsay``, R11 F14)
        self.later: set[str] = set()
        self.held_back = HeldBack()

    @property
    def devices(self) -> dict[str, DeviceInfo]:
        """Every device found so far, by uid (copies)."""
        return self.registry.snapshot()

    async def discover(self, timeout: float = 5.0) -> list[DeviceInfo]:  # noqa: ASYNC109 - a look window
        """Look for `timeout` seconds (less if every mechanism finishes) and return what was found."""
        found: dict[str, DeviceInfo] = {}
        async with contextlib.aclosing(self.watch(timeout)) as updates:
            async for info in updates:
                found[info.uid] = info
        return sorted(found.values(), key=lambda info: info.uid)

    async def watch(
        self, duration: float, mechanisms: Collection[str] = MECHANISMS
    ) -> AsyncGenerator[DeviceInfo, None]:
        """Yield each device when identified and again whenever it changes, for `duration` s.

        DNS-SD listens for the whole window, so an advert that arrives late is still added; a device whose
        identification is under way when the window closes gets a short grace to finish rather than being
        dropped. ``mechanisms`` picks a subset (the room keeps DNS-SD alone running between full looks).
        """
        run = _Run(self, duration, frozenset(mechanisms))
        try:
            async for info in run:
                yield info
        finally:
            await run.close()


@dataclass(slots=True)
class _Candidate:
    address: str
    port: int
    hints: Hints


@dataclass(frozen=True, slots=True)
class _Identified:
    endpoint: Endpoint
    ident: Identity
    rival: Endpoint | None  # the claimed id's own address, still answering with it


REACHABLE = (Availability.ONLINE, Availability.AUTH_FAILED, Availability.FAULT)


def _said_serial(info: DeviceInfo) -> Identity:
    """The serial a recorded device gave, as an identity (for the uid it would make)."""
    state = info.state
    return Identity(Availability.UNKNOWN, manufacturer=str(state.get("manufacturer", "")),
                    serial=str(state.get("serial", "")))


class _Run:
    """One discovery window: producers feed candidates, identifications feed results, one loop merges."""

    def __init__(self, finder: DeviceFinder, duration: float, mechanisms: frozenset[str] = MECHANISMS) -> None:
        self.finder, self.cfg, self.registry = finder, finder.config, finder.registry
        self.mechanisms = mechanisms
        self.deadline = time.monotonic() + duration
        self.duration = duration
        self.listen = max(0.2, duration * self.cfg.listen_fraction)
        # An identification started just before the window closes may finish this long after it.
        self.grace = 2 * self.cfg.step_timeout + 0.5
        self.closing = False
        self.events: asyncio.Queue[_Candidate | _Identified | None] = asyncio.Queue()
        self.pending: dict[Endpoint, Hints] = {}
        self.done: dict[Endpoint, str] = {}  # endpoint -> uid, this run
        self.live: set[Endpoint] = set()  # endpoints that answered this run (a rival's is not asked twice)
        self.claimants: set[str] = set()  # uids heard this run claiming an id another live address holds
        self.dropped = 0  # silent strangers not recorded this run (MAX_SILENT_STRANGERS)
        self.hearsay = HearsayBudget(self.registry, self.cfg.hearsay_per_address, self.cfg.hearsay_per_look,
                                     self.cfg.hearsay_in_room, self.cfg.hearsay_age_s, finder.listed,
                                     frozenset(finder.later))
        self.tasks: set[asyncio.Task[None]] = set()
        self.producers = 0
        self.limit = asyncio.Semaphore(self.cfg.identify_concurrency or identify_concurrency(finder))

    async def __aiter__(self) -> AsyncIterator[DeviceInfo]:
        producers = {
            "search": self._search, "dnssd": self._dnssd, "sweep": self._sweep, "wsdiscovery": self._wsdiscovery,
        }
        for name, producer in producers.items():
            if name in self.mechanisms:
                self.producers += 1
                self._start(self._drain(producer()))
        while self.producers or self.pending or not self.events.empty() or self.hearsay.deferred:
            now = time.monotonic()
            if self.hearsay.deferred and (not self.producers or now >= self.deadline):
                self._admit_deferred()  # the look's candidates are in: refused devices take what places are left
            left = self.deadline - now
            if left <= 0:
                self.closing = True  # no new candidates; identifications under way may still land
                left = self.deadline + self.grace - now
                if not self.pending or left <= 0:
                    break
            if not self.events.empty():  # a campus look queues thousands: no timer for one already there
                event = self.events.get_nowait()
            else:
                try:
                    async with asyncio.timeout(left):  # not wait_for: see devices/tasks.py
                        event = await self.events.get()
                except TimeoutError:
                    continue  # the window (or its grace) is over: the loop's head decides
            if event is None:
                continue
            infos = self._on_candidate(event) if isinstance(event, _Candidate) else self._on_identity(event)
            for info in infos:
                yield copy(info)
        if not self.pending and self.mechanisms & {"search", "sweep"}:  # a whole look heard out: who stopped
            for info in self.registry.settle(self.claimants):
                yield copy(info)
        self.finder.held_back.silent += self.dropped
        self.finder.held_back.hearsay += len(self.hearsay.refused)
        if self.dropped:
            log.warning("dropped %d devices that were advertised or answered a search but did not answer when "
                        "asked: the room already holds %d such (a flood of adverts?)", self.dropped,
                        MAX_SILENT_STRANGERS)
        if self.hearsay.refused:
            log.warning("dropped %d devices that were advertised or answered a search, not asked: at most %d new "
                        "addresses a look and %d endpoints an address (one address posing as many devices?)",
                        len(self.hearsay.refused), self.hearsay.per_look, self.hearsay.per_address)

    def _on_candidate(self, cand: _Candidate) -> list[DeviceInfo]:
        endpoint = (cand.address, cand.port)
        if self.closing:
            return []
        if endpoint in self.pending:
            self.pending[endpoint].merge(cand.hints)
        elif endpoint in self.done:
            uid = self.done[endpoint]
            info = self.registry.get(uid)
            if info is not None and self.registry.add_hints(uid, cand.hints):
                return [info]
        elif self.hearsay.admits(*endpoint, cand.hints):
            self.pending[endpoint] = cand.hints
            self._start(self._identify(endpoint))
        return []

    def _admit_deferred(self) -> None:
        for endpoint, hints in self.hearsay.admit_later():
            if endpoint not in self.pending and endpoint not in self.done:
                self.pending[endpoint] = hints
                self._start(self._identify(endpoint))

    def _on_identity(self, event: _Identified) -> list[DeviceInfo]:
        hints = self.pending.pop(event.endpoint)
        if event.ident.availability in REACHABLE:
            self.live.add(event.endpoint)
        silent = event.ident.availability is Availability.OFFLINE and hints.found_by <= HEARSAY
        if silent:
            self.hearsay.silent(event.endpoint)
        if silent and not self.registry.admits_silent(*event.endpoint, hints.mac, MAX_SILENT_STRANGERS):
            self.dropped += 1
            return []
        info = self.registry.record(*event.endpoint, event.ident, hints, rival=event.rival)
        self.done[event.endpoint] = info.uid
        held = self.registry.conflict_partner(info.uid)
        if held is None:
            return [info]
        self.claimants.add(info.uid)
        log.warning("%s:%d claims the id of %s, which still answers at %s:%d: both flagged",
                    *event.endpoint, held.uid, held.address, held.port)
        return [info, held]

    async def _identify(self, endpoint: Endpoint) -> None:
        host, port = endpoint
        ident = Identity(Availability.OFFLINE, Reason.NO_ANSWER, error="identification failed")
        rival: Endpoint | None = None
        try:
            async with self.limit:
                hints = self.pending[endpoint]
                # A MAC from a search reply or an advert is only a claim: its device's password is not sent
                # here while the device still answers where it was.
                rival = await self._rival(endpoint, hints.mac, None)
                password = self._password(host, port, hints, trust_claim=rival is None)
                family = families.family_for(hints.protocol)
                ident = await family.identify(host, port, password, self.cfg.step_timeout, dict(hints.txt))
                if ident.reason == Reason.PASSWORD_NEEDED and rival is None and self.cfg.default_password:
                    # Asked first without it: an ONVIF camera was sent a digest of it whether it asked or not.
                    hints.needs_password = True  # it asked: the state says so, and `discover` whom it went to
                    ident = await family.identify(host, port, self.cfg.default_password, self.cfg.step_timeout,
                                                  dict(hints.txt))
                asks_mac = hints.protocol == DEFAULT_PROTOCOL and hints.mac is None  # PJLink search gives MACs
                if asks_mac and ident.availability is not Availability.OFFLINE and (
                    ident.protocol_class in ("2", "") or ident.availability is Availability.AUTH_FAILED
                ):
                    udp_port = self.cfg.udp_ports.get(host, PJLINK_PORT)
                    hints.mac = await pjlink_search.search_one(host, udp_port, window=0.5)
                if rival is None and ident.availability in REACHABLE:
                    rival = await self._rival(endpoint, hints.mac, ident)
        except Exception:
            log.exception("identifying %s:%d failed", host, port)
        finally:
            self.events.put_nowait(_Identified(endpoint, ident, rival))

    async def _rival(self, endpoint: Endpoint, mac: str | None, ident: Identity | None) -> Endpoint | None:
        """Where the id this endpoint claims was last, if that address still answers with it (else None: the
        device moved, DHCP, and its id follows it)."""
        held = self.registry.claimed(*endpoint, mac, ident)
        if held is None:
            return None
        old = (held.address, held.port)
        if old in self.live and self.done.get(old) == held.uid:
            return old
        protocol = held.protocol or DEFAULT_PROTOCOL
        try:
            if protocol == DEFAULT_PROTOCOL:  # a class 2 projector gives its MAC to one datagram: ask that first
                said = await pjlink_search.search_one(old[0], self.cfg.udp_ports.get(old[0], PJLINK_PORT), 0.5)
                if said is not None:
                    return old if id_keys(said, None, *old)[0] == held.uid else None
            family = families.family_for(protocol)
            there = await family.identify(*old, None, self.cfg.step_timeout, dict(held.state.get("txt", {})))
            if there.availability not in REACHABLE:
                return None
            said = there.mac.lower() or None
        except Exception:
            log.exception("asking %s:%d whether it still holds %s failed", *old, held.uid)
            return None
        ids = id_keys(said, there, *old)[:-1]
        if ids:  # it says who it is: the device itself (its MAC, or the serial it was known by too), or another
            known_as = {held.uid, *id_keys(None, _said_serial(held), "", 0)[:-1]}
            return old if known_as & set(ids) else None
        # It answers but gives no id. A class 1 projector where a class 2 one was is another device (DHCP gave it
        # the address); anything else (a camera that hides its MAC, a locked projector) is taken for still there.
        replaced = protocol == DEFAULT_PROTOCOL and there.protocol_class == "1" and held.protocol_class == "2"
        return None if replaced else old

    def _password(self, host: str, port: int, hints: Hints, trust_claim: bool = True) -> str | None:
        """The password typed for this address or its device (the one for every device, ``discover --password``,
        goes only to a device that asks for one, never to an address disputing another's id: ``_identify``)."""
        mac = hints.mac if trust_claim else None
        for key in (host, *self.registry.known_uids(host, port, mac)):
            if key in self.cfg.passwords:
                return self.cfg.passwords[key]
        return None

    def _start(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _drain(self, producer: AsyncGenerator[_Candidate, None]) -> None:
        try:
            async with contextlib.aclosing(producer) as candidates:
                async for cand in candidates:
                    self.events.put_nowait(cand)
        except Exception:  # one broken mechanism must not end the others
            log.exception("discovery mechanism failed")
        finally:
            self.producers -= 1
            self.events.put_nowait(None)  # wake the merge loop so it sees the count drop

    async def _search(self) -> AsyncGenerator[_Candidate, None]:
        targets = self.cfg.search_targets
        real = targets is None
        if real:
            targets = pjlink_search.directed_broadcasts()
        if not targets:
            return
        replies = pjlink_search.search(
            targets, self.listen, broadcast=real, reply_port=PJLINK_PORT if real else None
        )
        async with contextlib.aclosing(replies) as found:
            async for reply in found:
                port = self.cfg.tcp_ports.get(reply.address, PJLINK_PORT)
                yield _Candidate(reply.address, port, Hints({"search"}, mac=reply.mac))

    async def _dnssd(self) -> AsyncGenerator[_Candidate, None]:
        if not self.cfg.dnssd_types:
            return
        held = self.registry.addresses()  # the room's devices before this look: their names first under a flood
        services = dnssd.browse(  # the whole window: adverts may come late (a slow or busy host)
            self.cfg.dnssd_types, self.duration,
            zeroconf=self.cfg.zeroconf, interfaces=self.cfg.dnssd_interfaces,
            known=lambda address, mac: address in held if address else self.registry.knows_mac(mac),
            on_ignored=self._names_ignored,
        )
        async with contextlib.aclosing(services) as found:
            async for svc in found:
                txt = dict(svc.txt)
                protocol = families.protocol_of_service(svc.service_type) or DEFAULT_PROTOCOL
                family = families.family_for(protocol)
                if not family.accepts(svc.service_type, txt):
                    continue  # a web server that is not a camera, say
                role = txt.get("role") or (DEFAULT_ROLES.get(protocol))
                hints = Hints({"dnssd"}, mac=txt.get("mac"), role=role, label=device_text(svc.name), txt=txt,
                              protocol=protocol)
                yield _Candidate(svc.address, svc.port, hints)

    def _names_ignored(self, count: int) -> None:
        self.finder.held_back.names += count

    async def _wsdiscovery(self) -> AsyncGenerator[_Candidate, None]:
        """ONVIF cameras answer a WS-Discovery Probe with their device service URL (XAddr)."""
        if not self.cfg.wsd_interfaces and not self.cfg.wsd_targets:
            return
        matches = onvif.probe(
            self.duration, interfaces=self.cfg.wsd_interfaces or ("",), targets=self.cfg.wsd_targets,
            multicast=bool(self.cfg.wsd_interfaces), port=self.cfg.wsd_port,
        )
        async with contextlib.aclosing(matches) as found:
            async for match in found:
                for url in match.xaddrs:
                    endpoint = urlsplit(url)
                    if not endpoint.hostname:
                        continue
                    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
                    txt = {"xaddr": url, "endpoint": match.endpoint}
                    hints = Hints({"wsdiscovery"}, role="camera", label=match.name, txt=txt, protocol="onvif")
                    yield _Candidate(endpoint.hostname, port, hints)
                    break  # one service URL is enough: the others are the same device

    async def _sweep(self) -> AsyncGenerator[_Candidate, None]:
        if not self.finder.sweep_targets:
            return
        hits = sweep.scan(
            self.finder.sweep_targets, concurrency=self.cfg.sweep_concurrency, rate=self.cfg.sweep_rate,
            connect_timeout=self.cfg.step_timeout,
        )
        async with contextlib.aclosing(hits) as found:
            async for hit in found:
                yield _Candidate(hit.address, hit.port, Hints({"sweep"}, needs_password=hit.needs_password))
        if not self.cfg.sweep_cameras:
            return
        hosts = [host for host, _port in self.finder.sweep_targets]
        cameras = camera_sweep.scan_cameras(
            hosts, onvif_ports=self.cfg.camera_onvif_ports, visca_port=self.cfg.camera_visca_port,
            step_s=self.cfg.step_timeout,
        )
        async with contextlib.aclosing(cameras) as found_cameras:
            async for camera in found_cameras:
                txt = {"xaddr": camera.url} if camera.url else {}
                if camera.visca_port is not None:
                    txt["visca_port"] = str(camera.visca_port)
                yield _Candidate(camera.address, camera.port,
                                 Hints({"sweep"}, role="camera", txt=txt, protocol=camera.protocol))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
