"""An upload the sync set aside, in the user's words: which item, and why by its reason code.

The queue keeps the item's kind (``session``, ``recording``, ``meta``, ``track``), its id, a reason code (the
sync's own, or the centre's answer's) and the technical line; `usage` and `sync` showed them raw
("recording 12 [file_missing]: recording file /x.mp4 is missing"). The technical line follows only with -v.
"""

from __future__ import annotations

import re

from classroom_console.cli_reasons import with_detail
from classroom_console.cli_text import tr
from classroom_console.commands.sync_words import REASONS, reason_words

_KINDS = {
    "session": "Session {id}",
    "recording": "Recording {id}",
    "meta": "Description of recording {id}",
    "track": "Track {id}",
}

_LINE = re.compile(r"(\S+) (\S+) \[([^\]]*)\]: (.*)", re.S)  # usage.build_report's "kind id [reason]: error"


def item_words(kind: str, item_id: str) -> str:
    shown = (item_id.rpartition("@")[0] or item_id) if kind == "meta" else item_id  # meta: "RECORDING@REVISION"
    return tr(_KINDS[kind]).format(id=shown) if kind in _KINDS else f"{kind} {item_id}"


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
    return dict(_KINDS), dict(REASONS)
