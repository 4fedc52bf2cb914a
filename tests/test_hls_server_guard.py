"""The Studio's LAN stream server against a slowloris: an address's connections are capped, a request head that
never ends is cut, and a viewer at another address plays meanwhile (E3: 1,100 half-sent requests held every
viewer out for 50 s and wrote 37 MB of 'Too many open files' tracebacks)."""

from __future__ import annotations

import asyncio

import aiohttp

from classroom_console.media.hls_server import HlsServer, ViewerLimits

BOUND_S = 30.0


async def test_half_sent_requests_are_capped_and_cut_and_a_viewer_still_gets_the_page() -> None:
    server = HlsServer("127.0.0.1", 0, None)
    server.limits = ViewerLimits(connections_per_client=3, header_timeout_s=1.0)
    await server.start()
    slow: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        for _ in range(server.limits.connections_per_client + 1):
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=("127.0.4.70", 0))
            writer.write(b"GET /live/index.m3u8 HTTP/1.1\r\nHost: x\r\n")
            slow.append((reader, writer))
        async with asyncio.timeout(BOUND_S):
            assert (await slow[-1][0].read()).startswith(b"HTTP/1.1 429")
        connector = aiohttp.TCPConnector(local_addr=("127.0.4.71", 0))
        async with aiohttp.ClientSession(connector=connector) as viewer, asyncio.timeout(BOUND_S):
            async with viewer.get(f"http://127.0.0.1:{server.port}/live/") as page:
                assert page.status == 200
        async with asyncio.timeout(BOUND_S):
            assert await asyncio.gather(*(r.read() for r, _ in slow[:-1])) == [b""] * 3
    finally:
        for _, writer in slow:
            writer.close()
        await server.stop()
