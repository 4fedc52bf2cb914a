"""Media service messages (ver10): profiles, stream and snapshot URIs, built and read for the client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from devices.onvif.errors import Garbled
from devices.onvif.xml import NS, Element, esc, find, need, text

StreamProtocol = Literal["RTSP", "HTTP", "UDP", "TCP"]
MAX_PROFILES = 64
_URI_SCHEMES = ("rtsp", "rtsps", "http", "https", "rtp", "udp")


@dataclass(frozen=True, slots=True)
class Profile:
    """A media profile: the token every stream and PTZ request names."""

    token: str
    name: str
    encoding: str = ""  # H264, JPEG, …
    width: int = 0
    height: int = 0
    ptz_token: str = ""  # its PTZConfiguration's token; '' when this profile cannot drive PTZ


def get_profiles() -> str:
    return "<trt:GetProfiles/>"


def get_stream_uri(profile: str, protocol: StreamProtocol) -> str:
    return (f"<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport>"
            f"<tt:Protocol>{protocol}</tt:Protocol></tt:Transport></trt:StreamSetup>"
            f"<trt:ProfileToken>{esc(profile)}</trt:ProfileToken></trt:GetStreamUri>")


def get_snapshot_uri(profile: str) -> str:
    return f"<trt:GetSnapshotUri><trt:ProfileToken>{esc(profile)}</trt:ProfileToken></trt:GetSnapshotUri>"


def _int(element: Element | None, path: str) -> int:
    raw = text(element, path, "0")
    try:
        value = int(raw)
    except ValueError:
        raise Garbled(f"{path}={raw[:40]!r} is not a number") from None
    if not 0 <= value <= 100_000:
        raise Garbled(f"{path}={value} is out of range")
    return value


def read_profiles(response: Element) -> list[Profile]:
    profiles = []
    for element in response.iterfind("trt:Profiles", NS):
        token = element.get("token", "")
        if not token or len(token) > 64:
            raise Garbled("a profile without a usable token")
        video = find(element, "tt:VideoEncoderConfiguration")
        ptz = find(element, "tt:PTZConfiguration")
        profiles.append(Profile(
            token=token, name=text(element, "tt:Name")[:128], encoding=text(video, "tt:Encoding")[:32],
            width=_int(video, "tt:Resolution/tt:Width"), height=_int(video, "tt:Resolution/tt:Height"),
            ptz_token="" if ptz is None else ptz.get("token", "")[:64] or "ptz",
        ))
    return profiles[:MAX_PROFILES]


def read_uri(response: Element) -> str:
    """The tt:Uri of a GetStreamUri / GetSnapshotUri answer, checked to be a URL a player can open."""
    uri = text(need(response, "trt:MediaUri"), "tt:Uri")
    try:
        parts = urlsplit(uri)
        usable = parts.scheme.lower() in _URI_SCHEMES and bool(parts.hostname) and len(uri) <= 2048
    except ValueError:
        usable = False
    if not usable:
        raise Garbled(f"not a usable media URI: {uri[:200]!r}")
    return uri
