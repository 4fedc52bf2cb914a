"""WS-Discovery (2005/04, as ONVIF uses it) messages: Probe and ProbeMatches, built and parsed.

Both sides live here (the console probes, the simulator answers), so they cannot drift apart. A ProbeMatch
from the network is treated as hostile: parsed by ``devices.onvif.xml``, accepted only as an answer to one
of our own Probes, with its lists and strings bounded.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from devices.onvif.errors import Garbled
from devices.onvif.xml import INLINE_BYTES, NS, Element, esc, local_name, need, parse, qname, text
from devices.text import device_text

GROUP = "239.255.255.250"
PORT = 3702
TO_DISCOVERY = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
TO_ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
ACTION_PROBE = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
ACTION_MATCHES = "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches"
ACTION_HELLO = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello"
ACTION_BYE = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye"
CAMERA_TYPES: tuple[str, ...] = ("dn:NetworkVideoTransmitter", "tds:Device")
SCOPE_BASE = "onvif://www.onvif.org/"
MAX_DATAGRAM = INLINE_BYTES  # parsed on the loop; a real Probe or ProbeMatch is a few kB
MAX_MATCHES_PER_MESSAGE = 16
MAX_LIST = 64  # scopes or types in one match
MAX_XADDRS = 8
MAX_TOKEN = 1024  # characters of one scope, address or URL
_PREFIXES = ("s", "wsa", "d", "dn", "tds")
_DECLARE = " ".join(f'xmlns:{p}="{NS[p]}"' for p in _PREFIXES)


@dataclass(frozen=True, slots=True)
class ProbeMatch:
    """One device that answered: its endpoint reference (stable across address changes) and services."""

    endpoint: str  # urn:uuid:…, the key to de-duplicate by
    xaddrs: tuple[str, ...]  # device service URLs (http/https only)
    types: tuple[str, ...]
    scopes: tuple[str, ...]
    source: str  # the UDP sender's address
    metadata_version: int = 0

    @property
    def name(self) -> str:
        return scope_value(self.scopes, "name")

    @property
    def hardware(self) -> str:
        return scope_value(self.scopes, "hardware")

    @property
    def location(self) -> str:
        return scope_value(self.scopes, "location")

    @property
    def address(self) -> str:
        """The host of the first device service URL, else the sender's address."""
        return (urlsplit(self.xaddrs[0]).hostname or self.source) if self.xaddrs else self.source


@dataclass(frozen=True, slots=True)
class Probe:
    """A Probe as the responder reads it: type local names (prefixes are not resolvable in ElementTree)."""

    message_id: str
    types: frozenset[str]
    scopes: tuple[str, ...]


def new_message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def scope_uri(kind: str, value: str) -> str:
    """``scope_uri("name", "Room 101 PTZ")`` -> ``onvif://www.onvif.org/name/Room%20101%20PTZ``."""
    return f"{SCOPE_BASE}{kind}/{quote(value, safe='/')}"


def scope_value(scopes: Iterable[str], kind: str) -> str:
    """The percent-decoded value of the first ``onvif://www.onvif.org/<kind>/…`` scope, or ''."""
    prefix = f"{SCOPE_BASE}{kind}/"
    for scope in scopes:
        if scope.lower().startswith(prefix.lower()):
            return device_text(unquote(scope[len(prefix):], errors="replace").strip())
    return ""


def _envelope(header: str, body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope {_DECLARE}><s:Header>{header}</s:Header>'
            f"<s:Body>{body}</s:Body></s:Envelope>").encode()


def probe_message(message_id: str, types: str = CAMERA_TYPES[0]) -> bytes:
    """A Probe for devices of ``types`` (space-separated QNames with our prefixes dn / tds)."""
    header = (f"<wsa:MessageID>{esc(message_id)}</wsa:MessageID><wsa:To>{TO_DISCOVERY}</wsa:To>"
              f"<wsa:Action>{ACTION_PROBE}</wsa:Action>")
    return _envelope(header, f"<d:Probe><d:Types>{esc(types)}</d:Types></d:Probe>")


def _description(endpoint: str, types: Iterable[str], scopes: Iterable[str], xaddrs: Iterable[str],
                 metadata_version: int) -> str:
    """What a ProbeMatch and a Hello both carry."""
    return (f"<wsa:EndpointReference><wsa:Address>{esc(endpoint)}</wsa:Address></wsa:EndpointReference>"
            f"<d:Types>{esc(' '.join(types))}</d:Types><d:Scopes>{esc(' '.join(scopes))}</d:Scopes>"
            f"<d:XAddrs>{esc(' '.join(xaddrs))}</d:XAddrs><d:MetadataVersion>{metadata_version}</d:MetadataVersion>")


def probe_matches_message(relates_to: str, endpoint: str, types: Iterable[str], scopes: Iterable[str],
                          xaddrs: Iterable[str], metadata_version: int = 1) -> bytes:
    header = (f"<wsa:MessageID>{new_message_id()}</wsa:MessageID><wsa:RelatesTo>{esc(relates_to)}</wsa:RelatesTo>"
              f"<wsa:To>{TO_ANONYMOUS}</wsa:To><wsa:Action>{ACTION_MATCHES}</wsa:Action>")
    body = _description(endpoint, types, scopes, xaddrs, metadata_version)
    return _envelope(header, f"<d:ProbeMatches><d:ProbeMatch>{body}</d:ProbeMatch></d:ProbeMatches>")


