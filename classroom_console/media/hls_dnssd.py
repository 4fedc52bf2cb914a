"""The LAN stream announced over DNS-SD (``_http._tcp``, TXT ``path`` and ``kind=live``), so a tablet or an
overflow room's player finds it without anyone typing an address (``dnssd_advert.py`` does the announcing)."""

from __future__ import annotations

import socket

from classroom_console.discovery_scope import Scope
from classroom_console.dnssd_advert import ServiceAdvert

SERVICE_TYPE = "_http._tcp.local."


def service_name(host: str | None = None) -> str:
    label = "".join(c if c.isalnum() or c == "-" else "-" for c in (host or socket.gethostname()))[:40]
    return f"Classroom Console live on {label or 'console'}"


class HlsAdvertiser(ServiceAdvert):
    def __init__(self, port: int, path: str, *, interfaces: list[str] | None = None, name: str | None = None,
                 scope: Scope = Scope.ALL) -> None:
        super().__init__(SERVICE_TYPE, name or service_name(), port, {"path": path, "kind": "live"},
                         "the live stream", interfaces=interfaces, scope=scope)
        self.path = path
