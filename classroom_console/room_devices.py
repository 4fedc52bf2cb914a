"""Keeps the Room's devices found, polled and controllable: discovery in, commands out, all logged.

The lecturer never types an address: known devices show at once from the store, discovery confirms
them, and each one gets a poller whose state flows into the Room (and so to the screen and the log).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from classroom_console.events import ErrorCode
from classroom_console.room_choice import (
    ROOM,
    ROOM_NAMED,
    ROOM_SAID_AS,
    ROOM_SWITCHED,
    Belonging,
    chose,
    identity,
    known_by_address,
    named_addresses,
    weigh,
)
from classroom_console.store.records import Reading
from devices import registry as families
from devices.driver import (
    COMMAND_CAPABILITY,
    ID_CONFLICT,
    Command,
    CommandError,
    Driver,
    DriverOptions,
    NoticeListener,
    Reason,
)
from devices.model import Availability, DeviceInfo, DeviceKind
from devices.tasks import cancel_and_wait

if TYPE_CHECKING:
    from devices.discovery import DeviceFinder, FinderConfig

log = logging.getLogger(__name__)

READING_EVERY_S = 600.0  # lamp hours and error status for the centre, at most this often unless they change
TRANSITIONS = {"warming", "cooling"}  # a projector refuses a power command until it has settled (PJLink ERR3)
DEFERRED_TRIES = 5  # a deferred command is sent again at most this often before it counts as failed
NOTICE_READ_EVERY_S = 0.5  # a device's notices read it at most this often (the last one always read)
NEWCOMER_SEARCH_EVERY_S = 10.0  # a notice from an unknown address starts a search at most this often


class RoomSide(Protocol):
    """What RoomDevices tells the room: ``Room`` itself, or its link from the device thread (``device_thread.py``)."""

    @property
    def devices(self) -> dict[str, DeviceInfo]: ...

    def update_device(self, device: DeviceInfo) -> None: ...

    def report_error(self, source: str, message: str, code: str = ErrorCode.OTHER) -> None: ...

    def log_event(self, device_uid: str | None, kind: str, payload: dict[str, Any]) -> None: ...

    def note_reading(self, reading: Reading) -> None: ...

    def remove_device(self, uid: str) -> None: ...


class DeviceStore(Protocol):
    """What RoomDevices asks of the store (``AsyncStore``, or its link from the device thread)."""

    async def known_devices(self) -> list[dict[str, Any]]: ...

    async def choose_device(self, info: DeviceInfo, choice: bool | None) -> None: ...

    async def room_words(self, seen: int | None) -> tuple[int, dict[str, bool] | None]: ...


class DeviceCommandError(Exception):
    """A command a device refused or could not take: ``reason`` is the code the UI words, the message the log's."""

    def __init__(self, uid: str, device_name: str, command: Command, reason: Reason, detail: str) -> None:
        super().__init__(f"{device_name}: {command.label()} failed: {detail}")
        self.uid, self.device_name, self.command, self.reason, self.detail = uid, device_name, command, reason, detail


@dataclasses.dataclass(slots=True)
class _Managed:
    info: DeviceInfo
    driver: Driver
    last_reading: tuple[Any, ...] = ()
    last_reading_at: float = 0.0
    deferred: Command | None = None  # a power command the device refused mid warm-up/cool-down, sent when it settles
    deferred_tries: int = 0


