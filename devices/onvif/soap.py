"""SOAP 1.2 envelopes, WS-UsernameToken digests and faults, shared by the client and the simulator.

The digest is WS-Security's: Base64(SHA-1(nonce + created + password)), with ``created`` read from the
device's clock (the client corrects for the offset it measured), so a password never crosses the wire.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from devices.onvif.errors import AuthFailed, Garbled, SoapFault
from devices.onvif.xml import NS, Element, esc, local_name, need, text

PASSWORD_DIGEST = ("http://docs.oasis-open.org/wss/2004/01/"
                   "oasis-200401-wss-username-token-profile-1.0#PasswordDigest")
BASE64_BINARY = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-soap-message-security-1.0#Base64Binary")
CONTENT_TYPE = "application/soap+xml; charset=utf-8"
_NAMESPACES = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items() if p not in ("wsa", "d", "wsse", "wsu"))


def envelope(body: str, header: str = "") -> bytes:
    """A SOAP 1.2 envelope declaring the ONVIF prefixes (s, tds, trt, tptz, tt, ter, dn)."""
    head = f"<s:Header>{header}</s:Header>" if header else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope {_NAMESPACES}>{head}'
            f"<s:Body>{body}</s:Body></s:Envelope>").encode()


def format_time(when: datetime) -> str:
    """xs:dateTime in UTC with milliseconds, as WS-Security's Created."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def password_digest(nonce: bytes, created: str, password: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


def username_token(username: str, password: str, created: str, nonce: bytes) -> str:
    """The wsse:Security header carrying a PasswordDigest token."""
    return (
        f'<wsse:Security xmlns:wsse="{NS["wsse"]}" xmlns:wsu="{NS["wsu"]}" s:mustUnderstand="true">'
        f"<wsse:UsernameToken><wsse:Username>{esc(username)}</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_DIGEST}">{password_digest(nonce, created, password)}</wsse:Password>'
        f'<wsse:Nonce EncodingType="{BASE64_BINARY}">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )


def body_of(root: Element) -> Element:
    """The one operation element inside s:Body, or ``Garbled`` when this is no SOAP 1.2 envelope."""
    if root.tag != f"{{{NS['s']}}}Envelope":
        raise Garbled(f"not a SOAP 1.2 envelope: {local_name(root.tag)!r} in {root.tag.partition('}')[0][1:]!r}")
    children = list(need(root, "s:Body"))
    if not children:
        raise Garbled("empty SOAP body")
    return children[0]


def raise_fault(operation: Element, *, had_password: bool) -> None:
    """Raise ``AuthFailed`` or ``SoapFault`` when the body is a SOAP fault; return otherwise."""
    if operation.tag != f"{{{NS['s']}}}Fault":
        return
    code = text(operation, "s:Code/s:Value")
    subcodes = [(v.text or "").strip().rpartition(":")[2]  # a QName such as ter:NotAuthorized
                for v in operation.iterfind(".//s:Subcode/s:Value", NS)]
    reason = text(operation, "s:Reason/s:Text")[:300]
    if "NotAuthorized" in subcodes:
        raise AuthFailed(f"the device refused the credentials: {reason or 'NotAuthorized'}",
                         had_password=had_password)
    subcode = subcodes[-1] if subcodes else ""
    raise SoapFault(f"SOAP fault {code} {subcode}: {reason}".strip(), code=code, subcode=subcode)


def fault(code: str, subcode: str, reason: str) -> bytes:
    """A SOAP 1.2 fault (``code`` Sender or Receiver, ``subcode`` an ONVIF ter: name)."""
    return envelope(
        f"<s:Fault><s:Code><s:Value>s:{code}</s:Value><s:Subcode><s:Value>ter:{subcode}</s:Value>"
        f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">{esc(reason)}</s:Text></s:Reason></s:Fault>'
    )

