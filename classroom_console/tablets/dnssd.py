"""The tablets' page announced over DNS-SD as ``_classroom._tcp`` (TXT ``path=/``), so a managed tablet or
an app finds the console without anyone typing an address. The join code is never announced: it is what
proves a student is in the room.

Announced where the console's discovery listens (the LAN's addresses and loopback; loopback alone under
``CLASSROOM_CONSOLE_SCOPE=loopback``, as in tests). Failing to announce is logged, never fatal.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from classroom_console.discovery_scope import Scope, listen_addresses

log = logging.getLogger(__name__)

SERVICE_TYPE = "_classroom._tcp.local."


def service_name(room: str = "") -> str:
    label = "".join(c if c.isalnum() or c in " -" else "-" for c in (room or socket.gethostname()))[:40].strip()
    return f"Classroom {label or 'console'}"


class TabletAdvertiser:
    def __init__(self, port: int, room: str = "", *, interfaces: list[str] | None = None,
                 scope: Scope = Scope.ALL) -> None:
        self.port = port
        self.interfaces = interfaces if interfaces is not None else listen_addresses(scope)
        self.name = service_name(room)
        self._zc: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    async def start(self) -> bool:
        addresses = [ipaddress.ip_address(a).packed for a in self.interfaces]
        if not addresses:
            return False
        host = "".join(c if c.isalnum() else "-" for c in self.name).strip("-")[:63] or "console"
        info = AsyncServiceInfo(SERVICE_TYPE, f"{self.name}.{SERVICE_TYPE}", addresses=addresses, port=self.port,
                                properties={"path": "/", "kind": "tablets"}, server=f"{host}.local.")
        try:
            zc = AsyncZeroconf(interfaces=list(self.interfaces), ip_version=IPVersion.V4Only)
        except OSError as exc:
            log.warning("the tablets' page is not announced over DNS-SD: %s", exc)
            return False
        self._zc = zc
        try:
            await (await zc.async_register_service(info, allow_name_change=True))
        except Exception as exc:  # zeroconf's own errors (a name clash it could not resolve) are not OSErrors
            log.warning("the tablets' page is not announced over DNS-SD: %s", exc)
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
