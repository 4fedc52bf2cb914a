"""Listens for PJLink class 2 status notifications (UDP 4352), so a change shows before the next poll."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from devices.pjlink.errors import PJLinkError
from devices.pjlink.protocol import Reply, parse_notification

log = logging.getLogger(__name__)
NOTIFY_PORT = 4352
OnNotice = Callable[[str, Reply], None]


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, on_notice: OnNotice) -> None:
        self.on_notice = on_notice

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        try:
            notice = parse_notification(data)
        except PJLinkError as exc:
            log.debug("ignored datagram from %s: %s", addr[0], exc)
            return
        try:
            self.on_notice(str(addr[0]), notice)
        except Exception:
            log.exception("notification handler failed")


class NotificationListener:
    """One socket per local address: binding each address (not 0.0.0.0) leaves room for other listeners."""

    def __init__(self, addresses: list[str], on_notice: OnNotice, port: int = NOTIFY_PORT) -> None:
        self.addresses = addresses
        self.port = port
        self.on_notice = on_notice
        self._transports: list[asyncio.DatagramTransport] = []

    async def start(self) -> list[str]:
        """Bind what can be bound; returns the addresses that could not (another program has the port)."""
        loop = asyncio.get_running_loop()
        failed = []
        for address in self.addresses:
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Receiver(self.on_notice), local_addr=(address, self.port)
                )
            except OSError as exc:
                log.warning("no PJLink notifications on %s:%d: %s (polling still works)", address, self.port, exc)
                failed.append(address)
                continue
            self._transports.append(transport)
        return failed

    @property
    def bound(self) -> list[tuple[str, int]]:
        return [t.get_extra_info("sockname")[:2] for t in self._transports]

    def stop(self) -> None:
        for transport in self._transports:
            transport.close()
        self._transports.clear()
