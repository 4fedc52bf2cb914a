"""PJLink class 2 search over loopback: replies keyed by UDP source, garbage ignored."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable

import pytest

from devices.discovery.pjlink_search import SearchReply, directed_broadcasts, parse_ackn, search, search_one
from tests.discovery_helpers import with_a_lan_adapter

Reply = Callable[[bytes], list[bytes]]


class _Responder(asyncio.DatagramProtocol):
    def __init__(self, answer: Reply) -> None:
        self.answer = answer
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # not a DatagramTransport subclass in 3.11

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        assert self.transport is not None
        for out in self.answer(data):
            self.transport.sendto(out, addr)


@contextlib.asynccontextmanager
async def responders(answers: dict[str, Reply]) -> AsyncIterator[dict[str, int]]:
    """Fake search responders on 127.0.0.x; yields host -> UDP port."""
    loop = asyncio.get_running_loop()
    transports, ports = [], {}
    try:
        for host, answer in answers.items():
            factory = functools.partial(_Responder, answer)
            transport, _ = await loop.create_datagram_endpoint(factory, (host, 0))
            transports.append(transport)
            ports[host] = transport.get_extra_info("sockname")[1]
        yield ports
    finally:
        for transport in transports:
            transport.close()


def ackn(mac: str) -> Reply:
    return lambda data: [f"%2ACKN={mac}\r".encode()] if data == b"%2SRCH\r" else []


async def collect(targets: list[tuple[str, int]], window: float = 2.0) -> list[SearchReply]:
    """Every reply within ``window``: the responders answer on this very loop, so a loop stalled past the window
    (a busy CI machine) would end the search before they read the ask; 2 s, not the 0.4 s it was."""
    return [reply async for reply in search(targets, window)]


def test_parse_ackn() -> None:
    assert parse_ackn(b"%2ACKN=AA:bb:CC:00:11:22\r") == "aa:bb:cc:00:11:22"
    for bad in (b"%2ACKN=aa:bb:cc\r", b"%1ACKN=aa:bb:cc:00:11:22\r", b"%2ACKN=zz:bb:cc:00:11:22\r",
                b"hello", b"", b"%2ACKN=aa:bb:cc:00:11:22\rjunk", b"%2ACKN=aa:bb:cc:00:11:22" + b" " * 200):
        assert parse_ackn(bad) is None


async def test_search_collects_each_device_once() -> None:
    answers = {f"127.0.0.{i}": ackn(f"02:00:00:00:00:{i:02x}") for i in range(41, 46)}
    async with responders(answers) as ports:
        replies = await collect([(h, p) for h, p in ports.items()])
    assert sorted(replies, key=lambda r: r.address) == [
        SearchReply(f"127.0.0.{i}", f"02:00:00:00:00:{i:02x}") for i in range(41, 46)
    ]


async def test_malformed_replies_are_ignored_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    answers: dict[str, Reply] = {
        "127.0.0.51": lambda _: [b"%2ACKN=not-a-mac\r", b"\xff\x00garbage", b"%2ACKN=" + b"a" * 300],
        "127.0.0.52": lambda _: [b"%2ACKN=02:00:00:00:00:52\r"],
        "127.0.0.53": lambda _: [b"PJLINK 0\r"],
    }
    with caplog.at_level(logging.WARNING, "devices.discovery.pjlink_search"):
        async with responders(answers) as ports:
            replies = await collect([(h, p) for h, p in ports.items()])
    assert replies == [SearchReply("127.0.0.52", "02:00:00:00:00:52")]
    assert sum("malformed search reply" in r.message for r in caplog.records) >= 4


async def test_address_comes_from_udp_source_not_payload() -> None:
    async with responders({"127.0.0.54": ackn("02:00:00:00:00:99")}) as ports:
        # the reply must come: a generous window, which search_one leaves as soon as it has it (0.3 s was missed on a
        # busy machine)
        assert await search_one("127.0.0.54", ports["127.0.0.54"], window=5.0) == "02:00:00:00:00:99"
        assert await search_one("127.0.0.55", ports["127.0.0.54"], window=0.2) is None


async def test_silent_and_unreachable_targets_end_within_window() -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert await collect([("127.0.0.56", 9), ("127.0.0.57", 4352)], window=0.3) == []
    assert loop.time() - start < 1.0


def test_directed_broadcasts_skip_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    with_a_lan_adapter(monkeypatch)
    assert directed_broadcasts() == [("192.0.2.255", 4352)]  # computed only; nothing is sent