def hello_message(endpoint: str, types: Iterable[str], scopes: Iterable[str], xaddrs: Iterable[str],
                  metadata_version: int = 1) -> bytes:
    """What a device multicasts when it joins the network, so listeners need not wait for their next Probe."""
    header = (f"<wsa:MessageID>{new_message_id()}</wsa:MessageID><wsa:To>{TO_DISCOVERY}</wsa:To>"
              f"<wsa:Action>{ACTION_HELLO}</wsa:Action>")
    return _envelope(header, f"<d:Hello>{_description(endpoint, types, scopes, xaddrs, metadata_version)}</d:Hello>")


def bye_message(endpoint: str) -> bytes:
    header = (f"<wsa:MessageID>{new_message_id()}</wsa:MessageID><wsa:To>{TO_DISCOVERY}</wsa:To>"
              f"<wsa:Action>{ACTION_BYE}</wsa:Action>")
    return _envelope(header, f"<d:Bye><wsa:EndpointReference><wsa:Address>{esc(endpoint)}</wsa:Address>"
                             "</wsa:EndpointReference></d:Bye>")


def _envelope_parts(data: bytes) -> tuple[Element, Element]:
    if len(data) > MAX_DATAGRAM:
        raise Garbled(f"datagram of {len(data)} bytes")
    root = parse(data)
    if root.tag != qname("s:Envelope"):
        raise Garbled(f"not a SOAP 1.2 envelope: {root.tag[:200]!r}")
    return need(root, "s:Header"), need(root, "s:Body")


def _tokens(raw: str, limit: int) -> tuple[str, ...]:
    return tuple(t for t in raw.split()[:limit] if len(t) <= MAX_TOKEN)


def parse_probe(data: bytes) -> Probe | None:
    """A Probe; None for other WS-Discovery traffic on the port (Hello, Bye, matches); ``Garbled`` for junk."""
    header, body = _envelope_parts(data)
    if text(header, "wsa:Action") != ACTION_PROBE:
        return None
    probe = need(body, "d:Probe")
    message_id = text(header, "wsa:MessageID")
    if not message_id or len(message_id) > MAX_TOKEN:
        raise Garbled("a Probe without a usable MessageID")
    types = frozenset(t.rpartition(":")[2] for t in _tokens(text(probe, "d:Types"), MAX_LIST))
    return Probe(message_id, types, _tokens(text(probe, "d:Scopes"), MAX_LIST))


def _usable_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _match(element: Element, source: str) -> ProbeMatch:
    endpoint = text(element, "wsa:EndpointReference/wsa:Address")
    if not endpoint or len(endpoint) > MAX_TOKEN:
        raise Garbled("a ProbeMatch without a usable endpoint reference")
    try:
        version = int(text(element, "d:MetadataVersion", "0"))
    except ValueError:
        version = 0
    return ProbeMatch(
        endpoint=endpoint,
        xaddrs=tuple(u for u in _tokens(text(element, "d:XAddrs"), MAX_XADDRS) if _usable_url(u)),
        types=_tokens(text(element, "d:Types"), MAX_LIST),
        scopes=_tokens(text(element, "d:Scopes"), MAX_LIST),
        source=source,
        metadata_version=version,
    )


def parse_probe_matches(data: bytes, ours: Collection[str], source: str) -> list[ProbeMatch]:
    """The matches in a ProbeMatches answering one of ``ours`` (our Probes' MessageIDs), or ``Garbled``."""
    header, body = _envelope_parts(data)
    if text(header, "wsa:Action") != ACTION_MATCHES:
        raise Garbled(f"not ProbeMatches: action {text(header, 'wsa:Action')[:200]!r}")
    if text(header, "wsa:RelatesTo") not in ours:
        raise Garbled("ProbeMatches that answer no Probe of ours")
    matches = need(body, "d:ProbeMatches")
    found = [_match(m, source) for m in matches.iterfind("d:ProbeMatch", NS)][:MAX_MATCHES_PER_MESSAGE]
    unknown = [local_name(c.tag) for c in matches if c.tag != qname("d:ProbeMatch")]
    if not found and unknown:
        raise Garbled(f"ProbeMatches holding only {unknown[:3]}")
    return found


def parse_announcement(data: bytes, source: str) -> tuple[bool, ProbeMatch]:
    """A Hello (True, with what it carries) or a Bye (False, endpoint only), or ``Garbled``."""
    header, body = _envelope_parts(data)
    action = text(header, "wsa:Action")
    if action not in (ACTION_HELLO, ACTION_BYE):
        raise Garbled(f"not a Hello or Bye: action {action[:200]!r}")
    hello = action == ACTION_HELLO
    return hello, _match(need(body, "d:Hello" if hello else "d:Bye"), source)


__all__ = ["CAMERA_TYPES", "GROUP", "PORT", "Probe", "ProbeMatch", "bye_message", "hello_message", "new_message_id",
           "parse_announcement", "parse_probe", "parse_probe_matches", "probe_matches_message", "probe_message",
           "scope_uri", "scope_value"]
