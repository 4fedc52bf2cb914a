"""Collect a full ProjectorState field by field, where ERR3 on one field means 'not now', not failure.

The steps are written once, as a generator that yields each round trip's queries and is sent their results
(``_reading``): the asyncio client drives it (``read_state``) and so does the blocking one that a single
``device … status`` uses without loading asyncio (``read_state_blocking``, ``devices/pjlink/blocking.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

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

Commands = list[tuple[str, str, int]]  # (cmd, param, class) of one round trip
Results = list["str | PJLinkCommandError"]
Reading = Generator[Commands, Results, ProjectorState]


class BlockingRequester(Protocol):
    def request_many(self, commands: Sequence[tuple[str, str, int]]) -> list[str | PJLinkCommandError]: ...


class _Collector:
    """Sorts each query's outcome: a value, or the field not available now / unsupported / failed."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.unavailable: set[str] = set()
        self.unsupported: set[str] = set()
        self.failed: set[str] = set()

    def take(self, field: str, result: str | PJLinkCommandError, decode: Callable[[str], Any]) -> None:
        if isinstance(result, PJLinkCommandError):
            if result.code is ErrorCode.UNAVAILABLE:
                self.unavailable.add(field)
            elif result.code is ErrorCode.DEVICE_FAILURE:
                self.failed.add(field)
            else:
                self.unsupported.add(field)
            return
        try:
            self.values[field] = decode(result)
        except PJLinkBadValue as exc:
            log.info("ignoring %s: %s", field, exc)
            self.unsupported.add(field)


Query = tuple[str, str, str, int, Callable[[str], Any]]  # field, command, parameter, class, decoder


def _raw(value: str) -> str:
    return value


def _ask_many(c: _Collector, queries: list[Query]) -> Generator[Commands, Results, None]:
    """Every query of one step in one round trip (pipelined on the connection), each outcome sorted."""
    results = yield [(cmd, param, cls) for _f, cmd, param, cls, _d in queries]
    for (field, _cmd, _param, _cls, decode), result in zip(queries, results, strict=True):
        c.take(field, result, decode)


def _static_queries(cls: int) -> list[Query]:
    """What does not change, beyond the class 1 identity asked first."""
    queries: list[Query] = [("inputs", "INST", "?", cls, decode_inputs)]
    if cls >= 2:
        queries += [
            ("serial_number", "SNUM", "?", 2, _raw), ("software_version", "SVER", "?", 2, _raw),
            ("recommended_resolution", "RRES", "?", 2, decode_resolution),
            ("lamp_model", "RLMP", "?", 2, _raw), ("filter_model", "RFIL", "?", 2, _raw),
        ]
    return queries


def _changing_queries(cls: int) -> list[Query]:
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
    return queries


def _input_names(c: _Collector) -> Generator[Commands, Results, None]:
    """Class 2: each input's name (INNM), once the inputs are known."""
    sources = list(c.values.get("inputs", ()))
    names: dict[str, str] = {}
    results = yield [("INNM", "?" + source.code, 2) for source in sources]
    for source, result in zip(sources, results, strict=True):
        if not isinstance(result, PJLinkCommandError):
            names[source.code] = result
    c.values["input_names"] = names


def _reading(previous: ProjectorState | None) -> Reading:
    """Query every field the device supports; reuse ``previous``'s static fields when complete.

    A full read is three round trips: the class 1 identity (which tells the class), then the rest of what does
    not change together with what does, then (class 2) the inputs' names; a read with ``previous`` is one.
    """
    c = _Collector()
    reuse = previous is not None and previous.pjlink_class is not None and not (
        (previous.unavailable | previous.failed) & set(STATIC_FIELDS))
    if reuse and previous is not None:
        base = previous.static_part()
        c.unsupported |= previous.unsupported & set(STATIC_FIELDS)
        cls = base.pjlink_class or 1
        yield from _ask_many(c, _changing_queries(cls))
    else:
        base = ProjectorState()
        yield from _ask_many(c, [
            ("pjlink_class", "CLSS", "?", 1, decode_class), ("name", "NAME", "?", 1, _raw),
            ("manufacturer", "INF1", "?", 1, _raw), ("product", "INF2", "?", 1, _raw),
            ("info", "INFO", "?", 1, _raw),
        ])
        cls = c.values.get("pjlink_class", 1) or 1
        yield from _ask_many(c, _static_queries(cls) + _changing_queries(cls))
        if cls >= 2:
            yield from _input_names(c)
    return replace(base, **c.values, unavailable=frozenset(c.unavailable),
                   unsupported=frozenset(c.unsupported), failed=frozenset(c.failed))


async def read_state(client: PJLinkClient, previous: ProjectorState | None = None) -> ProjectorState:
    """Every field the device supports, over the asyncio client (see ``_reading``)."""
    steps = _reading(previous)
    try:
        commands = next(steps)
        while True:
            commands = steps.send(await client.request_many(commands) if commands else [])
    except StopIteration as done:
        state: ProjectorState = done.value
        return state


def read_state_blocking(client: BlockingRequester, previous: ProjectorState | None = None) -> ProjectorState:
    """The same read over a blocking client: no event loop, for one device read once."""
    steps = _reading(previous)
    try:
        commands = next(steps)
        while True:
            commands = steps.send(client.request_many(commands) if commands else [])
    except StopIteration as done:
        state: ProjectorState = done.value
        return state
