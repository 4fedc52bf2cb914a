"""Unicast sweep: ranges are capped with a clear error; only PJLink greetings count; load is bounded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from devices.discovery import DeviceFinder, FinderConfig, RangeTooLargeError, expand_targets, probe, scan
from devices.discovery.sweep import parse_greeting


def test_oversized_range_is_refused_with_a_clear_error() -> None:
    with pytest.raises(RangeTooLargeError, match=r"10\.0\.0\.0/16 has 65534 hosts; at most 1024 .*/22"):
        expand_targets(["10.0.0.0/16"])
    with pytest.raises(RangeTooLargeError):
        DeviceFinder(FinderConfig(sweep=["10.1.0.0/21"]))  # fails at construction, before any traffic
    with pytest.raises(RangeTooLargeError, match="more than 4096"):
        expand_targets([f"10.{i}.0.0/22" for i in range(5)])
    assert len(expand_targets(["10.0.0.0/22"])) == 1022


@pytest.mark.parametrize("spec", ["10.0.0", "host.example", "10.0.0.1:0", "10.0.0.1:x", "10.0.0.0/33", ""])
def test_bad_specs_are_value_errors(spec: str) -> None:
    with pytest.raises(ValueError, match="sweep"):
        expand_targets([spec])


def test_expand_targets_forms_and_dedup() -> None:
    assert expand_targets(
        ["127.0.0.1", "127.0.0.1", "127.0.0.2:4400", "[::1]:4352", "::1", "127.0.0.8/30", ("127.0.0.3", 9)]
    ) == [("127.0.0.1", 4352), ("127.0.0.2", 4400), ("::1", 4352), ("127.0.0.9", 4352),
          ("127.0.0.10", 4352), ("127.0.0.3", 9)]


def test_parse_greeting() -> None:
    assert parse_greeting(b"PJLINK 0\r") is False
    assert parse_greeting(b"PJLINK 1 0a1B2c3D\r") is True
    assert parse_greeting(b"PJLINK ERRA\r") is True
    for other in (b"SSH-2.0-OpenSSH\r", b"PJLINK 1 short\r", b"PJLINK 2\r", b"\xff\xfe\r"):
        assert parse_greeting(other) is None


@contextlib.asynccontextmanager
async def server(host: str, greeting: bytes | None, hold: float = 0.0) -> AsyncIterator[tuple[int, list[int]]]:
    """A TCP server that waits `hold` s then sends `greeting` (None: stays silent); tracks concurrency."""
    live, peak = [0], [0]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        live[0] += 1
        peak[0] = max(peak[0], live[0])
        try:
            await asyncio.sleep(hold)
            if greeting is not None:
                writer.write(greeting)
                await writer.drain()
            await reader.read(100)
        except OSError:
            pass
        finally:
            live[0] -= 1
            writer.close()

    srv = await asyncio.start_server(handle, host, 0)
    try:
        yield srv.sockets[0].getsockname()[1], peak
    finally:
        srv.close()
        await srv.wait_closed()


async def test_probe_accepts_only_pjlink_greetings() -> None:
    async with server("127.0.0.70", b"PJLINK 1 abcdefgh\r") as (port, _):
        hit = await probe("127.0.0.70", port)
        assert hit is not None and hit.needs_password and hit.greeting == "PJLINK 1 abcdefgh"
    async with server("127.0.0.71", b"HTTP/1.0 400 Bad Request\r\n") as (port, _):
        assert await probe("127.0.0.71", port) is None
    async with server("127.0.0.72", None) as (port, _):
        assert await probe("127.0.0.72", port, connect_timeout=0.2) is None
    assert await probe("127.0.0.73", 9, connect_timeout=0.5) is None  # refused


async def test_scan_bounds_concurrency_and_rate() -> None:
    async with server("127.0.0.74", b"PJLINK 0\r", hold=0.1) as (port, peak):
        loop = asyncio.get_running_loop()
        start = loop.time()
        hits = [h async for h in scan([("127.0.0.74", port)] * 20, concurrency=4, rate=50.0)]
        elapsed = loop.time() - start
    assert len(hits) == 20 and all(not h.needs_password for h in hits)
    assert peak[0] <= 4
    assert elapsed >= 19 / 50 - 0.02  # 20 connections at 50/s need at least 0.38 s


async def test_scan_stops_cleanly_when_the_consumer_leaves_early() -> None:
    async with server("127.0.0.75", b"PJLINK 0\r") as (port, _):
        async with contextlib.aclosing(scan([("127.0.0.75", port)] * 10, concurrency=2)) as hits:
            async for _ in hits:
                break
    assert not [t for t in asyncio.all_tasks() if "worker" in repr(t.get_coro())]
