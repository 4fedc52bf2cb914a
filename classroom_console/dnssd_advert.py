"""One service of the console announced over DNS-SD (the LAN stream, the tablets' page), so a player or a tablet
finds it without anyone typing an address. Announced on the interfaces the console's discovery uses
(``discovery_scope.listen_addresses``: the LAN's and loopback; loopback alone under
``CLASSROOM_CONSOLE_SCOPE=loopback``, as in tests). Failing to announce is logged, never fatal: the address the
console shows still works."""

from __future__ import annotations

import ipaddress
import logging

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from classroom_console.discovery_scope import Scope, listen_addresses

log = logging.getLogger(__name__)


def host_label(name: str) -> str:
    """A DNS label for the advert's host record, made from the service's name."""
    return "".join(c if c.isalnum() else "-" for c in name).strip("-")[:63] or "console"


class ServiceAdvert:
    """Register once the server listens; ``stop`` says goodbye. ``what`` names the service in the log."""

    def __init__(self, service_type: str, name: str, port: int, properties: dict[str, str], what: str, *,
                 interfaces: list[str] | None = None, scope: Scope = Scope.ALL) -> None:
        self.service_type, self.name, self.port = service_type, name, port
        self.properties, self.what = properties, what
        self.interfaces = interfaces if interfaces is not None else listen_addresses(scope)
        self._zc: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    async def start(self) -> bool:
        addresses = [ipaddress.ip_address(a).packed for a in self.interfaces]
        if not addresses:
            return False
        info = AsyncServiceInfo(self.service_type, f"{self.name}.{self.service_type}", addresses=addresses,
                                port=self.port, properties=dict(self.properties),
                                server=f"{host_label(self.name)}.local.")
        try:
            zc = AsyncZeroconf(interfaces=list(self.interfaces), ip_version=IPVersion.V4Only)
        except OSError as exc:
            log.warning("%s is not announced over DNS-SD: %s", self.what, exc)
            return False
        self._zc = zc
        try:
            await (await zc.async_register_service(info, allow_name_change=True))
        except Exception as exc:  # zeroconf's own errors (a name clash it could not resolve) are not OSErrors
            log.warning("%s is not announced over DNS-SD: %s", self.what, exc)
            await self.stop()
            return False
        self._info = info
        return True

    async def stop(self) -> None:
        zc, self._zc = self._zc, None
        info, self._info = self._info, None
        if zc is None:
            return
        try:
            if info is not None:
                await (await zc.async_unregister_service(info))
        finally:
            await zc.async_close()
