"""The simulated camera's picture over HTTP: MJPEG at /stream.mjpg and a still at /snapshot.jpg.

``multipart/x-mixed-replace`` with a Content-Length per part is what IP cameras serve and what ffmpeg
(mpjpeg), OpenCV and VLC open as is. Frames are rendered and JPEG-encoded on the camera's worker thread,
at the set rate, and only while at least one client watches; every viewer gets the newest frame (a slow
viewer skips frames rather than queueing them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from typing import Any, Literal

from aiohttp import web

from devices.tasks import cancel_and_wait

log = logging.getLogger(__name__)

StreamFault = Literal["slow", "silent", "garbage"]
BOUNDARY = "frame"
STREAM_PATH = "/stream.mjpg"
SNAPSHOT_PATH = "/snapshot.jpg"
INFO_PATH = "/device.json"


class FramePump:
    """Makes frames with ``make_frame(index)`` on ``executor`` at ``fps`` while anyone watches."""

    def __init__(self, make_frame: Callable[[int], bytes], fps: float, executor: Executor) -> None:
        self._make_frame = make_frame
        self.period = 1.0 / fps
        self._executor = executor
        self._watchers = 0
        self._task: asyncio.Task[None] | None = None
        self._latest: tuple[int, bytes] | None = None
        self._fresh = asyncio.Event()
        self.index = 0  # frames made so far (the burnt-in counter of the next one)

    @property
    def watchers(self) -> int:
        return self._watchers

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        self._watchers += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="sim-camera-frames")
        try:
            yield
        finally:
            self._watchers -= 1
            if self._watchers == 0:
                task, self._task = self._task, None
                await cancel_and_wait(task)
                self._latest = None

    async def next(self, after: int) -> tuple[int, bytes] | None:
        """The newest frame later than ``after``; None if woken without one (``wake``)."""
        if self._latest is None or self._latest[0] <= after:
            await self._fresh.wait()
        latest = self._latest
        return latest if latest is not None and latest[0] > after else None

    def wake(self) -> None:
        """Let every waiting viewer look up (used when the server closes)."""
        self._fresh.set()
        self._fresh = asyncio.Event()

    async def snapshot(self) -> bytes:
        if self._latest is not None:
            return self._latest[1]
        return await self._frame()

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        self.wake()

    async def _frame(self) -> bytes:
        index = self.index
        self.index += 1
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._make_frame, index)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            index = self.index
            try:
                jpeg = await self._frame()
            except Exception:
                log.exception("simulated camera could not render frame %d", index)
                jpeg = b""
            if jpeg:
                self._latest = (index + 1, jpeg)  # +1: a viewer that saw nothing asks for frames after 0
                self.wake()
            due += self.period
            now = loop.time()
            if due < now - self.period:
                due = now  # fell behind: skip, do not burst
            await asyncio.sleep(max(0.0, due - now))


class MjpegServer:
    """aiohttp on (host, port) serving a FramePump; ``interrupt`` makes it vanish and come back."""

    def __init__(self, pump: FramePump, host: str, port: int, *, info: Callable[[], dict[str, Any]] | None = None,
                 fault: StreamFault | None = None, slow_delay_s: float = 5.0) -> None:
        self.pump = pump
        self.host = host
        self._port = port
        self._info = info
        self.fault = fault
        self.slow_delay_s = slow_delay_s
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.viewers_served = 0

    @property
    def port(self) -> int:
        return self._port

    @property
    def running(self) -> bool:
        return self._runner is not None

    def url(self, path: str = STREAM_PATH) -> str:
        return f"http://{self.host}:{self._port}{path}"

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get(STREAM_PATH, self._stream, allow_head=False)  # a HEAD must not start an endless body
        app.router.add_get(SNAPSHOT_PATH, self._snapshot)
        app.router.add_get(INFO_PATH, self._device)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self._port, reuse_address=True)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._closing = asyncio.Event()
        self._runner = runner
        if self._port == 0:
            self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Close the port and end every stream (clients see the connection end)."""
        runner, self._runner = self._runner, None
        self._closing.set()
        self.pump.wake()
        if runner is not None:
            await runner.cleanup()

    async def interrupt(self, duration_s: float) -> None:
        """The stream drops (connections end, the port refuses) and comes back on the same port."""
        await self.stop()
        await asyncio.sleep(duration_s)
        await self.start()

    async def _delay(self) -> None:
        if self.fault == "slow":
            await asyncio.sleep(self.slow_delay_s)
        elif self.fault == "silent":
            await self._closing.wait()  # accepted, never answered

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        await self._delay()
        response = web.StreamResponse(headers={
            "Content-Type": f"multipart/x-mixed-replace; boundary={BOUNDARY}",
            "Cache-Control": "no-cache, no-store",
            "Pragma": "no-cache",
        })
        await response.prepare(request)
        self.viewers_served += 1
        last = 0
        with contextlib.suppress(ConnectionError):
            async with self.pump.watching():
                while not self._closing.is_set():
                    frame = await self.pump.next(last)
                    if frame is None:
                        continue
                    last, jpeg = frame
                    if self.fault == "garbage":
                        jpeg = random.randbytes(len(jpeg))
                    await response.write(
                        f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
                        + jpeg + b"\r\n")
        return response

    async def _snapshot(self, request: web.Request) -> web.Response:
        await self._delay()
        jpeg = await self.pump.snapshot()
        if self.fault == "garbage":
            jpeg = random.randbytes(len(jpeg))
        return web.Response(body=jpeg, content_type="image/jpeg", headers={"Cache-Control": "no-cache"})

    async def _device(self, request: web.Request) -> web.Response:
        await self._delay()
        return web.json_response(self._info() if self._info is not None else {})
