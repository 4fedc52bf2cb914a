"""WS-Discovery on loopback: simulated cameras are found by multicast and by unicast, each once, by real UDP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import cast

import pytest

from devices.onvif.errors import Garbled
from devices.onvif.wsd_listen import AnnouncementListener
from devices.onvif.wsd_messages import (
    ProbeMatch,
    parse_probe,
    parse_probe_matches,
    probe_matches_message,
    probe_message,
    scope_uri,
    scope_value,
)
from devices.onvif.wsdiscovery import probe
from devices.sim.wsdiscovery_responder import ResponderConfig, WsDiscoveryResponder

BOUND_S = 30.0
LOOPBACK = ["127.0.0.1"]


def free_udp_port() -> int:
    """A port nobody else's simulator uses, so a parallel run or a running `sim room` cannot answer us."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def camera(host: str, port: int, name: str, *, multicast_interface: str | None = "127.0.0.1",
           silent: bool = False) -> WsDiscoveryResponder:
    return WsDiscoveryResponder(ResponderConfig(
        host=host, endpoint=f"urn:uuid:{uuid.uuid4()}", port=port,
        xaddrs=[f"http://{host}:8080/onvif/device_service"],
        scopes=[scope_uri("name", name), scope_uri("hardware", "SimCam PTZ"), scope_uri("location", "Room 101"),
                scope_uri("type", "ptz")],
        multicast_interface=multicast_interface, silent=silent,
    ))


@contextlib.asynccontextmanager
async def running(*responders: contextlib.AbstractAsyncContextManager[object]) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        for responder in responders:
            await stack.enter_async_context(responder)
        yield


async def probe_until(endpoints: set[str], *, port: int, targets: Sequence[str] = (), multicast: bool = True,
                      within: float = BOUND_S) -> list[ProbeMatch]:
    """Every match (in order) once all of ``endpoints`` answered or the bound passed."""
    found: list[ProbeMatch] = []
    async with contextlib.aclosing(probe(within, interfaces=LOOPBACK, port=port, targets=targets,
                                         multicast=multicast)) as matches:
        async for match in matches:
            found.append(match)
            if endpoints <= {m.endpoint for m in found}:
                break
    return found


async def test_multicast_probe_finds_every_camera_once_with_its_scopes() -> None:
    port = free_udp_port()
    cams = [camera(f"127.0.80.{200 + i}", port, f"PTZ {i} (front)") for i in range(3)]
    async with running(*cams):
        found = await probe_until({c.config.endpoint for c in cams}, port=port)
    by_endpoint = {m.endpoint: m for m in found}
    assert len(found) == len(by_endpoint) == 3  # de-duplicated across repeated probes and both types
    for cam in cams:
        match = by_endpoint[cam.config.endpoint]
        assert match.source == match.address == cam.config.host
        assert match.xaddrs == (f"http://{cam.config.host}:8080/onvif/device_service",)
        assert match.name.startswith("PTZ ") and match.name.endswith(" (front)")
        assert (match.hardware, match.location) == ("SimCam PTZ", "Room 101")
        assert {"dn:NetworkVideoTransmitter", "tds:Device"} <= set(match.types)
        assert cam.answered >= 1


async def test_unicast_probe_reaches_only_the_listed_camera() -> None:
    port = free_udp_port()
    listed, other = camera("127.0.80.210", port, "Listed"), camera("127.0.80.211", port, "Other")
    async with running(listed, other):
        found = await probe_until({listed.config.endpoint}, port=port, multicast=False,
                                  targets=["camera.invalid", "127.0.80.210"])  # a name: skipped, never resolved
    assert [m.name for m in found] == ["Listed"]
    assert other.answered == 0


async def test_unicast_only_camera_is_found_when_multicast_does_not_reach_it() -> None:
    port = free_udp_port()
    hidden = camera("127.0.80.212", port, "Across a VLAN", multicast_interface=None)
    async with running(hidden):
        found = await probe_until({hidden.config.endpoint}, port=port, targets=["127.0.80.212"])
    assert [m.endpoint for m in found] == [hidden.config.endpoint]


async def test_silent_camera_and_hostile_answers_do_not_stop_the_probe(caplog: pytest.LogCaptureFixture) -> None:
    """A neighbour that answers every Probe with XXE, billion laughs, junk or another probe's matches is ignored."""
    port = free_udp_port()
    good, silent = camera("127.0.80.213", port, "Good"), camera("127.0.80.214", port, "Mute", silent=True)
    hostile = _Hostile("127.0.80.215", port)

    def ignored() -> int:
        return sum("ignoring a WS-Discovery answer from 127.0.80.215" in r.getMessage() for r in caplog.records)

    found: list[ProbeMatch] = []
    with caplog.at_level(logging.INFO, "devices.onvif.wsdiscovery"):
        async with running(good, silent, hostile):
            async with contextlib.aclosing(probe(BOUND_S, interfaces=LOOPBACK, port=port,
                                                 targets=["127.0.80.215"])) as matches:
                async for match in matches:
                    found.append(match)
                    if found and ignored() >= len(HOSTILE_ANSWERS):
                        break
    assert [m.name for m in found] == ["Good"]
    assert silent.answered == 0 and ignored() >= len(HOSTILE_ANSWERS)


