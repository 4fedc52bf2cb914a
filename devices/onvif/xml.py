"""Every XML from the network goes through here: size-capped, then parsed by defusedxml with DTDs refused.

A camera or anything else on the LAN may send XXE (external entities reading local files), billion laughs
(entity expansion) or a body of many megabytes. SOAP 1.2 forbids a DTD outright, so any DTD is refused,
which rules out every entity trick; the size cap comes before the parser sees a byte.
"""

from __future__ import annotations

import math
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat  # noqa: F401  imported now: ElementTree imports it lazily, on the loop
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from devices.onvif.errors import Garbled

MAX_XML_BYTES = 1_000_000

NS: dict[str, str] = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
    "dn": "http://www.onvif.org/ver10/network/wsdl",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "ter": "http://www.onvif.org/ver10/error",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
}

__all__ = ["MAX_XML_BYTES", "NS", "Element", "attr_float", "esc", "find", "local_name", "need", "parse",
           "qname", "quoteattr", "text"]


def parse(data: bytes, *, limit: int = MAX_XML_BYTES) -> Element:
    """The root element, or ``Garbled`` for anything too large, hostile (any DTD or entity) or malformed."""
    if len(data) > limit:
        raise Garbled(f"XML of {len(data)} bytes refused: the cap is {limit}")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Garbled(f"hostile XML refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise Garbled(f"malformed XML: {exc}") from None
    except (ValueError, LookupError, TypeError) as exc:  # an unknown or lying encoding declaration
        raise Garbled(f"undecodable XML: {exc}") from None
    return root


def qname(prefixed: str) -> str:
    """``tt:Uri`` -> ``{http://www.onvif.org/ver10/schema}Uri`` (ElementTree's spelling)."""
    prefix, _, name = prefixed.partition(":")
    return f"{{{NS[prefix]}}}{name}"


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def find(element: Element, path: str) -> Element | None:
    return element.find(path, NS)


def need(element: Element, path: str) -> Element:
    """The element at ``path`` or ``Garbled``: a missing or wrongly namespaced element is not ONVIF."""
    found = element.find(path, NS)
    if found is None:
        raise Garbled(f"no {path} in {local_name(element.tag)}")
    return found


def text(element: Element | None, path: str = ".", default: str = "") -> str:
    found = None if element is None else element.find(path, NS)
    return default if found is None or found.text is None else found.text.strip()


def attr_float(element: Element, name: str, low: float, high: float) -> float:
    """A numeric attribute within [low, high], or ``Garbled``."""
    raw = element.get(name)
    try:
        value = float(raw) if raw is not None else math.nan
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise Garbled(f"{local_name(element.tag)}@{name}={raw!r} is not a number in [{low}, {high}]")
    return value


def esc(value: object) -> str:
    """Text content for an element we build."""
    return escape(str(value))
