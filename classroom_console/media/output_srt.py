"""SRT push (caller mode): the same packets as the file, in MPEG-TS, for platforms and centres that take SRT.

SRT carries its stream id and passphrase in the URL's query: secrets, masked like an RTMP key. It runs over
UDP, so there is no TCP knock first: FFmpeg's SRT connect has its own timeout, set from ours.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

import av

from .output_rtmp import RtmpOutput, _Refused, mask_url, reason_of


class SrtOutput(RtmpOutput):
    kind = "srt"

    @staticmethod
    def _check(url: str) -> SplitResult:
        parts = urlsplit(url)
        if parts.scheme != "srt" or not parts.hostname or not parts.port:
            raise ValueError(f"not an SRT URL with a host and a port: {mask_url(url)}")
        mode = dict(parse_qsl(parts.query)).get("mode", "caller")
        if mode != "caller":
            raise ValueError("an SRT destination is called by the console: mode=caller (or no mode)")
        return parts

    def _open(self) -> Any:
        parts = urlsplit(self.url)
        query = dict(parse_qsl(parts.query))
        query.setdefault("mode", "caller")
        query.setdefault("connect_timeout", str(int(self.connect_timeout_s * 1000)))
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
        try:
            return av.open(url, "w", format="mpegts", timeout=self.connect_timeout_s)
        except Exception as exc:
            raise _Refused(reason_of(exc)) from exc


@functools.cache
def srt_available() -> bool:
    """Whether this build's FFmpeg speaks SRT (the destination editor says so plainly when not).

    Asked once: FFmpeg opens the protocol only when the stream starts, so a caller to a closed port is started
    for real: it fails at once with a connection error when SRT is there, with "Protocol not found" when not.
    """
    try:
        container = av.open("srt://127.0.0.1:9?mode=caller&connect_timeout=1", "w", format="mpegts", timeout=0.5)
        try:
            stream = container.add_stream("mpeg2video", rate=25)
            stream.width = stream.height = 16
            container.start_encoding()
        finally:
            container.close()
    except av.error.ProtocolNotFoundError:
        return False
    except Exception:
        return True
    return True
