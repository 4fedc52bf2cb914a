"""DNS-SD browse: devices that advertise themselves (`_pjlink._tcp` and friends) need no guessing."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from zeroconf import InterfaceChoice, IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from devices.text import device_text

log = logging.getLogger(__name__)

DEFAULT_SERVICE_TYPES: tuple[str, ...] = ("_pjlink._tcp.local.",)
MAX_SERVICES = 1024  # per browse; a hostile network cannot make us resolve forever
MAX_RESOLVES_PER_NAME = 4
# Past MAX_SERVICES a name is still resolved when what the cache already says of it (address, TXT mac) is a device
# the caller knows: a flood running before the look spent the whole budget on junk and hid the room's projector
# that DHCP had moved (R8). Each such key (address, mac) gets a few names, so junk naming it cannot take them all.
PREFERRED_PER_KEY = 4
# A service not yet whole in the cache waits this long for the rest of its records before asking for them: a
# responder's answer to a browse carries every service's SRV/TXT/A too, but 1,000 services' worth spans packets
# that land over ~0.3 s after the first, and asking then cost 2,000 queries, their answers and 3 times the CPU.
# Kept short: a responder that sends the PTR alone is asked this much later, inside a `discover --timeout 1`.
CACHE_GRACE_S = 0.4
CACHE_POLL_S = 0.1
_MAC = re.compile(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}")
_CHECKS: dict[str, Callable[[str], bool]] = {
    "mac": lambda v: bool(_MAC.fullmatch(v)),
    "role": lambda v: v in {"projector", "board", "display", "camera"},
    "class": lambda v: v in {"1", "2"},
}


@dataclass(frozen=True, slots=True)
class DnssdService:
    """One resolved advertisement; `txt` holds only keys that decoded and passed their check."""

    service_type: str
    name: str
    address: str
    port: int
    server: str = ""
    txt: Mapping[str, str] = field(default_factory=dict)


def parse_txt(properties: Mapping[bytes, bytes | None], origin: str = "") -> dict[str, str]:
    """Decode TXT pairs (keys case-insensitive, RFC 6763), dropping and logging anything malformed."""
    out: dict[str, str] = {}
    for raw_key, raw_value in properties.items():
        try:
            key = raw_key.decode("ascii").strip().lower()
            value = "" if raw_value is None else device_text(raw_value.decode("utf-8").strip())
        except (UnicodeDecodeError, AttributeError):
            log.warning("ignoring undecodable TXT entry %r=%r from %s", raw_key, raw_value, origin)
            continue
        if key in _CHECKS:
            value = value.lower()
            if not _CHECKS[key](value):
                log.warning("ignoring malformed TXT %s=%r from %s", key, value, origin)
                continue
        if key and key not in out:  # RFC 6763 6.4: the first occurrence of a key wins
            out[key] = value
    return out


def service_from_info(info: AsyncServiceInfo) -> DnssdService | None:
    """Turn a resolved record into a DnssdService, or None (logged) when it is unusable."""
    name = info.name.removesuffix("." + info.type) if info.name.endswith(info.type) else info.name
    addresses = info.parsed_addresses(IPVersion.V4Only) or info.parsed_addresses(IPVersion.V6Only)
    if not addresses or not info.port:
        log.warning("ignoring DNS-SD record %s without address or port", info.name)
        return None
    try:
        txt = parse_txt(info.properties, info.name)
    except Exception:  # zeroconf's TXT decoding of hostile bytes: drop the TXT, keep the service
        log.warning("ignoring malformed TXT of %s", info.name, exc_info=True)
        txt = {}
    return DnssdService(info.type, name, addresses[0], info.port, info.server or "", txt)


def _cached_mac(info: AsyncServiceInfo) -> str:
    """The TXT's mac, quietly ("" when absent or malformed): read for every name of a flood past the budget."""
    try:
        said = next((v for k, v in (info.properties or {}).items() if k.lower() == b"mac"), None)
        mac = (said or b"").decode("ascii").strip().lower()
    except Exception:  # hostile bytes: no mac
        return ""
    return mac if _MAC.fullmatch(mac) else ""