async def test_responder_ignores_hostile_probes_and_keeps_answering() -> None:
    port = free_udp_port()
    cam = camera("127.0.80.216", port, "Sturdy")
    async with running(cam):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            wrong_soap = probe_message("x").replace(b"2003/05", b"2001/12")
            for junk in (XXE, BILLION_LAUGHS, b"\xff" * 2000, b"<a>", wrong_soap):
                sock.sendto(junk, ("127.0.80.216", port))
        found = await probe_until({cam.config.endpoint}, port=port, targets=["127.0.80.216"], multicast=False)
    assert [m.name for m in found] == ["Sturdy"]
    assert cam.refused == 5


def test_probe_round_trip_and_scope_decoding() -> None:
    message_id = "urn:uuid:11111111-2222-3333-4444-555555555555"
    probe_ = parse_probe(probe_message(message_id, "dn:NetworkVideoTransmitter tds:Device"))
    assert probe_ is not None and probe_.message_id == message_id
    assert probe_.types == {"NetworkVideoTransmitter", "Device"}
    scopes = [scope_uri("name", "Аудитория 101 / PTZ"), "onvif://www.onvif.org/Profile/Streaming"]
    answer = probe_matches_message(message_id, "urn:uuid:cam", ["dn:NetworkVideoTransmitter"], scopes,
                                   ["http://127.0.80.9/onvif/device_service", "ftp://nope", "not a url"])
    [match] = parse_probe_matches(answer, {message_id}, "127.0.80.9")
    assert match.name == "Аудитория 101 / PTZ" and match.xaddrs == ("http://127.0.80.9/onvif/device_service",)
    assert scope_value(["onvif://www.onvif.org/name/Bad%ZZname"], "name") == "Bad%ZZname"
    with pytest.raises(Garbled, match="answer no Probe of ours"):
        parse_probe_matches(answer, {"urn:uuid:someone-else"}, "127.0.80.9")


async def test_a_camera_switched_on_later_says_hello_and_bye() -> None:
    """Listening between probes: the Hello carries what a ProbeMatch would; the Bye names the endpoint."""
    port = free_udp_port()
    late = camera("127.0.80.217", port, "Late")
    async with AnnouncementListener(LOOPBACK, port) as listener:
        async with contextlib.aclosing(listener.announcements(BOUND_S)) as announcements:
            async with late:
                hello = await anext(announcements)
            bye = await anext(announcements)
    assert hello.hello and hello.device.endpoint == late.config.endpoint and hello.device.name == "Late"
    assert hello.device.xaddrs == ("http://127.0.80.217:8080/onvif/device_service",)
    assert hello.device.source == "127.0.80.217"
    assert not bye.hello and bye.device.endpoint == late.config.endpoint
    assert late.refused == 0  # its own Hello, heard on the group, is not taken for junk


XXE = (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&x;</s:Body></s:Envelope>')
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><lolz>&lol9;</lolz>')


def _foreign_matches(message_id: str) -> bytes:
    return probe_matches_message("urn:uuid:not-our-probe", "urn:uuid:spoof", ["dn:NetworkVideoTransmitter"], [],
                                 ["http://127.0.80.99/onvif/device_service"])


def _wrong_namespace(message_id: str) -> bytes:
    good = probe_matches_message(message_id, "urn:uuid:wrong-ns", ["dn:NetworkVideoTransmitter"], [],
                                 ["http://127.0.80.98/onvif/device_service"])
    return good.replace(b"http://schemas.xmlsoap.org/ws/2005/04/discovery", b"http://example.com/not-discovery")


HOSTILE_ANSWERS = (
    lambda mid: XXE, lambda mid: BILLION_LAUGHS, lambda mid: b"\x00\x01garbage", lambda mid: b"<unclosed",
    _foreign_matches, _wrong_namespace,
)


class _Hostile:
    """A 'camera' that answers each Probe with every hostile answer above, addressed to that Probe."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port, self.sent = host, port, 0
        self._transport: asyncio.DatagramTransport | None = None

    async def __aenter__(self) -> _Hostile:
        loop = asyncio.get_running_loop()
        outer = self

        class Protocol(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = cast(asyncio.DatagramTransport, transport)

            def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
                probe_ = parse_probe(data)
                if probe_ is None:
                    return
                message_id = probe_.message_id
                for make in HOSTILE_ANSWERS:
                    self.transport.sendto(make(message_id), addr)
                    outer.sent += 1

        self._transport, _ = await loop.create_datagram_endpoint(Protocol, local_addr=(self.host, self.port))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._transport is not None:
            self._transport.close()
