"""Every frame a tablet sends must be masked (RFC 6455, 5.1: the server must close the connection on one that is
not). aiohttp reads the mask bit and never says, so this follows the frame boundaries of the bytes on their way
to its reader: a header's few bytes are looked at, the payload is skipped by length, never copied.

It stands in front of aiohttp's parser on the request's protocol (``_payload_parser``, not a public name; a test
with a raw socket pins it). Frames sent before the server's 101 never reach it: ``early_frames`` finds them and
the socket is refused before the upgrade (a client must wait for the handshake's answer, RFC 6455, 4.1).
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

CLOSE_PROTOCOL_ERROR = bytes((0x88, 2)) + struct.pack("!H", 1002)  # an unmasked close frame, code 1002


class MaskedOnly:
    """Passes bytes on to ``parser`` while every frame in them is masked; at the first that is not, calls
    ``refuse`` once and tells the protocol the stream ended (it closes the connection)."""

    def __init__(self, parser: Any, refuse: Callable[[], None]) -> None:
        self._parser = parser
        self._refuse = refuse
        self._head = bytearray()  # the frame header read so far
        self._need = 2  # bytes of header wanted before the payload
        self._skip = 0  # payload (and mask key) bytes still to pass
        self.refused = False

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        if self.refused:
            return True, b""
        if not self._masked(data):
            self.refused = True
            self._refuse()
            return True, b""
        result: tuple[bool, bytes] = self._parser.feed_data(data)
        return result

    def feed_eof(self) -> Any:
        return self._parser.feed_eof()

    def _masked(self, data: bytes) -> bool:
        i, n = 0, len(data)
        while i < n:
            if self._skip:
                step = min(self._skip, n - i)
                self._skip -= step
                i += step
                continue
            self._head.append(data[i])
            i += 1
            if len(self._head) == 2:
                if not self._head[1] & 0x80:
                    return False
                short = self._head[1] & 0x7F
                self._need = 2 + (2 if short == 126 else 8 if short == 127 else 0)
            if len(self._head) == self._need:
                short = self._head[1] & 0x7F
                length = (short if short < 126 else struct.unpack("!H", self._head[2:4])[0] if short == 126
                          else struct.unpack("!Q", self._head[2:10])[0])
                self._skip = 4 + length  # the mask key, then the payload
                self._head.clear()
                self._need = 2
        return True


def early_frames(request: web.Request) -> bool:
    """Bytes after the upgrade request, sent before the server answered it."""
    return bool(getattr(request.protocol, "_message_tail", b""))


def guard(request: web.Request, address: str) -> MaskedOnly | None:
    """Put the check in front of the socket's parser (right after ``prepare``, before any await); None when
    this aiohttp keeps its parser elsewhere (then unmasked frames pass, as before)."""
    protocol = request.protocol
    parser = getattr(protocol, "_payload_parser", None)
    transport = request.transport
    if parser is None or transport is None:
        log.warning("cannot check that tablets mask their frames with this aiohttp")
        return None

    def refuse() -> None:
        log.info("tablet %s sent an unmasked frame: closed", address)
        transport.write(CLOSE_PROTOCOL_ERROR)
        transport.close()  # after the close frame is written

    check = MaskedOnly(parser, refuse)
    protocol._payload_parser = check  # aiohttp has no public hook for the raw frames
    return check
