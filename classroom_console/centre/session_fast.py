"""A session upload's common shape checked in C: the same rows as ``payloads.session_rows``, several times cheaper.

Why: at 200 rooms uploading at once, the centre's cost per upload sets everyone's wait (p99 ~ rooms x CPU
per request), and checking each event field by field in Python was most of it. Here ``msgspec`` decodes
the raw bytes straight into typed events, enforcing types and integer ranges as it goes; the rest is
checked once over the whole batch, in C calls rather than a Python step per field (every kind and device
uid in one printable-ASCII test, every ``wall_time`` against one template), and each payload is encoded by
msgspec into the stored text where that text is plainly the reference's (else, e.g. for a float, by the
reference encoder). Only a body that passes all of that is taken here. Anything else (a lone surrogate, a
timestamp with an offset, a bad field) returns ``None`` and goes through ``session_rows``, which either
stores it exactly as before or names the one field that is wrong. So this path accepts a strict subset of
what ``session_rows`` accepts, and makes the same rows for it (tests/test_centre_session_fast.py).
"""

from __future__ import annotations

import operator
from collections import deque
from datetime import datetime
from typing import Annotated, Any

import msgspec

from classroom_console.centre import validate as v
from classroom_console.centre.payloads import MAX_EVENTS, MAX_UID, MAX_WORD, SessionRows, session_head, session_tail
from classroom_console.usage_participation import ROLLED_UP

_ID = Annotated[int, msgspec.Meta(ge=1, le=v.INT64_MAX)]
_KIND = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_WORD)]
_UID = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_UID)]


class _Event(msgspec.Struct, gc=False):  # decoded JSON holds no cycles: nothing for the collector to count
    id: _ID
    kind: _KIND
    wall_time: str
    device_uid: _UID | None = None
    payload: Any = msgspec.field(default_factory=dict)


class _Body(msgspec.Struct, gc=False):
    """Session, devices and readings stay plain values: one of each, or a few, checked by ``payloads``."""

    session: Any = None
    events: Annotated[list[_Event], msgspec.Meta(max_length=MAX_EVENTS)] | None = None
    devices: Any = None
    readings: Any = None


_DECODE = msgspec.json.Decoder(_Body).decode
_KIND_OF, _UID_OF, _TIME_OF, _PAYLOAD_OF = map(operator.attrgetter, ("kind", "device_uid", "wall_time", "payload"))
_ENCODE = msgspec.json.Encoder(order="sorted").encode
# One pass of bytes.translate turns a batch's text into a shape whose checks are plain substring searches
# (memchr-fast, unlike a regular expression stepping through every position): digits become "0", bytes
# either encoder writes as they are stay, and everything else (controls, backslash, DEL, UTF-8) becomes NUL,
# except the newline: neither encoder writes one, so it can join a batch (and is checked where it matters).
_KEEP = bytes(range(0x20, 0x7F)).replace(b"\\", b"")
_SHAPE = bytes(0x30 if 0x30 <= b <= 0x39 else b if b in _KEEP or b == 0x0A else 0 for b in range(256))
# Where msgspec's text could differ from the stored form (validate.encode_json): an escape or a byte outside
# printable ASCII (NUL in the shape), or a float (msgspec writes 1e-05 as 0.00001 and 1e+16 as 1e16); and what
# validate.json_text looks at more closely: long digit runs. Ints, plain strings, true/false/null and
# sorted compact containers come out the same from both.
_TOO_DEEP = b"{" * (v.MAX_DEPTH + 1)
_OPENING = bytes.maketrans(b"[", b"{")
_NOT_OPENING = bytes(b for b in range(256) if b not in b"{[\n")
# The console's own timestamp form (validate._CANONICAL), all digits made "0" as above.
_TIME_SHAPE = b"0000-00-00T00:00:00.000000Z"


def _plain(shape: bytes) -> bool:
    return not (b"\x00" in shape or b"0." in shape or b"0e" in shape or b"0E" in shape or b"0" * 19 in shape)


def _plain_text(text: bytes) -> bool:
    """msgspec's text is the stored text as it stands, and nothing ``validate.json_text`` would look into."""
    return (_plain(text.translate(_SHAPE)) and len(text) <= v.MAX_JSON_TEXT
            and text.count(b"{") + text.count(b"[") <= v.MAX_DEPTH)


def _payload_texts(payloads: list[Any]) -> list[str]:
    """Each payload's stored text: msgspec's where it is plainly the same, else the reference encoder's.

    Raises ``validate.Invalid`` (a payload not fit to store) or ``TypeError``/``OverflowError`` (msgspec
    could not encode it), both of which send the body to the reference path.
    """
    texts = list(map(_ENCODE, payloads))
    if not texts:
        return []
    # The whole batch at once, in C: characters in one translated text; a payload with more opening brackets
    # than MAX_DEPTH is a run of that many "{"/"[" on one line once everything else is deleted.
    joined = b"\n".join(texts)
    if _plain(joined.translate(_SHAPE)) and _TOO_DEEP not in joined.translate(_OPENING, _NOT_OPENING) \
            and (len(joined) <= v.MAX_JSON_TEXT or max(map(len, texts)) <= v.MAX_JSON_TEXT):
        return joined.decode("ascii").split("\n")
    return [t.decode("ascii") if _plain_text(t) else v.json_text(p, "payload")
            for t, p in zip(texts, payloads, strict=True)]


def _times_ok(times: list[str]) -> bool:
    """Every time in the console's form, years 2000..2199, and a real time (no 30 February, no 24:00)."""
    if not times:
        return True
    try:
        shape = "\n".join(times).encode("ascii").translate(_SHAPE)
    except UnicodeEncodeError:
        return False
    # A newline in a time would make one more than the template has: each time is exactly one form.
    if shape != b"\n".join([_TIME_SHAPE] * len(times)) or not ("2000" <= min(times) and max(times) < "2200"):
        return False
    try:
        deque(map(datetime.fromisoformat, times), maxlen=0)
    except ValueError:
        return False
    return True


def session_rows_fast(room: str, session_id: str, raw: bytes, now: str) -> SessionRows | None:
    """The rows for a body in the common shape, or ``None``: then ``payloads.session_rows`` decides."""
    try:
        body = _DECODE(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    if not isinstance(body.session, dict):
        return None
    events = body.events or []
    kinds = list(map(_KIND_OF, events))
    uids = list(map(_UID_OF, events))
    times = list(map(_TIME_OF, events))
    named = "".join(kinds) + "".join(filter(None, uids))
    if named and not (named.isascii() and named.isprintable()):
        return None
    if not _times_ok(times):
        return None
    try:
        texts = _payload_texts(list(map(_PAYLOAD_OF, events)))
        session = session_head(room, session_id, {"session": body.session}, now)
        rows = [
            {"room_id": room, "session_id": session_id, "local_id": e.id, "device_uid": uid, "kind": kind,
             "payload": text, "wall_time": t}
            for e, uid, kind, text, t in zip(events, uids, kinds, texts, times, strict=True)
        ]
        return session_tail(room, session_id, session, rows, {"devices": body.devices, "readings": body.readings},
                            set(uids) - {None}, not ROLLED_UP.isdisjoint(kinds))
    except (v.Invalid, TypeError, OverflowError, ValueError):
        return None  # the reference path says which field, in the order it checks them
