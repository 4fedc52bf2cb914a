"""A usage report made again from the parts of the last one that its rows have not changed.

Why: a report of a centre of 300 rooms is 1,200 devices and 300 room-weeks, some 200 KB of JSON, and while rooms
send, a staff screen's request waits for the next report (``pg_reports``); its Python (the rows made a report and
the report made JSON: 15 ms of the reports' thread's CPU at 300 rooms, doubled and more by the GIL it shares with
the uploads) was most of that report's time in the centre's process. Between two reports only the rooms that sent
meanwhile change, so each device and each room-week is made and written as JSON once, and again only when its own
rows differ.

A part is keyed by the rows it is made from (a device: its rows of ``devices``, ``device_hours`` and ``lamps``; a
room-week: its row), and made by ``usage_sql.assemble`` itself over those rows alone, so the report is the one a
full ``assemble`` gives, and its JSON, put together from the parts' JSON as ``json`` writes a list and a dict
(``", "`` between items, ``": "`` after a key), the bytes ``reports.report_bytes`` gives
(``tests/test_centre_pg_report_parts.py`` compares them on every step of changing rows).
"""

from __future__ import annotations

import dataclasses
import json
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import msgspec

from classroom_console.usage_model import UsageFilter, UsageReport
from classroom_console.usage_sql import Rows, assemble

KEPT_FILTERS = 16  # filters whose last parts are kept (a whole centre's: about 2 MB each)
DEVICE_ROWS = ("devices", "device_hours", "lamps")  # what one device's part is made from, each led by its uid
# A report of no rows but the parts': what ``assemble`` needs to run at all.
_EMPTY: dict[str, Rows] = {"totals": [(0, 0, 0)], "heatmap": [], "room_weeks": [], "devices": [], "device_hours": [],
                           "lamps": [], "fault_events": [], "fault_readings": [], "recordings": [(0, 0, 0)],
                           "by_lecturer": [], "by_course": []}

Part = tuple[Any, bytes]  # (the report's element, its JSON)
_Device = tuple[Hashable, Part | None]  # a device's rows (names, hours, lamps) and its part (None: to be made)


# ``json.dumps``' own C encoder, made once: ``dumps`` made it again for every part (its settings, its float
# formatter), 16 us of a part's 20 us. The same encoder with the same settings (default separators, ASCII, no NaN),
# so the same bytes; markers none, as the values msgspec gives are a tree and cannot hold a cycle.
_ENCODE = getattr(json.encoder, "c_make_encoder", None)
_PARTS = (_ENCODE(None, None, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, False)
          if _ENCODE is not None else None)


def part_json(element: Any) -> bytes:
    """An element's JSON as ``report_bytes`` writes it inside the report."""
    plain = msgspec.to_builtins(element)
    if _PARTS is None or not isinstance(plain, dict):
        return json.dumps(plain, allow_nan=False).encode()
    return "".join(_PARTS(plain, 0)).encode()


@dataclasses.dataclass(slots=True)
class _Kept:
    devices: dict[str, _Device] = dataclasses.field(default_factory=dict)
    weeks: dict[Hashable, Part] = dataclasses.field(default_factory=dict)


