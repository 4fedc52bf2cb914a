"""Every XML from the network goes through here: size-capped, then parsed by defusedxml with DTDs refused.

A camera or anything else on the LAN may send XXE (external entities reading local files), billion laughs
(entity expansion) or a body of many megabytes. SOAP 1.2 forbids a DTD outright, so any DTD is refused,
which rules out every entity trick; the size cap comes before the parser sees a byte.

defusedxml's parser is pure Python (about 3 µs an element: a hostile megabyte of empty elements takes
0.7 s, and its 250 000 objects set off the garbage collector, which stalls every thread). So the markup
is capped too (``MAX_TAGS``, counted in C before parsing: a 16-channel recorder's profiles are a few
thousand), and ``parse_async`` parses anything over ``INLINE_BYTES`` on a short-lived thread of its own.
"""

from __future__ import annotations

import asyncio
import math
import threading
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from devices.onvif.errors import Garbled
from devices.text import device_text

MAX_XML_BYTES = 1_000_000
MAX_TAGS = 20_000  # '<' in a document: at most ~60 ms of parsing, on a thread
INLINE_BYTES = 16 * 1024  # parsed on the loop: at worst ~10 ms
_THREAD_POLL_S = 0.002

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

__all__ = ["INLINE_BYTES", "MAX_TAGS", "MAX_XML_BYTES", "NS", "Element", "attr_float", "esc", "find", "local_name",
           "need", "parse", "parse_async", "qname", "quoteattr", "text"]


def _warm_up() -> None:
    """Parse once at import: the parser's first run imports expat lazily (PySide's import hook then stats
    files), which must not happen on the loop."""
    fromstring(b"<warm-up/>", forbid_dtd=True)


_warm_up()


def parse(data: bytes, *, limit: int = MAX_XML_BYTES) -> Element:
    """The root element, or ``Garbled`` for anything too large, hostile (any DTD or entity) or malformed."""
    if len(data) > limit:
        raise Garbled(f"XML of {len(data)} bytes refused: the cap is {limit}")
    if (tags := data.count(b"<")) > MAX_TAGS:
        raise Garbled(f"XML with {tags} tags refused: the cap is {MAX_TAGS}")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Garbled(f"hostile XML refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise Garbled(f"malformed XML: {exc}") from None
    except (ValueError, LookupError, TypeError) as exc:  # an unknown or lying encoding declaration
        raise Garbled(f"undecodable XML: {exc}") from None
    return root


async def parse_async(data: bytes, *, limit: int = MAX_XML_BYTES) -> Element:
    """``parse`` without holding the loop: a body over ``INLINE_BYTES`` is parsed on a thread of its own.

    The thread has ended when this returns (or is cancelled), so no worker outlives its caller.
    """
    if len(data) <= INLINE_BYTES or len(data) > limit:  # small, or refused by the cap at once
        return parse(data, limit=limit)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Element] = loop.create_future()

    def work() -> None:
        try:
            outcome: tuple[Any, BaseException | None] = (parse(data, limit=limit), None)
        except BaseException as exc:  # Garbled, or MemoryError: handed to the caller either way
            outcome = (None, exc)
        try:
            loop.call_soon_threadsafe(_settle, future, *outcome)
        except RuntimeError:  # the loop has closed: nobody is waiting
            pass

    thread = threading.Thread(target=work, name="onvif-xml-parse", daemon=True)
    thread.start()
    try:
        return await asyncio.shield(future)
    finally:
        while thread.is_alive():  # noqa: ASYNC110  it has settled or is finishing one parse (< 1 s)
            await asyncio.sleep(_THREAD_POLL_S)


def _settle(future: asyncio.Future[Element], result: Element | None, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)


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
    return default if found is None or found.text is None else device_text(found.text.strip())


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
