"""The few choices a room keeps between starts, in settings.json beside the session store.

A plain JSON file, not a table: it is read before the store opens and edited by hand in a pinch.
Written to a temporary file and renamed, so a power cut leaves the old or the new file, never half.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from classroom_console import hand_edited

log = logging.getLogger(__name__)
FILE_NAME = "settings.json"
MAX_ROOM_NAME = 80
PERSONAL_DATA_DAYS = 180  # a semester and a bit: long enough to settle a query about a session
MAX_PERSONAL_DATA_DAYS = 36500


@dataclass(slots=True)
class RoomSettings:
    manual_addresses: list[str] = field(default_factory=list)  # addresses and ranges to sweep (VLANs)
    room_name: str = ""  # what the room is called on screen and at the centre ("" : the PC's name)
    live_destinations: list[str] = field(default_factory=list)  # names only: their URLs (keys) are secrets
    studio: dict[str, Any] = field(default_factory=dict)  # the Studio's sources and scenes (media/studio_setup.py)
    # Students' display names are blanked this many days after a session (0: kept); counts stay (participation.py)
    personal_data_days: int = PERSONAL_DATA_DAYS


def load(data_dir: Path) -> RoomSettings:
    """The saved settings; a bad field gets its default alone, an unreadable file is kept aside (``hand_edited``)
    and the defaults used (both said in the log)."""
    path = data_dir / FILE_NAME
    try:
        raw = hand_edited.read_object(path)
    except FileNotFoundError:
        return RoomSettings()
    except (OSError, ValueError) as exc:
        hand_edited.keep_aside(path, exc)
        return RoomSettings()
    addresses, name, live = (raw.get(k) for k in ("manual_addresses", "room_name", "live_destinations"))
    names = "a list of text"
    studio = raw.get("studio", {})  # checked entry by entry where it is read: a bad one is dropped alone
    return RoomSettings(
        manual_addresses=_sweepable(hand_edited.field(raw, "manual_addresses", [], _texts(addresses), path, names),
                                    path),
        room_name=hand_edited.field(raw, "room_name", "", isinstance(name, str), path, "text").strip()[:MAX_ROOM_NAME],
        live_destinations=hand_edited.field(raw, "live_destinations", [], _texts(live), path, names),
        studio=studio if isinstance(studio, dict) else {},
        personal_data_days=_days(raw.get("personal_data_days", PERSONAL_DATA_DAYS), path))


def _sweepable(specs: list[str], path: Path) -> list[str]:
    """The addresses the sweep can use; a typo ('bogus!!') is dropped alone and the file kept aside (it stopped the
    console's start: the window never opened, E3)."""
    from devices.discovery.sweep import expand_targets  # here: settings load before anything else, and fast

    kept = []
    for spec in specs:
        try:
            expand_targets([spec])
        except ValueError as exc:
            hand_edited.keep_aside(path, exc)
            continue
        kept.append(spec)
    return kept


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _days(value: object, path: Path) -> int:
    """A bad retention value keeps the default (and says so) rather than costing the other settings."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PERSONAL_DATA_DAYS:
        return value
    log.warning("%s: personal_data_days must be 0..%d days; keeping %d", path, MAX_PERSONAL_DATA_DAYS,
                PERSONAL_DATA_DAYS)
    return PERSONAL_DATA_DAYS


_writing = threading.Lock()


def save(data_dir: Path, settings: RoomSettings) -> None:
    """Whole, and one at a time: saves run on worker threads (the Studio's, a destination's, the room name's),
    and one that read the settings earlier must not land after one that read them later (a fresh CI clone lost
    a just-added live destination that way: its save finished first, an older one replaced it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE_NAME
    temporary = path.with_suffix(f".json.{os.getpid()}-{threading.get_ident()}.tmp")
    with _writing:
        with temporary.open("w", encoding="utf-8") as out:
            json.dump(asdict(settings), out, indent=2, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