class ReportParts:
    """``make(f, rows)``: the report and its JSON, with the parts its rows share with the last report taken from it.

    Used on one thread (the reports'), by one report per filter at a time or by several with no wait in between.
    """

    def __init__(self) -> None:
        self._kept: OrderedDict[UsageFilter, _Kept] = OrderedDict()
        self.made = 0  # parts made anew (tests: what the next report saves shows here)

    def make(self, f: UsageFilter, rows: Mapping[str, Rows]) -> tuple[UsageReport, bytes]:
        try:
            return self._make(f, rows)
        except TypeError:  # a row that cannot be a key (no such column today): made whole
            report = assemble(f, rows)
            return report, part_json(report)

    def _make(self, f: UsageFilter, rows: Mapping[str, Rows]) -> tuple[UsageReport, bytes]:
        kept = self._kept.pop(f, None) or _Kept()
        devices, device_parts = self._devices(f, rows, kept.devices)
        weeks, week_parts = self._weeks(f, rows["room_weeks"], kept.weeks)
        self._kept[f] = _Kept(device_parts, week_parts)
        while len(self._kept) > KEPT_FILTERS:
            self._kept.popitem(last=False)
        # The rest from the rows as they are; of the devices' names only those the faults name (a fault's name).
        faulty = {str(r[0]) for name in ("fault_events", "fault_readings") for r in rows[name]}
        rest = {**rows, "room_weeks": [], "device_hours": [], "lamps": [],
                "devices": [r for r in rows["devices"] if str(r[0]) in faulty]}
        others = assemble(f, rest)
        report = dataclasses.replace(others, devices=tuple([p[0] for p in devices]),
                                     room_weeks=tuple([p[0] for p in weeks]))
        top = msgspec.to_builtins(dataclasses.replace(others, devices=(), room_weeks=()))
        listed = {"devices": devices, "room_weeks": weeks}
        fields = []
        for key, value in top.items():
            parts = listed.get(key)
            text = (b"[" + b", ".join([p[1] for p in parts]) + b"]" if parts is not None
                    else json.dumps(value, allow_nan=False).encode())
            fields.append(json.dumps(key).encode() + b": " + text)
        return report, b"{" + b", ".join(fields) + b"}"

    def _devices(self, f: UsageFilter, rows: Mapping[str, Rows], kept: dict[str, _Device],
                 ) -> tuple[list[Part], dict[str, _Device]]:
        """Each device's part, sorted by uid as ``assemble`` lists them (a device: a uid in ``devices`` or
        ``device_hours``; a lamp alone is no device). Kept by uid and compared with its rows once: as a key of
        nested rows it was hashed three times a report, for each of a centre's 1,200 devices."""
        tables = [_by_uid(rows[name]) for name in DEVICE_ROWS]
        names, hours, lamps = tables
        now: dict[str, _Device] = {}
        missing: list[str] = []
        for uid in sorted(names.keys() | hours.keys()):
            key = (names.get(uid), hours.get(uid), lamps.get(uid))
            old = kept.get(uid)
            if old is not None and old[0] == key:
                now[uid] = old
            else:
                missing.append(uid)
                now[uid] = (key, None)
        if missing:
            alone = {name: [row for uid in missing for row in _rows(table.get(uid))]
                     for name, table in zip(DEVICE_ROWS, tables, strict=True)}
            for device in assemble(f, {**_EMPTY, **alone}).devices:
                now[device.uid] = (now[device.uid][0], (device, part_json(device)))
            self.made += len(missing)
        parts = [part for _, part in now.values()]
        if None in parts:
            raise KeyError("a device the rows name was not assembled")
        return parts, now  # type: ignore[return-value]

    def _weeks(self, f: UsageFilter, rows: Rows, kept: dict[Hashable, Part]) -> tuple[list[Part], dict[Hashable, Part]]:
        """Each room-week's part, in the rows' order."""
        keys = [row if type(row) is tuple else tuple(row) for row in rows]
        missing = [key for key in dict.fromkeys(keys) if key not in kept]
        made: dict[Hashable, Part] = {}
        if missing:
            for key, week in zip(missing, assemble(f, {**_EMPTY, "room_weeks": missing}).room_weeks, strict=True):
                made[key] = (week, part_json(week))
            self.made += len(missing)
        parts: dict[Hashable, Part] = {key: kept.get(key) or made[key] for key in keys}
        return [parts[key] for key in keys], parts


class _Several(tuple):
    """A uid's rows of one table when it has more than one (a device in two rooms' stores), in the rows' order."""


def _by_uid(rows: Rows) -> dict[str, Any]:
    """Each uid's row; where a uid has several, a ``_Several`` of them (kept apart from a row by its type)."""
    one = {str(row[0]): row for row in rows}
    if len(one) == len(rows):
        return one  # (the usual case: one row a uid)
    many: dict[str, list[Sequence[Any]]] = {}
    for row in rows:
        many.setdefault(str(row[0]), []).append(row)
    return {uid: got[0] if len(got) == 1 else _Several(got) for uid, got in many.items()}


def _rows(found: Any) -> Sequence[Sequence[Any]]:
    """The rows ``_by_uid`` found for a uid, as a list of rows."""
    if found is None:
        return ()
    return found if isinstance(found, _Several) else (found,)
