"""An upload the sync set aside, in the user's words: which item, and why by its reason code.

The queue keeps the item's kind (``session``, ``recording``, ``meta``, ``track``), its id, a reason code (the
sync's own, or the centre's answer's) and the technical line; `usage` and `sync` showed them raw
("recording 12 [file_missing]: recording file /x.mp4 is missing"). The technical line follows only with -v.
"""

from __future__ import annotations

import re

from classroom_console.cli_reasons import with_detail
from classroom_console.cli_text import tr

_KINDS = {
    "session": "Session {id}",
    "recording": "Recording {id}",
    "meta": "Description of recording {id}",
    "track": "Track {id}",
}

_REASONS = {
    # the room's own (classroom_console/sync)
    "not_in_store": "it is no longer in this PC's log",
    "file_missing": "its file is missing",
    "unreadable": "its file cannot be read",
    "not_a_file": "its path is not a file",
    "file_changed": "its file has changed since it was recorded",
    "unknown_kind": "this console does not know how to send it",
    "internal": "a fault in the console; the details are in the log",
    # the centre's answer (centre/failures.REASONS)
    "refused": "the centre refused it",
    "invalid": "the centre found it malformed",
    "unauthorized": "the centre did not accept this room's token",
    "auth_refused": "the centre did not accept this room's token",
    "forbidden": "this room's token may not send it",
    "not_found": "the centre does not know it",
    "conflict": "the centre holds another version of it",
    "too_large": "it is larger than the centre accepts",
    "checksum_mismatch": "it arrived damaged (its SHA-256 differs)",
    "disk_full": "the centre's disk is full",
}

_LINE = re.compile(r"(\S+) (\S+) \[([^\]]*)\]: (.*)", re.S)  # usage.build_report's "kind id [reason]: error"


def item_words(kind: str, item_id: str) -> str:
    shown = (item_id.rpartition("@")[0] or item_id) if kind == "meta" else item_id  # meta: "RECORDING@REVISION"
    return tr(_KINDS[kind]).format(id=shown) if kind in _KINDS else f"{kind} {item_id}"


def reason_words(reason: str) -> str:
    return tr(_REASONS.get(reason, "the centre refused it"))


def aside_line(kind: str, item_id: str, reason: str, error: str, verbose: bool = False) -> str:
    """ "Recording 12: its file is missing." (the technical line in brackets with -v)."""
    return with_detail(tr("{item}: {why}").format(item=item_words(kind, item_id), why=reason_words(reason)),
                       error, verbose)


def reworded(line: str, verbose: bool = False) -> str:
    """A report's set-aside line (``kind id [reason]: error``) in words; a line of another shape as it is."""
    found = _LINE.fullmatch(line)
    if found is None:
        return line
    kind, item_id, reason, error = found.groups()
    return aside_line(kind, item_id, reason, error, verbose)


def worded() -> tuple[dict[str, str], dict[str, str]]:
    return dict(_KINDS), dict(_REASONS)