class RoomDevices:
    def __init__(
        self,
        room: RoomSide,
        finder_config: FinderConfig | None,
        *,
        store: DeviceStore | None = None,
        passwords: Mapping[str, str] | None = None,
        poll_interval_s: float = 5.0,
        discovery_window_s: float = 4.0,
        rediscover_every_s: float = 60.0,
        timeout_s: float = 3.0,
        notify_addresses: list[str] | None = None,
        notify_port: int | None = None,
    ) -> None:
        self.room = room
        self.store = store
        self._finder_config = finder_config  # None: drive only the devices adopted, never look
        self._finder: DeviceFinder | None = None
        self._refused_at: dict[str, str] = {}  # a device with a word: uid -> its last address (``_tell_finder``
        # gives the finder those of the refused)
        self._later: set[str] = set()  # their addresses and MACs, the finder's ``later`` (the same set)
        self._named: frozenset[str] = frozenset()  # addresses the lecturer named one by one (``named_addresses``)
        if finder_config is not None:
            self.finder  # noqa: B018  # made now, not first on the loop (importing there would block it)
        self.passwords: dict[str, str] = dict(passwords or {})
        # Devices the room password ("*") is offered to: the room's own (remembered from before, or confirmed by
        # the lecturer). PJLink sends MD5(random + password) to whoever asks, so a laptop answering PJLink on the
        # LAN would take a digest home to guess at; a device new to the room gets "needs a password" instead.
        self._known: set[str] = set()
        self._used: set[str] = set()  # sent a command by the lecturer: the room's, never a stranger to age out
        self._remembered: set[str] = set()  # rows at the start proved the room's (``_stranger_remembered``)
        self._choices: dict[str, bool] = {}  # the lecturer's word, uid -> this room's or not (``choose``)
        self._said_as: dict[str, dict[str, str]] = {}  # addr: uids: what answered there when the word was given
        self._words_seen: int | None = None  # the store's count of others' commits when the words were last read
        self._words_task: asyncio.Task[None] | None = None  # ``_follow_words``
        self._choosing = asyncio.Lock()  # a word given here and the words read from the store, one at a time
        self.poll_interval_s = poll_interval_s
        self.discovery_window_s = discovery_window_s
        self.rediscover_every_s = rediscover_every_s
        self.timeout_s = timeout_s
        self._managed: dict[str, _Managed] = {}
        self._leaving: set[Driver] = set()  # drivers of strangers that left the room, being stopped
        self._addresses: dict[str, _Managed] | None = None  # the managed by address, made again when they change
        self._task: asyncio.Task[None] | None = None
        self._side_tasks: set[asyncio.Task[Any]] = set()
        self._noticed: dict[str, float] = {}  # address -> when its last notice started a read
        self._notice_due: dict[str, asyncio.TimerHandle] = {}  # a read owed to notices that came too soon after
        self._searched_at = -NEWCOMER_SEARCH_EVERY_S  # when a newcomer's notice last started a search
        self._discovery_lock = asyncio.Lock()
        self.notifications: list[NoticeListener] = []
        for family in families.families() if notify_addresses else []:
            listener = family.notices(notify_addresses or [], notify_port, self._on_notice)
            if listener is not None:
                self.notifications.append(listener)

    @property
    def finder(self) -> DeviceFinder:
        """Made on first use: one device driven from the command line never loads discovery (zeroconf, ONVIF)."""
        if self._finder is None:
            from devices.discovery import DeviceFinder, FinderConfig

            self.finder = DeviceFinder(self._finder_config or FinderConfig(search_targets=(), dnssd_types=()))
        assert self._finder is not None
        return self._finder

    @finder.setter
    def finder(self, finder: DeviceFinder) -> None:
        self._finder = finder
        self._named = named_addresses(finder.config.sweep, finder.config.wsd_targets)
        finder.registry.answering = self._answering  # a stranger's place in the room ages by what its driver hears
        finder.registry.given_back = self._strangers_left  # and its strangers leave with it
        finder.later = self._later  # refused devices take a stranger's place after the others in a look (F14)

    def _answering(self, address: str) -> bool:
        """Whether a device the room drives at ``address`` answers now."""
        reachable = (Availability.ONLINE, Availability.AUTH_FAILED, Availability.FAULT)
        return any(m.info.address == address and m.driver.availability in reachable for m in self._managed.values())

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Show what the store remembers, then discover and poll in the background."""
        if self.store is not None:
            rows = await self.store.known_devices()  # most recently written first; the room's places go to the
            rows.sort(key=_heard_longest_first)  # longest heard, not the last changed (R10: the room's own projector,
            for row in rows:  # off before its neighbours changed, lost its place at the start to them)
                if row.get("room_choice") is not None:  # the word holds for a device not shown too (a refused
                    self._choices[str(row["uid"])] = bool(row["room_choice"])  # stranger that left)
                    if row.get("last_address"):
                        self._refused_at[str(row["uid"])] = str(row["last_address"])
                    said_as = remembered_state(row).get(ROOM_SAID_AS)
                    if isinstance(said_as, dict):
                        self._said_as[str(row["uid"])] = {str(k): str(v) for k, v in said_as.items()}
            for row in rows:
                remembered = _from_row(row)
                if remembered is None:
                    continue
                for key in CONFLICT_KEYS:  # a claim to its id is a fact of one look, not of the device
                    remembered.state.pop(key, None)
                if _was_known(remembered):
                    self._known.add(remembered.uid)
                if remembered.state.get(ROOM_USED) is True:
                    self._used.add(remembered.uid)
                remembered.found_by = _found_by(row)
                if self._finder_config is not None and self._stranger_remembered(remembered):
                    if self._choices.get(remembered.uid) is False:
                        continue  # refused: takes no stranger's place, shown once heard again (R11 F14); its word
                        # stays in its row and in ``_choices``, so it is judged refused then, never asked again
                    if not self._take_place_again(remembered.address, row):
                        continue  # past the room's places: not shown; heard again, it waits for one as any stranger
                else:
                    self._remembered.add(remembered.uid)
                if self._finder_config is not None:
                    self.finder.registry.remember(remembered)  # an id claimed elsewhere is checked here first
                if remembered.uid not in self.room.devices:
                    remembered.state.update(self._judged(remembered.uid, remembered.address))
                    self.room.update_device(remembered)
            self._tell_finder()
        for listener in self.notifications:
            await listener.start()
        self._task = asyncio.create_task(self._discovery_loop(), name="room-discovery")
        if self.store is not None:
            self._words_task = asyncio.create_task(self._follow_words(), name="room-words")

    async def stop(self) -> None:
        for listener in self.notifications:
            listener.stop()
        for due in self._notice_due.values():
            due.cancel()
        self._notice_due.clear()
        leaving = list(self._leaving)  # a stop cut short with its side task is finished here
        await asyncio.gather(*(cancel_and_wait(side) for side in list(self._side_tasks)))
        await cancel_and_wait(self._task)
        await cancel_and_wait(self._words_task)
        self._task = self._words_task = None
        drivers = [*(m.driver for m in self._managed.values()), *leaving]
        await asyncio.gather(*(driver.stop() for driver in drivers), return_exceptions=True)
        self._managed.clear()
        self._addresses = None

    @property
    def discovering(self) -> bool:
        return self._discovery_lock.locked()

    async def discover_once(self) -> None:
        """One discovery window; a second caller waits for the running one, then looks again."""
        async with self._discovery_lock:
            async with contextlib.aclosing(self.finder.watch(self.discovery_window_s)) as found:
                async for info in found:
                    await self._adopt(info)

    async def look_at(self, sweep: list[str]) -> None:
        """Sweep these addresses from now on, and look right away."""
        from devices.discovery import DeviceFinder

        registry = self.finder.registry
        self.finder = DeviceFinder(dataclasses.replace(self.finder.config, sweep=list(sweep)))
        self.finder.registry = registry  # devices already known keep their identity
        self._judge_all()  # a newly named address is evidence now, one taken off no longer
        await self.discover_once()

    async def _discovery_loop(self) -> None:
        while True:
            try:
                await self.discover_once()
            except Exception as exc:  # discovery must never take the room down with it
                log.exception("discovery failed")
                self.room.report_error("discovery", f"device discovery failed: {exc}", ErrorCode.DISCOVERY_FAILED)
            await self._follow_adverts(self.rediscover_every_s)

    async def _follow_adverts(self, duration: float) -> None:
        """Between full looks DNS-SD keeps listening, so a device that announces itself late is added at once."""
        until = time.monotonic() + duration
        if self.finder.config.dnssd_types:
            try:
                async with contextlib.aclosing(self.finder.watch(duration, mechanisms={"dnssd"})) as found:
                    async for info in found:
                        await self._adopt(info)
            except Exception:
                log.exception("following DNS-SD adverts failed")
        await asyncio.sleep(max(0.0, until - time.monotonic()))

    async def _adopt(self, info: DeviceInfo) -> None:
        managed = self._managed.get(info.uid)
        if managed is not None and (managed.info.address, managed.info.port) == (info.address, info.port):
            managed.info.found_by |= info.found_by
            claim_changed = _conflict(managed.info.state) != _conflict(info.state)
            if any(managed.info.state.get(k) != v for k, v in info.state.items()):
                managed.info.state.update(info.state)  # a second face of it was found (a camera's VISCA port)
                managed.driver.learn(managed.info)
            if claim_changed:
                for key in CONFLICT_KEYS:  # a claim to its id started or ended: the card says so at once
                    managed.info.state.pop(key, None)
                managed.info.state.update(_conflict(info.state))
                self.room.update_device(self._merged(info.uid))
            shown = self.room.devices.get(info.uid)
            if shown is not None:
                shown.found_by |= info.found_by  # how it was found is detail, not news: no event
                if info.name and shown.name in ("", shown.address) and info.name != info.address:
                    managed.info.name = info.name  # a device that hides its NAME behind a password
                    self.room.update_device(dataclasses.replace(shown, name=info.name))
            return
        if managed is not None:  # the same device at a new address (DHCP): re-point its driver
            await managed.driver.stop()
            await self._retire_claimants(info)
        try:
            family = families.family_for(info.protocol)
        except families.UnknownProtocol:
            log.warning("%s speaks %r, which no device family here handles", info.uid, info.protocol)
            return
        known = info.uid in self._known and "claims" not in info.state
        password = self.passwords.get(info.uid) or self.passwords.get(info.address) or (
            self.passwords.get("*") if known else None)
        options = DriverOptions(password=password, poll_interval_s=self.poll_interval_s, timeout_s=self.timeout_s)
        driver = family.driver(info, options)
        state = {k: v for k, v in info.state.items() if k not in (ROOM_KNOWN, ROOM_USED)}
        if known:
            state[ROOM_KNOWN] = True  # kept with the device's row: known at the next start too
        if info.uid in self._used:
            state[ROOM_USED] = True
        if info.uid in self._said_as:
            state[ROOM_SAID_AS] = self._said_as[info.uid]  # kept with its row, for the next start
        self._managed[info.uid] = _Managed(dataclasses.replace(info, found_by=set(info.found_by), state=state), driver)
        self._addresses = None
        driver.on_change = lambda uid=info.uid: self._on_poll(uid)
        self.room.update_device(self._merged(info.uid))
        await driver.start()

    async def _retire_claimants(self, moved: DeviceInfo) -> None:
        """Whoever claimed the id at the address it moved to was the device itself, not a rival: one card."""
        for uid, other in list(self._managed.items()):
            if other.info.state.get("claims") == moved.uid and other.info.address == moved.address:
                del self._managed[uid]
                self._addresses = None
                await other.driver.stop()
                shown = self.room.devices.get(uid)
                if shown is not None:  # the room has no way to drop a card: it goes quiet, no longer flagged
                    state = {k: v for k, v in shown.state.items() if k not in CONFLICT_KEYS}
                    self.room.update_device(dataclasses.replace(
                        shown, availability=Availability.OFFLINE, reason=str(Reason.NOT_CHECKED), state=state))

    def _strangers_left(self, address: str, uids: list[str]) -> None:
        """A stranger's place in the room was given back (``_hearsay``): those found at ``address`` by hearsay alone
        leave the room, driver, card, record and row, or the room would gain 128 pollers of dead addresses an hour
        (R9). One the room has made its own stays, and no longer counts as a stranger."""
        registry = self.finder.registry
        for uid in uids:
            if self._is_rooms(uid, address):
                registry.hearsay_given_back.discard(address)  # heard of again, it takes no stranger's place
                continue
            registry.forget(uid)
            managed = self._managed.pop(uid, None)
            self._addresses = None
            if managed is not None:  # gone from _managed first: a last poll tells the room nothing
                self._leaving.add(managed.driver)  # stopped by stop() too if its task has not run by then
                self._side(self._leave(managed.driver))
            due = self._notice_due.pop(address, None)
            if due is not None:
                due.cancel()
            self._noticed.pop(address, None)
            self.room.remove_device(uid)

    async def _leave(self, driver: Driver) -> None:
        try:
            await driver.stop()
        finally:
            self._leaving.discard(driver)

    def _stranger_remembered(self, remembered: DeviceInfo) -> bool:
        """A row of a device heard of by adverts or search replies alone, at an earlier run, never marked the room's
        nor used by the lecturer nor given a password nor listed. Shown and sheltered at every start, each restart
        would keep up to the room's 128 strangers more for good (C5): it takes a stranger's place again."""
        from devices.discovery._hearsay import HEARSAY

        found = remembered.found_by
        return bool(found) and found <= HEARSAY and not self._is_rooms(remembered.uid, remembered.address)

    def _take_place_again(self, address: str, row: Mapping[str, Any]) -> bool:
        """A remembered stranger's place, while the room has one (longest heard first). One heard answering
        for a place's age by its readings (``Store.known_devices``' ``answered_s``: the room's own projector through
        a lecture, even one switched by scenes alone, R10) keeps it as it did in its run; the rest age from now."""
        registry, config = self.finder.registry, self.finder.config
        if address not in registry.hearsay_addresses and len(registry.hearsay_addresses) >= config.hearsay_in_room:
            return False
        now = registry.clock()
        heard_s = row.get("answered_s")
        heard_long = isinstance(heard_s, float) and heard_s >= config.hearsay_age_s
        registry.hearsay_addresses.setdefault(address, now)
        registry.hearsay_since.setdefault(address, now - heard_s if heard_long and heard_s else now)
        return True

    def _is_rooms(self, uid: str, address: str) -> bool:
        """Marked the room's, given a password of its own, sent a command by the lecturer, remembered from the store,
        at an address the lecturer listed, or chosen by the lecturer: not a stranger, whatever first told the room of
        it. (A command does not make it known for the room password: a stranger's card can be pressed by mistake.)"""
        shown = self.room.devices.get(uid)
        return (uid in self._known or uid in self._used or uid in self._remembered or uid in self.passwords
                or self._choices.get(uid) is True
                or address in self.passwords or address in self.finder.listed
                or (shown is not None and shown.state.get(ROOM_KNOWN) is True))

    async def adopt(self, info: DeviceInfo) -> None:
        """Drive a device found some other way (the CLI's address, a test) as if discovery had found it."""
        await self._adopt(info)

    def _on_notice(self, address: str, newcomer: bool) -> None:
        """A device said it changed: read it now instead of at the next poll; a newcomer starts a search. Notices
        are UDP, so anyone may send them from any address: an address's read goes at most once each
        ``NOTICE_READ_EVERY_S`` (the notices meanwhile owe one read at the end of it, so the last change is seen), a
        search at most once each ``NEWCOMER_SEARCH_EVERY_S`` (400,000 notices in 20 s made a task each: a quarter of
        a core, 0.85 s stalls and a 15 s hang at close, E3)."""
        managed = self._at(address)
        now = time.monotonic()
        if managed is not None:
            wait = self._noticed.get(address, -NOTICE_READ_EVERY_S) + NOTICE_READ_EVERY_S - now
            if wait <= 0:
                self._read_noticed(address)
            elif address not in self._notice_due:
                self._notice_due[address] = asyncio.get_running_loop().call_later(wait, self._read_noticed, address)
        elif newcomer and not self.discovering and now - self._searched_at >= NEWCOMER_SEARCH_EVERY_S:
            self._searched_at = now
            self._side(self.discover_once())

    def _at(self, address: str) -> _Managed | None:
        """The device managed at ``address``: a dict lookup per notice, not a walk of every device (a flood of
        notices walked them all for each datagram)."""
        if self._addresses is None:
            self._addresses = {m.info.address: m for m in self._managed.values()}
        return self._addresses.get(address)

    def _read_noticed(self, address: str) -> None:
        self._notice_due.pop(address, None)
        managed = self._at(address)
        if managed is not None:
            log.debug("%s notified a change", address)
            self._noticed[address] = time.monotonic()
            self._side(managed.driver.refresh())

    def _side(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    # -- state -----------------------------------------------------------------------------
    def _merged(self, uid: str) -> DeviceInfo:
        managed = self._managed[uid]
        device = with_driver_state(managed.info, managed.driver)
        device.state.update(self._judged(uid, device.address, device))
        if "id_conflict" in device.state:  # reachable, but another live address claims its id: on the card
            # A claimant asking for a password is not offered a box to type one in: it would get its digest.
            if device.availability is Availability.ONLINE or "claims" in device.state:
                device.availability = Availability.FAULT
            device.reason = ID_CONFLICT
        if managed.deferred is not None:  # "will turn off after warm-up" on the card
            device.state["will_power"] = "on" if managed.deferred.value else "off"
        return device

    def _on_poll(self, uid: str) -> None:
        managed = self._managed.get(uid)
        if managed is None:
            return
        device = self._merged(uid)
        self.room.update_device(device)
        self._maybe_record_reading(uid, device)
        if managed.deferred is not None and device.state.get("power") not in TRANSITIONS:
            command, managed.deferred = managed.deferred, None
            self._side(self._send_deferred(uid, command))

    async def _send_deferred(self, uid: str, command: Command) -> None:
        try:  # a lecturer's own command marked the device when it was first sent; a scene's or the end's never does
            await self.command(uid, command, chosen=False)
        except DeviceCommandError as exc:
            self.room.report_error(uid, str(exc), ErrorCode.DEVICE_COMMAND_FAILED)

    def _maybe_record_reading(self, uid: str, device: DeviceInfo) -> None:
        if self.store is None or device.availability not in (Availability.ONLINE, Availability.FAULT):
            return
        managed = self._managed[uid]
        state = device.state
        key = (state.get("power"), tuple(state.get("lamp_hours", ())), tuple(sorted(state.get("errors", {}).items())))
        now = time.monotonic()
        if key == managed.last_reading and now - managed.last_reading_at < READING_EVERY_S:
            return
        managed.last_reading, managed.last_reading_at = key, now
        self.room.note_reading(Reading(uid, state.get("power"), tuple(state.get("lamp_hours", ())),
                                       dict(state.get("errors", {}))))  # stamped now, written with the room's batch

    # -- commands --------------------------------------------------------------------------
    def uids(self) -> list[str]:
        """The devices being driven now (found and reachable through a family)."""
        return list(self._managed)

    async def refresh(self, uid: str) -> None:
        """Read a device now instead of at its next poll (a device not driven yet: nothing to read)."""
        managed = self._managed.get(uid)
        if managed is not None:
            await managed.driver.refresh()

    async def command(self, uid: str, command: Command, chosen: bool = True) -> bool:
        """Send one command, logged with its outcome; a refusal raises DeviceCommandError with a reason code.

        ``chosen``: the lecturer picked this device (its card), which makes it the room's own, marked in its row (a
        scene or the session's end walks every card shown, strangers too, and passes False; the command line's
        ``device`` runs a room that keeps no rows, so its choice lasts the command).

        A power command refused while the device warms up or cools down is kept and sent again as soon as it
        has settled (a real projector refuses power-off mid warm-up): that returns True, "deferred".
        """
        managed = self._managed.get(uid)
        name = self.room.devices[uid].name if uid in self.room.devices else uid
        if managed is None:
            raise DeviceCommandError(uid, name, command, Reason.NOT_READY, "not reachable yet")
        if chosen and uid not in self._used:
            self._used.add(uid)  # the room's own, whatever first told the room of it; marked in its row for later runs
            managed.info.state[ROOM_USED] = True
            self.room.update_device(self._merged(uid))
        if COMMAND_CAPABILITY.get(command.name, command.name) not in managed.driver.capabilities:
            raise DeviceCommandError(uid, name, command, Reason.UNSUPPORTED, f"no {command.name!r} on this device")
        self.room.log_event(uid, "command", {"command": command.label()})
        if command.name == "power":
            managed.deferred = None  # a newer wish replaces one still waiting
        try:
            await managed.driver.command(command)
        except CommandError as exc:
            if self._defer(managed, command, exc.reason):
                self.room.log_event(uid, "command_deferred", {"command": command.label(), "reason": str(exc.reason)})
                self.room.update_device(self._merged(uid))
                return True
            self.room.log_event(
                uid, "command_failed", {"command": command.label(), "reason": str(exc.reason), "error": exc.detail}
            )
            raise DeviceCommandError(uid, name, command, exc.reason, exc.detail) from exc
        managed.deferred_tries = 0
        return False

    def _defer(self, managed: _Managed, command: Command, reason: Reason) -> bool:
        settling = managed.driver.state().get("power") in TRANSITIONS
        if command.name != "power" or reason is not Reason.BUSY or not settling:
            return False
        if managed.deferred_tries >= DEFERRED_TRIES:
            managed.deferred_tries = 0
            return False
        managed.deferred, managed.deferred_tries = command, managed.deferred_tries + 1
        return True

    async def settle(self, within_s: float) -> bool:
        """Wait until no deferred command is left (a projector finishing its warm-up first); False on the bound."""
        deadline = time.monotonic() + within_s
        while any(m.deferred is not None for m in self._managed.values()) or self._side_tasks:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.2)
        return True

    async def power_all(self, on: bool) -> list[DeviceCommandError]:
        """Every device of the room's (``switches``) that can be switched, at once; returns what failed (each with
        its reason code)."""
        uids = [uid for uid, m in self._managed.items()
                if "power" in m.driver.capabilities and self.switches(uid, m.info.address)]
        command = Command("power", on)
        results = await asyncio.gather(*(self.command(uid, command, chosen=False) for uid in uids),
                                       return_exceptions=True)
        failures = [r for r in results if isinstance(r, DeviceCommandError)]
        for other in (r for r in results if isinstance(r, BaseException) and not isinstance(r, DeviceCommandError)):
            raise other
        return failures

    # -- which devices are the room's (room_choice.py) -------------------------------------------
    @property
    def room_chose(self) -> bool:
        """The lecturer said of some device, here or at an earlier run, that it is the room's: from then on only the
        room's devices are switched; before, every device found but the refused is, as before there was a choice.
        A refusal alone (a neighbour's Details unticked) protects that device, not the rest too (R11 F9)."""
        return chose(self._choices.values())

    def belonging(self, uid: str, address: str, now: DeviceInfo | None = None) -> Belonging:
        """The lecturer's word, else the evidence, by ``room_choice.weigh`` (``discover --json`` judges by it too).
        Named: an address listed one by one, or one a password was typed for."""
        shown = now or self.room.devices.get(uid)
        return weigh(self._choices.get(uid), self._said_as.get(uid), shown, own_password=uid in self.passwords,
                     marked_known=uid in self._known or (shown is not None and shown.state.get(ROOM_KNOWN) is True),
                     named=address in self._named or address in self.passwords, room_chose=self.room_chose)

    def switches(self, uid: str, address: str, now: DeviceInfo | None = None) -> bool:
        """Whether scenes, All on/off and the session's end act on it (``room_choice.switched``)."""
        return self._switched(self.belonging(uid, address, now))

    def _switched(self, judged: Belonging) -> bool:
        if not self.room_chose:
            return judged is not Belonging.REFUSED
        return judged in (Belonging.CHOSEN, Belonging.LIKELY)

    def _judged(self, uid: str, address: str, now: DeviceInfo | None = None) -> dict[str, Any]:
        """The judgement a device's state carries (every poll's merge: judged once)."""
        judged = self.belonging(uid, address, now)
        return {ROOM: str(judged), ROOM_SWITCHED: self._switched(judged), ROOM_NAMED: address in self._named}

    def _judge_all(self) -> None:
        """Every card judged again: the evidence or the words changed, not the devices (R11 F11)."""
        for uid, device in list(self.room.devices.items()):
            if uid in self._managed:
                self.room.update_device(self._merged(uid))
            else:
                self.room.update_device(dataclasses.replace(
                    device, state={**device.state, **self._judged(uid, device.address)}))

    async def choose(self, choices: Mapping[str, bool | None],
                     was: Mapping[str, bool | None] | None = None) -> None:
        """The lecturer's word on each device (True the room's, False not, None taken back), kept in its row; then
        every card shown is judged again, as the first word changes what the others' mean (``room_chose``).

        ``was``: the word the window showed on a device when the lecturer gave this one (the chooser's rows); one
        given since elsewhere (a Details tick, the command line) is newer, and that device is left as it is now."""
        async with self._choosing:
            for uid, choice in choices.items():
                if was is not None and uid in was and self._word(uid) != was[uid]:
                    log.info("%s: a word given since the chooser showed it is kept", uid)
                    continue
                device = self._take_word(uid, choice)
                if device is not None and self.store is not None:
                    state = {k: v for k, v in device.state.items() if k != ROOM_SAID_AS}
                    if uid in self._said_as:
                        state[ROOM_SAID_AS] = self._said_as[uid]
                    await self.store.choose_device(dataclasses.replace(device, state=state), choice)
            self._tell_finder()
            self._judge_all()

    def _word(self, uid: str) -> bool | None:
        """The lecturer's word on a device as the window shows it (void on an ``addr:`` device another answers as)."""
        device = self.room.devices.get(uid) or (self._managed[uid].info if uid in self._managed else None)
        if device is None:
            return self._choices.get(uid)
        return {Belonging.CHOSEN: True, Belonging.REFUSED: False}.get(self.belonging(uid, device.address))

    def _take_word(self, uid: str, choice: bool | None) -> DeviceInfo | None:
        """The word held in memory (and, on an ``addr:`` device, who answered there); the device it was given to."""
        if choice is None:
            self._choices.pop(uid, None)
        else:
            self._choices[uid] = bool(choice)
        device = self.room.devices.get(uid) or (self._managed[uid].info if uid in self._managed else None)
        if device is not None and device.address:
            self._refused_at[uid] = device.address
        if device is not None and known_by_address(device) and choice is not None:
            self._said_as[uid] = identity(device)  # the word is by address: kept with who answered there
            if uid in self._managed:
                self._managed[uid].info.state[ROOM_SAID_AS] = self._said_as[uid]
        else:
            self._said_as.pop(uid, None)
        return device

    async def _follow_words(self) -> None:
        """Words another program on the PC wrote in the store (``device ID room yes``) reach the open window within a
        poll or two: each poll asks the store's thread whether anyone else committed (``Store.room_words``), and the
        rows' words are read and compared only when someone did."""
        while True:
            await asyncio.sleep(self.poll_interval_s)
            try:
                await self._words_from_store()
            except Exception:  # the store gone or failing: the window keeps its words, and asks again later
                log.warning("reading the devices' words from the store failed", exc_info=True)

    async def _words_from_store(self) -> None:
        """The store's words where they differ from the room's: taken as the lecturer's, not written back."""
        if self.store is None:
            return
        async with self._choosing:  # a word given here meanwhile is in the store before the read, never overwritten
            self._words_seen, words = await self.store.room_words(self._words_seen)
            if words is None:
                return
            changed = {uid: words.get(uid) for uid in {*words, *self._choices}
                       if words.get(uid) != self._choices.get(uid)}
            if not changed:
                return
            log.info("the devices' words changed in the store: %s", changed)
            for uid, choice in changed.items():
                if choice is not None and uid in self._said_as and self._choices.get(uid) is not None:
                    self._choices[uid] = choice  # the same device, another word: who answered there stays
                else:
                    self._take_word(uid, choice)
            self._tell_finder()
            self._judge_all()

    def _tell_finder(self) -> None:
        """The refused devices' addresses and MACs, for the finder: by hearsay, they take a stranger's place after
        the others in a look, so a refused neighbour answering first no longer takes the last place from the room's
        own new projector answering the same look (R11 F14). Its word alone would not stop it: its card is still
        shown (dimmed, last) when a place is left."""
        self._later.clear()
        for uid, address in self._refused_at.items():
            if self._choices.get(uid) is False:
                self._later.add(address)
                if uid.startswith("mac:"):
                    self._later.add(uid.removeprefix("mac:"))

    def set_room_password(self, password: str, also: Sequence[str] = ()) -> None:
        """The room's shared password: the room's own devices that refused (or were never given) one try it now,
        and ``also``, the devices the lecturer chose by name (the card it was typed on among them).

        A device new to the room is sent it only when chosen: PJLink hands a digest of the password to whoever
        asks, and a laptop answering as many "projectors" as it likes was sent one each (R8)."""
        self.passwords["*"] = password
        working = (Availability.ONLINE, Availability.FAULT)  # these got in with what they have: left alone
        asking = {uid for uid, m in self._managed.items()
                  if m.driver.availability not in working and uid in self._known and "claims" not in m.info.state}
        for uid in asking | set(also):
            self._known.add(uid)
            self.passwords.pop(uid, None)  # its own (failed) password gives way to the room's
            self._reconnect(uid)
        self._judge_all()  # known to the room now: its own by evidence

    def set_password(self, uid: str, password: str) -> None:
        """Use this password from the next connection on (typed for this device: the lecturer knows it)."""
        self.passwords[uid] = password
        self._known.add(uid)
        self._reconnect(uid)
        self._judge_all()  # a password of its own is evidence: its card says so before it answers again

    def _reconnect(self, uid: str) -> None:
        """A new driver with the passwords as they are now (the old one is stopped first)."""
        managed = self._managed.pop(uid, None)
        self._addresses = None
        if managed is not None:
            self._side(self._readopt(managed))

    async def _readopt(self, managed: _Managed) -> None:
        await managed.driver.stop()
        await self._adopt(managed.info)


ROOM_KNOWN = "room_known"  # in a device's state: the room password may be offered to it
ROOM_USED = "room_used"  # in a device's state: the lecturer sent it a command; the room's, never a stranger
CONFLICT_KEYS = ("id_conflict", "claims")  # the other address claiming its id; the id a claimant claims
IDENTITY_KEYS = ("mac", "needs_password", ROOM_KNOWN, ROOM_USED, ROOM_SAID_AS, *CONFLICT_KEYS)


def _was_known(remembered: DeviceInfo) -> bool:
    """The room's own device at the last start: marked so in its row. Rows from before the mark were judged once,
    at the store's upgrade (store/migrations.py v14): no row proves it by itself, as a stranger can ask for a
    password at the look and be open to the polls (R9), or be read open and then ask (R9)."""
    return remembered.state.get(ROOM_KNOWN) is True


def _conflict(state: Mapping[str, Any]) -> dict[str, Any]:
    return {key: state[key] for key in CONFLICT_KEYS if key in state}


def with_driver_state(info: DeviceInfo, driver: Driver) -> DeviceInfo:
    """The found device with what its driver last read: availability, reason code, capabilities and state."""
    availability, reason = driver.availability, str(driver.reason)
    if availability is Availability.UNKNOWN:
        availability, reason = info.availability, info.reason
    polled = driver.state()
    if polled:
        new_state = {k: info.state[k] for k in IDENTITY_KEYS if k in info.state}
        new_state.update(polled)
    else:
        new_state = dict(info.state)
    new_state["detail"] = driver.detail
    return dataclasses.replace(
        info, name=driver.name or info.name, availability=availability, reason=reason, state=new_state,
        found_by=set(info.found_by), capabilities=frozenset(str(c) for c in driver.capabilities),
    )


async def poll_once(info: DeviceInfo, password: str | None, timeout_s: float = 3.0) -> DeviceInfo:
    """Read a device's state once (for scripts): the same words and state the console shows."""
    driver = families.family_for(info.protocol).driver(info, DriverOptions(password=password, timeout_s=timeout_s))
    try:
        await driver.refresh()
        return with_driver_state(info, driver)
    finally:
        await driver.stop()


def remembered_state(row: Mapping[str, Any]) -> dict[str, Any]:
    """The state a device last reported, as the store kept it (empty for rows from before it kept states)."""
    extra = row.get("extra")
    state = extra.get("state") if isinstance(extra, dict) else None
    return dict(state) if isinstance(state, dict) else {}


def _heard_longest_first(row: Mapping[str, Any]) -> float:
    heard_s = row.get("answered_s")
    return -heard_s if isinstance(heard_s, float) else 0.0


def _found_by(row: Mapping[str, Any]) -> set[str]:
    """How the remembered device was found, as its row keeps it (``Store.upsert_device``)."""
    extra = row.get("extra")
    found = extra.get("found_by") if isinstance(extra, dict) else None
    return {str(way) for way in found} if isinstance(found, list) else set()


def _from_row(row: Mapping[str, Any]) -> DeviceInfo | None:
    """A remembered device, shown as "checking" until discovery confirms it."""
    try:
        kind = DeviceKind(row["kind"])
        capabilities = families.family_for(row.get("protocol") or "").capabilities
    except (ValueError, families.UnknownProtocol):
        return None
    return DeviceInfo(
        uid=row["uid"],
        kind=kind,
        name=row.get("name") or row["uid"],
        address=row.get("last_address") or "",
        port=int(row.get("last_port") or 0),
        protocol=row.get("protocol") or "",
        protocol_class=row.get("protocol_class") or "",
        availability=Availability.UNKNOWN,
        reason=str(Reason.NOT_CHECKED),
        state=remembered_state(row),
        capabilities=frozenset(str(c) for c in capabilities),
    )