async def browse(
    types: Sequence[str] = DEFAULT_SERVICE_TYPES,
    window: float = 2.0,
    *,
    zeroconf: AsyncZeroconf | None = None,
    interfaces: InterfaceChoice | list[str] = InterfaceChoice.Default,
    resolve_timeout: float = 1.5,
    known: Callable[[str, str], bool] | None = None,
    on_ignored: Callable[[int], None] | None = None,
) -> AsyncGenerator[DnssdService, None]:
    """Yield each advertised service of `types` as it resolves (again when it changes), for `window` s.

    Pass a shared `zeroconf`, or `interfaces` for a private one (tests: ``["127.0.0.1"]``). ``known(address, mac)``
    says which names are resolved past the budget (see PREFERRED_PER_KEY). ``on_ignored(n)`` is told, when the
    browse ends, how many names its line says it ignored past MAX_SERVICES (so a caller knows the bound was reached).
    """
    loop = asyncio.get_running_loop()
    own = zeroconf is None
    azc = zeroconf or AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only)
    found: asyncio.Queue[DnssdService | None] = asyncio.Queue()
    attempts: dict[tuple[str, str], int] = {}
    tasks: set[asyncio.Task[None]] = set()
    # One resolve per name at a time: a service's PTR, SRV, TXT and A records each raise an event, and a busy
    # network re-sends them (1,000 adverts cost ~4,000 resolves, 2 s of CPU). An event that comes while the name
    # resolves marks it to resolve once more when that one ends, so the latest record is still what is reported.
    resolving: set[tuple[str, str]] = set()
    again: set[tuple[str, str]] = set()
    closing = False
    ignored: set[tuple[str, str]] = set()  # names past MAX_SERVICES, counted for one line at the end (bounded too)
    preferred: dict[str, int] = {}  # address or mac -> names resolved past MAX_SERVICES for it

    def worth_it(service_type: str, name: str) -> bool:
        """Whether a name past the budget points, by the cache alone, at a device the caller knows."""
        if known is None or len(ignored) >= 100 * MAX_SERVICES or sum(preferred.values()) >= MAX_SERVICES:
            return False
        info = AsyncServiceInfo(service_type, name)
        if not info.load_from_cache(azc.zeroconf):
            return False
        addresses = info.parsed_addresses(IPVersion.V4Only) or info.parsed_addresses(IPVersion.V6Only)
        keys = [(addresses[0], known(addresses[0], ""))] if addresses else []
        mac = _cached_mac(info)
        if mac:
            keys.append((mac, known("", mac)))
        for key, knows in keys:
            if knows and preferred.get(key, 0) < PREFERRED_PER_KEY:
                preferred[key] = preferred.get(key, 0) + 1
                return True
        return False

    async def resolve(service_type: str, name: str) -> None:
        try:
            info = AsyncServiceInfo(service_type, name)
            waited = 0.0  # see CACHE_GRACE_S; a service whose records came with its PTR resolves at once
            while not info.load_from_cache(azc.zeroconf) and waited < CACHE_GRACE_S:
                await asyncio.sleep(CACHE_POLL_S)
                waited += CACHE_POLL_S
            if await info.async_request(azc.zeroconf, int(resolve_timeout * 1000)):
                found.put_nowait(service_from_info(info))
            else:
                log.info("DNS-SD service %s did not resolve", name)
        except Exception:  # a malformed record must never end the browse
            log.warning("ignoring DNS-SD service %s that failed to resolve", name, exc_info=True)

    def start(service_type: str, name: str) -> None:
        if closing:  # scheduled from zeroconf's thread while the browse ends: zeroconf may be closed already
            return
        key = (service_type, name)
        if key in resolving:
            again.add(key)
            return
        if len(attempts) >= MAX_SERVICES and key not in attempts and not worth_it(service_type, name):
            if len(ignored) < 100 * MAX_SERVICES:
                ignored.add(key)
            return
        attempts[key] = attempts.get(key, 0) + 1
        if attempts[key] <= MAX_RESOLVES_PER_NAME:
            resolving.add(key)
            task = loop.create_task(resolve(service_type, name))
            tasks.add(task)
            task.add_done_callback(functools.partial(resolved, key))

    def resolved(key: tuple[str, str], task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        resolving.discard(key)
        if key in again:
            again.discard(key)
            start(*key)

    def on_change(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            loop.call_soon_threadsafe(start, service_type, name)

    browser = AsyncServiceBrowser(azc.zeroconf, list(types), handlers=[on_change])
    last: dict[tuple[str, str], DnssdService] = {}
    deadline = time.monotonic() + window
    try:
        while (left := deadline - time.monotonic()) > 0:
            if not found.empty():  # 1,000 resolves land in bursts: no timer for one already there
                service = found.get_nowait()
            else:
                try:
                    async with asyncio.timeout(left):  # not wait_for: see devices/tasks.py
                        service = await found.get()
                except TimeoutError:
                    break
            if service is None or last.get((service.service_type, service.name)) == service:
                continue  # unusable, or an Updated event that changed nothing we report
            last[(service.service_type, service.name)] = service
            yield service
    finally:
        closing = True  # read by start(), which the browser's thread may still schedule
        if ignored:
            log.warning("ignored %s more DNS-SD services: one look resolves at most %d (a flood of adverts?)",
                        f"{len(ignored)}+" if len(ignored) >= 100 * MAX_SERVICES else len(ignored), MAX_SERVICES)
            if on_ignored is not None:
                on_ignored(len(ignored))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await browser.async_cancel()
        if own:
            await azc.async_close()
