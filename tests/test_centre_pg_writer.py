"""The PostgreSQL group writer's own bookkeeping, on an asyncio loop without a server.

The case below needs two groups' replies and a new upload in one turn of the loop, which a real PostgreSQL cannot
be made to produce on demand; so ``send`` here is a coroutine that answers when the test lets it (the stores
themselves, on a real server, are in tests/test_centre_pg_groups.py).
"""

from __future__ import annotations

import asyncio

from classroom_console.centre.pg_writer import GroupWriter

BOUND_S = 30.0


async def test_an_upload_arriving_as_both_writers_finish_is_still_stored() -> None:
    loop = asyncio.get_running_loop()
    replies: list[asyncio.Future[None]] = []
    stored: list[str] = []
    both_sent = asyncio.Event()

    async def send(docs: list[str]) -> list[int]:
        if len(replies) < 2:  # the first two groups wait for the test to answer them
            reply = loop.create_future()
            replies.append(reply)
            if len(replies) == 2:
                both_sent.set()
            await reply
        stored.extend(docs)
        return [1] * len(docs)

    writer = GroupWriter(send, lambda _exc: False, writers=2)
    first = asyncio.ensure_future(writer.store(("room", "s1"), "s1"))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(writer.store(("room", "s2"), "s2"))
    body_read = loop.create_future()

    async def upload() -> int:  # a request whose body is still arriving
        await body_read
        return await writer.store(("room", "s3"), "s3")

    third = asyncio.ensure_future(upload())
    async with asyncio.timeout(BOUND_S):
        await both_sent.wait()

    def at_once() -> None:  # both replies and the body's last bytes in one batch of socket events
        for reply in replies:
            reply.set_result(None)
        body_read.set_result(None)

    loop.call_soon(at_once)
    async with asyncio.timeout(BOUND_S):
        assert await asyncio.gather(first, second, third) == [1, 1, 1]
    assert sorted(stored) == ["s1", "s2", "s3"]
