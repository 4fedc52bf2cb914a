"""A recording's bytes to a browser: HTTP range requests answered exactly, with the kernel's sendfile.

One range per request (what every video element asks); several ranges, or a unit other than bytes, get the
whole file (RFC 9110 lets a server ignore Range). A range that names no byte of the file is 416 with
``Content-Range: bytes */SIZE``; a malformed bytes range is 416 too, never a 500. A range larger than
``MAX_PART`` is cut to it: the client asks again from where the answer ended, as players do anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from aiohttp import web

MAX_PART = 16 << 20  # bytes in one partial answer
_SPEC = re.compile(r"^\s*(\d{0,19})\s*-\s*(\d{0,19})\s*$")
SEND_BUFFER = 4 << 20  # bytes the kernel may hold for one viewer's connection


class Unsatisfiable(Exception):
    """No byte of the file is named (or the range cannot be read): 416."""


@dataclass(frozen=True, slots=True)
class Part:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int, cap: int = MAX_PART) -> Part | None:
    """None: send the whole file; a Part: send it (206); Unsatisfiable: 416."""
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None  # a unit we do not know: ignored
    if "," in spec:
        return None  # several ranges: the whole file, as the RFC allows
    match = _SPEC.match(spec)
    if match is None or match.group(1) == match.group(2) == "":
        raise Unsatisfiable(f"malformed range {header[:60]!r}")
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise Unsatisfiable("an empty suffix")
        start, end = max(0, size - n), size - 1
    else:
        start = int(first)
        end = size - 1 if last == "" else int(last)
        if end < start:
            raise Unsatisfiable(f"range {spec.strip()!r} ends before it starts")
        if start >= size:
            raise Unsatisfiable(f"range starts at {start}, the file has {size} bytes")
        end = min(end, size - 1)
    return Part(start, min(end, start + cap - 1))


def _open(path: Path) -> tuple[IO[bytes], int, int]:
    fh = open(path, "rb")  # closed by the caller after sending
    st = os.fstat(fh.fileno())
    return fh, st.st_size, st.st_mtime_ns


def disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (a Russian title survives)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "lecture.mp4"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


def _allowed_send_buffer() -> int:
    """The kernel caps SO_SNDBUF at net.core.wmem_max; a smaller cap than ours would only stop its autotuning."""
    try:
        return int(Path("/proc/sys/net/core/wmem_max").read_text())
    except (OSError, ValueError):
        return 0


_WMEM_MAX = _allowed_send_buffer()  # read once, at import: never on the loop


def _big_send_buffer(transport: asyncio.WriteTransport) -> None:
    """A larger socket buffer for a video's bytes: each wakeup of the loop hands the kernel more of the file."""
    sock = transport.get_extra_info("socket")
    if _WMEM_MAX < SEND_BUFFER or sock is None:
        return
    if sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) < SEND_BUFFER:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)


class OpenFiles:
    """Files kept open between requests for ``KEEP_S``: a video's many range requests cost no open, stat or close
    (two thread hops each). Only complete recordings are served, and they do not change; a file replaced anyway
    is seen within ``KEEP_S``. Each send passes its own offset, so requests share one open file safely."""

    KEEP_S = 2.0

    def __init__(self) -> None:
        self._open: dict[Path, tuple[float, asyncio.Future[tuple[IO[bytes], int, int]]]] = {}
        self._closing: set[asyncio.Future[None]] = set()
        self._retired: set[asyncio.Future[tuple[IO[bytes], int, int]]] = set()

    async def get(self, path: Path) -> tuple[IO[bytes], int, int]:
        """Requests arriving while the file is opened share that opening."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        held = self._open.get(path)
        if held is not None and now - held[0] < self.KEEP_S:
            return await asyncio.shield(held[1])
        opening: asyncio.Future[tuple[IO[bytes], int, int]] = loop.run_in_executor(None, _open, path)
        self._open[path] = (now, opening)
        if held is not None:
            self._later_close(held[1])  # a request may still be sending from it
        if len(self._open) > 64:
            for old_path, old in list(self._open.items()):
                if now - old[0] >= self.KEEP_S:
                    del self._open[old_path]
                    self._later_close(old[1])
        try:
            return await asyncio.shield(opening)
        except OSError:
            if self._open.get(path, (0.0, None))[1] is opening:
                del self._open[path]
            raise

    def _later_close(self, opening: asyncio.Future[tuple[IO[bytes], int, int]]) -> None:
        self._retired.add(opening)

        async def close() -> None:
            await asyncio.sleep(self.KEEP_S * 30)  # longer than any one range takes to send (MAX_PART)
            self._retired.discard(opening)
            try:
                fh = (await opening)[0]
            except OSError:
                return
            await asyncio.get_running_loop().run_in_executor(None, fh.close)

        task = asyncio.ensure_future(close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        for task in list(self._closing):
            task.cancel()
        loop = asyncio.get_running_loop()
        for _, opening in [*self._open.values(), *((0.0, o) for o in self._retired)]:
            try:
                fh = (await opening)[0]
            except OSError:
                continue
            await loop.run_in_executor(None, fh.close)
        self._open.clear()
        self._retired.clear()


async def send_file(request: web.Request, path: Path, content_type: str, download: str | None = None,
                    cap: int = MAX_PART, files: OpenFiles | None = None) -> web.StreamResponse:
    """The file or the part the Range header asks for; ``download``: the name to save it under."""
    loop = asyncio.get_running_loop()
    if request.transport is not None and request.transport.get_extra_info("sslcontext") is not None:
        files = None  # through TLS asyncio seeks and reads the file object itself: one of its own per request
    try:
        if files is not None:
            fh, size, mtime_ns = await files.get(path)
        else:
            fh, size, mtime_ns = await loop.run_in_executor(None, _open, path)
    except OSError:
        raise web.HTTPNotFound(text="not found") from None
    try:
        return await _send(request, fh, size, mtime_ns, content_type, download, cap)
    finally:
        if files is None:
            loop.run_in_executor(None, fh.close)


async def _send(request: web.Request, fh: IO[bytes], size: int, mtime_ns: int, content_type: str,
                download: str | None, cap: int) -> web.StreamResponse:
    loop = asyncio.get_running_loop()
    etag = f'"{mtime_ns:x}-{size:x}"'
    headers = {"Accept-Ranges": "bytes", "ETag": etag, "Content-Type": content_type,
               "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if download is not None:
        headers["Content-Disposition"] = disposition(download)
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and if_range is not None and if_range.strip() != etag:
        header = None  # the client's copy is another version: the whole file
    try:
        part = parse_range(header, size, cap)
    except Unsatisfiable:
        raise web.HTTPRequestRangeNotSatisfiable(
            headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}) from None
    if part is None:
        status, offset, count = 200, 0, size
    else:
        status, offset, count = 206, part.start, part.length
        headers["Content-Range"] = f"bytes {part.start}-{part.end}/{size}"
    response = web.StreamResponse(status=status, headers=headers)
    response.content_length = count
    await response.prepare(request)
    if request.method == "HEAD" or count == 0:
        await response.write_eof()
        return response
    transport = request.transport
    if transport is None:
        raise ConnectionResetError("the viewer went away")
    _big_send_buffer(transport)
    # The kernel's sendfile on plain TCP; through TLS, asyncio reads the file on a worker thread and writes it.
    await loop.sendfile(transport, fh, offset, count)
    await response.write_eof()
    return response
