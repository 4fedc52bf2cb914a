"""Collect a full ProjectorState field by field, where ERR3 on one field means 'not now', not failure."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from devices.pjlink.errors import ErrorCode, PJLinkBadValue, PJLinkCommandError
from devices.pjlink.state import STATIC_FIELDS, ProjectorState

if TYPE_CHECKING:
    from devices.pjlink.client import PJLinkClient

log = logging.getLogger(__name__)


class _Collector:
    """Runs one query per field and sorts the outcomes."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.unavailable: set[str] = set()
        self.unsupported: set[str] = set()
        self.failed: set[str] = set()

    async def ask(self, field: str, call: Callable[[], Awaitable[Any]]) -> None:
        try:
            self.values[field] = await call()
        except PJLinkCommandError as exc:
            if exc.code is ErrorCode.UNAVAILABLE:
                self.unavailable.add(field)
            elif exc.code is ErrorCode.DEVICE_FAILURE:
                self.failed.add(field)
            else:
                self.unsupported.add(field)
        except PJLinkBadValue as exc:
            log.info("ignoring %s: %s", field, exc)
            self.unsupported.add(field)


async def _read_static(client: PJLinkClient, c: _Collector) -> None:
    await c.ask("pjlink_class", client.pjlink_class)
    cls = c.values.get("pjlink_class", 1)
    await c.ask("name", client.name)
    await c.ask("manufacturer", lambda: client.query("INF1"))
    await c.ask("product", lambda: client.query("INF2"))
    await c.ask("info", lambda: client.query("INFO"))
    await c.ask("inputs", lambda: client.inputs(cls))
    if cls < 2:
        return
    await c.ask("serial_number", client.serial_number)
    await c.ask("software_version", client.software_version)
    await c.ask("recommended_resolution", client.recommended_resolution)
    await c.ask("lamp_model", client.lamp_model)
    await c.ask("filter_model", client.filter_model)
    names: dict[str, str] = {}
    for source in c.values.get("inputs", ()):
        try:
            names[source.code] = await client.input_name(source)
        except PJLinkCommandError:
            continue
    c.values["input_names"] = names


async def read_state(client: PJLinkClient, previous: ProjectorState | None = None) -> ProjectorState:
    """Query every field the device supports; reuse ``previous``'s static fields when complete."""
    c = _Collector()
    reuse = previous is not None and previous.pjlink_class is not None and not (
        (previous.unavailable | previous.failed) & set(STATIC_FIELDS))
    if reuse and previous is not None:
        base = previous.static_part()
        c.unsupported |= previous.unsupported & set(STATIC_FIELDS)
    else:
        await _read_static(client, c)
        base = ProjectorState()
    cls = c.values.get("pjlink_class", base.pjlink_class) or 1
    await c.ask("power", client.power)
    await c.ask("errors", client.errors)
    await c.ask("lamps", client.lamps)
    await c.ask("input", lambda: client.input(cls))
    await c.ask("mute", client.mute)
    if cls >= 2:
        await c.ask("input_resolution", client.input_resolution)
        await c.ask("filter_hours", client.filter_hours)
        await c.ask("freeze", client.frozen)
    return replace(base, **c.values, unavailable=frozenset(c.unavailable),
                   unsupported=frozenset(c.unsupported), failed=frozenset(c.failed))
