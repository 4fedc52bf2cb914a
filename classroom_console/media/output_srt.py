"""SRT push (caller mode): the same packets as the file, in MPEG-TS, for platforms and centres that take SRT.

SRT carries its stream id and passphrase in the URL's query: secrets, masked like an RTMP key. It runs over
UDP, so there is no TCP knock after a vague failure: FFmpeg's SRT connect has its own timeout, set from ours.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from .output_rtmp import RtmpOutput, mask_url
from .push_process import CHILD


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

    def _knock(self) -> str:
        """SRT runs over UDP: there is nothing to knock at; the server answered, and did not take this stream."""
        return "rejected"

    def _destination(self) -> tuple[str, str, dict[str, str]]:
        parts = urlsplit(self.url)
        query = dict(parse_qsl(parts.query))
        query.setdefault("mode", "caller")
        query.setdefault("connect_timeout", str(int(self.connect_timeout_s * 1000)))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")), "mpegts", {}


@functools.cache
def srt_available() -> bool:
    """Whether this build's FFmpeg speaks SRT (the destination editor says so plainly when not).

    Asked once, in the live destinations' helper process (``push_child.py --has-srt``): FFmpeg opens the
    protocol only when a stream starts, and that runs holding Python's GIL for up to the connect timeout.
    """
    try:
        done = subprocess.run([sys.executable, "-P", str(CHILD), "--has-srt"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return True  # unknown: let the connection say what is wrong
    return done.stdout.strip() != "no"
