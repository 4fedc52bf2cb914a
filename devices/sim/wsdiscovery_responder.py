"""A simulated camera's WS-Discovery side: answers Probes on UDP 3702, by multicast (on loopback) and unicast.

Two sockets, as a camera on a LAN behaves: one joined to 239.255.255.250 on the chosen interface, shared
with every other simulated camera (SO_REUSEADDR), and one on the camera's own address, so a unicast Probe
reaches this camera alone and every answer comes from the camera's address.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from devices.onvif.errors import Garbled
from devices.onvif.wsd_messages import (
    GROUP,
    PORT,
    Probe,
    bye_message,
    hello_message,
    parse_probe,
    probe_matches_message,
    scope_uri,
)

log = logging.getLogger(__name__)

MAX_PENDING_ANSWERS = 64  # a Probe flood cannot pile up timers


@dataclass
class ResponderConfig:
    host: str  # the camera's own address: unicast Probes arrive here, answers leave from here
    endpoint: str  # urn:uuid:…, stable for the camera's life
    xaddrs: Sequence[str]  # its device service URLs
    scopes: Sequence[str] = ()
    types: Sequence[str] = ("dn:NetworkVideoTransmitter", "tds:Device")
    port: int = PORT
    multicast_interface: str | None = "127.0.0.1"  # None: unicast only
    group: str = GROUP
    max_delay_s: float = 0.5  # the spec's APP_MAX_DELAY before answering a multicast Probe
    silent: bool = False  # fault mode: hears Probes, never answers
    announce: bool = True  # multicast Hello on start and Bye on stop (when multicast_interface is set)


def camera_scopes(name: str, hardware: str, location: str = "", *, ptz: bool = True) -> list[str]:
    """The scopes an ONVIF Profile S camera announces (name, hardware and location percent-encoded)."""
    scopes = [scope_uri("type", "video_encoder"), scope_uri("Profile", "Streaming"), scope_uri("name", name),
              scope_uri("hardware", hardware)]
    if ptz:
        scopes.append(scope_uri("type", "ptz"))
    if location:
        scopes.append(scope_uri("location", location))
    return scopes


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, responder: WsDiscoveryResponder, multicast: bool) -> None:
        self.responder = responder
        self.multicast = multicast

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        self.responder.heard(data, (str(addr[0]), int(addr[1])), self.multicast)


class WsDiscoveryResponder:
    """Answers each matching Probe with one ProbeMatch carrying the camera's scopes, XAddrs and endpoint."""

    def __init__(self, config: ResponderConfig) -> None:
        self.config = config
        self.answered = 0
        self.refused = 0
        self._unicast: asyncio.DatagramTransport | None = None
        self._group: asyncio.DatagramTransport | None = None
        self._timers: set[asyncio.TimerHandle] = set()

    @property
    def port(self) -> int:
        assert self._unicast is not None, "start() first"
        return int(self._unicast.get_extra_info("sockname")[1])

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        cfg = self.config
        self._unicast, _ = await loop.create_datagram_endpoint(
            lambda: _Listener(self, False), local_addr=(cfg.host, cfg.port))
        if cfg.multicast_interface is not None:
            try:
                self._group, _ = await loop.create_datagram_endpoint(
                    lambda: _Listener(self, True), sock=self._group_socket(self.port))
                sock = self._unicast.get_extra_info("socket")  # announcements leave from the camera's address
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(cfg.multicast_interface))
            except OSError:
                await self.stop()
                raise
            self._announce(hello_message(cfg.endpoint, cfg.types, cfg.scopes, cfg.xaddrs))

    def _group_socket(self, port: int) -> socket.socket:
        cfg = self.config
        assert cfg.multicast_interface is not None
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((cfg.group, port))
            membership = struct.pack("4s4s", socket.inet_aton(cfg.group), socket.inet_aton(cfg.multicast_interface))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        except OSError:
            sock.close()
            raise
        return sock

    async def stop(self) -> None:
        if self._group is not None:
            self._announce(bye_message(self.config.endpoint))
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for transport in (self._group, self._unicast):
            if transport is not None:
                transport.close()
        self._group = self._unicast = None

    async def __aenter__(self) -> WsDiscoveryResponder:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _announce(self, message: bytes) -> None:
        if self.config.announce and not self.config.silent and self._unicast is not None:
            self._unicast.sendto(message, (self.config.group, self.port))

    def matches(self, probe: Probe) -> bool:
        """WS-Discovery's rule: every requested type is ours, every requested scope prefixes one of ours."""
        ours = {t.rpartition(":")[2] for t in self.config.types}
        return probe.types <= ours and all(
            any(s == want or s.startswith(want.rstrip("/") + "/") for s in self.config.scopes)
            for want in probe.scopes)

    def heard(self, data: bytes, sender: tuple[str, int], multicast: bool) -> None:
        try:
            probe = parse_probe(data)
        except Garbled as exc:
            self.refused += 1
            log.info("simulated camera %s ignored a datagram from %s: %s", self.config.host, sender[0], exc)
            return
        if probe is None or self.config.silent or not self.matches(probe) or len(self._timers) >= MAX_PENDING_ANSWERS:
            return
        delay = random.uniform(0, self.config.max_delay_s) if multicast else 0.0
        timer: asyncio.TimerHandle | None = None

        def answer() -> None:
            if timer is not None:
                self._timers.discard(timer)
            self._answer(probe, sender)

        timer = asyncio.get_running_loop().call_later(delay, answer)
        self._timers.add(timer)

    def _answer(self, probe: Probe, sender: tuple[str, int]) -> None:
        if self._unicast is None:
            return
        cfg = self.config
        self._unicast.sendto(
            probe_matches_message(probe.message_id, cfg.endpoint, cfg.types, cfg.scopes, cfg.xaddrs), sender)
        self.answered += 1
