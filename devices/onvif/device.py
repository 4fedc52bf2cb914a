"""Device service messages (ver10): the device's clock, who it is, and where its media and PTZ services are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from devices.onvif.errors import Garbled
from devices.onvif.xml import NS, Element, find, need, text

_MAC = re.compile(r"[0-9a-f]{2}(?:[:-]?[0-9a-f]{2}){5}")
MEDIA_NS = NS["trt"]
PTZ_NS = NS["tptz"]


@dataclass(frozen=True, slots=True)
class DeviceInformation:
    manufacturer: str
    model: str
    firmware: str
    serial: str
    hardware_id: str


@dataclass(frozen=True, slots=True)
class ServiceUrls:
    """Where the device's services are; ``ptz`` is None for a camera that cannot move (a fixed camera)."""

    device: str
    media: str | None
    ptz: str | None


def get_system_date_and_time() -> str:
    return "<tds:GetSystemDateAndTime/>"


def get_device_information() -> str:
    return "<tds:GetDeviceInformation/>"


def get_services() -> str:
    return "<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>"


def get_capabilities() -> str:
    return "<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>"


def get_network_interfaces() -> str:
    return "<tds:GetNetworkInterfaces/>"


def read_mac(response: Element) -> str:
    """The first enabled interface's MAC as aa:bb:cc:dd:ee:ff, or '' (the device's stable identity)."""
    for interface in response.iterfind("tds:NetworkInterfaces", NS):
        raw = text(interface, "tt:Info/tt:HwAddress").lower()
        if text(interface, "tt:Enabled", "true").lower() in ("true", "1") and _MAC.fullmatch(raw):
            digits = raw.replace(":", "").replace("-", "")
            return ":".join(digits[i:i + 2] for i in range(0, 12, 2))
    return ""


def read_clock(response: Element) -> datetime:
    """The device's UTC time from a GetSystemDateAndTime answer."""
    utc = need(response, "tds:SystemDateAndTime/tt:UTCDateTime")
    try:
        year, month, day, hour, minute, second = (int(text(utc, f"tt:{path}")) for path in (
            "Date/tt:Year", "Date/tt:Month", "Date/tt:Day", "Time/tt:Hour", "Time/tt:Minute", "Time/tt:Second"))
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:  # int('') or a month 13
        raise Garbled(f"unreadable device clock: {exc}") from None


def read_device_information(response: Element) -> DeviceInformation:
    fields = [text(response, f"tds:{name}")[:128]
              for name in ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId")]
    if not any(fields):
        raise Garbled("device information with no field at all")
    return DeviceInformation(*fields)


def on_host(url: str, device_url: str) -> str:
    """``url`` with its host replaced by the device's (the address we reached it at), port and path kept.

    Cameras behind NAT, moved to another network or set up with a default address report service and stream
    URLs on an address nobody can reach; the one we just talked to is the one that works.
    """
    try:
        target, parts = urlsplit(device_url).hostname, urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not target or not parts.hostname or parts.hostname == target:
        return url
    userinfo = parts.netloc.rpartition("@")[0]
    host = f"[{target}]" if ":" in target else target
    netloc = f"{userinfo + '@' if userinfo else ''}{host}{f':{port}' if port else ''}"
    return urlunsplit(parts._replace(netloc=netloc))


def _url(raw: str, device_url: str, rewrite: bool) -> str | None:
    try:
        parts = urlsplit(raw)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and len(raw) <= 1024
    except ValueError:
        ok = False
    if not ok:
        return None
    return on_host(raw, device_url) if rewrite else raw


def read_services(response: Element, device_url: str, rewrite: bool = True) -> ServiceUrls:
    """Media and PTZ URLs (on the device's own host when ``rewrite``)."""
    found: dict[str, str] = {}
    for service in response.iterfind("tds:Service", NS):
        url = _url(text(service, "tds:XAddr"), device_url, rewrite)
        namespace = text(service, "tds:Namespace")
        if url and namespace not in found:
            found[namespace] = url
    if not found:
        raise Garbled("GetServices listed no service")
    return ServiceUrls(device_url, found.get(MEDIA_NS), found.get(PTZ_NS))


def read_capabilities(response: Element, device_url: str, rewrite: bool = True) -> ServiceUrls:
    capabilities = need(response, "tds:Capabilities")
    media, ptz = find(capabilities, "tt:Media"), find(capabilities, "tt:PTZ")
    return ServiceUrls(device_url, _url(text(media, "tt:XAddr"), device_url, rewrite),
                       _url(text(ptz, "tt:XAddr"), device_url, rewrite))
