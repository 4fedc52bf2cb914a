"""The LAN stream announced over DNS-SD (``_http._tcp``, TXT ``path`` and ``kind=live``), so a tablet or an
overflow room's player finds it without anyone typing an address.

Announced on the interfaces the console's discovery uses (``discovery_scope.listen_addresses``: the LAN's
and loopback; loopback alone under ``CLASSROOM_CONSOLE_SCOPE=loopback``, as in tests).
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from classroom_console.discovery_scope import Scope, listen_addresses

log = logging.getLogger(__name__)

SERVICE_TYPE = "_http._tcp.local."


def service_name(host: str | None = None) -> str:
    label = "".join(c if c.isalnum() or c == "-" else "-" for c in (host or socket.gethostname()))[:40]
    return f"Classroom Console live on {label or 'console'}"


class HlsAdvertiser:
    """Register once the server listens; ``stop`` says goodbye. Failing to announce is logged, never fatal:
    the URL the command prints still works."""

    def __init__(self, port: int, path: str, *, interfaces: list[str] | None = None, name: str | None = None,
                 scope: Scope = Scope.ALL) -> None:
        self.port, self.path = port, path
        self.interfaces = interfaces if interfaces is not None else listen_addresses(scope)
        self.name = name or service_name()
        self._zc: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    async def start(self) -> bool:
        addresses = [ipaddress.ip_address(a).packed for a in self.interfaces]
        if not addresses:
            return False
        info = AsyncServiceInfo(SERVICE_TYPE, f"{self.name}.{SERVICE_TYPE}", addresses=addresses, port=self.port,
                                properties={"path": self.path, "kind": "live"},
                                server=f"{_label(self.name)}.local.")
        try:
            zc = AsyncZeroconf(interfaces=list(self.interfaces), ip_version=IPVersion.V4Only)
        except OSError as exc:
            log.warning("the live stream is not announced over DNS-SD: %s", exc)
            return False
        self._zc = zc
        try:
            await (await zc.async_register_service(info, allow_name_change=True))
        except Exception as exc:  # zeroconf's own errors (a name clash it could not resolve) are not OSErrors
            log.warning("the live stream is not announced over DNS-SD: %s", exc)
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


def _label(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name).strip("-")[:63] or "console"
