"""Collect a full ProjectorState field by field, where ERR3 on one field means 'not now', not failure."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from devices.pjlink.errors import ErrorCode, PJLinkBadValue, PJLinkCommandError
from devices.pjlink.state import STATIC_FIELDS, ProjectorState
from devices.pjlink.values import (
    decode_bool,
    decode_class,
    decode_errors,
    decode_input,
    decode_inputs,
    decode_int,
    decode_lamps,
    decode_mute,
    decode_power,
    decode_resolution,
)

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


Query = tuple[str, str, str, int, Callable[[str], Any]]  # field, command, parameter, class, decoder


def _raw(value: str) -> str:
    return value


async def _ask_many(client: PJLinkClient, c: _Collector, queries: list[Query]) -> None:
    """Every query of one step in one round trip (pipelined on the connection), sorted like ``ask``."""
    results = await client.request_many([(cmd, param, cls) for _f, cmd, param, cls, _d in queries])
    for (field, _cmd, _param, _cls, decode), result in zip(queries, results, strict=True):
        await c.ask(field, lambda r=result, d=decode: _decoded(r, d))  # type: ignore[misc]


async def _decoded(result: str | PJLinkCommandError, decode: Callable[[str], Any]) -> Any:
    if isinstance(result, PJLinkCommandError):
        raise result
    return decode(result)


async def _read_static(client: PJLinkClient, c: _Collector) -> None:
    await _ask_many(client, c, [
        ("pjlink_class", "CLSS", "?", 1, decode_class), ("name", "NAME", "?", 1, _raw),
        ("manufacturer", "INF1", "?", 1, _raw), ("product", "INF2", "?", 1, _raw), ("info", "INFO", "?", 1, _raw),
    ])
    cls = c.values.get("pjlink_class", 1)
    queries: list[Query] = [("inputs", "INST", "?", cls, decode_inputs)]
    if cls >= 2:
        queries += [
            ("serial_number", "SNUM", "?", 2, _raw), ("software_version", "SVER", "?", 2, _raw),
            ("recommended_resolution", "RRES", "?", 2, decode_resolution),
            ("lamp_model", "RLMP", "?", 2, _raw), ("filter_model", "RFIL", "?", 2, _raw),
        ]
    await _ask_many(client, c, queries)
    if cls < 2:
        return
    sources = list(c.values.get("inputs", ()))
    names: dict[str, str] = {}
    results = await client.request_many([("INNM", "?" + source.code, 2) for source in sources])
    for source, result in zip(sources, results, strict=True):
        if not isinstance(result, PJLinkCommandError):
            names[source.code] = result
    c.values["input_names"] = names


async def read_state(client: PJLinkClient, previous: ProjectorState | None = None) -> ProjectorState:
    """Query every field the device supports; reuse ``previous``'s static fields when complete.

    A full read is three round trips (static, class 2 static, input names) plus one for what changes.
    """
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
    queries: list[Query] = [
        ("power", "POWR", "?", 1, decode_power), ("errors", "ERST", "?", 1, decode_errors),
        ("lamps", "LAMP", "?", 1, decode_lamps), ("input", "INPT", "?", cls, decode_input),
        ("mute", "AVMT", "?", 1, decode_mute),
    ]
    if cls >= 2:
        queries += [
            ("input_resolution", "IRES", "?", 2, decode_resolution),
            ("filter_hours", "FILT", "?", 2, lambda v: decode_int(v, "FILT")),
            ("freeze", "FREZ", "?", 2, lambda v: decode_bool(v, "FREZ")),
        ]
    await _ask_many(client, c, queries)
    return replace(base, **c.values, unavailable=frozenset(c.unavailable),
                   unsupported=frozenset(c.unsupported), failed=frozenset(c.failed))
