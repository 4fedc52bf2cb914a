"""What a tablet agent's DNS-SD TXT record says, checked: a malformed record is refused whole, with a log line.

The record (all keys optional): ``name`` (what the tablet is called, printable, at most 64 characters),
``battery`` (0..100, percent), ``charging`` (``1``/``0``), ``mac`` (its stable identity), ``id`` (a stable id
when the agent cannot read its MAC), ``model``. Anything else is ignored. A record that is present but wrong
(``battery=lots``) says the agent is broken or hostile, so nothing it says is believed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

SERVICE_TYPE = "_classroom-tablet._tcp.local."
MAX_TEXT = 64
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class MalformedRecord(ValueError):
    """A TXT value that cannot be what the agent means."""


@dataclass(frozen=True, slots=True)
class TabletFacts:
    name: str = ""
    battery: int | None = None
    charging: bool | None = None
    model: str = ""
    serial: str = ""

    def state(self) -> dict[str, Any]:
        """The device's plain JSON state (keys only for what the tablet said)."""
        out: dict[str, Any] = {}
        if self.battery is not None:
            out["battery"] = self.battery
        if self.charging is not None:
            out["charging"] = self.charging
        if self.model:
            out["model"] = self.model
        return out


def _text(txt: Mapping[str, str], key: str) -> str:
    value = txt.get(key, "")
    if len(value) > MAX_TEXT or not value.isprintable():
        raise MalformedRecord(f"{key}={value[:80]!r} is not a short printable name")
    return value


def parse(txt: Mapping[str, str]) -> TabletFacts:
    """The facts of one record; raises MalformedRecord (one line saying which value) when one is wrong."""
    battery: int | None = None
    raw = txt.get("battery")
    if raw is not None and raw != "":
        if not raw.isascii() or not raw.isdigit() or not 0 <= int(raw) <= 100:
            raise MalformedRecord(f"battery={raw[:20]!r} is not a percentage")
        battery = int(raw)
    charging: bool | None = None
    raw = txt.get("charging")
    if raw is not None and raw != "":
        if raw not in ("0", "1", "true", "false"):
            raise MalformedRecord(f"charging={raw[:20]!r} is not 0 or 1")
        charging = raw in ("1", "true")
    serial = txt.get("id", "")
    if serial and not _ID.match(serial):
        raise MalformedRecord(f"id={serial[:80]!r} is not an id")
    return TabletFacts(_text(txt, "name"), battery, charging, _text(txt, "model"), serial)


def parse_or_none(txt: Mapping[str, str], origin: str) -> TabletFacts | None:
    """``parse``, or None with a warning naming the advert: discovery goes on without it."""
    try:
        return parse(txt)
    except MalformedRecord as exc:
        log.warning("ignoring malformed tablet advert %s: %s", origin, exc)
        return None
