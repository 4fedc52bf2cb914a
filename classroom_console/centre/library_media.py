"""A recording's bytes to a browser: HTTP range requests answered exactly, with the kernel's sendfile.

One range per request (what every video element asks); several ranges, or a unit other than bytes, get the
whole file (RFC 9110 lets a server ignore Range). A range that names no byte of the file is 416 with
``Content-Range: bytes */SIZE``; a malformed bytes range is 416 too, never a 500. A range larger than
``MAX_PART`` is cut to it: the client asks again from where the answer ended, as players do anyway.
"""

from __future__ import annotations

import asyncio
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from aiohttp import web

MAX_PART = 16 << 20  # bytes in one partial answer
_SPEC = re.compile(r"^\s*(\d{0,19})\s*-\s*(\d{0,19})\s*$")
READ_BLOCK = 1 << 20


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


def _read(fh: IO[bytes], offset: int, n: int) -> bytes:
    fh.seek(offset)
    return fh.read(n)


def disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (a Russian title survives)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "lecture.mp4"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"


async def send_file(request: web.Request, path: Path, content_type: str, download: str | None = None,
                    cap: int = MAX_PART) -> web.StreamResponse:
    """The file or the part the Range header asks for; ``download``: the name to save it under."""
    loop = asyncio.get_running_loop()
    try:
        fh, size, mtime_ns = await loop.run_in_executor(None, _open, path)
    except OSError:
        raise web.HTTPNotFound(text="not found") from None
    try:
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
        try:
            await loop.sendfile(transport, fh, offset, count)
        except NotImplementedError:  # TLS: the bytes go through Python
            done = 0
            while done < count:
                block = await loop.run_in_executor(None, _read, fh, offset + done, min(READ_BLOCK, count - done))
                if not block:
                    break
                await response.write(block)
                done += len(block)
        await response.write_eof()
        return response
    finally:
        loop.run_in_executor(None, fh.close)
