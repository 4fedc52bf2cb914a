"""The tablets' page announced over DNS-SD as ``_classroom._tcp`` (TXT ``path=/``), so a managed tablet or
an app finds the console without anyone typing an address. The join code is never announced: it is what
proves a student is in the room. ``dnssd_advert.py`` does the announcing.
"""

from __future__ import annotations

import socket

from classroom_console.discovery_scope import Scope
from classroom_console.dnssd_advert import ServiceAdvert

SERVICE_TYPE = "_classroom._tcp.local."


def service_name(room: str = "") -> str:
    label = "".join(c if c.isalnum() or c in " -" else "-" for c in (room or socket.gethostname()))[:40].strip()
    return f"Classroom {label or 'console'}"


class TabletAdvertiser(ServiceAdvert):
    def __init__(self, port: int, room: str = "", *, interfaces: list[str] | None = None,
                 scope: Scope = Scope.ALL) -> None:
        super().__init__(SERVICE_TYPE, service_name(room), port, {"path": "/", "kind": "tablets"},
                         "the tablets' page", interfaces=interfaces, scope=scope)
