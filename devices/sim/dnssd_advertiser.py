"""Lets simulators advertise over DNS-SD on loopback only, so demo and tests never touch the LAN."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

log = logging.getLogger(__name__)

LOOPBACK = ["127.0.0.1"]


@dataclass(frozen=True, slots=True)
class Advertisement:
    """One service to announce; `txt` may be raw bytes so tests can send malformed records."""

    service_type: str
    name: str
    address: str
    port: int
    txt: Mapping[str, str | bytes | None] | bytes = field(default_factory=dict)
    server: str | None = None

    def to_info(self) -> AsyncServiceInfo:
        host = self.server or f"{_label(self.name)}.local."
        return AsyncServiceInfo(
            self.service_type,
            f"{self.name}.{self.service_type}",
            addresses=[ipaddress.ip_address(self.address).packed],
            port=self.port,
            properties=self.txt,  # type: ignore[arg-type]  # zeroconf accepts raw TXT bytes too
            server=host,
        )


class DnssdAdvertiser:
    """Owns one loopback-bound zeroconf instance; registrations run concurrently (probing takes ~1.6 s).

    ``probe=False`` skips the three probe queries per name (for names the caller knows are unique, such as a
    bench's): for 1,000 services those 3,000 queries came back to every zeroconf on loopback, ours included,
    and the advertiser went on working through them for seconds after it said it was ready.
    """

    def __init__(self, interfaces: list[str] | None = None, *, probe: bool = True) -> None:
        self._interfaces = interfaces or LOOPBACK
        self._probe = probe
        self._zc: AsyncZeroconf | None = None
        self._infos: dict[str, AsyncServiceInfo] = {}

    async def __aenter__(self) -> DnssdAdvertiser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _zeroconf(self) -> AsyncZeroconf:
        if self._zc is None:
            self._zc = AsyncZeroconf(interfaces=list(self._interfaces), ip_version=IPVersion.V4Only)
        return self._zc

    async def advertise(self, *ads: Advertisement) -> None:
        """Register every advertisement at once and return when all are announced."""
        await self.advertise_many(ads)

    async def advertise_many(self, ads: Iterable[Advertisement]) -> None:
        zc = self._zeroconf()
        infos = [ad.to_info() for ad in ads]
        # strict=False: `_classroom-tablet` (16 bytes) is one over RFC 6763's 15; browsers accept it, as ours does
        announced = await asyncio.gather(*(
            zc.async_register_service(info, strict=False, cooperating_responders=not self._probe) for info in infos))
        await asyncio.gather(*announced)
        self._infos.update((info.name, info) for info in infos)

    async def withdraw(self, service_type: str, name: str) -> None:
        """Say goodbye for one service, as a device leaving the network would."""
        info = self._infos.pop(f"{name}.{service_type}", None)
        if info is not None and self._zc is not None:
            await (await self._zc.async_unregister_service(info))

    async def stop(self) -> None:
        """Unregister everything (goodbye packets) and close the sockets."""
        zc, self._zc = self._zc, None
        if zc is None:
            return
        try:
            if self._infos:
                await zc.async_unregister_all_services()
        finally:
            self._infos.clear()
            await zc.async_close()


def _label(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "-" for c in name).strip("-")
    return cleaned[:63] or "device"
