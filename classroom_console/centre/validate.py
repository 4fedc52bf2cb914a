"""Field checks for everything a room sends: a value is either clean enough to store or a one-line 400.

Why so strict: the staff report is built from these rows, so a NaN, a lone surrogate or a 10,000-digit
number stored once breaks every later report (and PostgreSQL refuses NUL bytes outright). Each check names
the field it failed on (``events[3].wall_time``) so the room's log says what to fix.
"""

from __future__ import annotations

import json
import json.encoder
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

INT64_MAX = (1 << 63) - 1
MAX_DEPTH = 8  # an event payload nested deeper than this is not something the console writes
MAX_JSON_TEXT = 65536  # one event's payload, as stored
# C0 controls (tab and newline are fine in free text), DEL, and lone surrogates (not encodable as UTF-8).
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# ASCII digits only, and \Z, not $ (which lets a trailing newline through: it was stored as part of the time).
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})\Z", re.ASCII)
_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z", re.ASCII)
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


# Reason codes of the refusals the command line words itself (a name given to `centre add-room`, `add-reader`);
# the others' English line is for a room's log only.
EMPTY, NOT_ONE_LINE, TOO_LONG, CONTROL_CHARS = "empty", "not-one-line", "too-long", "control-chars"


class Invalid(ValueError):
    """A body the centre refuses; ``str()`` is the one line the room sees. ``reason``: a code where the command line
    words it (``EMPTY``, …; "" otherwise), ``limit`` the bound it exceeded."""

    def __init__(self, path: str, why: str, reason: str = "", limit: int = 0) -> None:
        if not path.isprintable():  # a key the room chose may hold a newline: still one line
            path = repr(path)[1:-1]
        super().__init__(f"{path}: {why}" if path else why)
        self.reason, self.limit = reason, limit


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(path, "must be an object")
    return value


def array(value: Any, path: str, max_items: int) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(path, "must be a list")
    if len(value) > max_items:
        raise Invalid(path, f"more than {max_items} items")
    return value


