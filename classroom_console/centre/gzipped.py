"""A usage report's JSON sent gzipped to a client that accepts it, compressed once however many ask for it.

Why: a centre of 300 rooms answers a staff screen with some 210 KB of JSON, and under 300 syncing rooms most of a
request's time at p99 was spent outside the report (nginx relaying the answer beside the rooms' uploads, a page of
a few KiB at a turn of its one worker's loop, and the staff's process reading it, on two busy cores). Gzipped at
level 1 it is some 12 KB (0.4 ms, bench/pg_report_parts.py's rows; level 6: 9 KB in 1.3 ms). Usage p99 through nginx,
bench/sync_rooms.py --rooms 300 --processes 2,4 --no-sqlite --compare <590bec1>, alternated (load 0.9-4.6): four
processes 357/446/319 -> 149/219/130 ms, two 139/147 -> 81/96 ms.

A report's bytes are one object for every request given that report (``pg_reports``: the requests waiting for a
report share it; ``reports.ReportCache`` alike), so the last few are kept by identity, each with its gzip.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict

from aiohttp import web

LEVEL = 1
KEPT = 8  # bodies whose gzip is kept (a few filters asked at once)
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer, not zlib's


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (named, or ``*``, with no ``q=0``)."""
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        if name.strip().lower() not in ("gzip", "*"):
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                if float(q[2:]) <= 0:
                    continue
            except ValueError:
                continue
        return True
    return False


class Gzipped:
    """``of(body)``: its gzip, made once for the same bytes object. Used by one app, on its loop's thread."""

    def __init__(self) -> None:
        self._kept: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
        self.made = 0  # (tests: bodies compressed)

    def of(self, body: bytes) -> bytes:
        kept = self._kept.get(id(body))
        if kept is not None and kept[0] is body:
            self._kept.move_to_end(id(body))
            return kept[1]
        packer = zlib.compressobj(LEVEL, zlib.DEFLATED, GZIP_WBITS)
        gz = packer.compress(body) + packer.flush()
        self.made += 1
        self._kept[id(body)] = (body, gz)  # (the body held: its id names no other object meanwhile)
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)
        return gz

    def answer(self, request: web.Request, body: bytes) -> web.Response:
        """The report's answer: gzipped where the client accepts it."""
        if accepts_gzip(request.headers.get("Accept-Encoding", "")):
            return web.Response(body=self.of(body), content_type="application/json",
                                headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        return web.Response(body=body, content_type="application/json", headers={"Vary": "Accept-Encoding"})