def text(value: Any, path: str, max_len: int, *, pattern: re.Pattern[str] | None = None, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise Invalid(path, f"must be text, not {type(value).__name__}")
    if len(value) > max_len:
        raise Invalid(path, f"longer than {max_len} characters", TOO_LONG, max_len)
    if not value and not empty:
        raise Invalid(path, "must not be empty", EMPTY)
    if not (value.isascii() and value.isprintable()) and _BAD_CHARS.search(value):  # the quick test first
        raise Invalid(path, "contains control characters or unpaired surrogates", CONTROL_CHARS)
    if pattern is not None and value and not pattern.fullmatch(value):  # not match: $ lets a final newline by
        raise Invalid(path, f"{_shown(value)} has characters or a form not allowed here")
    return value


def optional_text(value: Any, path: str, max_len: int, **kw: Any) -> str | None:
    return None if value is None else text(value, path, max_len, **kw)


def name(value: Any, path: str, max_len: int = 100) -> str:
    """A room or person's name: one printable line, not blank."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(path, "must not be empty", EMPTY)
    if _BAD_NAME_CHARS.search(value):
        raise Invalid(path, "must be one line without control characters", NOT_ONE_LINE)
    return text(value, path, max_len)


def integer(value: Any, path: str, lo: int = 0, hi: int = INT64_MAX) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(path, f"must be an integer, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise Invalid(path, f"{_shown(value)} is outside {lo}..{hi}")
    return value


def number(value: Any, path: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(path, f"must be a number, not {type(value).__name__}")
    as_float = float(value) if isinstance(value, float) or abs(value) < 1 << 53 else math.inf
    if not math.isfinite(as_float) or not lo <= as_float <= hi:
        raise Invalid(path, f"{_shown(value)} is not a finite number in {lo:g}..{hi:g}")
    return as_float


def timestamp(value: Any, path: str) -> str:
    """ISO 8601 with a zone, stored in the room's own fixed-width UTC form so text order is time order."""
    if isinstance(value, str) and _CANONICAL.match(value) and "2000" <= value[:4] < "2200":
        try:  # the form every console sends: only whether the day exists is left to check
            datetime.fromisoformat(value[:-1])
            return value
        except ValueError:
            raise Invalid(path, f"{_shown(value)} is not a real time") from None
    if not isinstance(value, str) or len(value) > 40 or not _ISO.match(value):
        raise Invalid(path, f"{_shown(value)} is not an ISO 8601 time with a zone")
    cut = re.sub(r"(\.\d{6})\d+", r"\1", value)  # fromisoformat takes at most microseconds
    try:
        at = datetime.fromisoformat(cut.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(path, f"{_shown(value)} is not a real time") from None
    if not EARLIEST <= at < LATEST:
        raise Invalid(path, f"{_shown(value)} is outside the years 2000..2199")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def optional_timestamp(value: Any, path: str) -> str | None:
    return None if value is None or value == "" else timestamp(value, path)


def free_json(value: Any, path: str, depth: int = MAX_DEPTH) -> Any:
    """An event payload: any JSON the console writes, but finite, bounded, encodable and shallow."""
    _walk(value, path, depth)
    return value


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


# The C encoder made once: JSONEncoder.encode builds it anew on every call, a third of the cost per event.
_C_MAKE: Any = getattr(json.encoder, "c_make_encoder", None)
_PY_ENCODE: Callable[[Any], str] = json.JSONEncoder(separators=(",", ":"), sort_keys=True, allow_nan=False).encode
_C_ENCODE: Any = (
    _C_MAKE(None, _not_json, json.encoder.encode_basestring_ascii, None, ":", ",", True, False, False)
    if _C_MAKE is not None else None
)


def encode_json(value: Any) -> str:
    """Compact, sorted keys, ASCII, no NaN: the form every back end stores."""
    return "".join(_C_ENCODE(value, 0)) if _C_ENCODE is not None else _PY_ENCODE(value)


_LONG_DIGITS = re.compile(r"\d{19}")


def json_text(value: Any, path: str) -> str:
    """Free JSON (an event payload) as the compact text stored; refused if it is not finite, bounded and shallow.

    Encoding is C-fast and already refuses NaN; the walk over every value (``free_json``) runs only when the
    text hints at a problem: deep brackets or long digits (the whole text is within ``MAX_JSON_TEXT`` anyway).
    """
    try:
        out = encode_json(value)
    except (ValueError, TypeError, RecursionError):
        free_json(value, path)  # says which value
        raise Invalid(path, "is not JSON that can be stored") from None
    if len(out) > MAX_JSON_TEXT:
        raise Invalid(path, f"more than {MAX_JSON_TEXT} characters of JSON")
    if out.count("{") + out.count("[") > MAX_DEPTH or _LONG_DIGITS.search(out):
        free_json(value, path)
    return out


def _walk(value: Any, path: str, depth: int) -> None:
    """Strings inside a payload are stored escaped (ASCII JSON), so a device's stray control byte is kept, not
    refused: refusing would keep the whole session from ever reaching the centre. Sizes, numbers and depth
    are what could hurt, and are checked."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        if len(value) > MAX_JSON_TEXT:
            raise Invalid(path, f"longer than {MAX_JSON_TEXT} characters")
    elif isinstance(value, int):
        integer(value, path, -INT64_MAX, INT64_MAX)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid(path, f"{_shown(value)} is not a finite number")
    elif isinstance(value, list | dict):
        if depth <= 0:
            raise Invalid(path, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            for key, item in value.items():
                _walk(item, f"{path}.{key}"[:200], depth - 1)
        else:
            for i, item in enumerate(value):
                _walk(item, f"{path}[{i}]", depth - 1)
    else:  # pragma: no cover  (json never makes anything else)
        raise Invalid(path, f"unexpected {type(value).__name__}")
